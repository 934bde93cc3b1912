package actors

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/subjects"
)

// Wiring imports: each import of an account becomes entries in account indexes (crossings.go).
// Start wires the configured accounts before their actors run, so the entries are simply part
// of each account's first index; an account opened later (operator mode) is wired by the
// accounts supervisor, which sends entries for accounts already running to their actors.

// wireImports wires every import of importer's definition to the accounts it names. add puts an
// entry into an account's index.
func (s *shared) wireImports(importer *Account, add func(*Account, *subscription)) {
	if importer.def == nil {
		return
	}
	for i := range importer.def.Imports {
		im := &importer.def.Imports[i]
		exporter := s.registry.get(im.Account)
		if exporter == nil || exporter.def == nil {
			s.log.Warn("import from an unknown account skipped", "account", importer.Name,
				"from", im.Account, "subject", im.Subject)
			continue
		}
		if err := exporter.def.CheckImport(importer.def, im); err != nil {
			s.log.Warn("import skipped", "account", importer.Name, "from", im.Account,
				"subject", im.Subject, "error", err)
			continue
		}
		local := []byte(im.LocalSubject())
		remote := []byte(im.Subject)
		switch im.Kind {
		case accounts.Stream:
			// Messages published in the exporter on the subject reach the importer's subscribers.
			rt := &crossing{kind: streamImport, target: importer, from: remote, to: local}
			add(exporter, &subscription{acc: exporter, cross: rt, subject: remote})
		case accounts.Service:
			multi, ttl := responseMode(exporter.def, im.Subject)
			back := &crossing{kind: serviceResponse, target: importer, id: newCrossingID(), multi: multi, ttl: ttl}
			add(exporter, &subscription{acc: exporter, cross: back, subject: []byte("_R_." + string(back.id) + ".>")})
			rt := &crossing{kind: serviceImport, target: exporter, from: local, to: remote, back: back, share: im.Share}
			add(importer, &subscription{acc: importer, cross: rt, subject: local})
		}
	}
}

// responseMode finds how the export serving subject answers: more than one response (Stream,
// Chunked) or one, and for how long.
func responseMode(exporter *accounts.Account, subject string) (multi bool, ttl time.Duration) {
	ttl = defaultResponseTTL
	for _, e := range exporter.Exports {
		if e.Kind != accounts.Service || !coversSubject(e.Subject, subject) {
			continue
		}
		if e.ResponseThreshold > 0 {
			ttl = e.ResponseThreshold
		}
		return e.ResponseType == accounts.ResponseStream || e.ResponseType == accounts.ResponseChunked, ttl
	}
	return false, ttl
}

// coversSubject reports whether pattern covers subject (itself possibly a pattern): the same
// subject, or a literal subject the pattern matches.
func coversSubject(pattern, subject string) bool {
	return pattern == subject || subjects.IsLiteral([]byte(subject)) && subjects.Match([]byte(pattern), []byte(subject)) ||
		strings.HasSuffix(pattern, ">") && strings.HasPrefix(subject, strings.TrimSuffix(pattern, ">"))
}

var crossingIDs = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newCrossingID is a random token for a service response crossing: _R_.<id>.<token>.
func newCrossingID() []byte {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return []byte(crossingIDs.EncodeToString(b[:]))
}

// openConfiguredAccounts fills the registry before any actor runs: $G, the system account, and
// every configured account, with their imports wired.
func (s *shared) openConfiguredAccounts() {
	var all []*Account
	for _, def := range s.auth.Accounts() {
		all = append(all, newAccountFrom(def))
	}
	s.registry.add(all...)
	if s.global = s.registry.get(accounts.GlobalAccount); s.global == nil {
		s.global = newAccount(accounts.GlobalAccount)
		s.registry.add(s.global)
	}
	sys := s.auth.SystemAccountName()
	if sys == "" {
		sys = accounts.SystemAccount
	}
	if s.sysAcc = s.registry.get(sys); s.sysAcc == nil {
		s.sysAcc = newAccount(sys)
		s.registry.add(s.sysAcc)
	}
	// Not yet running: entries go into each account's first index.
	addEntry := func(acc *Account, e *subscription) { acc.entries = append(acc.entries, e) }
	for _, acc := range all {
		s.wireImports(acc, addEntry)
	}
}

package accounts

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/troupe/troupe/subjects"
)

// Errors of imports, nats-server's (errors.go).
var (
	ErrStreamImportAuthorization  = errors.New("stream import not authorized")
	ErrServiceImportAuthorization = errors.New("service import not authorized")
	ErrStreamImportBadPrefix      = errors.New("stream import prefix can not contain wildcard tokens")
	ErrStreamImportDuplicate      = errors.New("stream import already exists")
	ErrImportFormsCycle           = errors.New("import forms a cycle")
	ErrInvalidSubject             = errors.New("invalid subject")
)

// CheckImport reports whether a may export what importer's import im asks for
// (accounts.go checkStreamImportAuthorized / checkServiceImportAuthorized, checkAuth,
// checkActivation): a export of im's kind whose subject equals im.Subject, or else one that
// contains it, must be public, or list importer, or have importer's name at its account token
// position, or (token required) accept im.Token, an activation JWT signed by a (or one of its
// signing keys) for importer, not expired nor revoked. Exports are tried in their order (for a
// subject several exports contain, nats-server picks one at random). It returns nil or
// ErrStreamImportAuthorization / ErrServiceImportAuthorization.
func (a *Account) CheckImport(importer *Account, im *Import) error {
	deny := ErrStreamImportAuthorization
	if im.Kind == Service {
		deny = ErrServiceImportAuthorization
	}
	if a == nil || importer == nil || !subjects.Valid([]byte(im.Subject)) {
		return deny
	}
	e, tokens := a.exportFor(im.Kind, im.Subject)
	if e == nil || !a.exportAuthorizes(e, importer, im, tokens) {
		return deny
	}
	return nil
}

// exportFor finds the export of kind that im subject falls under: equal first, then the first
// export that contains it. tokens is the split subject for the second case only (nats-server
// passes none for an exact match, which matters for account_token_position).
func (a *Account) exportFor(kind ExportKind, subject string) (*Export, []string) {
	if e := a.export(kind, subject); e != nil {
		return e, nil
	}
	for i := range a.Exports {
		if e := &a.Exports[i]; e.Kind == kind && subsetOf([]byte(subject), e.Subject) {
			return e, splitTokens(subject)
		}
	}
	return nil, nil
}

func (a *Account) exportAuthorizes(e *Export, importer *Account, im *Import, tokens []string) bool {
	if len(e.Accounts) == 0 && !e.TokenRequired && e.AccountTokenPosition == 0 {
		return true
	}
	if p := e.AccountTokenPosition; p > 0 {
		return p <= uint(len(tokens)) && tokens[p-1] == importer.Name
	}
	if e.TokenRequired {
		return a.checkActivation(e, importer, im)
	}
	for _, n := range e.Accounts {
		if n == importer.Name {
			return true
		}
	}
	return false
}

// checkActivation validates an activation token for a private export.
func (a *Account) checkActivation(e *Export, importer *Account, im *Import) bool {
	if im.Token == "" {
		return false
	}
	typ := jwt.Stream
	if im.Kind == Service {
		typ = jwt.Service
	}
	claim := jwt.Import{Type: typ, Account: a.Name, Subject: jwt.Subject(im.Subject), Token: im.Token}
	vr := jwt.CreateValidationResults()
	claim.Validate(importer.Name, vr)
	if vr.IsBlocking(true) {
		return false
	}
	act, err := jwt.DecodeActivationClaims(im.Token)
	if err != nil {
		return false
	}
	if act.IssuerAccount != "" {
		if act.IssuerAccount != a.Name {
			return false
		}
		if _, ok := a.hasSigner(act.Issuer); !ok {
			return false
		}
	}
	vr = jwt.CreateValidationResults()
	act.Validate(vr)
	if vr.IsBlocking(true) {
		return false
	}
	if act.Expires != 0 && act.Expires <= time.Now().Unix() {
		return false
	}
	if t, ok := e.Revocations[act.Subject]; ok && t >= act.IssuedAt {
		return false
	}
	if t, ok := e.Revocations[jwt.All]; ok && t >= act.IssuedAt {
		return false
	}
	return true
}

// CheckAccounts validates configured accounts as nats-server's parseAccounts does once all are
// read: reserved and duplicate names, exports naming unknown accounts, then each import: the
// exporting account exists, the export authorizes it, the subjects and prefix are usable, no
// duplicate, no cycle. Imports are checked in account order, streams before services, each
// against the imports accepted before it. The texts are nats-server's, e.g.
// `"B" account not defined for stream import` or
// `Error adding service import "q": service import not authorized`.
func CheckAccounts(accs []*Account) []error {
	var errs []error
	byName := make(map[string]*Account, len(accs))
	for _, a := range accs {
		switch {
		case a.Name == GlobalAccount:
			errs = append(errs, fmt.Errorf("%q is a Reserved Account", a.Name))
		case byName[a.Name] != nil:
			errs = append(errs, fmt.Errorf("Duplicate Account Entry: %s", a.Name))
		default:
			byName[a.Name] = a
		}
	}
	for _, a := range accs {
		for _, e := range a.Exports {
			for _, n := range e.Accounts {
				if byName[n] == nil {
					errs = append(errs, fmt.Errorf("%q account not defined for %s export", n, e.Kind))
				}
			}
			if !subjects.Valid([]byte(e.Subject)) || !tokenPositionOK(e.Subject, e.AccountTokenPosition) {
				errs = append(errs, fmt.Errorf("Error adding %s export %q: %v", e.Kind, e.Subject, ErrInvalidSubject))
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	g := &importGraph{byName: byName, accepted: map[string][]*Import{}}
	for _, kind := range []ExportKind{Stream, Service} {
		for _, a := range accs {
			for i := range a.Imports {
				if im := &a.Imports[i]; im.Kind == kind {
					if err := g.add(a, im); err != nil {
						errs = append(errs, err)
					}
				}
			}
		}
	}
	return errs
}

// tokenPositionOK is setExportAuth's check: an account token position names a '*' token.
func tokenPositionOK(subject string, pos uint) bool {
	if pos == 0 {
		return true
	}
	toks := splitTokens(subject)
	return uint(len(toks)) >= pos && toks[pos-1] == "*"
}

// importGraph holds the imports accepted so far, for duplicate and cycle checks.
type importGraph struct {
	byName   map[string]*Account
	accepted map[string][]*Import // importing account -> imports
}

func (g *importGraph) add(a *Account, im *Import) error {
	x := g.byName[im.Account]
	if x == nil {
		return fmt.Errorf("%q account not defined for %s import", im.Account, im.Kind)
	}
	wrap := func(err error) error { return fmt.Errorf("Error adding %s import %q: %v", im.Kind, im.Subject, err) }
	if im.Kind == Stream {
		if err := x.CheckImport(a, im); err != nil {
			return wrap(err)
		}
		if im.Prefix != "" && !subjects.IsLiteral([]byte(im.Prefix)) {
			return wrap(ErrStreamImportBadPrefix)
		}
		to := im.LocalSubject()
		if err := g.streamCycle(a.Name, x.Name, to); err != nil {
			return wrap(err)
		}
		if err := g.streamCycle(a.Name, x.Name, im.Subject); err != nil {
			return wrap(err)
		}
		if !subjects.IsLiteral([]byte(im.Subject)) && to != im.Subject {
			if err := checkMapping(im.Subject, to); err != nil {
				return wrap(fmt.Errorf("failed to create mapping transform for stream import subject from %q to %q: %v", im.Subject, to, err))
			}
		}
		for _, o := range g.accepted[a.Name] {
			if o.Kind == Stream && o.Account == im.Account && o.Subject == im.Subject {
				return wrap(ErrStreamImportDuplicate)
			}
		}
	} else {
		from := im.LocalSubject()
		if !subjects.Valid([]byte(from)) || !subjects.Valid([]byte(im.Subject)) {
			return wrap(ErrInvalidSubject)
		}
		for _, o := range g.accepted[a.Name] {
			if o.Kind == Service && o.Account == im.Account && o.LocalSubject() == from {
				return fmt.Errorf("Duplicate service import subject %q, previously used in import for account %q, subject %q", from, o.Account, o.Subject)
			}
		}
		if err := x.CheckImport(a, im); err != nil {
			return wrap(err)
		}
		if err := g.serviceCycle(x.Name, from, map[string]bool{a.Name: true}); err != nil {
			return wrap(err)
		}
		if !subjects.IsLiteral([]byte(im.Subject)) && from != im.Subject {
			if err := checkMapping(from, im.Subject); err != nil {
				return wrap(fmt.Errorf("failed to create mapping transform for service import subject from %q to %q: %v", from, im.Subject, err))
			}
		}
	}
	g.accepted[a.Name] = append(g.accepted[a.Name], im)
	return nil
}

// serviceCycle is checkServiceImportsForCycles, run on account name with the subject from.
func (g *importGraph) serviceCycle(name, from string, visited map[string]bool) error {
	if len(visited) >= 1024 {
		return ErrImportFormsCycle
	}
	for _, si := range g.accepted[name] {
		if si.Kind != Service || !subjectsCollide(from, si.Subject) {
			continue
		}
		if visited[si.Account] {
			return ErrImportFormsCycle
		}
		visited[name] = true
		f := from
		if local := si.LocalSubject(); subsetOf([]byte(local), f) {
			f = local
		}
		if err := g.serviceCycle(si.Account, f, visited); err != nil {
			return err
		}
	}
	return nil
}

// streamCycle is streamImportFormsCycle: importer takes subject to from exporter.
func (g *importGraph) streamCycle(importer, exporter, to string) error {
	return g.streamCycleFrom(exporter, to, map[string]bool{importer: true})
}

func (g *importGraph) streamCycleFrom(name, to string, visited map[string]bool) error {
	if len(visited) >= 1024 {
		return ErrImportFormsCycle
	}
	a := g.byName[name]
	exports := false
	for _, e := range a.Exports {
		if e.Kind == Stream && subsetOf([]byte(to), e.Subject) {
			exports = true
			break
		}
	}
	if !exports {
		return nil
	}
	for _, si := range g.accepted[name] {
		local := si.LocalSubject()
		if si.Kind != Stream || !subjectsCollide(to, local) {
			continue
		}
		if visited[si.Account] {
			return ErrImportFormsCycle
		}
		visited[name] = true
		t := to
		if subsetOf([]byte(local), t) {
			t = local
		}
		if err := g.streamCycleFrom(si.Account, t, visited); err != nil {
			return err
		}
	}
	return nil
}

// checkMapping checks that a subject with wildcards can be remapped to dst the way imports
// remap (wildcards filled in order, as nats-server's strict transforms require): dst must use
// every '*' of src, and end in '>' exactly when src does.
func checkMapping(src, dst string) error {
	count := func(s string) (stars int, full bool) {
		for _, t := range strings.Split(s, ".") {
			switch t {
			case "*":
				stars++
			case ">":
				full = true
			}
		}
		return stars, full
	}
	if !subjects.Valid([]byte(dst)) {
		return fmt.Errorf("invalid destination %q", dst)
	}
	ss, sf := count(src)
	ds, df := count(dst)
	if ss != ds || sf != df {
		return fmt.Errorf("destination %q does not use the wildcards of %q", dst, src)
	}
	return nil
}

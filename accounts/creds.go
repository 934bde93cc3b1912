package accounts

import (
	"bytes"
	"errors"
	"regexp"

	"github.com/nats-io/nkeys"
)

// credsBlock is one decorated block of a creds file, as nkeys (and so nats.go and the nats CLI)
// find them: a "---...---" line, the content, another "---...---" line.
var credsBlock = regexp.MustCompile(`\s*(?:(?:[-]{3,}.*[-]{3,}\r?\n)([\w\-.=]+)(?:\r?\n[-]{3,}.*[-]{3,}\r?\n))`)

// ErrNoCredsJWT and ErrNoCredsSeed are ParseCreds' errors for a text without a decorated user
// JWT or without an nkey seed.
var (
	ErrNoCredsJWT  = errors.New("creds: no decorated JWT found")
	ErrNoCredsSeed = errors.New("creds: no nkey seed found")
)

// ParseCreds reads a creds file as nats.go and the nats CLI read it (nkeys ParseDecoratedJWT
// and ParseDecoratedNKey): the JWT is the first decorated block; the seed is the second, or
// else the first line that starts with an operator, account or user seed prefix (SO, SA, SU).
// The seed is checked to decode; the JWT is returned as it is (Authenticate checks it).
func ParseCreds(text []byte) (jwt string, seed []byte, err error) {
	blocks := credsBlock.FindAllSubmatch(text, -1)
	if len(blocks) == 0 {
		return "", nil, ErrNoCredsJWT
	}
	jwt = string(bytes.TrimSpace(blocks[0][1]))
	var raw []byte
	if len(blocks) > 1 {
		raw = blocks[1][1]
	} else {
		for _, line := range bytes.Split(text, []byte("\n")) {
			line = bytes.TrimSpace(line)
			if bytes.HasPrefix(line, []byte("SO")) || bytes.HasPrefix(line, []byte("SA")) || bytes.HasPrefix(line, []byte("SU")) {
				raw = line
				break
			}
		}
	}
	if raw == nil {
		return "", nil, ErrNoCredsSeed
	}
	if !bytes.HasPrefix(raw, []byte("SO")) && !bytes.HasPrefix(raw, []byte("SA")) && !bytes.HasPrefix(raw, []byte("SU")) {
		return "", nil, nkeys.ErrInvalidNkeySeed
	}
	kp, err := nkeys.FromSeed(raw)
	if err != nil {
		return "", nil, err
	}
	kp.Wipe()
	return jwt, append([]byte(nil), raw...), nil
}

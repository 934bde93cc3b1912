package accounts

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/nats-io/nkeys"
)

// nats-server's nonce: 11 random bytes, base64url without padding, 15 characters
// (nkey.go nonceRawLen, nonceLen, generateNonce).
const (
	nonceRawLen = 11
	NonceLen    = 15
)

// NewNonce returns a fresh nonce for INFO's "nonce" field, as nats-server generates it. The
// client signs these 15 bytes (the text, not its decoding); pass the same slice to
// Authenticate.
func NewNonce() []byte {
	var raw [nonceRawLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("accounts: no randomness for a nonce: " + err.Error())
	}
	n := make([]byte, NonceLen)
	base64.RawURLEncoding.Encode(n, raw[:])
	return n
}

// verifyNonce checks sig, the client's signature of nonce (base64url, or standard base64 as
// nats-server also accepts), against the public key pub.
func verifyNonce(pub, sig string, nonce []byte) bool {
	if sig == "" || len(nonce) == 0 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		if raw, err = base64.StdEncoding.DecodeString(sig); err != nil {
			return false
		}
	}
	kp, err := nkeys.FromPublicKey(pub)
	if err != nil {
		return false
	}
	return kp.Verify(nonce, raw) == nil
}

// SignNonce signs nonce with an nkey seed as clients do (nats.go), returning the CONNECT "sig"
// value. For tests and tools.
func SignNonce(seed, nonce []byte) (string, error) {
	kp, err := nkeys.FromSeed(seed)
	if err != nil {
		return "", err
	}
	defer kp.Wipe()
	sig, err := kp.Sign(nonce)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sig), nil
}

package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// An envelope carries a bundle's payload with its content hash and
// signatures:
//
//	{"hash":"sha256:<hex>","payload":{...},"signatures":[{"alg":"ed25519","key":"<key id>","sig":"<base64>"}]}
//
// The hash and every signature cover the payload's bytes exactly as they
// stand in the file, so a reader never has to re-encode JSON to check them:
// a byte changed anywhere in the payload fails the check.
type envelope struct {
	Hash       string          `json:"hash"`
	Payload    json.RawMessage `json:"payload"`
	Signatures []Signature     `json:"signatures"`
}

// Signature is one ed25519 signature of a payload.
type Signature struct {
	Alg string `json:"alg"` // always "ed25519"
	Key string `json:"key"` // KeyID of the public key that verifies it
	Sig string `json:"sig"` // standard base64
}

// signingContext is prefixed to the payload before signing, so that a
// bundle signature can never be taken for a signature of anything else.
const signingContext = "jitconsent bundle v1\n"

// Error codes of Error, shared with the module's ABI.
const (
	CodeBadBundle    = "bad_bundle"    // not an envelope, a wrong hash or an invalid payload
	CodeBadSignature = "bad_signature" // no signature, or none by a trusted key that verifies
)

// Error is a bundle that cannot be opened.
type Error struct {
	Code string // CodeBadBundle or CodeBadSignature
	Msg  string
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

func badBundle(msg string) error    { return &Error{Code: CodeBadBundle, Msg: msg} }
func badSignature(msg string) error { return &Error{Code: CodeBadSignature, Msg: msg} }

// Hash returns the content hash of a payload, as written in an envelope.
func Hash(payload []byte) string {
	sum := sha256.Sum256(payload)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Seal wraps a payload (compact bundle JSON) in an envelope with its hash
// and no signature yet.
func Seal(payload []byte) ([]byte, error) {
	if !json.Valid(payload) {
		return nil, badBundle("payload is not valid JSON")
	}
	return encodeEnvelope(payload, nil), nil
}

// Sign adds a signature by key to an envelope and returns the new
// envelope. The envelope's hash is checked first: Sign never signs a
// payload that does not match its hash.
func Sign(env []byte, key ed25519.PrivateKey) ([]byte, error) {
	e, err := decodeEnvelope(env)
	if err != nil {
		return nil, err
	}
	pub := key.Public().(ed25519.PublicKey)
	id := KeyID(pub)
	sigs := make([]Signature, 0, len(e.Signatures)+1)
	for _, s := range e.Signatures {
		if s.Key != id { // re-signing with the same key replaces its signature
			sigs = append(sigs, s)
		}
	}
	sig := ed25519.Sign(key, signedMessage(e.Payload))
	sigs = append(sigs, Signature{Alg: "ed25519", Key: id, Sig: base64.StdEncoding.EncodeToString(sig)})
	return encodeEnvelope(e.Payload, sigs), nil
}

// Open verifies an envelope against the trusted public keys and returns
// its bundle. The signature block is required: an envelope without a
// signature by one of keys that verifies is rejected with
// CodeBadSignature, and one that is not a well-formed bundle with
// CodeBadBundle.
func Open(env []byte, keys []ed25519.PublicKey) (*Bundle, error) {
	e, err := decodeEnvelope(env)
	if err != nil {
		return nil, err
	}
	if len(e.Signatures) == 0 {
		return nil, badSignature("the bundle is not signed")
	}
	msg := signedMessage(e.Payload)
	trusted := false
	for _, s := range e.Signatures {
		if s.Alg != "ed25519" {
			return nil, badSignature("unsupported signature algorithm " + strconv.Quote(s.Alg))
		}
		for _, k := range keys {
			if KeyID(k) != s.Key {
				continue
			}
			sig, err := base64.StdEncoding.DecodeString(s.Sig)
			if err != nil || !ed25519.Verify(k, msg, sig) {
				return nil, badSignature("signature by key " + s.Key + " does not verify")
			}
			trusted = true
		}
	}
	if !trusted {
		return nil, badSignature("no signature by a trusted key")
	}
	return parsePayload(e.Payload)
}

// OpenUnsigned checks an envelope's hash and returns its bundle without
// looking at signatures. It is for tools that inspect a bundle, never for
// deciding whether to trust one.
func OpenUnsigned(env []byte) (*Bundle, error) {
	e, err := decodeEnvelope(env)
	if err != nil {
		return nil, err
	}
	return parsePayload(e.Payload)
}

// Payload returns the payload bytes of an envelope after checking its hash.
func Payload(env []byte) ([]byte, error) {
	e, err := decodeEnvelope(env)
	if err != nil {
		return nil, err
	}
	return e.Payload, nil
}

// Signatures returns the signatures of an envelope after checking its hash.
func Signatures(env []byte) ([]Signature, error) {
	e, err := decodeEnvelope(env)
	if err != nil {
		return nil, err
	}
	return e.Signatures, nil
}

func signedMessage(payload []byte) []byte {
	msg := make([]byte, 0, len(signingContext)+len(payload))
	return append(append(msg, signingContext...), payload...)
}

func decodeEnvelope(env []byte) (*envelope, error) {
	var e envelope
	dec := json.NewDecoder(bytes.NewReader(env))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, badBundle("not a bundle envelope: " + err.Error())
	}
	if dec.More() {
		return nil, badBundle("trailing data after the envelope")
	}
	if len(e.Payload) == 0 || e.Payload[0] != '{' {
		return nil, badBundle("the envelope has no payload object")
	}
	if e.Hash != Hash(e.Payload) {
		return nil, badBundle("the payload does not match the envelope's hash")
	}
	return &e, nil
}

func encodeEnvelope(payload []byte, sigs []Signature) []byte {
	var b bytes.Buffer
	b.WriteString(`{"hash":"`)
	b.WriteString(Hash(payload))
	b.WriteString(`","payload":`)
	b.Write(payload)
	b.WriteString(`,"signatures":[`)
	for i, s := range sigs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"alg":` + strconv.Quote(s.Alg) + `,"key":` + strconv.Quote(s.Key) + `,"sig":` + strconv.Quote(s.Sig) + `}`)
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

func parsePayload(payload []byte) (*Bundle, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, badBundle("payload: " + err.Error())
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

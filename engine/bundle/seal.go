package bundle

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"

	"github.com/jitconsent/jitconsent/engine/errcode"
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
	Hash       string      `json:"hash"`
	Payload    []byte      `json:"payload"`
	Signatures []Signature `json:"signatures"`
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

// A bundle that cannot be opened is an *errcode.Error with code
// errcode.BadBundle or errcode.BadSignature; the module answers it as it is.
func badBundle(msg string) error    { return errcode.New(errcode.BadBundle, msg) }
func badSignature(msg string) error { return errcode.New(errcode.BadSignature, msg) }

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
// and no signature yet. The payload must be one JSON value that every
// reader reads alike (no repeated name, UTF-8 only): Open rejects any
// other, so Seal and Sign refuse to wrap or sign it.
func Seal(payload []byte) ([]byte, error) {
	if err := checkPayload(payload); err != nil {
		return nil, err
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
// errcode.BadSignature, and one that is not a well-formed bundle with
// errcode.BadBundle.
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

// OpenEmbedded reads a bundle that is part of the program itself, such as
// the one the wasm module carries, and returns the hash its envelope
// declares. It neither verifies signatures nor recomputes the hash (a
// program that cannot trust its own data cannot trust its code either),
// leaves validation to the reader that uses the bundle (engine.New does
// it), and its strings share env's memory, which must therefore never
// change: //go:embed data, for instance. In wasm this takes the module's
// start-up from 16 ms to a few (hostsim's BenchmarkInstantiate). It does
// read the document as every reader must (no repeated name, UTF-8 only,
// nothing after it), like Open: a module must show what any other
// reader of its bundle would see.
func OpenEmbedded(env []byte) (*Bundle, string, error) {
	e, err := readEnvelope(env)
	if err != nil {
		return nil, "", err
	}
	b, err := decode(e.Payload, true, true)
	return b, e.Hash, err
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

func encodeEnvelope(payload []byte, sigs []Signature) []byte {
	b := make([]byte, 0, len(payload)+128+len(sigs)*128)
	b = append(b, `{"hash":"`...)
	b = append(b, Hash(payload)...)
	b = append(b, `","payload":`...)
	b = append(b, payload...)
	b = append(b, `,"signatures":[`...)
	for i, s := range sigs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"alg":`+strconv.Quote(s.Alg)+`,"key":`+strconv.Quote(s.Key)+`,"sig":`+strconv.Quote(s.Sig)+`}`...)
	}
	return append(b, "]}\n"...)
}

// parsePayload decodes and validates a payload that readEnvelope has
// checked.
func parsePayload(payload []byte) (*Bundle, error) {
	b, err := decode(payload, false, true)
	if err != nil {
		return nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

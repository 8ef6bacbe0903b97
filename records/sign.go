package records

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/ledger"
)

// PublicKey is a public key as /v1/keys lists it.
type PublicKey struct {
	ID  string `json:"id"`  // bundle.KeyID
	Key string `json:"key"` // the raw 32 bytes, standard base64
}

// Signer signs checkpoints, anchors and export manifests with the
// service's key. It is safe for concurrent use.
type Signer struct {
	key  ed25519.PrivateKey
	id   string
	keys []ed25519.PublicKey // the signing key's public half first, then older keys still published
}

// NewSigner returns a Signer for key; published are older public keys
// that /v1/keys goes on listing, so that checkpoints signed before a key
// change still verify.
func NewSigner(key ed25519.PrivateKey, published ...ed25519.PublicKey) *Signer {
	pub := key.Public().(ed25519.PublicKey)
	s := &Signer{key: key, id: bundle.KeyID(pub), keys: []ed25519.PublicKey{pub}}
	for _, k := range published {
		if !slices.ContainsFunc(s.keys, func(x ed25519.PublicKey) bool { return x.Equal(k) }) {
			s.keys = append(s.keys, k)
		}
	}
	return s
}

// KeyID is the id of the signing key.
func (s *Signer) KeyID() string { return s.id }

// Keys lists the public keys, the signing key's first.
func (s *Signer) Keys() []PublicKey {
	out := make([]PublicKey, len(s.keys))
	for i, k := range s.keys {
		out[i] = PublicKey{ID: bundle.KeyID(k), Key: base64.StdEncoding.EncodeToString(k)}
	}
	return out
}

// PublicKeys returns the public keys themselves, the signing key's first.
func (s *Signer) PublicKeys() []ed25519.PublicKey { return slices.Clone(s.keys) }

// Checkpoint signs the checkpoint of h (SPEC section 4): its
// installation, seq, hash and acceptance time. ed25519 signatures are
// deterministic, so the same head always gets the same checkpoint, byte
// for byte.
func (s *Signer) Checkpoint(h Head) ledger.Checkpoint {
	c := ledger.Checkpoint{V: ledger.CheckpointVersion, Installation: h.Installation, Seq: h.Seq, Head: h.Hash, Time: h.Accepted}
	s.sign(&c)
	return c
}

// Anchor signs the anchor a purge leaves at cut: the same object as a
// checkpoint with kind "anchor", naming the last receipt removed.
func (s *Signer) Anchor(cut Cut) ledger.Checkpoint {
	c := ledger.Checkpoint{V: ledger.CheckpointVersion, Kind: ledger.KindAnchor, Installation: cut.Installation, Seq: cut.Seq,
		Head: cut.Hash, Time: cut.Time}
	s.sign(&c)
	return c
}

func (s *Signer) sign(c *ledger.Checkpoint) {
	if err := c.Sign(s.key); err != nil {
		// Only a head the store should never hold (seq 0, a malformed
		// hash) fails here.
		panic(fmt.Sprintf("records: signing checkpoint %+v: %v", *c, err))
	}
}

// SignObject adds "key" and "sig" to obj: sig is the ed25519 signature
// of the canonical JSON (ledger.Canonical) of obj with key and without
// sig, as a checkpoint's is. It returns the signed object's canonical
// JSON.
func (s *Signer) SignObject(obj map[string]any) ([]byte, error) {
	obj["key"] = s.id
	delete(obj, "sig")
	msg, err := ledger.Canonical(obj)
	if err != nil {
		return nil, err
	}
	obj["sig"] = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, msg))
	return ledger.Canonical(obj)
}

// VerifyObject checks an object signed by SignObject (an export
// manifest) against keys: its sig must be the signature, by the key its
// key member names, of its canonical JSON without sig. It returns the
// object's members, numbers as json.Number.
func VerifyObject(data []byte, keys []ed25519.PublicKey) (map[string]any, error) {
	if _, err := ledger.Canonical(data); err != nil { // strict: no repeated name, UTF-8 only
		return nil, fmt.Errorf("not a signed object: %v", err)
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	sig, _ := obj["sig"].(string)
	id, _ := obj["key"].(string)
	delete(obj, "sig")
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return nil, errors.New("sig is not a base64 ed25519 signature")
	}
	msg, err := ledger.Canonical(obj)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if bundle.KeyID(k) == id {
			if !ed25519.Verify(k, msg, raw) {
				return nil, fmt.Errorf("the signature by key %s does not verify", id)
			}
			return obj, nil
		}
	}
	return nil, fmt.Errorf("key %s is not one of the service's keys", strconv.Quote(id))
}

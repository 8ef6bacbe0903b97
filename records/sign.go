package records

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// Checkpoint is a signed statement of an installation's head (SPEC
// section 4): the service accepted the receipts up to Seq, the last of
// which has hash Head, first at Time. An anchor, left by a purge, is the
// same with Kind "anchor": Seq and Head are the last receipt removed.
//
//	{"head":"<64 hex>","installation":"inst-...","key":"<key id>","seq":42,"sig":"<base64>","time":"2026-03-01T02:00:00Z","v":1}
//
// Sig is the ed25519 signature of the canonical JSON of the object
// without sig; Key is the signing key's id (bundle.KeyID).
type Checkpoint struct {
	Head         string `json:"head"`
	Installation string `json:"installation"`
	Key          string `json:"key"`
	Kind         string `json:"kind,omitempty"`
	Seq          int64  `json:"seq"`
	Sig          string `json:"sig"`
	Time         string `json:"time"`
	V            int    `json:"v"`
}

func (c *Checkpoint) unsigned() map[string]any {
	m := map[string]any{"head": c.Head, "installation": c.Installation, "key": c.Key, "seq": c.Seq, "time": c.Time, "v": int64(c.V)}
	if c.Kind != "" {
		m["kind"] = c.Kind
	}
	return m
}

// MarshalJSON writes the checkpoint in canonical form.
func (c Checkpoint) MarshalJSON() ([]byte, error) {
	m := c.unsigned()
	m["sig"] = c.Sig
	return Canonical(m)
}

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

// Checkpoint signs the checkpoint of h: its installation, seq, hash and
// acceptance time. ed25519 signatures are deterministic, so the same head
// always gets the same checkpoint, byte for byte.
func (s *Signer) Checkpoint(h Head) Checkpoint {
	c := Checkpoint{Head: h.Hash, Installation: h.Installation, Key: s.id, Seq: h.Seq, Time: h.Accepted, V: 1}
	s.sign(&c)
	return c
}

// Anchor signs the anchor a purge leaves at cut.
func (s *Signer) Anchor(cut Cut) Checkpoint {
	c := Checkpoint{Head: cut.Hash, Installation: cut.Installation, Key: s.id, Kind: "anchor", Seq: cut.Seq, Time: cut.Time, V: 1}
	s.sign(&c)
	return c
}

func (s *Signer) sign(c *Checkpoint) {
	msg, err := Canonical(c.unsigned())
	if err != nil {
		panic(err) // strings and integers only: Canonical cannot fail
	}
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, msg))
}

// SignObject adds "key" and "sig" to obj: sig is the signature of the
// canonical JSON of obj with key and without sig. It returns the signed
// object's canonical JSON.
func (s *Signer) SignObject(obj map[string]any) ([]byte, error) {
	obj["key"] = s.id
	delete(obj, "sig")
	msg, err := Canonical(obj)
	if err != nil {
		return nil, err
	}
	obj["sig"] = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, msg))
	return Canonical(obj)
}

// VerifyObject checks a signed object (a checkpoint, an anchor or a
// manifest) against keys: its sig must be the signature, by the key its
// key member names, of its canonical JSON without sig. It returns the
// object's members.
func VerifyObject(data []byte, keys []ed25519.PublicKey) (map[string]any, error) {
	var obj map[string]any
	dec := json.NewDecoder(bytesReader(data))
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
	msg, err := Canonical(obj)
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

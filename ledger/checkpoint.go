package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// CheckpointVersion is the format of checkpoints and anchors: their "v".
const CheckpointVersion = 1

// KindAnchor is the Kind of an anchor. A checkpoint has no kind.
const KindAnchor = "anchor"

// Checkpoint is the consent-record service's signed statement that an
// installation's chain reached seq with the receipt hash head, which it
// first accepted at time (its own clock). The host keeps the latest one;
// a verifier holds a chain against it: a chain that does not reach seq
// was cut short, and one whose receipt seq has another hash was edited or
// forked.
//
// An anchor is the same object with Kind "anchor": left by a purge, it
// says that the receipts up to seq were removed and that the one after
// them has prev head, so that the rest of the chain still verifies.
//
// On the wire it is canonical JSON:
//
//	{"head":"<64 hex>","installation":"inst-...","key":"<key id>","seq":42,"sig":"<base64>","time":"2026-03-01T02:00:00Z","v":1}
//
// Sig is the ed25519 signature of the canonical JSON of the object
// without sig; Key names the public key that verifies it as bundle.KeyID
// names bundle keys.
type Checkpoint struct {
	V            int    // 1
	Kind         string // "" for a checkpoint, "anchor" for an anchor
	Installation string
	Seq          int64
	Head         string // the hash of receipt Seq
	Time         string // RFC 3339: the service's clock
	Key          string // bundle.KeyID of the signing key
	Sig          string // standard base64
}

// IsAnchor reports whether c is an anchor.
func (c *Checkpoint) IsAnchor() bool { return c.Kind == KindAnchor }

// appendJSON appends the canonical JSON; withSig adds sig.
func (c *Checkpoint) appendJSON(b []byte, withSig bool) []byte {
	b = append(b, `{"head":`...)
	b = appendString(b, c.Head)
	b = append(b, `,"installation":`...)
	b = appendString(b, c.Installation)
	b = append(b, `,"key":`...)
	b = appendString(b, c.Key)
	if c.Kind != "" {
		b = append(b, `,"kind":`...)
		b = appendString(b, c.Kind)
	}
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, c.Seq, 10)
	if withSig {
		b = append(b, `,"sig":`...)
		b = appendString(b, c.Sig)
	}
	b = append(b, `,"time":`...)
	b = appendString(b, c.Time)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, int64(c.V), 10)
	return append(b, '}')
}

// SignedBytes returns what the signature covers: the canonical JSON of
// the checkpoint without sig.
func (c *Checkpoint) SignedBytes() []byte { return c.appendJSON(nil, false) }

// MarshalJSON returns the checkpoint's canonical JSON.
func (c Checkpoint) MarshalJSON() ([]byte, error) { return c.appendJSON(nil, true), nil }

// UnmarshalJSON reads one checkpoint as ParseCheckpoint does.
func (c *Checkpoint) UnmarshalJSON(data []byte) error {
	v, err := parseJSON(data)
	if err != nil {
		return err
	}
	cp, err := checkpointFrom(v, "checkpoint")
	if err != nil {
		return err
	}
	*c = cp
	return nil
}

// Sign sets V (if unset), Key and Sig: it signs the checkpoint with key.
func (c *Checkpoint) Sign(key ed25519.PrivateKey) error {
	if len(key) != ed25519.PrivateKeySize {
		return errors.New("ledger: not an ed25519 private key")
	}
	if c.V == 0 {
		c.V = CheckpointVersion
	}
	if err := c.check(); err != nil {
		return err
	}
	c.Key = bundle.KeyID(key.Public().(ed25519.PublicKey))
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.SignedBytes()))
	return nil
}

// Verify checks that the checkpoint is well formed and signed by one of
// keys (the service's public keys): the key its Key names, and a
// signature of its content by that key.
func (c *Checkpoint) Verify(keys []ed25519.PublicKey) error {
	if err := c.check(); err != nil {
		return err
	}
	for _, k := range keys {
		if bundle.KeyID(k) != c.Key {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(c.Sig)
		if err != nil || len(sig) != ed25519.SignatureSize {
			return errors.New("sig is not a base64 ed25519 signature")
		}
		if !ed25519.Verify(k, c.SignedBytes(), sig) {
			return errors.New("the signature by key " + c.Key + " does not verify: the " + c.what() + " was altered or signed by another key")
		}
		return nil
	}
	return errors.New("key " + strconv.Quote(c.Key) + " is not one of the service keys given")
}

func (c *Checkpoint) what() string {
	if c.IsAnchor() {
		return "anchor"
	}
	return "checkpoint"
}

// check checks the checkpoint's values.
func (c *Checkpoint) check() error {
	switch {
	case c.V != CheckpointVersion:
		return errors.New("v is " + strconv.Itoa(c.V) + ", not " + strconv.Itoa(CheckpointVersion))
	case c.Kind != "" && c.Kind != KindAnchor:
		return errors.New("kind " + strconv.Quote(c.Kind) + " is not \"anchor\" (a checkpoint has none)")
	case !validInstallation(c.Installation):
		return errors.New("installation " + strconv.Quote(c.Installation) + " is not an installation id")
	case c.Seq < 1 || c.Seq > maxSafeInt:
		return errors.New("seq " + strconv.FormatInt(c.Seq, 10) + " is not from 1 to 2^53-1")
	case !isHex64(c.Head):
		return errors.New("head " + strconv.Quote(c.Head) + " is not 64 lower-case hex digits")
	}
	if _, err := parseTime(c.Time); err != nil {
		return errors.New("time " + strconv.Quote(c.Time) + " is not an RFC 3339 time")
	}
	return nil
}

// ParseCheckpoints reads checkpoints and anchors: one JSON object, a JSON
// array of them, or JSON Lines. It is strict as Parse is; it does not
// verify signatures (Verify does).
func ParseCheckpoints(data []byte) ([]Checkpoint, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("no checkpoint: the input is empty")
	}
	if v, err := parseJSON(trimmed); err == nil {
		switch v.kind {
		case '{':
			c, err := checkpointFrom(v, "checkpoint")
			if err != nil {
				return nil, err
			}
			return []Checkpoint{c}, nil
		case '[':
			out := make([]Checkpoint, 0, len(v.elems))
			for i, el := range v.elems {
				c, err := checkpointFrom(el, "checkpoints["+strconv.Itoa(i)+"]")
				if err != nil {
					return nil, err
				}
				out = append(out, c)
			}
			return out, nil
		}
		return nil, errors.New("not a checkpoint: a JSON object, an array of them or JSON Lines")
	} else if !bytes.Contains(trimmed, []byte("\n")) {
		return nil, errors.New("not a checkpoint: " + err.Error())
	}
	var out []Checkpoint
	for n, line := range strings.Split(string(trimmed), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		where := "line " + strconv.Itoa(n+1)
		v, err := parseJSON([]byte(line))
		if err != nil {
			return nil, errors.New(where + ": not JSON: " + err.Error())
		}
		c, err := checkpointFrom(v, where)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// checkpointFrom reads a checkpoint from a parsed value; where names it in
// errors.
func checkpointFrom(v value, where string) (Checkpoint, error) {
	fail := func(member, msg string) error {
		if member != "" {
			return errors.New(where + "." + member + ": " + msg)
		}
		return errors.New(where + ": " + msg)
	}
	if v.kind != '{' {
		return Checkpoint{}, fail("", "a checkpoint is a JSON object, not "+describeKind(v.kind))
	}
	var c Checkpoint
	seen := map[string]bool{}
	for _, m := range v.members {
		seen[m.name] = true
		str := func(dst *string) error {
			if m.val.kind != '"' {
				return fail(m.name, "must be a string, not "+describeKind(m.val.kind))
			}
			*dst = m.val.str
			return nil
		}
		var err error
		switch m.name {
		case "v":
			n, msg := integer(m.val)
			if msg != "" {
				return Checkpoint{}, fail(m.name, msg)
			}
			c.V = int(n)
		case "seq":
			n, msg := integer(m.val)
			if msg != "" {
				return Checkpoint{}, fail(m.name, msg)
			}
			c.Seq = n
		case "kind":
			err = str(&c.Kind)
			if err == nil && c.Kind != KindAnchor {
				err = fail(m.name, strconv.Quote(c.Kind)+" is not \"anchor\" (a checkpoint has no kind)")
			}
		case "installation":
			err = str(&c.Installation)
		case "head":
			err = str(&c.Head)
		case "time":
			err = str(&c.Time)
		case "key":
			err = str(&c.Key)
		case "sig":
			err = str(&c.Sig)
		default:
			err = fail(m.name, "is not a member of a checkpoint")
		}
		if err != nil {
			return Checkpoint{}, err
		}
	}
	for _, name := range []string{"v", "installation", "seq", "head", "time", "key", "sig"} {
		if !seen[name] {
			return Checkpoint{}, fail(name, "is missing")
		}
	}
	if err := c.check(); err != nil {
		return Checkpoint{}, fail("", err.Error())
	}
	return c, nil
}

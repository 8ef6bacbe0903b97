package engine

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/internal/jsontext"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Checkpoints (CONTRACT.md, "The record"): the consent-record service
// signs, for each batch of receipts it stores, the installation's head
// (its number and hash) with its ed25519 key. A host keeps its latest and
// sends it; a state whose head is older than the checkpoint is one the
// record has moved past (a state replayed from before a withdrawal), and
// is not used until the host restores it from the record.

// checkpoint is a request's checkpoint as read.
type checkpoint struct {
	seq          int64
	head         [32]byte
	installation []byte
	key          []byte // the signing key's id, 16 hex digits
	sig          [ed25519.SignatureSize]byte
	time         []byte
}

// serviceKey is a public key of the consent-record service the engine
// trusts, with its id (bundle.KeyID's: the first 8 bytes of its SHA-256,
// in hex).
type serviceKey struct {
	id  string
	pub ed25519.PublicKey
}

func newServiceKey(pub ed25519.PublicKey) serviceKey {
	sum := sha256.Sum256(pub)
	return serviceKey{hex.EncodeToString(sum[:8]), pub}
}

// checkpointMembers are a checkpoint's members, in canonical order.
const (
	cpHead = 1 << iota
	cpInstallation
	cpKey
	cpSeq
	cpSig
	cpTime
	cpV
	cpAll = 1<<iota - 1
)

// parseCheckpoint reads "checkpoint", or null: every member is required,
// and a member the checkpoint does not have is an error.
func (r *request) parseCheckpoint(s *jsontext.Scanner) {
	if s.Null() || !s.Object("checkpoint") {
		return
	}
	cp := &r.cp
	bad := func(member, msg string) {
		s.Fail(errcode.BadCheckpoint, "checkpoint."+member, "checkpoint."+member+" "+msg)
	}
	has := 0
	first := true
	for s.Err == nil {
		key, ok := s.Next(&first, "checkpoint")
		if !ok {
			break
		}
		switch string(key) {
		case "head":
			has |= cpHead
			if v, ok := s.Str("checkpoint.head"); ok && (len(v) != 64 || !decodeHex(cp.head[:], v)) {
				bad("head", "must be 64 hex digits, the hash of the installation's head receipt")
			}
		case "installation":
			has |= cpInstallation
			if v, ok := s.Str("checkpoint.installation"); ok {
				if !validInstallation(v) {
					bad("installation", "must be an installation id")
				}
				cp.installation = v
			}
		case "key":
			has |= cpKey
			if v, ok := s.Str("checkpoint.key"); ok {
				var raw [8]byte
				if len(v) != 16 || !decodeHex(raw[:], v) {
					bad("key", "must be a key id, 16 hex digits")
				}
				cp.key = v
			}
		case "seq":
			has |= cpSeq
			if n, ok := s.Int("checkpoint.seq"); ok {
				if n < 1 {
					bad("seq", "must be a receipt number, from 1")
				}
				cp.seq = n
			}
		case "sig":
			has |= cpSig
			if v, ok := s.Str("checkpoint.sig"); ok {
				if n, err := base64.StdEncoding.Decode(cp.sig[:], v); err != nil || n != len(cp.sig) || base64.StdEncoding.EncodedLen(n) != len(v) {
					bad("sig", "must be an ed25519 signature in standard base64")
				}
			}
		case "time":
			has |= cpTime
			if v, ok := s.Str("checkpoint.time"); ok {
				if _, _, ok := parseInstant(v); !ok {
					bad("time", "must be an RFC 3339 time")
				}
				cp.time = v
			}
		case "v":
			has |= cpV
			if n, ok := s.Int("checkpoint.v"); ok && n != 1 {
				bad("v", "must be 1")
			}
		default:
			if s.Err == nil {
				bad(string(key), "is not a member of a checkpoint")
			}
		}
	}
	if s.Err == nil && has != cpAll {
		s.Fail(errcode.BadCheckpoint, "checkpoint", "checkpoint must have head, installation, key, seq, sig, time and v")
	}
	r.hasCP = s.Err == nil
}

// checkCheckpoint checks a request's checkpoint: of the request's
// installation, and signed by a service key the engine trusts. The
// signature is the ed25519 signature of the checkpoint's canonical JSON
// without "sig"; a host sends the same checkpoint until its next upload,
// so the engine remembers the last one it verified.
func (e *Engine) checkCheckpoint(r *request) *errcode.Error {
	cp := &r.cp
	if string(cp.installation) != string(r.installation) {
		return &errcode.Error{Code: errcode.BadCheckpoint, Field: "checkpoint", Message: "the checkpoint is of installation " + quote(cp.installation) + ", not the request's " + quote(r.installation)}
	}
	var buf [320]byte
	msg := cp.canonical(buf[:0])
	if m := e.checkpointSeen.Load(); m != nil && string(m.msg) == string(msg) && m.sig == cp.sig {
		return nil
	}
	for _, k := range e.serviceKeys {
		if k.id != string(cp.key) {
			continue
		}
		if !ed25519.Verify(k.pub, msg, cp.sig[:]) {
			return &errcode.Error{Code: errcode.BadCheckpoint, Field: "checkpoint", Message: "the checkpoint's signature by key " + k.id + " does not verify: it was not made by the service, or was changed"}
		}
		e.checkpointSeen.Store(&verifiedCheckpoint{msg: append([]byte(nil), msg...), sig: cp.sig})
		return nil
	}
	return &errcode.Error{Code: errcode.BadCheckpoint, Field: "checkpoint", Message: "the checkpoint is signed by key " + quote(cp.key) + ", which is not a service key this engine trusts"}
}

// verifiedCheckpoint is the last checkpoint whose signature verified.
type verifiedCheckpoint struct {
	msg []byte
	sig [ed25519.SignatureSize]byte
}

// canonical appends the checkpoint's canonical JSON without "sig": what
// the service signs. Its strings are plain (parseCheckpoint checked them).
func (cp *checkpoint) canonical(b []byte) []byte {
	b = append(b, `{"head":"`...)
	b = hex.AppendEncode(b, cp.head[:])
	b = append(b, `","installation":`...)
	b = appendPlain(b, cp.installation)
	b = append(b, `,"key":`...)
	b = appendPlain(b, cp.key)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, cp.seq, 10)
	b = append(b, `,"time":`...)
	b = appendPlain(b, cp.time)
	return append(b, `,"v":1}`...)
}

// behind reports whether a state's head is older than the checkpoint's:
// numbered lower, or the same number with another hash (a fork).
func (cp *checkpoint) behind(h *head) bool {
	return h.seq < cp.seq || h.seq == cp.seq && h.hash != cp.head
}

// pastCheckpoint applies the request's checkpoint to the state to decide
// on: a state the record has moved past is not used (nothing it claims is
// honoured) until the host restores it from the record; the engine goes
// on as on a fresh install whose chain continues from the checkpoint's
// head, so that the receipts it makes extend the record.
func (d *decision) pastCheckpoint(st *state, used bool) {
	cp := &d.r.cp
	if !d.r.hasCP || !cp.behind(&st.head) {
		return
	}
	if used {
		d.noteHead(st.head.seq, cp.seq)
		d.dropped = true
	}
	*st = freshState()
	st.head = head{seq: cp.seq, hash: cp.head, has: true}
}

// noteHead traces a state the checkpoint shows to be older than the
// record.
func (d *decision) noteHead(seq, cpSeq int64) {
	var a, b [20]byte
	d.note(vocab.RuleState, "the state's head (receipt ", string(strconv.AppendInt(a[:0], seq, 10)), ") is older than the record's checkpoint (receipt ",
		string(strconv.AppendInt(b[:0], cpSeq, 10)), "): a state from before answers since given, not used until restored from the record; the engine starts as on a fresh install")
}

// policyVersionShape reports whether v has a policy version's shape, a
// date or a date and a revision (bundle.PolicyVersionLess): only such a
// version can be newer than the bundle's, rather than garbage.
func policyVersionShape(v []byte) bool {
	if i := indexByte(v, '.'); i >= 0 {
		rev := v[i+1:]
		if len(rev) == 0 || len(rev) > 9 {
			return false
		}
		for _, c := range rev {
			if c < '0' || c > '9' {
				return false
			}
		}
		v = v[:i]
	}
	if len(v) != len("2006-01-02") || v[4] != '-' || v[7] != '-' {
		return false
	}
	for i, c := range v {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func indexByte(b []byte, c byte) int {
	for i := range b {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// newerVersion reports whether v is a policy version newer than the
// bundle's newest, as bundle.PolicyVersionLess orders versions (a date,
// then a revision), without allocating.
func (e *Engine) newerVersion(v []byte) bool {
	if !policyVersionShape(v) {
		return false
	}
	if !policyVersionShape([]byte(e.version)) {
		return bundle.PolicyVersionLess(e.version, string(v))
	}
	date := func(s []byte) ([]byte, int64) {
		if i := indexByte(s, '.'); i >= 0 {
			n, _ := strconv.ParseInt(string(s[i+1:]), 10, 64)
			return s[:i], n
		}
		return s, -1
	}
	bd, br := date([]byte(e.version))
	vd, vr := date(v)
	if c := bytes.Compare(bd, vd); c != 0 {
		return c < 0
	}
	return br < vr
}

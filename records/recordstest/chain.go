// Package recordstest makes valid v2 receipt chains (SPEC section 1) for
// the records tests and the load generator: what the engine would emit
// for an installation, without running the engine.
package recordstest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jitconsent/jitconsent/records"
)

// Chain is an installation's chain being made. The zero value is not
// usable: call New.
type Chain struct {
	Installation string
	Receipts     [][]byte // canonical JSON, in seq order
	Hashes       []string
	// Extra members go into every receipt Next makes (a fork made with
	// Clone needs one to differ: the same content has the same hash).
	Extra map[string]any
	seq   int64
	prev  string
	last  time.Time
}

// New starts a chain for installation whose first receipt is at start.
func New(installation string, start time.Time) *Chain {
	return &Chain{Installation: installation, last: start.Add(-time.Minute)}
}

// Clone returns a copy of c that grows on its own: a fork. Set its Extra
// for receipts that differ from c's.
func (c *Chain) Clone() *Chain {
	d := *c
	d.Receipts = append([][]byte(nil), c.Receipts...)
	d.Hashes = append([]string(nil), c.Hashes...)
	return &d
}

// Seq is the seq of the last receipt made (0 before the first).
func (c *Chain) Seq() int64 { return c.seq }

// Head is the hash of the last receipt made.
func (c *Chain) Head() string { return c.prev }

// Next makes n receipts, a minute apart, and returns them.
func (c *Chain) Next(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = c.At(c.last.Add(time.Minute), c.Extra)
	}
	return out
}

// At makes the next receipt with time t (flagged time_behind when t is
// before the previous receipt's time, as the engine does), with extra
// members set or overriding the defaults (a nil value removes one).
func (c *Chain) At(t time.Time, extra map[string]any) []byte {
	c.seq++
	kinds := []string{"policy", "rationale", "permission", "consent", "withdraw"}
	m := map[string]any{
		"v": int64(2), "kind": kinds[int(c.seq-1)%len(kinds)], "answer": "accepted",
		"installation": c.Installation, "seq": c.seq, "time": t.Format(time.RFC3339),
		"policy": "msxf", "version": "2022-03-29",
		"bundle": "sha256:4fb9e4c1d0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b",
		"locale": "zh-CN", "platform": "android", "platform_version": "33",
		"scenario": "loan_apply", "step": "apply", "permission": "location",
		"purpose": "loan_risk", "sensitive": "precise_location", "separate_consent": true,
		"text": fmt.Sprintf("%064x", c.seq), "prev": c.prev,
	}
	if t.Before(c.last) {
		m["time_behind"] = true
	}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	r, hash := Seal(m)
	c.Receipts = append(c.Receipts, r)
	c.Hashes = append(c.Hashes, hash)
	c.prev = hash
	c.last = t
	return r
}

// Seal adds hash and id to a receipt's members and returns its canonical
// JSON and hash.
func Seal(m map[string]any) ([]byte, string) {
	delete(m, "hash")
	delete(m, "id")
	content, err := records.Canonical(m)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(content)
	hash := hex.EncodeToString(sum[:])
	m["hash"] = hash
	m["id"] = records.ReceiptID(sum[:])
	out, err := records.Canonical(m)
	if err != nil {
		panic(err)
	}
	return out, hash
}

// Body is the upload body of receipts: {"receipts":[...]}.
func Body(receipts [][]byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"receipts":[`)
	for i, r := range receipts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteString("]}")
	return b.Bytes()
}

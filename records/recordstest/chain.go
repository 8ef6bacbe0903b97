// Package recordstest makes valid v2 receipt chains (SPEC section 1) for
// the records tests and the load generator: what the engine would emit
// for an installation, without running the engine or needing a bundle
// (ledger/ledgertest makes chains whose texts a bundle shows; the
// service does not look at texts).
package recordstest

import (
	"bytes"
	"fmt"
	"time"

	"github.com/jitconsent/jitconsent/ledger"
)

// Chain is an installation's chain being made. The zero value is not
// usable: call New.
type Chain struct {
	Installation string
	Receipts     [][]byte // canonical JSON, in seq order
	Hashes       []string
	// Edit, when set, changes every receipt Next makes before it is
	// sealed (a fork made with Clone needs one to differ: the same content
	// has the same hash).
	Edit func(*ledger.Receipt)
	seq  int64
	prev string
	last time.Time
}

// New starts a chain for installation whose first receipt is at start.
func New(installation string, start time.Time) *Chain {
	return &Chain{Installation: installation, last: start.Add(-time.Minute)}
}

// Clone returns a copy of c that grows on its own: a fork. Set its Edit
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

// Declined is an Edit: every receipt says no (declined, or denied for a
// permission dialog; a withdrawal withdraws the camera instead).
func Declined(r *ledger.Receipt) {
	switch r.Kind {
	case "permission":
		r.Answer = "denied"
	case "withdraw":
		r.Permission = "camera"
	default:
		r.Answer = "declined"
	}
}

// Next makes n receipts, a minute apart, and returns them.
func (c *Chain) Next(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = c.At(c.last.Add(time.Minute), c.Edit)
	}
	return out
}

// At makes the next receipt with time t, flagged time_behind when t is
// before the previous receipt's time (as the engine does), edited by edit
// (if not nil) before it is sealed.
func (c *Chain) At(t time.Time, edit func(*ledger.Receipt)) []byte {
	c.seq++
	// A journey's receipts in turn, each consistent as the verifier
	// checks: the policy, a rationale carrying its separate consent, the
	// permission dialog, a separate consent, a withdrawal.
	r := ledger.Receipt{
		V: ledger.Version, Installation: c.Installation, Seq: c.seq, Time: t.Format(time.RFC3339),
		Policy: "msxf", Version: "2022-03-29",
		Bundle: "sha256:4fb9e4c1d0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b",
		Locale: "zh-CN", Platform: "android", PlatformVersion: "33",
		Text: fmt.Sprintf("%064x", c.seq), Prev: c.prev, TimeBehind: t.Before(c.last),
	}
	ask := func() {
		r.Scenario, r.Step = "loan_apply", "apply"
		r.Sensitive, r.Purpose, r.SeparateConsent = "precise_location", "loan_risk", true
	}
	switch (c.seq - 1) % 5 {
	case 0:
		r.Kind, r.Answer = "policy", "accepted"
	case 1:
		r.Kind, r.Answer, r.Permission = "rationale", "accepted", "location"
		ask()
	case 2:
		r.Kind, r.Answer, r.Permission = "permission", "granted", "location"
		ask()
	case 3:
		r.Kind, r.Answer = "consent", "accepted"
		ask()
		r.Scenario, r.Step, r.Sensitive, r.Purpose = "loan_apply", "liveness", "biometrics", "identity_check"
	case 4:
		r.Kind, r.Answer, r.Permission, r.Text = "withdraw", "withdrawn", "location", ""
	}
	if edit != nil {
		edit(&r)
	}
	r.Seal()
	out, err := r.MarshalJSON()
	if err != nil {
		panic(err)
	}
	c.Receipts = append(c.Receipts, out)
	c.Hashes = append(c.Hashes, r.RecordedHash)
	c.prev = r.RecordedHash
	c.last = t
	return out
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

// Drop forgets the last n receipts made, as if they had never been: the
// next receipt takes the seq of the first one dropped.
func (c *Chain) Drop(n int) {
	keep := len(c.Receipts) - n
	c.Receipts, c.Hashes = c.Receipts[:keep:keep], c.Hashes[:keep:keep]
	c.seq = int64(keep)
	c.prev = ""
	if keep > 0 {
		c.prev = c.Hashes[keep-1]
		var r ledger.Receipt
		if err := r.UnmarshalJSON(c.Receipts[keep-1]); err != nil {
			panic(err)
		}
		c.last, _ = r.Instant()
	}
}

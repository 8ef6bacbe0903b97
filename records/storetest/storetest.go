// Package storetest is the test suite every records.Store passes: the
// same tests run on SQLite and on PostgreSQL.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/recordstest"
)

// NewDB makes a fresh, empty database for one test and returns a function
// that opens a handle to it; each call opens another handle, as another
// service process would. The suite closes the handles.
type NewDB func(t *testing.T) (open func(t *testing.T) records.Store)

// Start is the time of the first receipt of the suite's chains.
var Start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("", 8*3600))

// Run runs the suite.
func Run(t *testing.T, newDB NewDB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) records.Store)
	}{
		{"AppendExtends", testAppendExtends},
		{"IdenticalResend", testIdenticalResend},
		{"Overlap", testOverlap},
		{"Gap", testGap},
		{"Fork", testFork},
		{"ReplayedHead", testReplayedHead},
		{"TimeBehind", testTimeBehind},
		{"Refusals", testRefusals},
		{"Purge", testPurge},
		{"Export", testExport},
		{"ConcurrentInstances", testConcurrentInstances},
		{"ManyInstallations", testManyInstallations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open := newDB(t)
			tc.fn(t, open)
		})
	}
}

var clock = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func batch(t *testing.T, inst string, receipts [][]byte) *records.Batch {
	t.Helper()
	b, err := records.CheckBatch(inst, recordstest.Body(receipts))
	if err != nil {
		t.Fatalf("CheckBatch: %v", err)
	}
	return b
}

func appendOK(t *testing.T, s records.Store, inst string, receipts [][]byte, now time.Time) records.Result {
	t.Helper()
	res, err := s.Append(context.Background(), batch(t, inst, receipts), now)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if res.Refused != nil {
		t.Fatalf("Append refused: %v (%s)", res.Refused, res.Refused.Field)
	}
	return res
}

func appendRefused(t *testing.T, s records.Store, inst string, receipts [][]byte, code errcode.Code) records.Result {
	t.Helper()
	res, err := s.Append(context.Background(), batch(t, inst, receipts), clock)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if res.Refused == nil {
		t.Fatalf("Append accepted a batch that should be refused with %s", code)
	}
	if res.Refused.Code != code {
		t.Fatalf("Append refused with %s (%s), want %s", res.Refused.Code, res.Refused.Message, code)
	}
	if res.Stored != 0 {
		t.Fatalf("a refused batch stored %d receipts", res.Stored)
	}
	return res
}

// checkChain checks that the store holds exactly c's receipts from seq
// from on, and that its head is c's.
func checkChain(t *testing.T, s records.Store, c *recordstest.Chain, from int64) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Chain(ctx, c.Installation, from-1, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	want := c.Receipts[from-1:]
	if len(got) != len(want) {
		t.Fatalf("the store holds %d receipts from seq %d, want %d", len(got), from, len(want))
	}
	for i, st := range got {
		if st.Seq != from+int64(i) || string(st.JSON) != string(want[i]) {
			t.Fatalf("stored receipt %d (seq %d) is not the one sent:\n got %s\nwant %s", i, st.Seq, st.JSON, want[i])
		}
	}
	h, err := s.Head(ctx, c.Installation)
	if err != nil {
		t.Fatal(err)
	}
	if h.Seq != c.Seq() || h.Hash != c.Head() {
		t.Fatalf("head is seq %d %s, want seq %d %s", h.Seq, h.Hash, c.Seq(), c.Head())
	}
}

func testAppendExtends(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	c := recordstest.New("inst-a", Start)
	res := appendOK(t, s, c.Installation, c.Next(10), clock)
	if res.Stored != 10 || res.Head.Seq != 10 || res.Head.Hash != c.Head() {
		t.Fatalf("first batch: stored %d, head seq %d: want 10 and 10", res.Stored, res.Head.Seq)
	}
	if res.Checkpoint.Seq != 10 || res.Checkpoint.Hash != c.Head() || res.Checkpoint.Accepted != res.Head.Accepted || res.Head.Accepted != "2026-03-02T00:00:00Z" {
		t.Fatalf("checkpoint %+v, head %+v: want the head, accepted at the clock", res.Checkpoint, res.Head)
	}
	res = appendOK(t, s, c.Installation, c.Next(5), clock.Add(time.Minute))
	if res.Stored != 5 || res.Head.Seq != 15 || res.Head.Accepted != "2026-03-02T00:01:00Z" {
		t.Fatalf("second batch: %+v", res)
	}
	checkChain(t, s, c, 1)
	// The service's clock going back does not take a head's time back.
	res = appendOK(t, s, c.Installation, c.Next(1), clock)
	if res.Head.Accepted != "2026-03-02T00:01:00Z" {
		t.Fatalf("accepted %s after a clock that went back, want the previous head's 2026-03-02T00:01:00Z", res.Head.Accepted)
	}
	// Another installation has a chain of its own.
	d := recordstest.New("inst-b", Start)
	appendOK(t, s, d.Installation, d.Next(3), clock)
	checkChain(t, s, d, 1)
	checkChain(t, s, c, 1)
	// A first receipt may name a prev: a record that starts after a v1 chain.
	e := recordstest.New("inst-c", Start)
	e.At(Start, func(r *ledger.Receipt) { r.Prev = "ab" + fmt.Sprintf("%062x", 1) })
	appendOK(t, s, e.Installation, e.Receipts, clock)
}

func testIdenticalResend(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	c := recordstest.New("inst-a", Start)
	b1 := c.Next(10)
	first := appendOK(t, s, c.Installation, b1, clock)
	appendOK(t, s, c.Installation, c.Next(10), clock.Add(time.Hour))
	again := appendOK(t, s, c.Installation, b1, clock.Add(2*time.Hour))
	if again.Stored != 0 {
		t.Fatalf("a re-sent batch stored %d receipts", again.Stored)
	}
	if again.Checkpoint != first.Checkpoint {
		t.Fatalf("re-sent batch: checkpoint %+v, want the first answer's %+v", again.Checkpoint, first.Checkpoint)
	}
	if again.Head.Seq != 20 {
		t.Fatalf("head after a re-send is seq %d, want 20", again.Head.Seq)
	}
	// A part of a stored batch is identical too.
	part := appendOK(t, s, c.Installation, b1[2:5], clock)
	if part.Checkpoint.Seq != 5 || part.Checkpoint.Accepted != first.Head.Accepted {
		t.Fatalf("part of a stored batch: checkpoint %+v", part.Checkpoint)
	}
	checkChain(t, s, c, 1)
}

func testOverlap(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	c := recordstest.New("inst-a", Start)
	appendOK(t, s, c.Installation, c.Next(10), clock)
	next := c.Next(5)
	// The host lost the answer to seqs 6 to 10 and sends them again with 11 to 15.
	res := appendOK(t, s, c.Installation, append(append([][]byte(nil), c.Receipts[5:10]...), next...), clock)
	if res.Stored != 5 || res.Head.Seq != 15 {
		t.Fatalf("overlapping batch: stored %d, head %d; want 5 and 15", res.Stored, res.Head.Seq)
	}
	checkChain(t, s, c, 1)
}

func testGap(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	c := recordstest.New("inst-a", Start)
	appendOK(t, s, c.Installation, c.Next(10), clock)
	c.Next(1) // seq 11 never sent
	res := appendRefused(t, s, c.Installation, c.Next(3), records.CodeGap)
	if res.Head.Seq != 10 || res.Refused.Field != "receipts[0].seq" {
		t.Fatalf("gap: head %d, field %q", res.Head.Seq, res.Refused.Field)
	}
	// A first batch must start at seq 1.
	d := recordstest.New("inst-b", Start)
	d.Next(1)
	appendRefused(t, s, d.Installation, d.Next(1), records.CodeGap)
	h, _ := s.Head(context.Background(), "inst-b")
	if h.Seq != 0 {
		t.Fatalf("a refused first batch left head seq %d", h.Seq)
	}
	got, _ := s.Chain(context.Background(), "inst-a", 0, 100)
	if len(got) != 10 {
		t.Fatalf("after a gap the store holds %d receipts, want 10", len(got))
	}
}

func testFork(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	c := recordstest.New("inst-a", Start)
	appendOK(t, s, c.Installation, c.Next(10), clock)
	other := c.Clone()
	other.Edit = recordstest.Declined
	appendOK(t, s, c.Installation, c.Next(5), clock)
	// Another chain from seq 10: same seqs 11 to 15, other hashes.
	res := appendRefused(t, s, c.Installation, other.Next(5), records.CodeFork)
	if res.Head.Seq != 15 || res.Head.Hash != c.Head() {
		t.Fatalf("fork answered with head %d %s, want 15 %s", res.Head.Seq, res.Head.Hash, c.Head())
	}
	// ... and beyond the head.
	appendRefused(t, s, c.Installation, append(other.Receipts[10:], other.Next(3)...), records.CodeFork)
	// A batch at head+1 whose prev is not the head's hash.
	alt := c.Clone()
	alt.At(Start.Add(24*time.Hour), func(r *ledger.Receipt) { r.Prev = other.Head() })
	res = appendRefused(t, s, c.Installation, alt.Receipts[15:], records.CodeFork)
	if res.Refused.Field != "receipts[0].prev" {
		t.Fatalf("fork at head+1: field %q", res.Refused.Field)
	}
	checkChain(t, s, c, 1)
}

func testReplayedHead(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	c := recordstest.New("inst-a", Start)
	appendOK(t, s, c.Installation, c.Next(10), clock)
	old := c.Clone() // the state before a withdrawal, kept and replayed
	old.Edit = recordstest.Declined
	appendOK(t, s, c.Installation, c.Next(10), clock)
	res := appendRefused(t, s, c.Installation, old.Next(3), records.CodeReplayedHead)
	if res.Head.Seq != 20 || res.Head.Hash != c.Head() {
		t.Fatalf("replayed head answered with head %d, want 20", res.Head.Seq)
	}
	checkChain(t, s, c, 1)
}

func testTimeBehind(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	c := recordstest.New("inst-a", Start)
	c.Next(3)
	c.At(Start.Add(-24*time.Hour), nil) // the device clock went back a day: flagged
	c.Next(1)
	res := appendOK(t, s, c.Installation, c.Receipts, clock)
	if res.Head.Behind != 1 {
		t.Fatalf("head counts %d receipts behind, want 1", res.Head.Behind)
	}
	// Across batches: the first receipt of a batch against the stored head.
	c.At(Start.Add(-48*time.Hour), nil)
	res = appendOK(t, s, c.Installation, c.Receipts[5:], clock)
	if res.Head.Behind != 2 {
		t.Fatalf("head counts %d receipts behind, want 2", res.Head.Behind)
	}
	checkChain(t, s, c, 1)
	// An unflagged receipt whose time is before the head's is refused:
	// the record never holds a wrong flag.
	d := c.Clone()
	d.At(Start.Add(-72*time.Hour), func(r *ledger.Receipt) { r.TimeBehind = false })
	res = appendRefused(t, s, c.Installation, d.Receipts[6:], records.CodeBadBatch)
	if res.Refused.Field != "receipts[0].time_behind" {
		t.Fatalf("unflagged receipt: field %q", res.Refused.Field)
	}
	e := c.Clone()
	e.At(Start.Add(time.Hour), func(r *ledger.Receipt) { r.TimeBehind = true })
	appendRefused(t, s, c.Installation, e.Receipts[6:], records.CodeBadBatch)
}

func testRefusals(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	ctx := context.Background()
	for i := range 3 {
		r := records.Refusal{Installation: "inst-a", At: "2026-03-02T00:00:00Z", Code: "gap", Field: "receipts[0].seq",
			Message: fmt.Sprintf("refusal %d", i), First: 5, Last: 7, Count: 3, HeadSeq: 2, HeadHash: "ab"}
		if err := s.Refuse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Refuse(ctx, records.Refusal{Installation: "inst-b", Code: "fork", Message: "other"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Refusals(ctx, "inst-a", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Message != "refusal 2" || got[1].Message != "refusal 1" || got[0].First != 5 || got[0].HeadHash != "ab" {
		t.Fatalf("refusals newest first, at most 2: %+v", got)
	}
}

func testPurge(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	ctx := context.Background()
	c := recordstest.New("inst-a", Start) // a receipt a minute
	appendOK(t, s, c.Installation, c.Next(20), clock)
	var signed records.Cut
	cut, err := s.Purge(ctx, c.Installation, Start.Add(9*time.Minute+30*time.Second), clock, func(cut records.Cut) ([]byte, error) {
		signed = cut
		return []byte(fmt.Sprintf(`{"kind":"anchor","seq":%d}`, cut.Seq)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cut.Seq != 10 || cut.Hash != c.Hashes[9] || cut.Removed != 10 || signed != cut || cut.Time != "2026-03-02T00:00:00Z" {
		t.Fatalf("purge cut %+v (signed %+v), want seq 10 %s, 10 removed", cut, signed, c.Hashes[9])
	}
	checkChain(t, s, c, 11)
	anchors, err := s.Anchors(ctx, c.Installation)
	if err != nil || len(anchors) != 1 || string(anchors[0]) != `{"kind":"anchor","seq":10}` {
		t.Fatalf("anchors %q, %v", anchors, err)
	}
	// The chain goes on from its head.
	appendOK(t, s, c.Installation, c.Next(2), clock)
	// A re-sent purged batch cannot be compared: refused, not taken for new.
	appendRefused(t, s, c.Installation, c.Receipts[2:5], records.CodeReplayedHead)
	// Nothing old enough: nothing removed, no anchor.
	cut, err = s.Purge(ctx, c.Installation, Start, clock, func(records.Cut) ([]byte, error) {
		t.Fatal("anchor signed for an empty purge")
		return nil, nil
	})
	if err != nil || cut.Seq != 0 || cut.Removed != 0 {
		t.Fatalf("empty purge: %+v %v", cut, err)
	}
	if a, _ := s.Anchors(ctx, c.Installation); len(a) != 1 {
		t.Fatalf("%d anchors after an empty purge, want 1", len(a))
	}
	// Another installation is untouched.
	d := recordstest.New("inst-b", Start)
	appendOK(t, s, d.Installation, d.Next(3), clock)
	if _, err := s.Purge(ctx, c.Installation, Start.Add(time.Hour), clock, func(records.Cut) ([]byte, error) { return []byte("{}"), nil }); err != nil {
		t.Fatal(err)
	}
	checkChain(t, s, d, 1)
	if got, _ := s.Chain(ctx, c.Installation, 0, 100); len(got) != 0 {
		t.Fatalf("%d receipts left after purging everything", len(got))
	}
	// The head stays: the chain still extends it.
	appendOK(t, s, c.Installation, c.Next(1), clock)

	// A receipt dated back (time_behind) does not pull the cut past a
	// later-dated one: minutes 0, 1, 2, then a day back, then 3 on.
	e := recordstest.New("inst-e", Start)
	e.Next(3)
	e.At(Start.Add(-24*time.Hour), nil)
	e.At(Start.Add(3*time.Minute), nil)
	appendOK(t, s, e.Installation, e.Receipts, clock)
	cut, err = s.Purge(ctx, e.Installation, Start.Add(90*time.Second), clock, func(records.Cut) ([]byte, error) { return []byte("{}"), nil })
	if err != nil || cut.Seq != 2 || cut.Removed != 2 {
		t.Fatalf("purge before minute 1.5 with a receipt dated back after it: cut %+v, %v; want seq 2", cut, err)
	}
	checkChain(t, s, e, 3)
}

func testExport(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	ctx := context.Background()
	a := recordstest.New("inst-a", Start)
	appendOK(t, s, a.Installation, a.Next(10), clock)
	b := recordstest.New("inst-b", Start.Add(5*time.Minute))
	appendOK(t, s, b.Installation, b.Next(10), clock)
	collect := func(q records.ExportQuery) []string {
		var out []string
		if err := s.Export(ctx, q, func(st records.Stored) error {
			out = append(out, fmt.Sprintf("%s/%d", st.Installation, st.Seq))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := collect(records.ExportQuery{Installation: "inst-b"})
	if len(got) != 10 || got[0] != "inst-b/1" || got[9] != "inst-b/10" {
		t.Fatalf("export of inst-b: %v", got)
	}
	// Minutes 7 to 9 (exclusive): inst-a seqs 8 and 9, inst-b seqs 3 and 4.
	got = collect(records.ExportQuery{From: Start.Add(7 * time.Minute), To: Start.Add(9 * time.Minute)})
	want := []string{"inst-a/8", "inst-a/9", "inst-b/3", "inst-b/4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("export of a period: %v, want %v", got, want)
	}
	// A receipt flagged behind inside the period's range is exported with it.
	c := recordstest.New("inst-c", Start)
	c.Next(2)
	c.At(Start.Add(-time.Hour), nil)
	c.Next(2) // times: 0, 1, -60, +1(after -60 => -59), ...
	appendOK(t, s, c.Installation, c.Receipts, clock)
	got = collect(records.ExportQuery{From: Start, To: Start.Add(30 * time.Second)})
	if fmt.Sprint(got) != "[inst-a/1 inst-c/1]" {
		t.Fatalf("export of the first half-minute: %v", got)
	}
	stop := fmt.Errorf("stop")
	n := 0
	if err := s.Export(ctx, records.ExportQuery{Installation: "inst-a"}, func(records.Stored) error { n++; return stop }); err != stop || n != 1 {
		t.Fatalf("export goes on after its callback's error: %v, %d calls", err, n)
	}
}

// testConcurrentInstances uploads, for one installation, two different
// batches that both extend the head, through two handles on one database
// (as two service processes would), many rounds: each round exactly one
// wins and the other is refused with the winner's head.
func testConcurrentInstances(t *testing.T, open func(t *testing.T) records.Store) {
	s1, s2 := open(t), open(t)
	c := recordstest.New("inst-a", Start)
	appendOK(t, s1, c.Installation, c.Next(1), clock)
	ctx := context.Background()
	for round := range 20 {
		x, y := c.Clone(), c.Clone()
		bx := batch(t, c.Installation, x.Next(10))
		y.At(Start.Add(time.Duration(round)*time.Hour), recordstest.Declined)
		by := batch(t, c.Installation, append(y.Receipts[len(y.Receipts)-1:], y.Next(9)...))
		var wg sync.WaitGroup
		var rx, ry records.Result
		var ex, ey error
		wg.Add(2)
		go func() { defer wg.Done(); rx, ex = s1.Append(ctx, bx, clock) }()
		go func() { defer wg.Done(); ry, ey = s2.Append(ctx, by, clock) }()
		wg.Wait()
		if ex != nil || ey != nil {
			t.Fatalf("round %d: %v, %v", round, ex, ey)
		}
		win, lose, winner := rx, ry, x
		if rx.Refused != nil {
			win, lose, winner = ry, rx, y
		}
		if win.Refused != nil || lose.Refused == nil {
			t.Fatalf("round %d: both batches %s", round, map[bool]string{true: "refused", false: "accepted"}[win.Refused != nil])
		}
		if lose.Refused.Code != records.CodeFork || lose.Head.Seq != win.Head.Seq || lose.Head.Hash != win.Head.Hash {
			t.Fatalf("round %d: the loser got %s with head %d %s, want fork with the winner's head %d %s",
				round, lose.Refused.Code, lose.Head.Seq, short(lose.Head.Hash), win.Head.Seq, short(win.Head.Hash))
		}
		c = winner
	}
	checkChain(t, s1, c, 1)
	checkChain(t, s2, c, 1)
}

func short(s string) string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

func testManyInstallations(t *testing.T, open func(t *testing.T) records.Store) {
	s := open(t)
	const n, batches = 16, 10
	chains := make([]*recordstest.Chain, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range chains {
		chains[i] = recordstest.New(fmt.Sprintf("inst-%02d", i), Start)
		wg.Add(1)
		go func(c *recordstest.Chain) {
			defer wg.Done()
			for range batches {
				b, err := records.CheckBatch(c.Installation, recordstest.Body(c.Next(10)))
				if err != nil {
					errs <- err
					return
				}
				res, err := s.Append(context.Background(), b, clock)
				if err == nil && res.Refused != nil {
					err = res.Refused
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %v", c.Installation, err)
					return
				}
			}
		}(chains[i])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, c := range chains {
		checkChain(t, s, c, 1)
	}
}

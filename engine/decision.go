package engine

import (
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// decision is one call's working memory. It holds fixed arrays rather
// than slices of its own buffers, so that it stays on the caller's stack
// (a struct that points into itself escapes: golang.org/issue/35518).
// The bounds are far above what one event produces: at most three
// actions, one receipt, and a trace line per permission of a step.
type decision struct {
	e      *Engine
	r      request
	st     state
	acts   [8]action
	nActs  int
	trace  [40]traceEntry
	nTrace int
	arena  [1536]byte // trace details
	nArena int
	rcpts  [maxReceipts]receipt
	nRcpts int
	fail   *errcode.Error // an event that does not fit the state
	// dropped says the request's state is not used: there was none, or
	// it could not be trusted, or the record's checkpoint is past it.
	dropped bool
	runs    uint64 // the SDKs that run after the event, a bit each
	avail   uint16 // the permissions available to SDKs, a bit each
	// scratch is the spare capacity of the caller's buffer, where texts
	// and receipts are put together to be hashed: the response is written
	// over it later.
	scratch []byte
}

// maxReceipts bounds the receipts of one decision: a withdrawn permission
// and the separate consents given with it (New refuses a bundle that
// would need more).
const maxReceipts = 8

// action is one action of the response, by index into the engine's
// model; render writes it.
type action struct {
	kind    vocab.Action
	pop     popup   // show_policy: popFirst, popMajor or popMinor
	from    int     // show_policy: the accepted version the changes start after
	step    stepRef // show_rationale, show_consent, proceed, block, unavailable
	sp      int     // index of the step's ask
	perm    vocab.Permission
	missing uint16 // proceed
}

type traceEntry struct {
	rule       vocab.Rule
	start, end int // the detail in decision.arena
}

// note adds a trace entry whose detail is the parts joined. Details that
// would overflow the arena are cut short; the rule id is always kept.
func (d *decision) note(rule vocab.Rule, parts ...string) {
	if d.nTrace == len(d.trace) {
		return
	}
	start := d.nArena
	for _, p := range parts {
		d.nArena += copy(d.arena[d.nArena:], p)
	}
	d.trace[d.nTrace] = traceEntry{rule, start, d.nArena}
	d.nTrace++
}

// noteDuration is note with two durations (in seconds) written as the
// user would read them ("47m", "5h12m", "2d3h"): what was asked, how long
// ago, and against which bound.
func (d *decision) noteDuration(rule vocab.Rule, ago int64, middle string, bound int64, before ...string) {
	d.note(rule, before...)
	if d.nTrace == 0 {
		return
	}
	var num [24]byte
	t := &d.trace[d.nTrace-1]
	d.nArena += copy(d.arena[d.nArena:], appendDuration(num[:0], ago))
	d.nArena += copy(d.arena[d.nArena:], middle)
	d.nArena += copy(d.arena[d.nArena:], appendDuration(num[:0], bound))
	t.end = d.nArena
}

// appendDuration appends a non-negative number of seconds in days, hours
// and minutes, the two largest units that are not zero.
func appendDuration(b []byte, s int64) []byte {
	if s < 60 {
		return append(appendInt(b, s), 's')
	}
	units := [...]struct {
		secs int64
		name byte
	}{{86400, 'd'}, {3600, 'h'}, {60, 'm'}}
	i := 0
	for s < units[i].secs {
		i++
	}
	b = append(appendInt(b, s/units[i].secs), units[i].name)
	if i+1 < len(units) {
		if next := s % units[i].secs / units[i+1].secs; next > 0 {
			b = append(appendInt(b, next), units[i+1].name)
		}
	}
	return b
}

// detail returns the bytes of a trace entry's detail.
func (d *decision) detail(t *traceEntry) []byte { return d.arena[t.start:t.end] }

func (d *decision) act(a action) {
	if d.nActs < len(d.acts) {
		d.acts[d.nActs] = a
		d.nActs++
	}
}

func (d *decision) stepName(r stepRef) string { return d.e.scens[r.sc].steps[r.st].name }

package hostsim

import (
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// TestDiff: the first answer that differs byte for byte is reported with
// both answers and its request's number and event; a shorter run is
// reported by its length; equal runs give "".
func TestDiff(t *testing.T) {
	entry := func(event, raw string) sim.Entry {
		return sim.Entry{Event: sim.Event{Type: event}, Raw: []byte(raw)}
	}
	tr := func(entries ...sim.Entry) *sim.Transcript { return &sim.Transcript{Entries: entries} }
	a, b, c := entry("launch", `{"a":1}`), entry("policy_answer", `{"b":2}`), entry("policy_answer", `{"b":3}`)
	for _, x := range []struct {
		name           string
		module, native *sim.Transcript
		want           []string // "" for no difference
	}{
		{"the same", tr(a, b), tr(a, b), nil},
		{"both empty", tr(), tr(), nil},
		{"the second answer", tr(a, b), tr(a, c), []string{"request 2 (policy_answer): the module answers\n  {\"b\":2}\nthe native engine\n  {\"b\":3}"}},
		{"the first of two", tr(b, a), tr(c, b), []string{"request 1 (policy_answer)"}},
		{"fewer requests natively", tr(a, b), tr(a), []string{"2 requests with the module, 1 natively"}},
		{"more requests natively", tr(a), tr(a, b, c), []string{"1 requests with the module, 3 natively"}},
	} {
		got := Diff(x.module, x.native)
		if (got == "") != (x.want == nil) {
			t.Errorf("%s: %q", x.name, got)
		}
		for _, w := range x.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q does not say %q", x.name, got, w)
			}
		}
	}
}

package engine_test

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/errcode"
)

// lasting is the lasting part of a state (CONTRACT.md, "The record"): what
// the receipts record. A screen waiting for an answer, the step the user
// is in and the integrity hash are not part of it.
func lasting(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"pending", "popup_text", "popup_locale", "resume", "at", "flow", "hash"} {
		delete(m, k)
	}
	return m
}

// rebuildExcluded are the cases whose states the chain of the case cannot
// give, with the reason.
var rebuildExcluded = map[string]string{
	"216_android33_clock_ahead_refusal_clamped":           "the device clock ran ahead and was set back: each request clamps a refusal recorded later than its now (COOLDOWN), which no receipt records; a restore clamps to the request's now only",
	"217_ios17.2_clock_ahead_refusal_clamped":             "the device clock ran ahead and was set back: each request clamps a refusal recorded later than its now (COOLDOWN), which no receipt records; a restore clamps to the request's now only",
	"218_android33_v1_state_upgraded":                     "starts from a recorded state (version 1): the answers it holds were given before the case, with receipts of version 1, which are not part of the record",
	"219_ios17.2_v1_state_upgraded_face_login":            "starts from a recorded state (version 1): the answers it holds were given before the case, with receipts of version 1, which are not part of the record",
	"221_android33_v2_state_recorded":                     "starts from recorded states (version 2, with last): the answers they hold were given before the case, with receipts of version 1, which are not part of the record",
	"226_ios17.2_v1_state_mid_step":                       "starts from a recorded state (version 1): the answers it holds were given before the case, with receipts of version 1, which are not part of the record",
	"411_android33_replayed_state_after_withdrawal":       "replays an older state with the record's checkpoint: the engine does not use it and goes on from a fresh state whose head is the checkpoint's, so that its receipts extend the record; its lasting part is the record's only once restored",
	"412_android33_replayed_state_after_policy_withdrawn": "replays an older state with the record's checkpoint: the engine does not use it and goes on from a fresh state whose head is the checkpoint's, so that its receipts extend the record; its lasting part is the record's only once restored",
}

// TestRebuildEveryCase: the state of every step of every conformance case
// is, in its lasting part, the state rebuilt from the chain of receipts
// that ends at its head (from that chain's receipt numbered 1), or a fresh
// state's where it has no head; except in the cases listed in
// rebuildExcluded, whose states no chain of the case gives. While a policy
// popup waits, the state has seen its version, which no receipt records
// until it is answered: seen is then at least the one rebuilt.
func TestRebuildEveryCase(t *testing.T) {
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	engines := map[string]*engine.Engine{"reference": newEngine(t, "reference"), "revision": newEngine(t, "revision"), "minor": newEngine(t, "minor")}
	compared := 0
	for _, c := range cases {
		why, excluded := rebuildExcluded[c.Name]
		t.Run(c.Name, func(t *testing.T) {
			var all []string // every receipt of the case
			var seqs []int   // their numbers
			var failed []string
			bundleAt := c.Bundle
			i := 0
			_, err := conformance.Play(c, func(name string, req []byte) ([]byte, error) {
				e := engines[name]
				resp := e.Decide(nil, req)
				i++
				if s := c.Steps[i-1].Bundle; s != "" {
					bundleAt = s
				}
				var r struct {
					State    json.RawMessage
					Receipts []json.RawMessage
				}
				if json.Unmarshal(resp, &r) != nil || r.State == nil {
					return resp, nil
				}
				for _, rc := range r.Receipts {
					var n struct{ Seq int }
					json.Unmarshal(rc, &n)
					all, seqs = append(all, string(rc)), append(seqs, n.Seq)
				}
				var st struct {
					Head    *struct{ Hash string }
					Pending string
				}
				json.Unmarshal(r.State, &st)
				var got map[string]any
				if st.Head == nil {
					got = map[string]any{"v": 2.0, "policy": "msxf"}
				} else {
					k := slices.IndexFunc(all, func(rc string) bool { return strings.Contains(rc, `"hash":"`+st.Head.Hash+`"`) })
					if k < 0 {
						failed = append(failed, "step "+strconv.Itoa(i)+": the state's head is no receipt of the case")
						return resp, nil
					}
					from := k
					for seqs[from] != 1 {
						from--
					}
					rebuilt, err := engines[bundleAt].Rebuild([]byte("[" + strings.Join(all[from:k+1], ",") + "]"))
					if err != nil {
						failed = append(failed, "step "+strconv.Itoa(i)+": rebuild: "+err.Error())
						return resp, nil
					}
					got = lasting(t, rebuilt)
				}
				want := lasting(t, r.State)
				if st.Pending != "" {
					// The popup's version is seen, not yet answered.
					if seen, _ := got["seen"].(string); seen > want["seen"].(string) {
						failed = append(failed, "step "+strconv.Itoa(i)+": rebuilt seen "+seen+" is newer than the state's")
					}
					delete(got, "seen")
					delete(want, "seen")
				}
				if !reflect.DeepEqual(got, want) {
					failed = append(failed, "step "+strconv.Itoa(i)+":\n\trebuilt "+show(got)+"\n\tstate   "+show(want))
				}
				compared++
				return resp, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case excluded && len(failed) == 0:
				t.Errorf("excluded (%s), but every state is the rebuilt one: take it off the list", why)
			case !excluded:
				for _, f := range failed {
					t.Error(f)
				}
			}
		})
	}
	if compared < 1000 {
		t.Errorf("only %d states compared", compared)
	}
	t.Logf("%d states compared with the state rebuilt from their chain; %d cases excluded", compared, len(rebuildExcluded))
}

func show(m map[string]any) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	for _, k := range keys {
		v, _ := json.Marshal(m[k])
		b.WriteString(k + "=" + string(v) + " ")
	}
	return b.String()
}

// journey plays events on an engine and returns every response's state
// and receipts.
func journey(t *testing.T, e *engine.Engine, os map[string]string, events ...string) (states []json.RawMessage, receipts [][]string) {
	t.Helper()
	var state json.RawMessage
	for _, ev := range events {
		dev := conformance.Device{Platform: "android", Version: "33"}
		out := e.Decide(nil, conformance.RequestExtra("2026-03-01T10:00:00+08:00", "en", dev, os, state, []byte(ev), conformance.Extra{Installation: "inst-1"}))
		var r struct {
			State    json.RawMessage
			Receipts []json.RawMessage
		}
		if err := json.Unmarshal(out, &r); err != nil || r.State == nil {
			t.Fatalf("%s: %s", ev, out)
		}
		state = r.State
		var rs []string
		for _, rc := range r.Receipts {
			rs = append(rs, string(rc))
		}
		states, receipts = append(states, r.State), append(receipts, rs)
	}
	return states, receipts
}

// TestRestoreInParts: a chain too long for one request is restored in
// parts: the state rebuilt from the first part, with the receipts after
// its head, gives the state rebuilt from the whole chain; a part that does
// not follow the state's head is refused.
func TestRestoreInParts(t *testing.T) {
	e := newEngine(t, "reference")
	_, receipts := journey(t, e, map[string]string{"location": "granted"},
		`{"type":"launch"}`, `{"type":"policy_answer","accepted":true}`,
		`{"type":"enter","scenario":"loan_apply","step":"apply"}`,
		`{"type":"rationale_answer","permission":"location","accepted":true}`,
		`{"type":"rationale_answer","permission":"call_log","accepted":false}`,
		`{"type":"withdraw","permission":"location"}`)
	var chain []string
	for _, rs := range receipts {
		chain = append(chain, rs...)
	}
	if len(chain) < 5 {
		t.Fatalf("%d receipts", len(chain))
	}
	whole, err := e.Rebuild([]byte("[" + strings.Join(chain, ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.Rebuild([]byte("[" + strings.Join(chain[:2], ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	restore := func(state json.RawMessage, part []string) []byte {
		return e.Decide(nil, conformance.RequestExtra("2026-03-01T11:00:00+08:00", "en", conformance.Device{Platform: "android", Version: "33"}, nil, state,
			[]byte(`{"type":"restore"}`), conformance.Extra{Installation: "inst-1", Receipts: []byte("[" + strings.Join(part, ",") + "]")}))
	}
	out := restore(first, chain[2:])
	var r struct{ State json.RawMessage }
	if err := json.Unmarshal(out, &r); err != nil || r.State == nil {
		t.Fatalf("restore the rest: %s", out)
	}
	if got, want := lasting(t, r.State), lasting(t, whole); !reflect.DeepEqual(got, want) {
		t.Errorf("in parts:\n\t%s\nwhole:\n\t%s", show(got), show(want))
	}
	if out := restore(first, chain[3:]); !strings.Contains(string(out), `"code":"bad_receipt","message":"receipts[0] is numbered 4 after 2`) {
		t.Errorf("a part after a gap: %s", out)
	}
}

// TestRebuildErrors: Rebuild refuses what is not a chain, naming the
// receipt, and a chain of a policy version newer than the bundle is
// stale_bundle: the newer bundle must be loaded first.
func TestRebuildErrors(t *testing.T) {
	rev := newEngine(t, "revision")
	_, receipts := journey(t, rev, nil, `{"type":"launch"}`, `{"type":"policy_answer","accepted":true}`)
	chain := "[" + receipts[1][0] + "]"
	if _, err := rev.Rebuild([]byte(chain)); err != nil {
		t.Fatal(err)
	}
	ref := newEngine(t, "reference")
	for name, c := range map[string]struct{ in, code, field string }{
		"newer version": {chain, "stale_bundle", "receipts[0].version"},
		"not an array":  {`{}`, "bad_type", "receipts"},
		"empty":         {`[]`, "bad_receipt", "receipts"},
		"not JSON":      {`[`, "bad_json", ""},
		"after it":      {chain + `x`, "bad_json", ""},
		"a number":      {`[1]`, "bad_receipt", "receipts[0]"},
		"a v1 receipt":  {`[{"kind":"policy","policy":"msxf","version":"2022-03-29","answer":"accepted","time":"2026-03-01T10:00:00+08:00","prev":"","hash":"00"}]`, "bad_receipt", "receipts[0]"},
	} {
		_, err := ref.Rebuild([]byte(c.in))
		var e *errcode.Error
		if !errors.As(err, &e) || string(e.Code) != c.code || (c.field != "" && e.Field != c.field) {
			t.Errorf("%s: %v, want %s naming %q", name, err, c.code, c.field)
		}
	}
}

package engine

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/vocab"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// TestStateUnknownConsent: a state that records a separate consent the
// active policy does not ask (a category or purpose it lacks, as a state
// of another policy version could) is read without it, and the trace
// says so; the rest of the state is used, not replaced by a fresh one.
func TestStateUnknownConsent(t *testing.T) {
	e, err := New(prompttest.Must(t).Bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	decide := func(state, event string) (out struct {
		Actions []struct{ Type string }
		State   json.RawMessage
		Trace   []struct{ Rule, Detail string }
	}) {
		req := `{"now":"2026-03-01T10:00:00+08:00","device":{"platform":"android","version":"33"},"event":` + event
		if state != "" {
			req += `,"state":` + state
		}
		raw := e.Decide(nil, []byte(req+"}"))
		if err := json.Unmarshal(raw, &out); err != nil || out.State == nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return out
	}
	r := decide("", `{"type":"launch"}`)
	r = decide(string(r.State), `{"type":"policy_answer","accepted":true}`)

	// Five: more than the trace names one by one.
	t.Run("five", func(t *testing.T) {
		var x stateExtra
		st, _, _, _ := e.decodeState(r.State, 0, &x)
		var members []string
		for i := range 5 {
			id := "genes/p" + string(rune('a'+i))
			x.unknown[i] = unknownConsent{hashString(id), true, 0}
			members = append(members, `"`+id+`":{"given":true}`)
		}
		x.nUnknown = 5
		var h [8]byte
		binary.BigEndian.PutUint64(h[:], e.digestWith(&st, nil, &x))
		s := string(r.State)
		i := strings.LastIndex(s, `,"hash":"`)
		got := decide(s[:i]+`,"consents":{`+strings.Join(members, ",")+`},"hash":"`+hex.EncodeToString(h[:])+`"}`, `{"type":"launch"}`)
		n := 0
		for _, tr := range got.Trace {
			if strings.Contains(tr.Detail, "which this policy does not ask") {
				n++
			}
		}
		if len(got.Actions) != 0 || n != 4 {
			t.Errorf("five unknown consents: actions %+v, %d named in the trace (want none and 4)", got.Actions, n)
		}
	})
	for _, unknown := range []string{"genes/loan_identity", "biometrics/marketing"} {
		t.Run(unknown, func(t *testing.T) {
			// The state as a newer policy's engine would have written it:
			// its hash covers the consent this policy does not know.
			var x stateExtra
			st, _, _, why := e.decodeState(r.State, 0, &x)
			if why != "" {
				t.Fatal(why)
			}
			var sum [8]byte
			x.unknown[0], x.nUnknown = unknownConsent{hashString(unknown), true, 0}, 1
			binary.BigEndian.PutUint64(sum[:], e.digestWith(&st, nil, &x))
			s := string(r.State)
			i := strings.LastIndex(s, `,"hash":"`)
			edited := s[:i] + `,"consents":{"` + unknown + `":{"given":true}},"hash":"` + hex.EncodeToString(sum[:]) + `"}`

			got := decide(edited, `{"type":"launch"}`)
			if len(got.Actions) != 0 {
				t.Errorf("the consent to the policy is lost: %+v", got.Actions)
			}
			var trace []string
			for _, tr := range got.Trace {
				trace = append(trace, tr.Rule+": "+tr.Detail)
			}
			all := strings.Join(trace, "\n")
			if !strings.Contains(all, "STATE: the state records separate consent to "+unknown+", which this policy does not ask: it is read without it") {
				t.Errorf("no STATE entry names the dropped consent:\n%s", all)
			}
			if strings.Contains(all, "fresh install") || strings.Contains(string(got.State), unknown) {
				t.Errorf("the state is not read without the unknown consent: %s\n%s", got.State, all)
			}
			// The same state with a hash that does not cover it is edited.
			forged := s[:i] + `,"consents":{"` + unknown + `":{"given":true}}` + s[i:]
			if got := decide(forged, `{"type":"launch"}`); len(got.Actions) == 0 {
				t.Errorf("a consent added by hand is trusted: %s", got.State)
			}
		})
	}
}

// TestStateBounds: values the engine never writes, in a state whose hash
// matches them (a host can compute the unkeyed hash), are refused as the
// contract says, and values it may write in another form are read.
func TestStateBounds(t *testing.T) {
	e, err := New(prompttest.Must(t).Bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	apply, _ := e.stepRefBytes([]byte("loan_apply/apply"))
	launch := func(state string) string {
		return string(e.Decide(nil, []byte(`{"now":"2026-03-01T10:00:00+08:00","device":{"platform":"android","version":"33"},"event":{"type":"launch"},"state":`+state+`}`)))
	}
	st := freshState()
	st.accepted, st.seen = 0, 0
	st.flow = flow{step: apply, i: 16, wait: waitRationale}
	if out := launch(string(e.encodeState(nil, &st, nil))); !strings.Contains(out, "state.flow.i is out of range: the engine starts as on a fresh install") {
		t.Errorf("flow.i 16 is read: %s", out)
	}
	st.flow = flow{step: apply, i: 1, wait: waitRationale}
	s := strings.Replace(string(e.encodeState(nil, &st, nil)), `"wait":"rationale"`, `"wait":"rationale","missing":0`, 1)
	if out := launch(s); strings.Contains(out, `"rule":"STATE"`) {
		t.Errorf("an explicit missing 0 is not read as none: %s", out)
	}
	// A step in progress past its last ask (a newer bundle's step asks
	// less) is dropped, the rest of the state kept.
	st.flow = flow{step: apply, i: len(e.scens[apply.sc].steps[apply.st].asks), wait: waitRationale}
	if out := launch(string(e.encodeState(nil, &st, nil))); !strings.Contains(out, "the step in progress no longer matches the policy: it is dropped") || strings.Contains(out, "fresh install") {
		t.Errorf("a step in progress past its asks is not dropped alone: %s", out)
	}
	st.flow = flow{step: apply, i: 1, wait: waitRationale, missing: 0xFFFF}
	if out := launch(string(e.encodeState(nil, &st, nil))); strings.Contains(out, "is out of range") {
		t.Errorf("flow.missing 65535 (16 bits) is refused: %s", out)
	}
	st.flow = flow{}
	st.flow.step = noStep
	st.perms[vocab.Camera].denials = 101
	if out := launch(string(e.encodeState(nil, &st, nil))); !strings.Contains(out, "state.perms.denials is not valid") {
		t.Errorf("101 denials are read: %s", out)
	}
	st.perms[vocab.Camera].denials = 0
	st.perms[vocab.Camera].withdrawn = true
	s0 := strings.Replace(string(e.encodeState(nil, &st, nil)), `"withdrawn":true`, `"refused":0,"withdrawn":true`, 1)
	if out := launch(s0); !strings.Contains(out, "state.perms.refused is not valid") {
		t.Errorf("a refusal at time 0 is read: %s", out)
	}
	s1 := strings.Replace(string(e.encodeState(nil, &st, nil)), `"withdrawn":true`, `"refused":1,"withdrawn":true`, 1)
	if out := launch(s1); strings.Contains(out, "state.perms.refused is not valid") {
		t.Errorf("a refusal at second 1 is refused: %s", out)
	}
	s2 := strings.Replace(string(e.encodeState(nil, &st, nil)), `"withdrawn":true`, `"denials":0,"withdrawn":true`, 1)
	if out := launch(s2); strings.Contains(out, "is not valid") {
		t.Errorf("an explicit denials 0 is refused: %s", out)
	}
	st.perms[vocab.Camera].withdrawn = false
	st.flow = flow{step: apply, i: 1, wait: waitRationale, missing: 1}
	s = strings.Replace(string(e.encodeState(nil, &st, nil)), `"missing":1`, `"missing":65536`, 1)
	if out := launch(s); !strings.Contains(out, "state.flow.missing is out of range") {
		t.Errorf("flow.missing 65536 is read: %s", out)
	}
	// Version 1: a category the vocabulary lacks is no separate consent.
	var x stateExtra
	x.v1, x.separate[vocab.Camera] = true, 1<<vocab.Biometrics // what a reader taking it for biometrics would hash
	st = freshState()
	st.accepted, st.seen = 0, 0
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], e.digestV1(&st, &x, nil))
	v1 := `{"v":1,"policy":"msxf","accepted":"2022-03-29","seen":"2022-03-29","perms":{"camera":{"separate":["genes"]}},"hash":"` + hex.EncodeToString(sum[:]) + `"}`
	if out := launch(v1); !strings.Contains(out, "state.perms.separate is not valid") {
		t.Errorf("an unknown category in a v1 state is read: %s", out)
	}
}

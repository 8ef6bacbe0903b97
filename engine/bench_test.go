package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
)

// consentedState returns the state after a user accepted the reference
// policy on Android 13.
func consentedState(tb testing.TB, e *engine.Engine) []byte {
	tb.Helper()
	dev := conformance.Device{Platform: "android", Version: "33"}
	var state []byte
	for _, ev := range []string{`{"type":"launch"}`, `{"type":"policy_answer","accepted":true}`} {
		out := e.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "zh-CN", dev, nil, state, []byte(ev)))
		var r struct{ State json.RawMessage }
		if err := json.Unmarshal(out, &r); err != nil || r.State == nil {
			tb.Fatalf("%v: %s", err, out)
		}
		state = r.State
	}
	return state
}

// BenchmarkDecide is one representative decision: entering
// loan_apply/apply on Android 13 from a consented state, JSON in and out.
func BenchmarkDecide(b *testing.B) {
	e := newEngine(b, "reference")
	dev := conformance.Device{Platform: "android", Version: "33"}
	req := conformance.Request("2026-03-01T10:05:00+08:00", "zh-CN", dev,
		map[string]string{"camera": "granted"}, consentedState(b, e),
		[]byte(`{"type":"enter","scenario":"loan_apply","step":"apply"}`))
	buf := make([]byte, 0, 8192)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for b.Loop() {
		buf = e.Decide(buf[:0], req)
	}
	b.ReportMetric(float64(len(buf)), "response-bytes")
}

// BenchmarkJourney is a whole loan application on Android 13 (conformance
// case 002: launch, consent, location, call log, cooldown), eight decisions.
// Its requests are recorded once, each built from the response before it;
// the loop replays them, so ns/op is the engine's time for the journey.
func BenchmarkJourney(b *testing.B) {
	e := newEngine(b, "reference")
	cases, err := conformance.Cases()
	if err != nil {
		b.Fatal(err)
	}
	var j *conformance.Case
	for _, x := range cases {
		if x.Name == "002_android33_loan_apply_grant_then_refuse" {
			j = x
		}
	}
	if j == nil {
		b.Fatal("conformance case 002 is missing")
	}
	steps, err := conformance.Play(j, func(_ string, req []byte) ([]byte, error) { return e.Decide(nil, req), nil })
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 8192)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range steps {
			buf = e.Decide(buf[:0], s.Request)
		}
	}
	b.ReportMetric(float64(len(steps)), "decisions/op")
}

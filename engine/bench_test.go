package engine_test

import (
	"bytes"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
)

// consentedState returns the state after a user accepted the reference
// policy on Android 13 (conformance.ConsentedState).
func consentedState(tb testing.TB, e *engine.Engine) []byte {
	tb.Helper()
	state, err := conformance.ConsentedState(func(r []byte) ([]byte, error) { return e.Decide(nil, r), nil },
		"2026-03-01T10:00:00+08:00", conformance.Extra{})
	if err != nil {
		tb.Fatal(err)
	}
	return state
}

// BenchmarkDecide is one representative decision: entering
// loan_apply/apply on Android 13 from a consented state, JSON in and out.
func BenchmarkDecide(b *testing.B) {
	e := newEngine(b, "reference")
	req := conformance.BenchRequest(consentedState(b, e), conformance.Extra{})
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

// BenchmarkDecideRecord is BenchmarkDecide as a host that keeps the
// record sends it: with its installation, state_key (the state's hash
// keyed, SipHash-2-4), bundle_version and the service's checkpoint of the
// state's head (verified once, then remembered).
func BenchmarkDecideRecord(b *testing.B) {
	e := newEngine(b, "reference")
	req := recordRequest(b, func(r []byte) []byte { return e.Decide(nil, r) })
	buf := make([]byte, 0, 8192)
	buf = e.Decide(buf[:0], req)
	if bytes.Contains(buf, []byte(`"error"`)) || bytes.Contains(buf, []byte(`"STATE"`)) {
		b.Fatalf("%s", buf)
	}
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for b.Loop() {
		buf = e.Decide(buf[:0], req)
	}
	b.ReportMetric(float64(len(buf)), "response-bytes")
}

// recordRequest is BenchmarkDecide's request with the record's fields: a
// consented state made under a state_key, and a checkpoint of its head
// signed by the test service key (conformance.RecordRequest).
func recordRequest(tb testing.TB, decide func([]byte) []byte) []byte {
	tb.Helper()
	req, err := conformance.RecordRequest(func(r []byte) ([]byte, error) { return decide(r), nil }, true)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

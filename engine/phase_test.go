package engine

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// BenchmarkPhases times the phases of the representative decision (the
// one of BenchmarkDecide), to see where its time goes natively and in
// wasm, where there is no profiler:
//
//	GOOS=wasip1 GOARCH=wasm GOWASM=satconv,signext go test -c -o /tmp/engine.wasm ./engine
//	cd engine && wazero run -mount=/:/ -env PWD=$PWD /tmp/engine.wasm -test.run '^$' -test.bench Phases
func BenchmarkPhases(b *testing.B) {
	e, err := New(prompttest.Must(b).Bundles["reference"])
	if err != nil {
		b.Fatal(err)
	}
	var state json.RawMessage
	for _, ev := range []string{`{"type":"launch"}`, `{"type":"policy_answer","accepted":true}`} {
		req := `{"now":"2026-03-01T10:00:00+08:00","device":{"platform":"android","version":"33"},"event":` + ev
		if state != nil {
			req += `,"state":` + string(state)
		}
		var r struct{ State json.RawMessage }
		if err := json.Unmarshal(e.Decide(nil, []byte(req+"}")), &r); err != nil {
			b.Fatal(err)
		}
		state = r.State
	}
	req := []byte(`{"now":"2026-03-01T10:05:00+08:00","locale":"zh-CN","device":{"platform":"android","version":"33"},"os":{"camera":"granted"},"state":` +
		string(state) + `,"event":{"type":"enter","scenario":"loan_apply","step":"apply"}}`)
	var r request
	if err := e.parse(&r, req, nil); err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			var r request
			e.parse(&r, req, nil)
		}
	})
	stateAt := bytes.Index(req, []byte(`"state":`)) + len(`"state":`)
	b.Run("parse/state", func(b *testing.B) {
		for b.Loop() {
			var x stateExtra
			e.decodeState(req, stateAt, &x)
		}
	})
	b.Run("parse/time", func(b *testing.B) {
		for b.Loop() {
			parseTime([]byte("2026-03-01T10:05:00+08:00"))
		}
	})
	minimal := []byte(`{"now":"2026-03-01T10:05:00+08:00","device":{"platform":"android","version":"33"},"event":{"type":"launch"}}`)
	b.Run("parse/minimal", func(b *testing.B) {
		for b.Loop() {
			var r request
			e.parse(&r, minimal, nil)
		}
	})
	b.Run("encodeState", func(b *testing.B) {
		buf := make([]byte, 0, 8192)
		for b.Loop() {
			buf = e.encodeState(buf[:0], &r.state, nil)
		}
	})
	b.Run("decide", func(b *testing.B) {
		buf := make([]byte, 0, 8192)
		for b.Loop() {
			buf = e.Decide(buf[:0], req)
		}
	})
}

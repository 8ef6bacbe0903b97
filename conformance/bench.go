package conformance

import (
	"encoding/json"
	"fmt"
)

// The representative decision that the benchmarks time, natively (the
// engine's BenchmarkDecide), through the module in wazero (wasmhost's) and
// on the real hosts (make bench-hosts): entering loan_apply/apply on
// Android 13, in zh-CN, with the camera granted, from a state in which the
// user accepted the reference policy. Built here once, so that every
// benchmark times the same request.

// benchDevice is the representative request's device.
var benchDevice = Device{Platform: "android", Version: "33"}

// ConsentedState returns the state after a user accepted the policy on
// Android 13 at the time at: a launch, then the popup accepted, each
// decided by decide. x adds the record's fields (installation, state_key,
// bundle_version) to both requests.
func ConsentedState(decide func([]byte) ([]byte, error), at string, x Extra) ([]byte, error) {
	var state []byte
	for _, ev := range []string{`{"type":"launch"}`, `{"type":"policy_answer","accepted":true}`} {
		out, err := decide(RequestExtra(at, "zh-CN", benchDevice, nil, state, []byte(ev), x))
		if err != nil {
			return nil, err
		}
		var r struct{ State json.RawMessage }
		if err := json.Unmarshal(out, &r); err != nil || r.State == nil {
			return nil, fmt.Errorf("the answer to %s: %v: %s", ev, err, out)
		}
		state = r.State
	}
	return state, nil
}

// BenchRequest is the representative request from state, with x's fields.
func BenchRequest(state []byte, x Extra) []byte {
	return RequestExtra("2026-03-01T10:05:00+08:00", "zh-CN", benchDevice, map[string]string{"camera": "granted"}, state,
		[]byte(`{"type":"enter","scenario":"loan_apply","step":"apply"}`), x)
}

// RecordRequest is the representative request as a host that keeps the
// record sends it, from a state consented under a state_key: with full,
// also its installation, bundle_version and a checkpoint of the state's
// head signed by the test service key (ReadServiceKey); without, the
// state_key alone.
func RecordRequest(decide func([]byte) ([]byte, error), full bool) ([]byte, error) {
	x := Extra{StateKey: "00112233445566778899aabbccddeeff"}
	if full {
		x.Installation, x.BundleVersion = "inst-bench", "2022-03-29"
	}
	state, err := ConsentedState(decide, "2026-03-01T10:00:00+08:00", x)
	if err != nil {
		return nil, err
	}
	if full {
		var st struct {
			Head struct {
				Seq  int64
				Hash string
			}
		}
		if err := json.Unmarshal(state, &st); err != nil {
			return nil, err
		}
		key, err := ReadServiceKey()
		if err != nil {
			return nil, err
		}
		x.Checkpoint = SignCheckpoint(key, x.Installation, st.Head.Seq, st.Head.Hash, "2026-03-01T02:00:00Z")
	}
	return BenchRequest(state, x), nil
}

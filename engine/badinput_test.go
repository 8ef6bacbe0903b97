package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
)

const (
	okNow    = `"now":"2026-03-01T10:00:00+08:00"`
	okDevice = `"device":{"platform":"android","version":"33"}`
	launch   = `"event":{"type":"launch"}`
)

// req builds a request from members, defaulting the required ones.
func req(members ...string) string {
	return "{" + strings.Join(members, ",") + "}"
}

// TestBadInput gives each kind of bad request its own code and field, and
// checks that the engine still answers a good request afterwards.
func TestBadInput(t *testing.T) {
	e := newEngine(t, "reference")
	cases := []struct {
		name, request, code, field string
	}{
		{"empty", ``, "bad_json", ""},
		{"truncated", `{"now":"2026-03-01T10:00:00+08:00","dev`, "bad_json", ""},
		{"truncated in a string", `{"now":"2026-03-01T10:00`, "bad_json", "now"},
		{"trailing data", req(okNow, okDevice, launch) + `{}`, "bad_json", ""},
		{"malformed", `{"now" "x"}`, "bad_json", ""},
		{"not an object", `[1,2]`, "bad_type", ""},
		{"bare string", `"launch"`, "bad_type", ""},
		{"too large", req(okNow, okDevice, launch, `"locale":"`+strings.Repeat("a", 300<<10)+`"`), "too_large", ""},
		{"invalid UTF-8", req(okNow, okDevice, "\"event\":{\"type\":\"enter\",\"scenario\":\"loan_apply\",\"step\":\"\xff\"}"), "bad_utf8", "event.step"},
		{"invalid UTF-8 in a name", req(okNow, okDevice, "\"ev\xffent\":{\"type\":\"launch\"}"), "bad_utf8", ""},
		{"invalid UTF-8 outside a string", req(okNow, okDevice, launch) + "\xff", "bad_json", ""},
		{"lone surrogate", req(okNow, okDevice, `"locale":"\ud800"`, launch), "bad_utf8", "locale"},
		{"control character", req(okNow, okDevice, "\"locale\":\"zh\x01\"", launch), "bad_json", "locale"},
		{"missing now", req(okDevice, launch), "missing_field", "now"},
		{"missing device", req(okNow, launch), "missing_field", "device"},
		{"missing platform", req(okNow, `"device":{"version":"33"}`, launch), "missing_field", "device.platform"},
		{"missing version", req(okNow, `"device":{"platform":"ios"}`, launch), "missing_field", "device.version"},
		{"missing event", req(okNow, okDevice), "missing_field", "event"},
		{"missing event type", req(okNow, okDevice, `"event":{}`), "missing_field", "event.type"},
		{"missing scenario", req(okNow, okDevice, `"event":{"type":"enter","step":"apply"}`), "missing_field", "event.scenario"},
		{"missing accepted", req(okNow, okDevice, `"event":{"type":"policy_answer"}`), "missing_field", "event.accepted"},
		{"missing result", req(okNow, okDevice, `"event":{"type":"permission_result","permission":"camera"}`), "missing_field", "event.result"},
		{"now is a number", req(`"now":1772330400`, okDevice, launch), "bad_type", "now"},
		{"device is a string", req(okNow, `"device":"android"`, launch), "bad_type", "device"},
		{"accepted is a string", req(okNow, okDevice, `"event":{"type":"policy_answer","accepted":"yes"}`), "bad_type", "event.accepted"},
		{"os is an array", req(okNow, okDevice, `"os":["camera"]`, launch), "bad_type", "os"},
		{"os value is a number", req(okNow, okDevice, `"os":{"camera":1}`, launch), "bad_type", "os.camera"},
		{"os value is not UTF-8", req(okNow, okDevice, "\"os\":{\"camera\":\"gr\xffanted\"}", launch), "bad_utf8", "os.camera"},
		{"os value is truncated", `{"now":"2026-03-01T10:00:00+08:00","os":{"camera":"gran`, "bad_json", "os.camera"},
		{"state is an array", req(okNow, okDevice, `"state":[]`, launch), "bad_type", "state"},
		{"event is null", req(okNow, okDevice, `"event":null`), "bad_type", "event"},
		{"unknown field", req(okNow, okDevice, `"evnt":{"type":"launch"}`), "unknown_field", "evnt"},
		{"unknown device field", req(okNow, `"device":{"platform":"android","version":"33","model":"x"}`, launch), "unknown_field", "device.model"},
		{"field of another event", req(okNow, okDevice, `"event":{"type":"launch","scenario":"loan_apply"}`), "unknown_field", "event.scenario"},
		{"unknown event field", req(okNow, okDevice, `"event":{"type":"launch","when":"now"}`), "unknown_field", "event.when"},
		{"duplicate now", req(okNow, okNow, okDevice, launch), "duplicate_field", "now"},
		{"duplicate os entry", req(okNow, okDevice, `"os":{"camera":"granted","camera":"denied"}`, launch), "duplicate_field", "os.camera"},
		{"duplicate event field", req(okNow, okDevice, `"event":{"type":"launch","type":"launch"}`), "duplicate_field", "event.type"},
		{"month 13", req(`"now":"2026-13-01T10:00:00+08:00"`, okDevice, launch), "bad_time", "now"},
		{"February 30", req(`"now":"2026-02-30T10:00:00Z"`, okDevice, launch), "bad_time", "now"},
		{"no zone", req(`"now":"2026-03-01T10:00:00"`, okDevice, launch), "bad_time", "now"},
		{"words", req(`"now":"yesterday"`, okDevice, launch), "bad_time", "now"},
		{"bad locale", req(okNow, okDevice, `"locale":"!!"`, launch), "bad_locale", "locale"},
		{"one-letter locale", req(okNow, okDevice, `"locale":"e"`, launch), "bad_locale", "locale"},
		{"empty subtag", req(okNow, okDevice, `"locale":"en--US"`, launch), "bad_locale", "locale"},
		{"unknown platform", req(okNow, `"device":{"platform":"symbian","version":"9"}`, launch), "unknown_platform", "device.platform"},
		{"android version with dots", req(okNow, `"device":{"platform":"android","version":"13.0"}`, launch), "bad_version", "device.version"},
		{"ios version words", req(okNow, `"device":{"platform":"ios","version":"seventeen"}`, launch), "bad_version", "device.version"},
		{"harmonyos empty version", req(okNow, `"device":{"platform":"harmonyos","version":""}`, launch), "bad_version", "device.version"},
		{"unknown os permission", req(okNow, okDevice, `"os":{"gps":"granted"}`, launch), "unknown_permission", "os.gps"},
		{"unknown event permission", req(okNow, okDevice, `"event":{"type":"withdraw","permission":"gps"}`), "unknown_permission", "event.permission"},
		{"policy is not a rationale", req(okNow, okDevice, `"event":{"type":"rationale_answer","permission":"policy","accepted":true}`), "unknown_permission", "event.permission"},
		{"bad os state", req(okNow, okDevice, `"os":{"camera":"maybe"}`, launch), "bad_value", "os.camera"},
		{"bad result", req(okNow, okDevice, `"event":{"type":"permission_result","permission":"camera","result":"yes"}`), "bad_value", "event.result"},
		{"unknown event", req(okNow, okDevice, `"event":{"type":"open"}`), "unknown_event", "event.type"},
		{"unknown scenario", req(okNow, okDevice, `"event":{"type":"enter","scenario":"casino","step":"bet"}`), "unknown_scenario", "event.scenario"},
		{"unknown step", req(okNow, okDevice, `"event":{"type":"enter","scenario":"loan_apply","step":"dance"}`), "unknown_step", "event.step"},
		{"step of another scenario", req(okNow, okDevice, `"event":{"type":"enter","scenario":"loan_apply","step":"voice"}`), "unknown_step", "event.step"},
		{"result not requested", req(okNow, okDevice, `"event":{"type":"permission_result","permission":"camera","result":"granted"}`), "not_requested", "event.permission"},
		{"rationale not shown", req(okNow, okDevice, `"event":{"type":"rationale_answer","permission":"camera","accepted":true}`), "not_requested", "event.permission"},
		{"consent not shown", req(okNow, okDevice, `"event":{"type":"consent_answer","sensitive":"biometrics","purpose":"biometric_login","accepted":true}`), "not_requested", "event.purpose"},
		{"unknown purpose", req(okNow, okDevice, `"event":{"type":"consent_answer","sensitive":"biometrics","purpose":"dancing","accepted":true}`), "unknown_consent", "event.purpose"},
		{"purpose of another category", req(okNow, okDevice, `"event":{"type":"withdraw","sensitive":"financial_account","purpose":"loan_identity"}`), "unknown_consent", "event.purpose"},
		{"unknown sensitive category", req(okNow, okDevice, `"event":{"type":"consent_answer","sensitive":"genes","purpose":"loan_identity","accepted":true}`), "bad_value", "event.sensitive"},
		{"consent answer without answer", req(okNow, okDevice, `"event":{"type":"consent_answer","sensitive":"biometrics","purpose":"loan_identity"}`), "missing_field", "event.accepted"},
		{"withdrawal of a consent without purpose", req(okNow, okDevice, `"event":{"type":"withdraw","sensitive":"biometrics"}`), "missing_field", "event.purpose"},
		{"withdrawal of a permission and a consent", req(okNow, okDevice, `"event":{"type":"withdraw","permission":"camera","sensitive":"biometrics","purpose":"loan_identity"}`), "unknown_field", "event.sensitive"},
		{"purpose on a rationale answer", req(okNow, okDevice, `"event":{"type":"rationale_answer","permission":"camera","accepted":true,"purpose":"loan_identity"}`), "unknown_field", "event.purpose"},
		{"purpose not a string", req(okNow, okDevice, `"event":{"type":"withdraw","sensitive":"biometrics","purpose":7}`), "bad_type", "event.purpose"},
		{"state nested too deep", req(okNow, okDevice, `"state":{"x":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`, launch), "bad_json", "state"},
		{"state truncated", "{" + okNow + "," + okDevice + `,"state":{"v":1,"policy":"ms`, "bad_json", "state"},
		// The record's fields (issue 13).
		{"installation with a space", req(okNow, okDevice, `"installation":"my phone"`, launch), "bad_value", "installation"},
		{"installation empty", req(okNow, okDevice, `"installation":""`, launch), "bad_value", "installation"},
		{"installation a number", req(okNow, okDevice, `"installation":7`, launch), "bad_type", "installation"},
		{"installation too long", req(okNow, okDevice, `"installation":"`+strings.Repeat("a", 65)+`"`, launch), "bad_value", "installation"},
		{"state_key short", req(okNow, okDevice, `"state_key":"00ff"`, launch), "bad_value", "state_key"},
		{"state_key not hex", req(okNow, okDevice, `"state_key":"`+strings.Repeat("g", 32)+`"`, launch), "bad_value", "state_key"},
		{"state_key an array", req(okNow, okDevice, `"state_key":[0]`, launch), "bad_type", "state_key"},
		{"bundle_version words", req(okNow, okDevice, `"bundle_version":"newest"`, launch), "bad_value", "bundle_version"},
		{"bundle_version newer", req(okNow, okDevice, `"bundle_version":"2099-01-01"`, launch), "older_version", "bundle_version"},
		{"checkpoint a string", req(okNow, okDevice, `"installation":"i","checkpoint":"head"`, launch), "bad_type", "checkpoint"},
		{"checkpoint empty", req(okNow, okDevice, `"installation":"i","checkpoint":{}`, launch), "bad_checkpoint", "checkpoint"},
		{"checkpoint seq negative", req(okNow, okDevice, `"installation":"i","checkpoint":{"seq":-1}`, launch), "bad_checkpoint", "checkpoint.seq"},
		{"checkpoint seq huge", req(okNow, okDevice, `"installation":"i","checkpoint":{"seq":1e99}`, launch), "bad_type", "checkpoint.seq"},
		{"checkpoint sig short", req(okNow, okDevice, `"installation":"i","checkpoint":{"sig":"AAAA"}`, launch), "bad_checkpoint", "checkpoint.sig"},
		{"checkpoint duplicate member", req(okNow, okDevice, `"installation":"i","checkpoint":{"v":1,"v":1}`, launch), "duplicate_field", "checkpoint.v"},
		{"receipts without restore", req(okNow, okDevice, `"receipts":[]`, launch), "unknown_field", "receipts"},
		{"restore without receipts", req(okNow, okDevice, `"event":{"type":"restore"}`), "missing_field", "receipts"},
		{"receipts an object", req(okNow, okDevice, `"receipts":{}`, `"event":{"type":"restore"}`), "bad_type", "receipts"},
		{"receipts empty", req(okNow, okDevice, `"receipts":[]`, `"event":{"type":"restore"}`), "bad_receipt", "receipts"},
		{"receipt a string", req(okNow, okDevice, `"receipts":["x"]`, `"event":{"type":"restore"}`), "bad_receipt", "receipts[0]"},
		{"receipt unknown member", req(okNow, okDevice, `"receipts":[{"device":"x"}]`, `"event":{"type":"restore"}`), "bad_receipt", "receipts[0]"},
		{"receipt seq a string", req(okNow, okDevice, `"receipts":[{"seq":"1"}]`, `"event":{"type":"restore"}`), "bad_receipt", "receipts[0]"},
		{"receipt truncated", "{" + okNow + "," + okDevice + `,"event":{"type":"restore"},"receipts":[{"seq":1`, "bad_json", "receipts"},
		{"receipt nested", req(okNow, okDevice, `"receipts":[{"kind":{"a":1}}]`, `"event":{"type":"restore"}`), "bad_receipt", "receipts[0]"},
		{"restore with a field", req(okNow, okDevice, `"receipts":[]`, `"event":{"type":"restore","accepted":true}`), "unknown_field", "event.accepted"},
	}
	good := []byte(req(okNow, okDevice, launch))
	want := string(e.Decide(nil, good))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := e.Decide(nil, []byte(c.request))
			var r struct {
				Error *struct{ Code, Message, Field string }
			}
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("the answer is not JSON: %v: %s", err, out)
			}
			if r.Error == nil {
				t.Fatalf("no error; got %s", out)
			}
			if r.Error.Code != c.code || r.Error.Field != c.field {
				t.Errorf("got %s (field %q): %s; want %s (field %q)", r.Error.Code, r.Error.Field, r.Error.Message, c.code, c.field)
			}
			if r.Error.Message == "" {
				t.Error("no message")
			}
			if got := string(e.Decide(nil, good)); got != want {
				t.Errorf("a good request afterwards gets another answer:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestStateIsNeverAnError checks that a state the engine cannot use
// starts a fresh install with a STATE trace entry, never an error; the
// one exception, a state of a newer policy version, is stale_bundle
// (TestStaleBundle).
func TestStateIsNeverAnError(t *testing.T) {
	e := newEngine(t, "reference")
	states := map[string]string{
		"another policy":  `{"v":1,"policy":"other","hash":"0000000000000000"}`,
		"newer version":   `{"v":2,"policy":"msxf","hash":"0000000000000000"}`,
		"no hash":         `{"v":1,"policy":"msxf"}`,
		"wrong hash":      `{"v":1,"policy":"msxf","accepted":"2022-03-29","hash":"0123456789abcdef"}`,
		"unknown field":   `{"v":1,"policy":"msxf","admin":true,"hash":"0000000000000000"}`,
		"unknown version": `{"v":1,"policy":"msxf","accepted":"2001-01-01","hash":"0000000000000000"}`,
		"not a version":   `{"v":1,"policy":"msxf","accepted":"zzzz","hash":"0000000000000000"}`,
		"unknown step":    `{"v":1,"policy":"msxf","at":"loan_apply/dance","hash":"0000000000000000"}`,
		"wrong types":     `{"v":"1","policy":["msxf"],"perms":{"camera":{"denials":"many"}}}`,
		"bad flow":        `{"v":1,"policy":"msxf","flow":{"step":"loan_apply/apply","i":99,"wait":"x"},"hash":"0000000000000000"}`,
		"empty":           `{}`,
	}
	for name, st := range states {
		t.Run(name, func(t *testing.T) { freshInstall(t, e, st) })
	}
}

// FuzzDecide feeds arbitrary bytes to the engine: every answer must be a
// JSON object holding an error or a response, and a good request
// afterwards must get the same answer as before.
func FuzzDecide(f *testing.F) {
	e := newEngine(f, "reference")
	for _, s := range []string{
		req(okNow, okDevice, launch),
		req(okNow, okDevice, `"event":{"type":"enter","scenario":"loan_apply","step":"apply"}`),
		req(okNow, `"device":{"platform":"ios","version":"17.2"}`, `"os":{"camera":"denied"}`, `"event":{"type":"rationale_answer","permission":"camera","accepted":true}`),
		req(okNow, okDevice, `"state":{"v":1,"policy":"msxf","accepted":"2022-03-29","hash":"0123456789abcdef"}`, launch),
		req(okNow, okDevice, `"installation":"i-1","state_key":"00112233445566778899aabbccddeeff","bundle_version":"2022-03-29"`, launch),
		req(okNow, okDevice, `"installation":"i-1","checkpoint":{"head":"`+strings.Repeat("ab", 32)+`","installation":"i-1","key":"abc43d9ca5e20c8d","seq":3,"sig":"`+strings.Repeat("A", 86)+`==","time":"2026-03-01T02:00:00Z","v":1}`, launch),
		req(okNow, okDevice, `"receipts":[{"answer":"accepted","hash":"`+strings.Repeat("0", 64)+`","id":"x","kind":"policy","locale":"en","platform":"android","policy":"msxf","prev":"","seq":1,"time":"2026-03-01T10:00:00Z","v":2,"version":"2022-03-29"}]`, `"event":{"type":"restore"}`),
		`{"now":"\u0032026-03-01T10:00:00Z"}`, `[`, `{"a":[{"b":null,"c":-1.5e3}]}`,
	} {
		f.Add([]byte(s))
	}
	good := []byte(req(okNow, okDevice, launch))
	want := string(e.Decide(nil, good))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := e.Decide(nil, data)
		var r map[string]json.RawMessage
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("not JSON: %v: %q -> %s", err, data, out)
		}
		if _, isErr := r["error"]; !isErr {
			for _, k := range []string{"policy", "actions", "sdks", "state", "receipts", "trace"} {
				if _, ok := r[k]; !ok {
					t.Fatalf("response without %s: %q -> %s", k, data, out)
				}
			}
		}
		if got := string(e.Decide(nil, good)); got != want {
			t.Fatalf("a good request gets another answer after %q", data)
		}
	})
}

// TestMaxRequest: a request of exactly MaxRequest bytes is read; one byte
// more is too_large.
func TestMaxRequest(t *testing.T) {
	e := newEngine(t, "reference")
	base := `{"now":"2026-03-01T10:00:00+08:00","device":{"platform":"android","version":"33"},"event":{"type":"launch"},"locale":"`
	pad := engine.MaxRequest - len(base) - len(`"}`)
	at := base + strings.Repeat("a", pad) + `"}`
	if len(at) != engine.MaxRequest {
		t.Fatalf("built %d bytes", len(at))
	}
	var r struct{ Error *struct{ Code string } }
	if err := json.Unmarshal(e.Decide(nil, []byte(at)), &r); err != nil || r.Error == nil || r.Error.Code != "bad_locale" {
		t.Errorf("a request of MaxRequest bytes: %+v, want it read (and its locale refused)", r.Error)
	}
	over := base + strings.Repeat("a", pad+1) + `"}`
	r.Error = nil
	if err := json.Unmarshal(e.Decide(nil, []byte(over)), &r); err != nil || r.Error == nil || r.Error.Code != "too_large" {
		t.Errorf("a request of MaxRequest+1 bytes: %+v, want too_large", r.Error)
	}
}

// TestNotAnObjectMessage: a request that is not an object says so.
func TestNotAnObjectMessage(t *testing.T) {
	e := newEngine(t, "reference")
	var r struct {
		Error struct{ Code, Message string }
	}
	for _, req := range []string{`[]`, `"launch"`, `42`} {
		if err := json.Unmarshal(e.Decide(nil, []byte(req)), &r); err != nil || r.Error.Code != "bad_type" || r.Error.Message != "the request must be a JSON object" {
			t.Errorf("%s: %+v", req, r.Error)
		}
	}
}

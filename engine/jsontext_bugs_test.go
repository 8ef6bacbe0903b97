package engine_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// The JSON reader's bugs of issue 9 (item 8), each through the native
// engine: bytes after a NUL were ignored, a repeated name in a bundle
// concatenated or merged what it named, invalid UTF-8 in a bundle was
// taken and shown. hostsim/jsontext_bugs_test.go runs the same through the
// module.

// answer decides and returns the error code and field, or "" and the
// response.
func answer(t *testing.T, e *engine.Engine, request string) (code, field string, r response, raw []byte) {
	t.Helper()
	raw = e.Decide(nil, []byte(request))
	var out struct {
		Error *struct{ Code, Message, Field string }
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("the answer is not JSON: %v: %s", err, raw)
	}
	if out.Error != nil {
		if out.Error.Message == "" {
			t.Errorf("%s without a message", out.Error.Code)
		}
		return out.Error.Code, out.Error.Field, r, raw
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return "", "", r, raw
}

// TestRequestTrailingBytes: nothing but white space may follow a request;
// a NUL was taken for its end, and what came after it was never read.
func TestRequestTrailingBytes(t *testing.T) {
	e := newEngine(t, "reference")
	good := req(okNow, okDevice, launch)
	for name, tail := range map[string]string{
		"NUL":                  "\x00",
		"NUL then JSON":        "\x00{\"x\":[[[",
		"space NUL then JSON":  " \n\x00{\"event\":{\"type\":\"withdraw\"}}",
		"a second document":    `{}`,
		"a letter":             "x",
		"a byte order mark":    "\ufeff",
		"a vertical tab":       "\v",
		"NUL in the last word": "",
	} {
		t.Run(name, func(t *testing.T) {
			request := good + tail
			if tail == "" {
				request = good[:len(good)-1] + "\x00}"
			}
			if code, field, _, raw := answer(t, e, request); code != "bad_json" || field != "" {
				t.Errorf("got %s", raw)
			}
		})
	}
	if code, _, _, raw := answer(t, e, " \t"+good+"\r\n "); code != "" {
		t.Errorf("white space around a request: %s", raw)
	}
}

// TestRequestRepeatedNames: a name given twice is duplicate_field at every
// level of a request, whatever its value and however it is escaped.
func TestRequestRepeatedNames(t *testing.T) {
	e := newEngine(t, "reference")
	enter := `"event":{"type":"enter","scenario":"loan_apply","step":"apply"}`
	for _, c := range []struct{ name, request, field string }{
		{"now", req(okNow, okDevice, launch, okNow), "now"},
		{"now escaped", req(okNow, okDevice, launch, `"no\u0077":"2026-03-01T10:00:00Z"`), "now"},
		{"now, then a bad time", req(okNow, `"now":"soon"`, okDevice, launch), "now"},
		{"locale", req(okNow, `"locale":"en"`, `"locale":null`, okDevice, launch), "locale"},
		{"device", req(okNow, okDevice, okDevice, launch), "device"},
		{"device.platform", req(okNow, `"device":{"platform":"android","platform":"ios","version":"33"}`, launch), "device.platform"},
		{"device.version", req(okNow, `"device":{"platform":"android","version":"33","version":"33"}`, launch), "device.version"},
		{"device.version, then a number", req(okNow, `"device":{"platform":"android","version":"33","version":33}`, launch), "device.version"},
		{"os", req(okNow, okDevice, `"os":{}`, `"os":null`, launch), "os"},
		{"os.camera", req(okNow, okDevice, `"os":{"camera":"granted","location":"denied","camera":"granted"}`, launch), "os.camera"},
		{"state", req(okNow, okDevice, `"state":null`, `"state":null`, launch), "state"},
		{"event", req(okNow, okDevice, launch, launch), "event"},
		{"event.type", req(okNow, okDevice, `"event":{"type":"launch","type":"launch"}`), "event.type"},
		{"event.scenario", req(okNow, okDevice, `"event":{"type":"enter","scenario":"loan_apply","step":"apply","scenario":"register"}`), "event.scenario"},
		{"event.step", req(okNow, okDevice, `"event":{"type":"enter","scenario":"loan_apply","step":"apply","st\u0065p":"apply"}`), "event.step"},
		{"event.accepted", req(okNow, okDevice, `"event":{"type":"policy_answer","accepted":false,"accepted":true}`), "event.accepted"},
		{"event.permission", req(okNow, okDevice, `"event":{"type":"withdraw","permission":"camera","permission":"policy"}`), "event.permission"},
		{"event.result", req(okNow, okDevice, `"event":{"type":"permission_result","permission":"camera","result":"granted","result":"denied"}`), "event.result"},
		{"after a good enter", req(okNow, okDevice, enter, `"now":"2026-03-01T10:00:00Z"`), "now"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code, field, _, raw := answer(t, e, c.request); code != "duplicate_field" || field != c.field {
				t.Errorf("got %s; want duplicate_field naming %s", raw, c.field)
			}
		})
	}
}

// TestRequestInvalidUTF8: invalid UTF-8 anywhere in a request, and a lone
// surrogate escape in any of its strings, is bad_utf8 naming the string's
// field. For raw bytes "" is taken too, while parse checks the whole
// request first (see TestStateRawInvalidUTF8).
func TestRequestInvalidUTF8(t *testing.T) {
	e := newEngine(t, "reference")
	for _, c := range []struct {
		name, request, field string
		raw                  bool
	}{
		{"in a value", req(okNow, okDevice, "\"event\":{\"type\":\"enter\",\"scenario\":\"loan_apply\",\"step\":\"\xff\"}"), "event.step", true},
		{"in a name", req(okNow, okDevice, launch, "\"\xc0\xaf\":1"), "", true},
		{"an encoded surrogate", req(okNow, okDevice, "\"locale\":\"zh\xed\xa0\x80\"", launch), "locale", true},
		{"a lone surrogate in a value", req(okNow, okDevice, `"event":{"type":"enter","scenario":"loan_apply","step":"\udc00"}`), "event.step", false},
		{"a lone surrogate in a name", req(okNow, okDevice, launch, `"\ud800x":1`), "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, field, _, raw := answer(t, e, c.request)
			if code != "bad_utf8" || (field != c.field && !(c.raw && field == "")) {
				t.Errorf("got %s; want bad_utf8 naming %q", raw, c.field)
			}
		})
	}
}

// freshInstall checks that a request with a state the engine cannot use
// gets a fresh install's answer with a STATE trace entry first.
func freshInstall(t *testing.T, e *engine.Engine, state string) {
	t.Helper()
	code, _, r, raw := answer(t, e, req(okNow, okDevice, `"state":`+state, launch))
	if code != "" {
		t.Fatalf("a state the engine cannot use is an error: %s", raw)
	}
	if len(r.Actions) != 1 || r.Actions[0].Type != "show_policy" || r.Actions[0].Change != "first" {
		t.Errorf("a fresh install shows the policy first; got %s", raw)
	}
	if len(r.Trace) == 0 || r.Trace[0].Rule != "STATE" || r.Trace[0].Detail == "" {
		t.Errorf("no STATE trace entry first: %s", raw)
	}
}

// TestStateRepeatedNames: a state with a name given twice, at any level,
// cannot be used, even when the values agree and the hash is right (the
// hash covers values, so a state read last-wins hashed alike). It was
// read last-wins, while a host's reader may take the first.
func TestStateRepeatedNames(t *testing.T) {
	e := newEngine(t, "reference")
	// A state with a flow, perms and a last receipt: consent, then a
	// rationale for location accepted.
	state := consentedState(t, e)
	dev := `"device":{"platform":"android","version":"33"}`
	for _, ev := range []string{
		`{"type":"enter","scenario":"loan_apply","step":"apply"}`,
		`{"type":"rationale_answer","permission":"location","accepted":true}`,
		`{"type":"permission_result","permission":"location","result":"denied"}`,
	} {
		_, _, r, raw := answer(t, e, req(okNow, dev, `"state":`+string(state), `"event":`+ev))
		if r.State == nil {
			t.Fatalf("%s: %s", ev, raw)
		}
		state = r.State
	}
	s := string(state)
	if code, _, r, raw := answer(t, e, req(okNow, dev, `"state":`+s, launch)); code != "" || len(r.Trace) > 0 && r.Trace[0].Rule == "STATE" {
		t.Fatalf("the state itself is not usable: %s", raw)
	}
	for _, c := range []struct{ name, old, new string }{
		{"v", `{"v":2,`, `{"v":2,"v":2,`},
		{"policy", `"policy":"msxf"`, `"policy":"msxf","policy":"msxf"`},
		{"accepted, same value", `"accepted":"2022-03-29"`, `"accepted":"2022-03-29","accepted":"2022-03-29"`},
		{"accepted, escaped", `"accepted":"2022-03-29"`, `"accepted":"2022-03-29","\u0061ccepted":"2022-03-29"`},
		{"hash", `,"hash":`, `,"hash":"0000000000000000","hash":`},
		{"flow.step", `"flow":{"step":"loan_apply/apply"`, `"flow":{"step":"loan_apply/apply","step":"loan_apply/apply"`},
		{"perms.location", `"perms":{`, `"perms":{"location":{},`},
		{"perms.location.denials", `"denials":1`, `"denials":1,"denials":1`},
		{"perms.location.refused", `"refused":`, `"refused":1,"refused":`},
		{"consents", `"consents":{`, `"consents":{"precise_location/loan_risk":{"given":true},`},
		{"consents.given", `{"given":true}`, `{"given":true,"given":true}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(s, c.old) {
				t.Fatalf("the state %s has no %s", s, c.old)
			}
			freshInstall(t, e, strings.Replace(s, c.old, c.new, 1))
		})
	}
}

// TestStateInvalidUnicode: a lone surrogate escape in a state makes the
// state unusable; it was the request's error (bad_utf8).
func TestStateInvalidUnicode(t *testing.T) {
	e := newEngine(t, "reference")
	for name, state := range map[string]string{
		"in a known field":   `{"v":1,"policy":"msxf\ud800","hash":"0000000000000000"}`,
		"in an unknown one":  `{"v":1,"policy":"msxf","x":"\udc00","hash":"0000000000000000"}`,
		"in a name":          `{"v":1,"policy":"msxf","\ud800":1,"hash":"0000000000000000"}`,
		"deep in the perms":  `{"v":1,"policy":"msxf","perms":{"camera":{"separate":["\ud83d"]}},"hash":"0000000000000000"}`,
		"a pair is Unicode":  `{"v":1,"policy":"msxf","x":"\ud83d\ude00","hash":"0000000000000000"}`,
		"repeated, unknown":  `{"v":1,"policy":"msxf","x":1,"x":2,"hash":"0000000000000000"}`,
		"repeated in a list": `{"v":1,"perms":{"camera":{"separate":[{"a":1,"a":1}]}}}`,
	} {
		t.Run(name, func(t *testing.T) { freshInstall(t, e, state) })
	}
}

// TestStateRawInvalidUTF8 is the state rule (a state the engine cannot
// use is a fresh install, never an error) for raw invalid UTF-8 inside
// the state. The scanner checks every string it reads (Str, Next), and
// outside strings such a byte is a syntax error, so the request is not
// checked whole: the state reader's Str fails, the state is reset, and
// Skip, which checks only the grammar, reads over it; invalid UTF-8 in the
// request's own fields is bad_utf8 naming its field.
func TestStateRawInvalidUTF8(t *testing.T) {
	e := newEngine(t, "reference")
	freshInstall(t, e, "{\"v\":1,\"policy\":\"msxf\xff\",\"hash\":\"0000000000000000\"}")
	freshInstall(t, e, "{\"v\":1,\"policy\":\"msxf\",\"x\":\"\xed\xa0\x80\",\"hash\":\"0000000000000000\"}")
}

// TestEscapedStringsStayPut: an escaped string the engine keeps (now, for
// receipts) is not overwritten by the next escaped string it reads, and an
// escaped name keeps its meaning after an escaped value. Both shared one
// buffer: a receipt's time read "policy_answer:00:00+08:00", and a
// re-serialised state's "\u0061ccepted" was read as "seen".
func TestEscapedStringsStayPut(t *testing.T) {
	e := newEngine(t, "reference")
	plain := req(okNow, okDevice, `"event":{"type":"policy_answer","accepted":true}`)
	escaped := req(`"now":"2026-03-01T10:00:00+08:0\u0030"`, okDevice, `"event":{"type":"policy_\u0061nswer","\u0061ccepted":true}`)
	_, _, _, want := answer(t, e, plain)
	if _, _, _, got := answer(t, e, escaped); !bytes.Equal(got, want) {
		t.Errorf("escapes change the answer:\n%s\nwant\n%s", got, want)
	}

	state := string(consentedState(t, e))
	re := strings.Replace(state, `"accepted":"2022-03-29"`, `"\u0061ccepted":"2022\u002d03-29"`, 1)
	re = strings.Replace(re, `"policy":"msxf"`, `"p\u006flicy":"\u006dsxf"`, 1)
	if re == state {
		t.Fatal("the state was not re-serialised")
	}
	enter := `"event":{"type":"enter","scenario":"loan_apply","step":"apply"}`
	_, _, _, want = answer(t, e, req(okNow, okDevice, `"state":`+state, enter))
	if _, _, _, got := answer(t, e, req(okNow, okDevice, `"state":`+re, enter)); !bytes.Equal(got, want) {
		t.Errorf("a state with escapes reads as another:\n%s\nwant\n%s", got, want)
	}
}

// testKey is the private key that signs test bundles.
func testKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	key, err := prompts.ReadPrivateKey(filepath.Join(prompttest.Must(t).Root, prompttest.TestKey))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// signed wraps a payload in an envelope signed with key, by hand: Seal and
// Sign refuse a payload that readers would read differently.
func signed(payload []byte, key ed25519.PrivateKey) []byte {
	sig := ed25519.Sign(key, append([]byte("jitconsent bundle v1\n"), payload...))
	pub := key.Public().(ed25519.PublicKey)
	var b bytes.Buffer
	b.WriteString(`{"hash":"` + bundle.Hash(payload) + `","payload":`)
	b.Write(payload)
	b.WriteString(`,"signatures":[{"alg":"ed25519","key":"` + bundle.KeyID(pub) + `","sig":"` + base64.StdEncoding.EncodeToString(sig) + `"}]}`)
	return b.Bytes()
}

// BadEnvelopes are signed envelopes of the reference bundle spoilt by each
// bug, with what the error must say.
func badEnvelopes(t *testing.T) map[string]struct {
	env  []byte
	want string
} {
	t.Helper()
	key := testKey(t)
	env := prompttest.Must(t).Envelopes["reference"]
	payload, err := bundle.Payload(env)
	if err != nil {
		t.Fatal(err)
	}
	spoil := func(old, new string) []byte {
		p := bytes.Replace(payload, []byte(old), []byte(new), 1)
		if bytes.Equal(p, payload) {
			t.Fatalf("the payload has no %q", old)
		}
		return signed(p, key)
	}
	envelopeEnd := bytes.LastIndex(env, []byte("}"))
	payloadEnd := bytes.Index(env, payload) + len(payload)
	return map[string]struct {
		env  []byte
		want string
	}{
		// JSON.parse reads the last "sdks": none. The engine read them
		// all, one after the other.
		"repeated sdks":        {spoil(`{"format":1,`, `{"format":1,"sdks":[{"id":"spy","category":"analytics","platforms":["android"],"start":"always"}],`), `duplicate name "sdks" in payload at byte`},
		"repeated permissions": {spoil(`"permissions":[`, `"permissions":[],"permissions":[`), `duplicate name "permissions" in payload`},
		"repeated scenarios":   {spoil(`"scenarios":[`, `"scenarios":[],"scenarios":[`), `duplicate name "scenarios" in payload`},
		"repeated text":        {spoil(`"texts":{"en":{`, `"texts":{"en":{"policy.title":"Nothing to see",`), `duplicate name "policy.title" in payload`},
		"repeated locale":      {spoil(`"texts":{`, `"texts":{"en":{},`), `duplicate name "en" in payload`},
		"repeated policy id":   {spoil(`"policy":{"id":"msxf",`, `"policy":{"id":"msxf","id":"msxf",`), `duplicate name "id" in payload`},
		"invalid UTF-8":        {spoil("隐私政策", "隐私\xff政策"), "payload: invalid UTF-8 at byte"},
		"an encoded surrogate": {spoil("隐私政策", "隐私\xed\xa0\x80政策"), "payload: invalid UTF-8 at byte"},
		"a lone surrogate":     {spoil("隐私政策", `隐私\ud800政策`), "payload: lone UTF-16 surrogate at byte"},
		"NUL after it":         {append(bytes.Clone(env), "\x00"...), "data after the envelope at byte"},
		"JSON after a NUL":     {append(bytes.Clone(env[:envelopeEnd+1]), "\x00{\"payload\":[[["...), "data after the envelope at byte"},
		"a second envelope":    {append(bytes.Clone(env), env...), "data after the envelope at byte"},
		"NUL after the payload": {
			append(append(bytes.Clone(env[:payloadEnd]), 0), env[payloadEnd:]...),
			"not a bundle envelope: malformed JSON at byte " + itoa(payloadEnd),
		},
		"invalid UTF-8 in the envelope": {bytes.Replace(env, []byte(`"alg":"ed25519"`), []byte("\"alg\":\"ed25519\xff\""), 1), "signatures[0]: invalid UTF-8 at byte"},
		"repeated hash":                 {bytes.Replace(env, []byte(`{"hash":`), []byte(`{"hash":"x","hash":`), 1), `duplicate name "hash" in envelope at byte 12`},
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestBadBundles: a signed bundle with a repeated name, invalid UTF-8 or
// data after it is bad_bundle, with a message that names the cause,
// whether opened signed, unsigned or as the module's own.
func TestBadBundles(t *testing.T) {
	pub := testKey(t).Public().(ed25519.PublicKey)
	for name, c := range badEnvelopes(t) {
		t.Run(name, func(t *testing.T) {
			_, err := bundle.Open(c.env, []ed25519.PublicKey{pub})
			want(t, "Open", err, c.want)
			_, err = bundle.OpenUnsigned(c.env)
			want(t, "OpenUnsigned", err, c.want)
			_, _, err = bundle.OpenEmbedded(c.env)
			want(t, "OpenEmbedded", err, c.want)
		})
	}
	// The envelope unspoilt opens.
	if _, err := bundle.Open(prompttest.Must(t).Envelopes["reference"], []ed25519.PublicKey{pub}); err != nil {
		t.Fatal(err)
	}
}

func want(t *testing.T, what string, err error, msg string) {
	t.Helper()
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code != "bad_bundle" || !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: %v; want bad_bundle: ...%s...", what, err, msg)
	}
}

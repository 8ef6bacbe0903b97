package engine_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
)

// The JSON reader's bugs of issue 9 (item 8), each through the native
// engine. hostsim/jsontext_bugs_test.go runs the same through the module.

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

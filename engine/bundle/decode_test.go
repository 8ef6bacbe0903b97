package bundle

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// TestDecodeMatchesEncodingJSON: the reflection-free reader gives exactly
// what encoding/json gives for the same payload.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	env, err := os.ReadFile("testdata/mini.json")
	if err != nil {
		t.Fatal(err)
	}
	payload, err := Payload(env)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodePayload(payload)
	if err != nil {
		t.Fatal(err)
	}
	var want Bundle
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("decoded bundles differ:\n%+v\n%+v", *got, want)
	}
}

// TestDecodeRejects: unknown fields, wrong types and truncation are
// bad_bundle errors that name their path.
func TestDecodeRejects(t *testing.T) {
	env, err := os.ReadFile("testdata/mini.json")
	if err != nil {
		t.Fatal(err)
	}
	payload, err := Payload(env)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ old, new, want string }{
		"unknown top-level field": {`{"format":1`, `{"format":1,"extra":2`, `payload: unknown field "extra"`},
		"unknown policy field":    {`"cooldown_seconds":`, `"cooldown":1,"cooldown_seconds":`, `policy: unknown field "cooldown"`},
		"wrong type":              {`"format":1`, `"format":"1"`, "format"},
		"string for a list":       {`"locales":[`, `"locales":"en","x":[`, "policy.locales"},
		"truncated":               {string(payload[len(payload)-20:]), "", "truncated"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(string(payload), c.old, c.new, 1)
			if bad == string(payload) {
				t.Fatalf("the case does not change the payload")
			}
			_, err := decodePayload([]byte(bad))
			if err == nil || code(err) != errcode.BadBundle || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a bad_bundle error mentioning %q", err, c.want)
			}
		})
	}
}

// TestOpenEmbedded: sharing the document's memory reads the same bundle,
// escapes included.
func TestOpenEmbedded(t *testing.T) {
	env, err := os.ReadFile("testdata/mini.json")
	if err != nil {
		t.Fatal(err)
	}
	// A text with escapes, which cannot share the document's memory.
	payload, err := Payload(env)
	if err != nil {
		t.Fatal(err)
	}
	payload = bytes.Replace(payload, []byte(`"policy.title":"Privacy policy"`), []byte(`"policy.title":"Privacy\n\"policy\" \u9690\u79c1"`), 1)
	if env, err = Seal(payload); err != nil {
		t.Fatal(err)
	}
	want, err := OpenUnsigned(env)
	if err != nil {
		t.Fatal(err)
	}
	if want.Texts["en"]["policy.title"] != "Privacy\n\"policy\" 隐私" {
		t.Fatalf("the escaped text reads %q", want.Texts["en"]["policy.title"])
	}
	got, hash, err := OpenEmbedded(env)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("OpenEmbedded reads another bundle than OpenUnsigned")
	}
	if hash != Hash(payload) {
		t.Errorf("hash %s, want %s", hash, Hash(payload))
	}
}

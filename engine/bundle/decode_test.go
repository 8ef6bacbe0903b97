package bundle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
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
		// The fields of format 1 before separate consent per purpose.
		"a separate_consent flag": {`"consent_purpose":"identity"`, `"separate_consent":true`, `scenarios[0].steps[0].permissions[0]: unknown field "separate_consent"`},
		"an SDK's start":          {`"scenarios":["loan"]`, `"start":"after_consent"`, `sdks[0]: unknown field "start"`},
		// Unknown fields in every new object.
		"purpose":              {`{"id":"identity",`, `{"id":"identity","text":"x",`, `purposes[0]: unknown field "text"`},
		"step":                 {`"unavailable":"unavailable.loan.sign"`, `"unavailable":"unavailable.loan.sign","why":1`, `scenarios[0].steps[2]: unknown field "why"`},
		"step consent":         {`"consents":[{"consequence"`, `"consents":[{"permission":"camera","consequence"`, `scenarios[0].steps[2].consents[0]: unknown field "permission"`},
		"system prompt":        {`"api":"LocalAuthentication.LAContext"`, `"api":"LocalAuthentication.LAContext","usage":"x"`, `scenarios[0].steps[2].system_prompts[1]: unknown field "usage"`},
		"SDK consent":          {`"consents":[{"sensitive":"precise_location"`, `"consents":[{"given":true,"sensitive":"precise_location"`, `sdks[0].consents[0]: unknown field "given"`},
		"SDK optional data":    {`"optional":[{"data":"place"`, `"optional":[{"data":"place","switch":"x"`, `sdks[0].optional[0]: unknown field "switch"`},
		"link":                 {`"kind":"policy",`, `"kind":"policy","target":"_blank",`, `policy.links[0]: unknown field "target"`},
		"a link's URL":         {`"urls":{"en":"https://example.com/privacy"}`, `"urls":{"en":1}`, "policy.links[0].urls"},
		"controller":           {`"jurisdiction":"CN"`, `"jurisdiction":"CN","court":"x"`, `policy.controller: unknown field "court"`},
		"controller's phone":   {`"phone":"10000"`, `"phone":10000`, "policy.controller"},
		"a bool for a purpose": {`"consent_purpose":"identity"`, `"consent_purpose":true`, "scenarios[0].steps[0].permissions[0] must be a string, not a boolean"},
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

// TestReadersReadAlike: a repeated name, invalid UTF-8, a lone surrogate
// or data after the envelope makes a bundle bad_bundle, named in the
// message, in every way of opening it: other readers would read another
// document (JSON.parse takes the last of two names; the reader here
// concatenated two "sdks" lists, and merged two "texts" objects).
func TestReadersReadAlike(t *testing.T) {
	pub, priv := newKey(t)
	env := testEnvelope(t)
	payload, err := Payload(env)
	if err != nil {
		t.Fatal(err)
	}
	// signed signs a payload as Sign would, without its checks.
	signed := func(p []byte) []byte {
		sig := ed25519.Sign(priv, signedMessage(p))
		return encodeEnvelope(p, []Signature{{Alg: "ed25519", Key: KeyID(pub), Sig: base64.StdEncoding.EncodeToString(sig)}})
	}
	spoil := func(old, new string) []byte {
		p := bytes.Replace(payload, []byte(old), []byte(new), 1)
		if bytes.Equal(p, payload) {
			t.Fatalf("the payload has no %q", old)
		}
		return p
	}
	good := signed(payload)
	for _, c := range []struct {
		name    string
		payload []byte // signed, unless nil
		env     []byte
		want    string
	}{
		{"sdks twice", spoil(`"sdks":[`, `"sdks":[],"sdks":[`), nil, `duplicate name "sdks" in payload at byte`},
		{"permissions twice", spoil(`"permissions":[`, `"permissions":[],"permissions":[`), nil, `duplicate name "permissions" in payload`},
		{"scenarios twice", spoil(`"scenarios":[`, `"scenarios":[],"scenarios":[`), nil, `duplicate name "scenarios" in payload`},
		{"texts twice", spoil(`"texts":{`, `"texts":{},"texts":{`), nil, `duplicate name "texts" in payload`},
		{"a text twice", spoil(`"policy.title":`, `"policy.title":"x","policy.title":`), nil, `duplicate name "policy.title" in `},
		{"a name twice, escaped", spoil(`"policy":{"id":"mini",`, `"policy":{"id":"mini","\u0069d":"mini",`), nil, `duplicate name "id" in `},
		{"invalid UTF-8", spoil(`"Privacy policy"`, "\"Privacy\xff policy\""), nil, "invalid UTF-8 at byte"},
		{"invalid UTF-8 in a name", spoil(`"policy.title":`, "\"policy.title\xc0\":"), nil, "invalid UTF-8 at byte"},
		{"a lone surrogate", spoil(`"Privacy policy"`, `"Privacy \udc00policy"`), nil, "lone UTF-16 surrogate at byte"},
		{"NUL after the envelope", nil, append(bytes.Clone(good), 0), "data after the envelope at byte " + strconv.Itoa(len(good))},
		{"JSON after a NUL", nil, append(bytes.Clone(good), "\x00{\"payload\":[[["...), "data after the envelope at byte"},
		{"a second envelope", nil, append(bytes.Clone(good), good...), "data after the envelope at byte"},
		{"a repeated hash", nil, bytes.Replace(good, []byte(`{"hash":`), []byte(`{"hash":"","hash":`), 1), `duplicate name "hash" in envelope at byte 11`},
		{"invalid UTF-8 in a signature", nil, bytes.Replace(good, []byte(`"alg":"ed25519"`), []byte("\"alg\":\"ed\xff25519\""), 1), "signatures[0]: invalid UTF-8 at byte"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := c.env
			if c.payload != nil {
				env = signed(c.payload)
			}
			check := func(what string, err error) {
				t.Helper()
				if code(err) != errcode.BadBundle || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: %v; want bad_bundle: ...%s...", what, err, c.want)
				}
			}
			_, err := Open(env, []ed25519.PublicKey{pub})
			check("Open", err)
			_, err = OpenUnsigned(env)
			check("OpenUnsigned", err)
			_, _, err = OpenEmbedded(env)
			check("OpenEmbedded", err)
			_, err = Payload(env)
			check("Payload", err)
			_, err = Sign(env, priv)
			check("Sign", err)
			if c.payload != nil {
				_, err = Seal(c.payload)
				check("Seal", err)
				_, err = decodePayload(c.payload)
				check("decodePayload", err)
			}
		})
	}
	if _, err := Open(good, []ed25519.PublicKey{pub}); err != nil {
		t.Fatalf("the bundle unspoilt: %v", err)
	}
}

// TestDecodePayloadEnds: nothing may follow a payload read on its own.
func TestDecodePayloadEnds(t *testing.T) {
	env := testEnvelope(t)
	payload, err := Payload(env)
	if err != nil {
		t.Fatal(err)
	}
	for tail, at := range map[string]int{"\x00": 0, " x": 1, "{}": 0} {
		_, err := decodePayload(append(bytes.Clone(payload), tail...))
		if code(err) != errcode.BadBundle || !strings.Contains(err.Error(), "data after the payload at byte "+strconv.Itoa(len(payload)+at)) {
			t.Errorf("%q after the payload: %v", tail, err)
		}
	}
}

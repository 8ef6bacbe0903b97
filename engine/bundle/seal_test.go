package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// testBundle reads the minimal compiled bundle of testdata.
func testEnvelope(t *testing.T) []byte {
	t.Helper()
	env, err := os.ReadFile("testdata/mini.json")
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func code(err error) errcode.Code {
	var e *errcode.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "not an errcode.Error"
}

func TestSignedBundleVerifies(t *testing.T) {
	pub, priv := newKey(t)
	signed, err := Sign(testEnvelope(t), priv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(signed, []ed25519.PublicKey{pub})
	if err != nil {
		t.Fatal(err)
	}
	if b.Policy.ID != "mini" || b.Policy.Version != "2024-01-01" {
		t.Errorf("opened policy %s %s", b.Policy.ID, b.Policy.Version)
	}
	// A second signature by another key: either key opens it.
	pub2, priv2 := newKey(t)
	twice, err := Sign(signed, priv2)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []ed25519.PublicKey{pub, pub2} {
		if _, err := Open(twice, []ed25519.PublicKey{k}); err != nil {
			t.Errorf("key %s: %v", KeyID(k), err)
		}
	}
	// Signing again with the same key replaces its signature.
	again, err := Sign(twice, priv2)
	if err != nil {
		t.Fatal(err)
	}
	if sigs, _ := Signatures(again); len(sigs) != 2 {
		t.Errorf("re-signing gave %d signatures, want 2", len(sigs))
	}
}

func TestRejectedBundles(t *testing.T) {
	pub, priv := newKey(t)
	_, otherPriv := newKey(t)
	env := testEnvelope(t)
	signed, err := Sign(env, priv)
	if err != nil {
		t.Fatal(err)
	}
	payloadAt := bytes.Index(signed, []byte(`"payload":`)) + len(`"payload":`)
	flip := func(at int) []byte {
		b := bytes.Clone(signed)
		b[at] ^= 0x01
		return b
	}
	byOther, err := Sign(env, otherPriv)
	if err != nil {
		t.Fatal(err)
	}
	// A payload changed and re-hashed, so that only the signature can tell.
	e, err := decodeEnvelope(signed)
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(e.Payload, []byte(`"cooldown_seconds":172800`), []byte(`"cooldown_seconds":172801`), 1)
	rehashed := encodeEnvelope(changed, e.Signatures)
	sigAt := bytes.Index(signed, []byte(`"sig":"`)) + len(`"sig":"`)

	cases := []struct {
		name string
		env  []byte
		want errcode.Code
	}{
		{"unsigned", env, errcode.BadSignature},
		{"signature block removed", bytes.Replace(signed, signed[bytes.Index(signed, []byte(`,"signatures":[`)):len(signed)-2], nil, 1), errcode.BadSignature},
		{"empty signature list", encodeEnvelope(e.Payload, nil), errcode.BadSignature},
		{"signed by another key", byOther, errcode.BadSignature},
		{"a payload byte changed", flip(payloadAt + 40), errcode.BadBundle},
		{"payload changed and re-hashed", rehashed, errcode.BadSignature},
		{"a signature byte changed", flip(sigAt + 3), errcode.BadSignature},
		{"not JSON", []byte("hello"), errcode.BadBundle},
		{"empty", nil, errcode.BadBundle},
		{"trailing data", append(bytes.Clone(signed), []byte(`{}`)...), errcode.BadBundle},
		{"unknown algorithm", bytes.Replace(signed, []byte(`"alg":"ed25519"`), []byte(`"alg":"rsa"`), 1), errcode.BadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Open(c.env, []ed25519.PublicKey{pub})
			if err == nil {
				t.Fatalf("accepted: policy %s", b.Policy.ID)
			}
			if got := code(err); got != c.want {
				t.Errorf("code %s (%v), want %s", got, err, c.want)
			}
		})
	}
}

func TestOpenWithoutTrustedKeys(t *testing.T) {
	_, priv := newKey(t)
	signed, err := Sign(testEnvelope(t), priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(signed, nil); code(err) != errcode.BadSignature {
		t.Errorf("no trusted keys: %v", err)
	}
}

func TestSignRefusesATamperedEnvelope(t *testing.T) {
	_, priv := newKey(t)
	env := bytes.Replace(testEnvelope(t), []byte(`"mini"`), []byte(`"mimi"`), 1)
	if _, err := Sign(env, priv); code(err) != errcode.BadBundle {
		t.Errorf("signed an envelope whose hash does not match: %v", err)
	}
}

func TestValidateRejectsIncompleteBundles(t *testing.T) {
	b, err := OpenUnsigned(testEnvelope(t))
	if err != nil {
		t.Fatal(err)
	}
	mutations := map[string]func(b *Bundle){
		"wrong format":               func(b *Bundle) { b.Format = 2 },
		"no policy id":               func(b *Bundle) { b.Policy.ID = "" },
		"default locale not listed":  func(b *Bundle) { b.Policy.DefaultLocale = "fr" },
		"history ends elsewhere":     func(b *Bundle) { b.History[len(b.History)-1].Version = "2000-01-01" },
		"missing locale texts":       func(b *Bundle) { delete(b.Texts, "en") },
		"missing engine text":        func(b *Bundle) { delete(b.Texts["en"], "policy.title") },
		"missing purpose text":       func(b *Bundle) { delete(b.Texts["en"], b.Scenarios[0].Steps[0].Permissions[0].Purpose) },
		"missing settings text":      func(b *Bundle) { delete(b.Texts["en"], SettingsText("ios", "camera")) },
		"unknown consequence":        func(b *Bundle) { b.Scenarios[0].Steps[0].Permissions[0].Consequence = "maybe" },
		"unknown permission":         func(b *Bundle) { b.Permissions[0].ID = "telepathy" },
		"unknown sdk category":       func(b *Bundle) { b.SDKs[0].Category = "telepathy" },
		"sdk in no such scenario":    func(b *Bundle) { b.SDKs[0].Scenarios = []string{"loan/checkout"} },
		"sdk requires a non-word":    func(b *Bundle) { b.SDKs[0].Requires = []string{"telepathy"} },
		"sdk consent, no purpose":    func(b *Bundle) { b.SDKs[0].Consents[0].Purpose = "" },
		"sdk consent, unknown one":   func(b *Bundle) { b.SDKs[0].Consents[0].Purpose = "fun" },
		"sdk optional, bad category": func(b *Bundle) { b.SDKs[0].Optional[0].Sensitive = "mood" },
		"sdk optional, no data":      func(b *Bundle) { b.SDKs[0].Optional[0].Data = "" },
		"sensitive without purpose":  func(b *Bundle) { b.Scenarios[0].Steps[0].Permissions[0].ConsentPurpose = "" },
		"purpose without sensitive":  func(b *Bundle) { b.Scenarios[0].Steps[0].Permissions[0].Sensitive = "" },
		"unknown consent purpose":    func(b *Bundle) { b.Scenarios[0].Steps[0].Permissions[0].ConsentPurpose = "fun" },
		"a purpose twice":            func(b *Bundle) { b.Purposes = append(b.Purposes, b.Purposes[0]) },
		"missing purpose name":       func(b *Bundle) { delete(b.Texts["en"], b.Purposes[0].Name) },
		"missing separate text": func(b *Bundle) {
			sp := b.Scenarios[0].Steps[0].Permissions[0]
			delete(b.Texts["en"], SeparateText(sp.Sensitive, sp.ConsentPurpose))
		},
		"missing consent title": func(b *Bundle) {
			delete(b.Texts["en"], ConsentText(ConsentTitle, b.Scenarios[0].Steps[0].Permissions[0].Sensitive))
		},
		"missing consent block": func(b *Bundle) {
			delete(b.Texts["en"], ConsentText(ConsentBlock, b.Scenarios[0].Steps[0].Permissions[0].Sensitive))
		},
		"missing consent button":       func(b *Bundle) { delete(b.Texts["en"], "consent.accept") },
		"consent with a permission":    func(b *Bundle) { b.Scenarios[0].Steps[2].Consents[0].ID = "camera" },
		"consent without a category":   func(b *Bundle) { b.Scenarios[0].Steps[2].Consents[0].Sensitive = "" },
		"consent asked nowhere":        func(b *Bundle) { b.Scenarios[0].Steps[2].Consents[0].Platforms = nil },
		"permission asked nowhere":     func(b *Bundle) { b.Scenarios[0].Steps[0].Permissions[0].Platforms = nil },
		"consent's body missing":       func(b *Bundle) { delete(b.Texts["en"], b.Scenarios[0].Steps[2].Consents[0].Purpose) },
		"system prompt, bad platform":  func(b *Bundle) { b.Scenarios[0].Steps[2].SystemPrompts[0].Platform = "symbian" },
		"system prompt, no api":        func(b *Bundle) { b.Scenarios[0].Steps[2].SystemPrompts[0].API = "" },
		"system prompt, bad version":   func(b *Bundle) { b.Scenarios[0].Steps[2].SystemPrompts[0].Min = "x" },
		"no unavailable text":          func(b *Bundle) { b.Scenarios[0].Steps[2].Unavailable = "" },
		"unavailable text missing":     func(b *Bundle) { delete(b.Texts["en"], b.Scenarios[0].Steps[2].Unavailable) },
		"link without a kind":          func(b *Bundle) { b.Policy.Links[0].Kind = "" },
		"a link twice":                 func(b *Bundle) { b.Policy.Links = append(b.Policy.Links, b.Policy.Links[0]) },
		"link without a title":         func(b *Bundle) { b.Policy.Links[0].Title = "" },
		"link title text missing":      func(b *Bundle) { delete(b.Texts["en"], b.Policy.Links[1].Title) },
		"link without a locale's URL":  func(b *Bundle) { delete(b.Policy.Links[0].URLs, "en") },
		"link over http":               func(b *Bundle) { b.Policy.Links[0].URLs["en"] = "http://example.com/privacy" },
		"link without a host":          func(b *Bundle) { b.Policy.Links[0].URLs["en"] = "https:///privacy" },
		"link with a user":             func(b *Bundle) { b.Policy.Links[0].URLs["en"] = "https://user@example.com/" },
		"link with a space":            func(b *Bundle) { b.Policy.Links[0].URLs["en"] = "https://example.com/a b" },
		"controller without a name":    func(b *Bundle) { b.Policy.Controller.Name = "" },
		"controller contact missing":   func(b *Bundle) { delete(b.Texts["en"], b.Policy.Controller.Contact) },
		"controller without email":     func(b *Bundle) { b.Policy.Controller.Email = " " },
		"controller jurisdiction name": func(b *Bundle) { b.Policy.Controller.Jurisdiction = "China" },
		"controller jurisdiction case": func(b *Bundle) { b.Policy.Controller.Jurisdiction = "cn" },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			c, _ := OpenUnsigned(testEnvelope(t))
			mutate(c)
			if err := c.Validate(); code(err) != errcode.BadBundle {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	if err := b.Validate(); err != nil {
		t.Errorf("the valid bundle: %v", err)
	}
	if len(b.Policy.Links) != 2 || b.Policy.Links[0].URLs["en"] != "https://example.com/privacy" {
		t.Errorf("the valid bundle's links: %+v", b.Policy.Links)
	}
	if c := b.Policy.Controller; c == nil || c.Jurisdiction != "CN" || b.Text("en", c.Contact) != "Privacy Office" {
		t.Errorf("the valid bundle's controller: %+v", c)
	}
	// A bundle from before the controller is still read.
	old := *b
	old.Policy.Controller = nil
	if err := old.Validate(); err != nil {
		t.Errorf("a bundle without a controller: %v", err)
	}
	if !strings.HasPrefix(Hash(nil), "sha256:") {
		t.Error("Hash has no algorithm prefix")
	}
}

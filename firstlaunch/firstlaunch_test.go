package firstlaunch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// envelopes are the shipped policy's bundle, unsigned as make bundle
// writes it, and the example revision's, signed (a signature is neither
// needed nor checked).
func envelopes(t *testing.T) map[string][]byte {
	t.Helper()
	c := prompttest.Must(t)
	ref, err := prompts.Marshal(c.Bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"reference": ref, "revision": c.Envelopes["revision"]}
}

// nativeDecide decides on the native engine of env.
func nativeDecide(t *testing.T, env []byte) func([]byte) ([]byte, error) {
	t.Helper()
	e, _, err := Open(env)
	if err != nil {
		t.Fatal(err)
	}
	return func(req []byte) ([]byte, error) { return e.Decide(nil, req), nil }
}

// TestCompute: the file covers every locale of the bundle and every
// platform, each entry the first policy popup of the active version and
// nothing else, reads back as written, and agrees with the engine.
func TestCompute(t *testing.T) {
	for name, env := range envelopes(t) {
		t.Run(name, func(t *testing.T) {
			f, err := Compute(env)
			if err != nil {
				t.Fatal(err)
			}
			b, hash, err := bundle.OpenEmbedded(env)
			if err != nil {
				t.Fatal(err)
			}
			if f.Bundle != hash || f.Policy.ID != b.Policy.ID || f.Policy.Version != b.Policy.Version || f.DefaultLocale != b.Policy.DefaultLocale {
				t.Errorf("the file names %+v %s %s, the bundle %s %s %s %s", f.Policy, f.Bundle, f.DefaultLocale, b.Policy.ID, b.Policy.Version, hash, b.Policy.DefaultLocale)
			}
			if len(f.Locales) != len(b.Policy.Locales) || len(f.Platforms) != int(vocab.NumPlatforms) {
				t.Fatalf("locales %q, platforms %q", f.Locales, f.Platforms)
			}
			titles := map[string]bool{}
			for _, loc := range f.Locales {
				for _, p := range f.Platforms {
					var acts []struct {
						Type, Version, Change, Title string
						Blocking                     bool
					}
					if err := json.Unmarshal(f.Actions[loc][p], &acts); err != nil {
						t.Fatalf("%s %s: %v", loc, p, err)
					}
					if len(acts) != 1 || acts[0].Type != "show_policy" || acts[0].Version != b.Policy.Version || acts[0].Change != "first" || !acts[0].Blocking || acts[0].Title == "" {
						t.Errorf("%s %s: %s", loc, p, f.Actions[loc][p])
					}
					titles[loc+"\x00"+acts[0].Title] = true
				}
			}
			if len(titles) != len(f.Locales) {
				t.Errorf("%d titles for %d locales: each locale has its own text", len(titles), len(f.Locales))
			}
			back, err := Read(f.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Marshal(), f.Marshal()) {
				t.Error("the file does not read back as written")
			}
			if err := Verify(back, nativeDecide(t, env)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestInvariant proves by deciding that nothing of a fresh launch's
// request but its locale (as the engine matches it) moves its actions:
// not the time, the device's version, the OS's reports, the installation
// or the state key. If a rule made one of them count, this test fails and
// the file must be keyed by it.
func TestInvariant(t *testing.T) {
	env := envelopes(t)["reference"]
	f, err := Compute(env)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := Open(env)
	if err != nil {
		t.Fatal(err)
	}
	var perms []string
	for _, p := range e.Bundle().Permissions {
		perms = append(perms, p.ID)
	}
	osReports := []map[string]string{nil}
	for _, st := range []string{"granted", "denied", "denied_forever", "restricted"} {
		all := map[string]string{}
		for _, p := range perms {
			all[p] = st
		}
		osReports = append(osReports, all)
	}
	versions := map[string][]string{
		"android":   {"21", "22", "23", "29", "30", "33", "35"},
		"ios":       {"12.0", "13", "14.5", "17.2", "18.1.1"},
		"harmonyos": {"9", "12", "14"},
		"wechat":    {"2.13.0", "3.4.1", "3.8.12"},
		"alipay":    {"1.0", "2.9.0", "10.5.60"},
		"web":       {"", "chrome", "safari"},
	}
	times := []string{"1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999999999+14:00", "2026-03-01T10:00:00+08:00", "2099-12-31T23:59:59-12:00"}
	extras := []string{"", `,"installation":"inst-1"`, `,"state_key":"00112233445566778899aabbccddeeff"`, `,"state":null`}
	// Spellings of each locale's tag that the engine matches to it.
	spellings := map[string][]string{
		"zh-CN": {"zh-CN", "zh_cn", "zh", "zh-Hans", "zh-SG", "fr", ""},
		"zh-TW": {"zh-TW", "zh-Hant", "zh-HK", "zh-Hant-MO"},
		"en":    {"en", "en-US", "EN_gb"},
	}
	for _, loc := range f.Locales {
		if spellings[loc] == nil {
			t.Fatalf("no spellings for locale %s: add them", loc)
		}
	}
	n := 0
	for _, loc := range f.Locales {
		for _, p := range f.Platforms {
			for i, tag := range spellings[loc] {
				for j, v := range versions[p] {
					tm := times[(i+j)%len(times)]
					osr := osReports[(i+2*j)%len(osReports)]
					extra := extras[(i+j)%len(extras)]
					req := launch(tm, tag, p, v, osr, extra)
					acts, err := Actions(e.Decide(nil, req))
					if err != nil {
						t.Fatalf("%s: %v", req, err)
					}
					if !bytes.Equal(acts, f.Actions[loc][p]) {
						t.Errorf("%s: the actions differ from the file's %s.%s:\n%s\n%s", req, loc, p, acts, f.Actions[loc][p])
					}
					n++
				}
			}
		}
	}
	// The platform, too, changes nothing today (the file is keyed by it
	// all the same): every platform's entry is the same.
	for _, loc := range f.Locales {
		for _, p := range f.Platforms {
			if !bytes.Equal(f.Actions[loc][p], f.Actions[loc]["android"]) {
				t.Errorf("%s: %s's actions differ from android's", loc, p)
			}
		}
	}
	t.Logf("%d launches, each the file's actions", n)
}

func launch(now, locale, platform, version string, osr map[string]string, extra string) []byte {
	var b strings.Builder
	q := func(s string) string { data, _ := json.Marshal(s); return string(data) }
	fmt.Fprintf(&b, `{"now":%s`, q(now))
	if locale != "" {
		fmt.Fprintf(&b, `,"locale":%s`, q(locale))
	}
	fmt.Fprintf(&b, `,"device":{"platform":%s,"version":%s}`, q(platform), q(version))
	if osr != nil {
		data, _ := json.Marshal(osr)
		fmt.Fprintf(&b, `,"os":%s`, data)
	}
	fmt.Fprintf(&b, `%s,"event":{"type":"launch"}}`, extra)
	return []byte(b.String())
}

// TestVerifyFindsDifferences: a file that is wrong or stale fails Verify,
// which names the locale and platform of each difference.
func TestVerifyFindsDifferences(t *testing.T) {
	envs := envelopes(t)
	f, err := Compute(envs["reference"])
	if err != nil {
		t.Fatal(err)
	}
	stale, err := Compute(envs["revision"])
	if err != nil {
		t.Fatal(err)
	}
	decide := nativeDecide(t, envs["reference"])
	for _, c := range []struct {
		name   string
		change func(f *File)
		want   []string
	}{
		{"one byte of a body", func(f *File) {
			f.Actions["en"]["ios"] = bytes.Replace(f.Actions["en"]["ios"], []byte(`"body":"`), []byte(`"body":" `), 1)
		}, []string{"actions.en.ios: the engine's actions differ"}},
		{"the same JSON spelt otherwise", func(f *File) {
			f.Actions["zh-CN"]["web"] = bytes.Replace(f.Actions["zh-CN"]["web"], []byte(`"blocking":true`), []byte(`"blocking": true`), 1)
		}, []string{"actions.zh-CN.web:"}},
		{"two locales swapped", func(f *File) {
			f.Actions["en"]["wechat"], f.Actions["zh-TW"]["wechat"] = f.Actions["zh-TW"]["wechat"], f.Actions["en"]["wechat"]
		}, []string{"actions.en.wechat:", "actions.zh-TW.wechat:"}},
		{"another bundle's file", func(f *File) { *f = *stale }, []string{"actions.zh-CN.android:", "actions.en.web:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, err := Read(f.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			c.change(g)
			err = Verify(g, decide)
			if err == nil {
				t.Fatal("Verify passed a wrong file")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestMarshalKeepsBytes: the actions are written as they are, not as
// encoding/json would write them (it escapes <, > and &).
func TestMarshalKeepsBytes(t *testing.T) {
	raw := json.RawMessage(`[{"type":"show_policy","body":"a <b> & c\u2028"}]`)
	f := &File{Format: Format, Policy: Policy{"p", "1"}, Bundle: "sha256:00", DefaultLocale: "en", Locales: []string{"en"},
		Platforms: vocab.Names(vocab.NumPlatforms), Actions: map[string]map[string]json.RawMessage{"en": {}}}
	for _, p := range f.Platforms {
		f.Actions["en"][p] = raw
	}
	out := f.Marshal()
	if got := bytes.Count(out, raw); got != len(f.Platforms) {
		t.Errorf("the actions appear %d times as written, want %d:\n%s", got, len(f.Platforms), out)
	}
	back, err := Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Actions["en"]["web"], raw) {
		t.Errorf("read back %s", back.Actions["en"]["web"])
	}
}

// TestBadInput: what is not a bundle, or not a complete file, is refused
// with what is wrong.
func TestBadInput(t *testing.T) {
	env := envelopes(t)["reference"]
	for _, c := range []struct {
		name, env, want string
	}{
		{"empty", "", "bad_bundle"},
		{"not JSON", "hello", "bad_bundle"},
		{"a first-launch file", `{"format":1,"policy":{"id":"msxf","version":"1"}}`, "bad_bundle"},
		{"a changed payload", strings.Replace(string(env), `"cooldown_seconds":172800`, `"cooldown_seconds":1`, 1), "does not match"},
	} {
		t.Run("bundle "+c.name, func(t *testing.T) {
			if _, err := Compute([]byte(c.env)); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Compute: %v, want an error with %q", err, c.want)
			}
		})
	}
	f, err := Compute(env)
	if err != nil {
		t.Fatal(err)
	}
	good := string(f.Marshal())
	for _, c := range []struct {
		name, file, want string
	}{
		{"not JSON", "{", "not a first-launch file"},
		{"a bundle", string(env), "format: 0"},
		{"another format", strings.Replace(good, `"format":1`, `"format":2`, 1), "format: 2, want 1"},
		{"a platform missing", strings.Replace(good, `,"web"]`, `]`, 1), "platforms:"},
		{"an entry missing", strings.Replace(good, "\n \"alipay\":", "\n \"alipay-x\":", 1), "actions.zh-CN.alipay: missing"},
	} {
		t.Run("file "+c.name, func(t *testing.T) {
			if _, err := Read([]byte(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Read: %v, want an error with %q", err, c.want)
			}
		})
	}
}

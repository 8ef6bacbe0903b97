package ledger_test

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// testBundles returns the test bundles (reference, revision, minor),
// signed with the test key, as a Bundles that checks their signatures,
// and the hash of each envelope by name.
func testBundles(t testing.TB) (*ledger.Bundles, map[string]string) {
	t.Helper()
	c := prompttest.Must(t)
	pubKey, err := prompts.ReadPublicKey(filepath.Join(c.Root, "hostsim/testdata/keys/test.pub"))
	if err != nil {
		t.Fatal(err)
	}
	bs := ledger.NewBundles([]ed25519.PublicKey{pubKey})
	hashes := map[string]string{}
	for _, name := range []string{"reference", "revision", "minor"} {
		env := c.Envelopes[name]
		if err := bs.Add(name, env); err != nil {
			t.Fatal(err)
		}
		payload, err := bundle.Payload(env)
		if err != nil {
			t.Fatal(err)
		}
		hashes[name] = bundle.Hash(payload)
	}
	return bs, hashes
}

// TestConformanceTexts holds the verifier's text hashes, computed from
// CONTRACT.md and the bundles' texts alone (Screens), against the
// engine's: every receipt of every conformance case, played on the
// native engine, must name a screen that the bundle of its version can
// show, of what it records, in the locale it was shown in. The engine
// emits receipts of format 1 until issue 13's engine part lands: each is
// adapted to format 2 with what the case's request says (platform,
// version, time) and the bundle active; the locale is the bundle's
// locale whose screens it matches, which must be the request's where the
// request names a locale of the bundle exactly. TODO(issue 13, after the
// merge): take the engine's format 2 receipts as they are and verify
// each case's whole chain with Verify.
func TestConformanceTexts(t *testing.T) {
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	bs, hashes := testBundles(t)
	c := prompttest.Must(t)
	engines := map[string]*engine.Engine{}
	for name, b := range c.Bundles {
		if engines[name], err = engine.New(b); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	kinds := map[string]int{}
	for _, cs := range cases {
		active := cs.Bundle
		if active == "" {
			active = "reference"
		}
		var names []string
		results, err := conformance.Play(cs, func(name string, req []byte) ([]byte, error) {
			names = append(names, name)
			return engines[name].Decide(nil, req), nil
		})
		if err != nil {
			t.Fatalf("%s: %v", cs.Name, err)
		}
		seq := int64(0)
		prev := ""
		for i, res := range results {
			var req struct {
				Now    string `json:"now"`
				Locale string `json:"locale"`
				Device struct {
					Platform string `json:"platform"`
					Version  string `json:"version"`
				} `json:"device"`
			}
			var resp struct {
				Receipts []map[string]any `json:"receipts"`
			}
			if json.Unmarshal(res.Request, &req) != nil || json.Unmarshal(res.Response, &resp) != nil {
				continue // a bad-input step
			}
			for j, v1 := range resp.Receipts {
				seq++
				where := fmt.Sprintf("%s step %d receipt %d", cs.Name, i+1, j)
				r := adapt(v1, req.Now, req.Device.Platform, req.Device.Version, hashes[names[i]], seq, prev)
				r.Seal()
				prev = r.RecordedHash
				total++
				kinds[r.Kind]++
				if r.Kind == "withdraw" {
					if r.Text != "" {
						t.Errorf("%s: a withdrawal names a text", where)
					}
					continue
				}
				b := bs.ForVersion(r.Policy, r.Version)
				if b == nil {
					t.Errorf("%s: no bundle of version %s", where, r.Version)
					continue
				}
				var matched []string
				var firstErr error
				for _, loc := range b.Policy.Locales {
					r.Locale = loc
					if _, err := bs.Shown(&r); err == nil {
						matched = append(matched, loc)
					} else if firstErr == nil {
						firstErr = err
					}
				}
				switch {
				case len(matched) == 0:
					t.Errorf("%s (%s): in no locale: %v", where, v1["kind"], firstErr)
				case slices.Contains(b.Policy.Locales, req.Locale) && !slices.Contains(matched, req.Locale):
					t.Errorf("%s: shown in %v, the request asked for %s", where, matched, req.Locale)
				}
			}
		}
	}
	t.Logf("%d receipts of %d cases: %v", total, len(cases), kinds)
	for _, k := range []string{"policy", "rationale", "permission", "consent", "withdraw"} {
		if kinds[k] == 0 {
			t.Errorf("no %s receipt in any case: the check covers less than it says", k)
		}
	}
}

// adapt makes a format 2 receipt of a format 1 one.
func adapt(v1 map[string]any, now, platform, version, bundleHash string, seq int64, prev string) ledger.Receipt {
	s := func(k string) string { v, _ := v1[k].(string); return v }
	sep, _ := v1["separate_consent"].(bool)
	return ledger.Receipt{
		V: 2, Kind: s("kind"), Answer: s("answer"), Installation: "conformance", Seq: seq, Time: now,
		Policy: s("policy"), Version: s("version"), Bundle: bundleHash, Platform: platform, PlatformVersion: version,
		Scenario: s("scenario"), Step: s("step"), Permission: s("permission"), Sensitive: s("sensitive"), Purpose: s("purpose"),
		SeparateConsent: sep, Text: s("text"), Prev: prev,
	}
}

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

// TestConformanceReceipts holds the verifier, written from CONTRACT.md
// and the bundles' texts alone (Parse, Screens, Verify), against the
// engine: every receipt of every conformance case, played on the native
// engine, must name a screen that the bundle of its version shows, of
// what it records, in the locale it was shown in.
//
// Receipts of format 2 are read as they are (strictly) and verified as
// chains, which must have no fault: a case's receipts are one chain,
// except where the case reinstalls the app or sends a tampered or edited
// state, which the engine reads as a fresh install: the receipts from
// there on (seq 1 again) are a chain of their own. Receipts of format 1 (an engine from before issue 13)
// are adapted to format 2 with what the case's request says (platform,
// version, time) and their chain is not verified; the locale is the
// bundle's locale whose screens a text matches, which must be the
// request's where the request names a locale of the bundle exactly.
func TestConformanceReceipts(t *testing.T) {
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	bs, hashes := testBundles(t)
	c := prompttest.Must(t)
	engines := map[string]*engine.Engine{}
	service, err := prompts.ReadPublicKey(filepath.Join(c.Root, "hostsim/testdata/keys/service.pub"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range c.Bundles {
		// The engines trust the test service key, as the engine's own
		// conformance test does, so that the cases' checkpoints verify.
		if engines[name], err = engine.NewWith(b, engine.Options{BundleHash: hashes[name], ServiceKeys: []ed25519.PublicKey{service}}); err != nil {
			t.Fatal(err)
		}
	}
	total, v2 := 0, 0
	kinds := map[string]int{}
	for _, cs := range cases {
		var names []string
		results, err := conformance.Play(cs, func(name string, req []byte) ([]byte, error) {
			names = append(names, name)
			return engines[name].Decide(nil, req), nil
		})
		if err != nil {
			t.Fatalf("%s: %v", cs.Name, err)
		}
		var chain []ledger.Receipt
		var chains [][]ledger.Receipt
		stateOp, restarted := -1, 0 // the last step that changed the state sent; the step the chain last started again at
		seq, prev := int64(0), ""
		for i, res := range results {
			// A step that sends another state, edits it, or sends a
			// state_key or checkpoint under which the state is not used
			// (cases 410, 411) may start the chain again.
			if s := cs.Steps[i]; len(s.State) > 0 || len(s.Edit) > 0 || s.StateKey != nil || s.Checkpoint != nil {
				stateOp = i
			}
			var req struct {
				Now    string `json:"now"`
				Locale string `json:"locale"`
				Device struct {
					Platform string `json:"platform"`
					Version  string `json:"version"`
				} `json:"device"`
			}
			var resp struct {
				Receipts []json.RawMessage `json:"receipts"`
			}
			if json.Unmarshal(res.Request, &req) != nil || json.Unmarshal(res.Response, &resp) != nil {
				continue // a bad-input step
			}
			for j, raw := range resp.Receipts {
				where := fmt.Sprintf("%s step %d receipt %d", cs.Name, i+1, j)
				total++
				var head struct {
					V int `json:"v"`
				}
				json.Unmarshal(raw, &head)
				if head.V == ledger.Version {
					v2++
					rs, err := ledger.Parse(raw)
					if err != nil {
						t.Errorf("%s: %v\n%s", where, err, raw)
						continue
					}
					if rs[0].Seq == 1 && len(chain) > 0 {
						if stateOp < restarted {
							t.Errorf("%s: seq 1 again, though the case sent the state it was given", where)
						}
						chains, chain, restarted = append(chains, chain), nil, i
					}
					chain = append(chain, rs[0])
					kinds[rs[0].Kind]++
					continue
				}
				var v1 map[string]any
				json.Unmarshal(raw, &v1)
				seq++
				r := adapt(v1, req.Now, req.Device.Platform, req.Device.Version, hashes[names[i]], seq, prev)
				r.Seal()
				prev = r.RecordedHash
				kinds[r.Kind]++
				checkAdapted(t, bs, where, r, req.Locale)
			}
		}
		if len(chain) > 0 {
			chains = append(chains, chain)
		}
		for n, chain := range chains {
			rep := ledger.Verify(chain, ledger.Options{Bundles: bs})
			if !rep.OK() {
				t.Errorf("%s, chain %d: %v", cs.Name, n+1, rep.Faults)
			}
			withdrawals := 0
			for _, r := range chain {
				if r.Kind == "withdraw" {
					withdrawals++
				}
			}
			if rep.TextsChecked != len(chain)-withdrawals {
				t.Errorf("%s, chain %d: %d of %d texts checked", cs.Name, n+1, rep.TextsChecked, len(chain)-withdrawals)
			}
		}
	}
	t.Logf("%d receipts (%d of format 2) of %d cases: %v", total, v2, len(cases), kinds)
	if v2 != 0 && v2 != total {
		t.Errorf("%d of %d receipts of format 2", v2, total)
	}
	for _, k := range []string{"policy", "rationale", "permission", "consent", "withdraw"} {
		if kinds[k] == 0 {
			t.Errorf("no %s receipt in any case: the check covers less than it says", k)
		}
	}
}

// checkAdapted checks an adapted receipt of format 1: its text is a
// screen of what it records in some locale of the bundle of its version,
// and in the request's if the request names one of the bundle's exactly.
func checkAdapted(t *testing.T, bs *ledger.Bundles, where string, r ledger.Receipt, reqLocale string) {
	t.Helper()
	if r.Kind == "withdraw" {
		if r.Text != "" {
			t.Errorf("%s: a withdrawal names a text", where)
		}
		return
	}
	b := bs.ForVersion(r.Policy, r.Version)
	if b == nil {
		t.Errorf("%s: no bundle of version %s", where, r.Version)
		return
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
		t.Errorf("%s (%s): in no locale: %v", where, r.Kind, firstErr)
	case slices.Contains(b.Policy.Locales, reqLocale) && !slices.Contains(matched, reqLocale):
		t.Errorf("%s: shown in %v, the request asked for %s", where, matched, reqLocale)
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

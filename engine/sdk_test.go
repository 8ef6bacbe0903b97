package engine

import (
	"crypto/ed25519"
	"path/filepath"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// TestSDKsAgreeWithBasis: at every decision of the conformance cases, the
// SDKs that run (sdks) are those whose basis holds (sdkBasis), which the
// trace's reasons for stopping one come from.
func TestSDKsAgreeWithBasis(t *testing.T) {
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	c := prompttest.Must(t)
	pub, err := prompts.ReadPublicKey(filepath.Join(c.Root, "hostsim/testdata/keys/service.pub"))
	if err != nil {
		t.Fatal(err)
	}
	engines := map[string]*Engine{}
	for name, b := range c.Bundles {
		payload, err := bundle.Payload(c.Envelopes[name])
		if err != nil {
			t.Fatal(err)
		}
		if engines[name], err = NewWith(b, Options{BundleHash: bundle.Hash(payload), ServiceKeys: []ed25519.PublicKey{pub}}); err != nil {
			t.Fatal(err)
		}
	}
	checked := 0
	for _, j := range cases {
		_, err := conformance.Play(j, func(name string, req []byte) ([]byte, error) {
			e := engines[name]
			var d decision
			d.e = e
			if e.parse(&d.r, req, nil) == nil {
				d.st = d.useState()
				d.run()
				runs, avail := d.sdks()
				var want uint64
				if d.consented() {
					for i := range e.sdks {
						if why, _ := d.sdkBasis(i, avail); why == basisHolds {
							want |= 1 << i
						}
					}
				}
				if runs != want {
					t.Errorf("%s: sdks %b, sdkBasis %b for %s", j.Name, runs, want, req)
				}
				checked++
			}
			return e.Decide(nil, req), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 100 {
		t.Errorf("only %d decisions checked", checked)
	}
}

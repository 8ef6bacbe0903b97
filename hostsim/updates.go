package hostsim

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// The policy updates that journeys publish (do = "update") are newer
// bundles of the policy the module carries, compiled from the
// repository's source by prompts/prompttest (the example revision of
// prompts/testdata/revision, and the same declared minor) and signed with
// the test key of hostsim/testdata/keys, as a release signs its bundles
// with its own key. The module takes a bundle (consent_load_bundle) only
// if it trusts the key that signed it: the test module (make wasm-test)
// trusts the test key, the release module (make wasm) does not. The native
// engine opens the same envelopes with the test key, as the test module
// does.

// TestKeyPub is the public half of the key that signs the update bundles,
// relative to the repository root.
const TestKeyPub = "hostsim/testdata/keys/test.pub"

// update is a bundle an update op may load.
type update struct {
	env     []byte // the signed envelope, what consent_load_bundle takes
	version string
	native  *engine.Engine // on the bundle opened from env
}

// UpdateError says that the module does not trust the key that signs the
// update bundles, so it would refuse each of them.
type UpdateError struct {
	Module  string   // the module's file
	Key     string   // the id of the test key (bundle.KeyID)
	Trusted []string // the ids of the keys the module trusts
}

func (e *UpdateError) Error() string { return "policy updates: " + e.Why() }

// Why says why the module cannot play the update bundles and what to run
// instead.
func (e *UpdateError) Why() string {
	return fmt.Sprintf("the simulator's update bundles are signed with the test key (%s, key id %s), which %s does not trust "+
		"(it trusts %s), so it would refuse them (bad_signature): make wasm-test builds dist/consent-test.wasm, which trusts "+
		"the test key: run with --wasm dist/consent-test.wasm", prompttest.TestKey, e.Key, e.Module, strings.Join(e.Trusted, ", "))
}

// openUpdates compiles and signs the update bundles, gives the checks
// their policies, and makes sure the module takes each of them.
func (e *Engines) openUpdates(ctx context.Context, wasm string) error {
	c, err := prompttest.Load()
	if err != nil {
		return fmt.Errorf("the update bundles (compiled from the repository's source, prompts/prompttest): %v", err)
	}
	pub, err := prompts.ReadPublicKey(filepath.Join(c.Root, TestKeyPub))
	if err != nil {
		return fmt.Errorf("the update bundles: %v", err)
	}
	active := e.Bundle.Policy
	e.updates = map[string]*update{}
	bundles := map[string]*bundle.Bundle{}
	for _, name := range prompttest.Updates() {
		env := c.Envelopes[name]
		b, err := bundle.Open(env, []ed25519.PublicKey{pub})
		if err != nil {
			return fmt.Errorf("the update bundle %q: %v", name, err)
		}
		if b.Policy.ID != active.ID || !bundle.PolicyVersionLess(active.Version, b.Policy.Version) {
			return fmt.Errorf("the update bundle %q is version %s of policy %s, which does not follow the bundle the engines carry (%s of %s)",
				name, b.Policy.Version, b.Policy.ID, active.Version, active.ID)
		}
		payload, err := bundle.Payload(env)
		if err != nil {
			return fmt.Errorf("the update bundle %q: %v", name, err)
		}
		// The native engine names the bundle in its receipts as the module
		// does (the hash of the signed payload).
		u := &update{env: env, version: b.Policy.Version}
		if u.native, err = engine.NewWith(b, engine.Options{BundleHash: bundle.Hash(payload)}); err != nil {
			return fmt.Errorf("the update bundle %q: %v", name, err)
		}
		e.updates[name] = u
		bundles[name] = b
	}
	e.Policy = e.Policy.WithUpdates(bundles)
	if e.module == nil {
		return nil
	}
	// The module says which keys it trusts (consent_info): a module that
	// does not trust the test key fails here, before any journey runs,
	// rather than at each update op.
	in, err := e.module.Instantiate(ctx)
	if err != nil {
		return err
	}
	defer in.Close(ctx)
	out, err := in.Info(ctx)
	if err != nil {
		return fmt.Errorf("%s: consent_info: %v", wasm, err)
	}
	var info struct {
		Keys []string `json:"keys"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return fmt.Errorf("%s: consent_info answered %s", wasm, bytes.TrimSpace(out))
	}
	if id := bundle.KeyID(pub); !slices.Contains(info.Keys, id) {
		if len(info.Keys) == 0 {
			info.Keys = []string{"no key"}
		}
		return &UpdateError{Module: wasm, Key: id, Trusted: info.Keys}
	}
	return nil
}

// update returns the update bundle of a name.
func (e *Engines) update(name string) (*update, error) {
	if e.updates == nil {
		return nil, fmt.Errorf("no update bundles: the engines were opened without them (Config.Updates)")
	}
	u := e.updates[name]
	if u == nil {
		return nil, fmt.Errorf("no update bundle %q", name)
	}
	return u, nil
}

// UpdateBundle returns the update bundle of a name (prompttest.Updates),
// or nil: the engines were opened without updates, or there is none.
func (e *Engines) UpdateBundle(name string) *bundle.Bundle {
	if u := e.updates[name]; u != nil {
		return u.native.Bundle()
	}
	return nil
}

// loadInto gives an instance an envelope (consent_load_bundle); an error
// is the call's failure or the module's refusal, an *errcode.Error.
func loadInto(ctx context.Context, in *wasmhost.Instance, env []byte) error {
	out, err := in.LoadBundle(ctx, env)
	if err != nil {
		return err
	}
	var r struct {
		OK    bool `json:"ok"`
		Error *struct {
			Code, Message string
		} `json:"error"`
	}
	if err := json.Unmarshal(out, &r); err != nil || (!r.OK && r.Error == nil) {
		return fmt.Errorf("consent_load_bundle answered %s", bytes.TrimSpace(out))
	}
	if r.Error != nil {
		return &errcode.Error{Code: errcode.Code(r.Error.Code), Message: r.Error.Message}
	}
	return nil
}

package hostsim

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"

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

// UpdateError says that the module does not take an update bundle.
type UpdateError struct {
	Module string // the module's file
	Bundle string // the update's name
	Err    error  // the module's answer (an *errcode.Error) or the call's failure
}

func (e *UpdateError) Error() string {
	return fmt.Sprintf("the update bundle %q: %s", e.Bundle, e.Why())
}

// Why says why the module does not take the update bundles and what to
// run instead.
func (e *UpdateError) Why() string {
	return fmt.Sprintf("the simulator's update bundles are signed with the test key (%s), and %s refuses them (%v): "+
		"make wasm-test builds dist/consent-test.wasm, which trusts the test key: run with --wasm dist/consent-test.wasm",
		prompttest.TestKey, e.Module, e.Err)
}

func (e *UpdateError) Unwrap() error { return e.Err }

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
		u := &update{env: env, version: b.Policy.Version}
		if u.native, err = engine.New(b); err != nil {
			return fmt.Errorf("the update bundle %q: %v", name, err)
		}
		e.updates[name] = u
		bundles[name] = b
	}
	e.Policy = e.Policy.WithUpdates(bundles)
	if e.module == nil {
		return nil
	}
	names := make([]string, 0, len(e.updates))
	for name := range e.updates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		in, err := e.module.Instantiate(ctx)
		if err != nil {
			return err
		}
		err = loadInto(ctx, in, e.updates[name].env)
		in.Close(ctx)
		if err != nil {
			return &UpdateError{Module: wasm, Bundle: name, Err: err}
		}
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

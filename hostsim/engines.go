// Package hostsim is the host simulator's runner: it opens the engines a
// run decides with (the consent module in wazero, the native engine, or
// both to compare them), plays journeys on simulated devices with them in
// parallel, and hands the results to the reports. cmd/hostsim is its
// command line; hostsim/fuzz runs random journeys on the same engines.
//
// The simulator is built in layers, each a package that imports only those
// below it:
//
//   - device: the simulated phones, their OS rules, clocks and answers;
//   - wasmhost: the module in wazero, as an app's host runs it;
//   - sim: the host loop, which sends the engine the events of a user's
//     actions and performs the actions of its answers on the device;
//   - check: the compliance rules, judged on a run's transcript;
//   - journey: the journey files, played and held to their expectations;
//   - report: the text, JSON, JUnit and HTML reports of a run;
//   - hostsim (this package): the engines, their workers, and the runs;
//   - fuzz: random journeys on worker processes, a failure shrunk to a
//     journey file.
//
// # Notes
//
// Engines is safe for concurrent use once opened; a Worker is not: each
// goroutine of a run takes its own, which holds its own module instances.
// Close the workers before the engines.
package hostsim

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
)

// Config says what a run decides with, and how the module runs.
type Config struct {
	// Wasm is the module's file.
	Wasm string
	// Bundle is the file of the bundle the module carries: the checks read
	// the policy from it, and the native engine decides with it.
	Bundle string
	// Native decides with the native engine instead of the module.
	Native bool
	// Compare decides with the module and has the native engine answer the
	// same requests, to compare them (see Worker.Decide).
	Compare bool
	// CacheDir keeps wazero's compiled code between runs ("" for none).
	CacheDir string
	// CallTimeout bounds one call into the module (0: none, at full
	// speed; see wasmhost.Config.CallTimeout).
	CallTimeout time.Duration
	// Updates prepares the policy updates that journeys load (do =
	// "update", updates.go): compiled from the repository's source and
	// signed with the test key. Open fails with an *UpdateError if the
	// module does not trust that key.
	Updates bool
}

// Engines are what a run decides with: the module compiled twice (for the
// profiles' WASI and for the webview's, whose poll_oneoff throws), the
// native engine, or both.
type Engines struct {
	// Bundle is the policy the engines carry.
	Bundle *bundle.Bundle
	// Policy is the same, as the compliance checks read it.
	Policy *check.Policy

	label    string
	native   *engine.Engine
	module   *wasmhost.Module // nil with Config.Native
	webview  *wasmhost.Module
	updates  map[string]*update // with Config.Updates, by name
	env      []byte             // the envelope of Bundle
	replaced atomic.Int64       // by the workers closed so far
}

// Open reads the bundle and, unless cfg.Native, compiles the module. Its
// errors name the file, and say which make target builds a missing one.
func Open(ctx context.Context, cfg Config) (*Engines, error) {
	b, hash, env, err := readBundle(cfg.Bundle)
	if err != nil {
		return nil, err
	}
	e := &Engines{Bundle: b, Policy: check.NewPolicy(b), env: env}
	if cfg.Native || cfg.Compare {
		if e.native, err = engine.NewWith(b, engine.Options{BundleHash: hash}); err != nil {
			return nil, err
		}
		e.label = "the native engine"
	}
	if cfg.Native && !cfg.Compare {
		if cfg.Updates {
			if err := e.openUpdates(ctx, ""); err != nil {
				return nil, err
			}
		}
		return e, nil
	}
	wasm, err := ReadModule(cfg.Wasm)
	if err != nil {
		return nil, err
	}
	mc := wasmhost.Config{CacheDir: cfg.CacheDir, CallTimeout: cfg.CallTimeout}
	if e.module, err = wasmhost.Compile(ctx, wasm, mc); err != nil {
		return nil, fmt.Errorf("%s is not a consent module: %v", cfg.Wasm, err)
	}
	mc.WASI = wasmhost.WebviewWASI
	if e.webview, err = wasmhost.Compile(ctx, wasm, mc); err != nil {
		e.module.Close(ctx)
		return nil, fmt.Errorf("%s: %v", cfg.Wasm, err)
	}
	e.label = cfg.Wasm
	if cfg.Compare {
		e.label = cfg.Wasm + " compared with the native engine"
	}
	if cfg.Updates {
		if err := e.openUpdates(ctx, cfg.Wasm); err != nil {
			e.Close(ctx)
			return nil, err
		}
	}
	return e, nil
}

// ReadBundle reads a bundle file as `make bundle` writes it: sealed, and
// signed or not.
func ReadBundle(file string) (*bundle.Bundle, error) {
	b, _, _, err := readBundle(file)
	return b, err
}

// readBundle is ReadBundle that also returns the bundle's content hash,
// which the module's receipts name.
func readBundle(file string) (*bundle.Bundle, string, []byte, error) {
	env, err := os.ReadFile(file)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%v (make bundle builds it)", err)
	}
	b, err := bundle.OpenUnsigned(env)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %v", file, err)
	}
	payload, err := bundle.Payload(env)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %v", file, err)
	}
	return b, bundle.Hash(payload), env, nil
}

// ReadModule reads a module file.
func ReadModule(file string) ([]byte, error) {
	wasm, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("the module: %v (make wasm builds it)", err)
	}
	return wasm, nil
}

// Label names the engines in a summary: the module's file, "the native
// engine", or the module's file "compared with the native engine".
func (e *Engines) Label() string { return e.label }

// Replaced counts the module instances that trapped or timed out and were
// replaced, in the workers closed so far.
func (e *Engines) Replaced() int64 { return e.replaced.Load() }

// Close releases the compiled module and every instance left.
func (e *Engines) Close(ctx context.Context) {
	if e.module != nil {
		e.module.Close(ctx)
		e.webview.Close(ctx)
	}
}

// Envelopes returns the signed bundles the run may decide with, by name:
// "bundle" the one the engines carry, and each policy update opened (see
// Config.Updates). A verifier of the run's receipts needs them to check
// each receipt's text against the bundle of its version.
func (e *Engines) Envelopes() map[string][]byte {
	out := map[string][]byte{"bundle": e.env}
	for name, u := range e.updates {
		out[name] = u.env
	}
	return out
}

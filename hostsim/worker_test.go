package hostsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

func withdraw(platform, version, perm string) []byte {
	return []byte(`{"now":"2026-03-01T10:00:00+08:00","locale":"zh-CN","device":{"platform":"` + platform + `","version":"` + version +
		`"},"event":{"type":"withdraw","permission":"` + perm + `"}}`)
}

// TestWorkerReplacesFailedInstances plays the faulty module (wasm/faults.go:
// withdrawing calendar never returns, withdrawing contacts traps) on a
// profile of each WASI: a hang and a trap fail their request with
// wasmhost.ErrClosed, the worker's next call gets a fresh instance whose
// answer is the native engine's, and the worker and then the engines count
// every instance replaced.
func TestWorkerReplacesFailedInstances(t *testing.T) {
	ctx := context.Background()
	// The deadline covers instantiation (_initialize) too: three seconds are
	// enough for that on a loaded machine, and short enough for the hang.
	e := open(t, wasmtest.Faulty, Config{Compare: true, CallTimeout: 3 * time.Second})
	w := e.NewWorker()
	for _, name := range []string{"android-33", "webview"} {
		p, err := device.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		run, native := w.Journey(ctx, device.New(p))
		if native.Decide == nil {
			t.Fatal("a compare run has no native engine")
		}
		valid := withdraw(p.Platform, p.Version, "location")
		want, _ := native.Decide(valid)
		for _, perm := range []string{"calendar", "contacts"} {
			if _, err := run.Decide(withdraw(p.Platform, p.Version, perm)); !errors.Is(err, wasmhost.ErrClosed) {
				t.Errorf("%s: withdrawing %s gives %v, want ErrClosed", name, perm, err)
			}
			got, err := run.Decide(valid)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: after withdrawing %s: %v\n%s\nwant\n%s", name, perm, err, got, want)
			}
		}
	}
	if w.Replaced() != 4 || e.Replaced() != 0 {
		t.Errorf("the worker replaced %d instances, the engines count %d; want 4 and 0 until it closes", w.Replaced(), e.Replaced())
	}
	w.Close(ctx)
	if e.Replaced() != 4 {
		t.Errorf("after the worker closed the engines count %d replaced instances, want 4", e.Replaced())
	}
}

// TestNative: with Config.Native the worker decides with the native engine
// alone, and the module's file is not read.
func TestNative(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, Config{Native: true, Wasm: filepath.Join(t.TempDir(), "absent.wasm"), Bundle: wasmtest.Bundle(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	if e.Label() != "the native engine" {
		t.Errorf("label %q", e.Label())
	}
	w := e.NewWorker()
	defer w.Close(ctx)
	p, _ := device.Lookup("android-33")
	run, native := w.Journey(ctx, device.New(p))
	if native.Decide != nil {
		t.Error("a native run compares with itself")
	}
	out, err := run.Decide(withdraw("android", "33", "location"))
	if err != nil || !bytes.Contains(out, []byte(`"actions"`)) {
		t.Errorf("the native engine answers %v %s", err, out)
	}
}

// TestOpenErrors: a missing or broken bundle or module is an error that
// names the file and, for a missing one, the make target that builds it.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	bundle := wasmtest.Bundle(t)
	notJSON := write("bundle.json", "{not json")
	corrupt := write("corrupt.wasm", "\x00asm garbage")
	missing := filepath.Join(dir, "missing.wasm")
	for _, c := range []struct {
		name string
		cfg  Config
		want []string
	}{
		{"a missing bundle", Config{Bundle: filepath.Join(dir, "none.json")}, []string{"none.json", "make bundle builds it"}},
		{"a broken bundle", Config{Bundle: notJSON}, []string{notJSON + ": "}},
		{"a missing module", Config{Bundle: bundle, Wasm: missing}, []string{"the module: ", "missing.wasm", "make wasm builds it"}},
		{"a corrupt module", Config{Bundle: bundle, Wasm: corrupt}, []string{corrupt + " is not a consent module"}},
		{"a missing module to compare", Config{Bundle: bundle, Wasm: missing, Compare: true}, []string{"missing.wasm"}},
	} {
		e, err := Open(context.Background(), c.cfg)
		if err == nil {
			e.Close(context.Background())
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, err, w)
			}
		}
	}
}

// launchOn is a launch of a fresh install on a profile.
func launchOn(p device.Profile) []byte {
	return []byte(`{"now":"2026-03-01T10:00:00+08:00","locale":"zh-CN","device":{"platform":"` + p.Platform + `","version":"` + p.Version +
		`"},"event":{"type":"launch"}}`)
}

// popupVersion is the version of the policy popup an engine's answer to a
// request shows first.
func popupVersion(t *testing.T, eng sim.Engine, req []byte) string {
	t.Helper()
	out, err := eng.Decide(req)
	var r struct {
		Actions []struct{ Type, Version string }
	}
	if err != nil || json.Unmarshal(out, &r) != nil || len(r.Actions) == 0 || r.Actions[0].Type != "show_policy" {
		t.Fatalf("no policy popup first: %v %s", err, out)
	}
	return r.Actions[0].Version
}

// TestWorkerUpdates: an update op's bundle reaches the module (through
// consent_load_bundle) and the native engine alike; a bundle not newer than
// the active one is refused by both; the next journey starts on the bundle
// the module carries.
func TestWorkerUpdates(t *testing.T) {
	ctx := context.Background()
	e := open(t, wasmtest.Test, Config{Compare: true, Updates: true})
	w := e.NewWorker()
	defer w.Close(ctx)
	p, _ := device.Lookup("android-33")
	run, native := w.Journey(ctx, device.New(p))
	for name, eng := range map[string]sim.Engine{"module": run, "native": native} {
		if v := popupVersion(t, eng, launchOn(p)); v != "2022-03-29" {
			t.Errorf("%s: before the update the popup shows %s", name, v)
		}
		if err := eng.Load("minor"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v := popupVersion(t, eng, launchOn(p)); v != "2023-09-01" {
			t.Errorf("%s: after the update the popup shows %s", name, v)
		}
		if err := eng.Load("revision"); err == nil || !strings.Contains(err.Error(), "older_version") {
			t.Errorf("%s: the same version loaded again: %v", name, err)
		}
		if err := eng.Load("nosuch"); err == nil || !strings.Contains(err.Error(), `no update bundle "nosuch"`) {
			t.Errorf("%s: an unknown update: %v", name, err)
		}
	}
	run, native = w.Journey(ctx, device.New(p))
	for name, eng := range map[string]sim.Engine{"module": run, "native": native} {
		if v := popupVersion(t, eng, launchOn(p)); v != "2022-03-29" {
			t.Errorf("%s: the next journey starts on %s, not on the bundle the module carries", name, v)
		}
	}
}

// TestUpdatesNeedTheTestKey: the release module does not trust the test
// key, which signs the update bundles: opening it for updates is an
// *UpdateError that says which module to run; without updates it opens.
func TestUpdatesNeedTheTestKey(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Wasm: wasmtest.Path(t, wasmtest.Shipped), Bundle: wasmtest.Bundle(t), Updates: true}
	e, err := Open(ctx, cfg)
	var ue *UpdateError
	if !errors.As(err, &ue) {
		if e != nil {
			e.Close(ctx)
		}
		t.Fatalf("the release module with updates: %v, want an *UpdateError", err)
	}
	if len(ue.Trusted) != 1 || ue.Key == "" || ue.Trusted[0] == ue.Key {
		t.Errorf("the key %q, the module trusts %q", ue.Key, ue.Trusted)
	}
	for _, want := range []string{prompttest.TestKey, "which " + cfg.Wasm + " does not trust (it trusts " + ue.Trusted[0] + ")", "--wasm dist/consent-test.wasm"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	cfg.Updates = false
	e, err = Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Close(ctx)
}

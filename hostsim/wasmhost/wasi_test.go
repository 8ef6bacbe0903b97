package wasmhost

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// wasiCalls counts the WASI functions a module calls.
type wasiCalls struct {
	mu    sync.Mutex
	calls map[string]int
}

func (w *wasiCalls) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	if def.ModuleName() != "wasi_snapshot_preview1" {
		return nil
	}
	name := def.Name()
	return experimental.FunctionListenerFunc(func(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
		w.mu.Lock()
		w.calls[name]++
		w.mu.Unlock()
	})
}

// TestWASIUse: once instantiated, the module's exports call no WASI
// function beyond the clock, randomness, fd_write and proc_exit, so that
// browser shims whose poll_oneoff throws still run it. Start-up (the Go
// runtime and its os package, in _initialize) also reads the empty
// arguments and environment and probes file descriptors: wasm/ABI.md
// lists those calls and what a shim answers.
func TestWASIUse(t *testing.T) {
	setup(t)
	ctx := context.Background()
	calls := &wasiCalls{calls: map[string]int{}}
	m, err := Compile(ctx, wasmtest.Read(t, wasmtest.Test), Config{WASI: func(ctx context.Context, rt wazero.Runtime) error {
		_, err := wasi_snapshot_preview1.Instantiate(experimental.WithFunctionListenerFactory(ctx, calls), rt)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	decide := wasmDecide(t, m) // instantiates, and loads a bundle
	startup := map[string]int{}
	for k, v := range calls.calls {
		startup[k] = v
	}
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 50; round++ { // enough garbage for the collector to run
		for _, j := range cases {
			if _, err := conformance.Play(j, decide); err != nil {
				t.Fatal(err)
			}
		}
	}
	allowed := []string{"clock_time_get", "random_get", "fd_write", "proc_exit"}
	atStartup := append(allowed, "args_sizes_get", "args_get", "environ_sizes_get", "environ_get",
		"fd_fdstat_get", "fd_fdstat_set_flags", "fd_prestat_get", "fd_prestat_dir_name")
	var names []string
	for name, n := range calls.calls {
		names = append(names, name)
		if !slices.Contains(atStartup, name) {
			t.Errorf("the module calls %s (%d times)", name, n)
		} else if n > startup[name] && !slices.Contains(allowed, name) {
			t.Errorf("the module calls %s after start-up (%d times)", name, n-startup[name])
		}
	}
	sort.Strings(names)
	t.Logf("WASI functions called: %v; at start-up: %v", names, startup)
}

// TestWebviewProfile runs the conformance cases on a WASI whose
// poll_oneoff throws, as browser shims do: the module never needs it.
func TestWebviewProfile(t *testing.T) {
	setup(t)
	ctx := context.Background()
	m, err := Compile(ctx, wasmtest.Read(t, wasmtest.Test), Config{WASI: WebviewWASI})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	// A probe module that only calls poll_oneoff proves the profile throws.
	probe, err := m.rt.Instantiate(ctx, pollProbe)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := probe.ExportedFunction("call").Call(ctx); err == nil || !strings.Contains(err.Error(), ErrPollOneoff.Error()) {
		t.Fatalf("the profile's poll_oneoff does not throw: %v", err)
	}
	decide := wasmDecide(t, m)
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	rt := moduleRuntime(t, decide)
	for round := 0; round < 5; round++ {
		for _, j := range cases {
			for _, err := range rt.Check(j) {
				t.Fatal(err)
			}
		}
	}
}

// pollProbe is a hand-assembled module whose export "call" calls
// poll_oneoff(0, 0, 0, 0).
var pollProbe = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
	0x01, 0x0d, 0x02, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, // types
	0x02, 0x26, 0x01, 0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_',
	'p', 'r', 'e', 'v', 'i', 'e', 'w', '1', 0x0b, 'p', 'o', 'l', 'l', '_', 'o', 'n', 'e', 'o', 'f', 'f', 0x00, 0x00, // import
	0x03, 0x02, 0x01, 0x01, // functions
	0x07, 0x08, 0x01, 0x04, 'c', 'a', 'l', 'l', 0x00, 0x01, // export
	0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x10, 0x00, 0x0b, // code
}

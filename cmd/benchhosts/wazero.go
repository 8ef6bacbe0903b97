package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// wazeroChild is `benchhosts wazero-run`: one measurement in this fresh
// process, printed as JSON. compile is the runtime, its WASI and the
// module's compilation (compiled: read from the file cache); start is
// the instantiation with _initialize, on the system's clocks and
// randomness as an app's host gives them.
func wazeroChild(args []string) error {
	fs := flag.NewFlagSet("wazero-run", flag.ContinueOnError)
	mode := fs.String("mode", "compiled", "compiled or interp")
	wasmFile := fs.String("wasm", "", "the module")
	reqFile := fs.String("requests", "", "requests.json")
	cacheDir := fs.String("cache", "", "wazero's compilation cache (compiled)")
	steadyMs := fs.Int("steady-ms", 1000, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var reqs Requests
	data, err := os.ReadFile(*reqFile)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &reqs); err != nil {
		return err
	}
	ctx := context.Background()

	t0 := time.Now()
	wasm, err := os.ReadFile(*wasmFile)
	if err != nil {
		return err
	}
	var rc wazero.RuntimeConfig
	switch *mode {
	case "compiled":
		rc = wazero.NewRuntimeConfigCompiler()
		if *cacheDir != "" {
			cache, err := wazero.NewCompilationCacheWithDir(*cacheDir)
			if err != nil {
				return err
			}
			rc = rc.WithCompilationCache(cache)
		}
	case "interp":
		rc = wazero.NewRuntimeConfigInterpreter()
	default:
		return fmt.Errorf("--mode %q: compiled or interp", *mode)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	defer rt.Close(ctx)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return err
	}
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		return err
	}
	t1 := time.Now()
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().
		WithStartFunctions("_initialize").WithSysWalltime().WithSysNanotime().WithRandSource(rand.Reader))
	if err != nil {
		return err
	}
	t2 := time.Now()
	decide := wazeroDecider(ctx, mod)
	first, err := decide(reqs.Launch)
	if err != nil {
		return err
	}
	t3 := time.Now()

	steady := time.Duration(*steadyMs) * time.Millisecond
	var answer string
	for w := time.Now(); time.Since(w) < steady; {
		if answer, err = decide(reqs.Steady); err != nil {
			return err
		}
	}
	n := 0
	s0 := time.Now()
	for time.Since(s0) < steady {
		if _, err := decide(reqs.Steady); err != nil {
			return err
		}
		n++
	}
	s1 := time.Now()
	msf := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
	return json.NewEncoder(os.Stdout).Encode(Sample{
		Compile: msf(t1.Sub(t0)), Start: msf(t2.Sub(t1)), First: msf(t3.Sub(t2)), Total: msf(t3.Sub(t0)),
		Steady: float64(s1.Sub(s0).Nanoseconds()) / 1e3 / float64(n), Decisions: n,
		FirstAnswer: trim(first), SteadyAnswer: trim(answer),
	})
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

// wazeroDecider calls consent_decide as a host does: one request buffer
// from consent_alloc, reused and grown, the request copied in, the answer
// copied out.
func wazeroDecider(ctx context.Context, mod api.Module) func(string) (string, error) {
	alloc, decide := mod.ExportedFunction("consent_alloc"), mod.ExportedFunction("consent_decide")
	var buf, size uint32
	return func(req string) (string, error) {
		if n := uint32(len(req)); n > size {
			size = max(4096, 2*n)
			res, err := alloc.Call(ctx, uint64(size))
			if err != nil || res[0] == 0 {
				return "", fmt.Errorf("consent_alloc(%d): %v", size, err)
			}
			buf = uint32(res[0])
		}
		if !mod.Memory().WriteString(buf, req) {
			return "", fmt.Errorf("the request buffer is out of memory")
		}
		res, err := decide.Call(ctx, uint64(buf), uint64(len(req)))
		if err != nil {
			return "", err
		}
		out, ok := mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]))
		if !ok {
			return "", fmt.Errorf("the answer is out of memory")
		}
		return strings.Clone(string(out)), nil
	}
}

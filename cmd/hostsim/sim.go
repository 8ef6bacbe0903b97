package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/report"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
)

// options are the flags the simulating commands share.
type options struct {
	wasm, bundle, cache string
	native, compare     bool
	workers             int
	timeout             time.Duration
	jsonOut, junit      string
	html                string
	verbose             bool
}

// flags are those of the commands that play journeys and report them.
func (o *options) flags(cmd *cobra.Command) {
	o.engineFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.compare, "compare", false, "run the module and the native engine, and report every difference")
	f.StringVar(&o.jsonOut, "json", "", "write the results as JSON to this file (- for standard output)")
	f.StringVar(&o.junit, "junit", "", "write JUnit XML to this file")
	f.StringVar(&o.html, "html", "", "write the HTML report (a phone-screen timeline per run) to this file")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "list every run, not only failures")
}

// engineFlags choose the engine and how it runs.
func (o *options) engineFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.wasm, "wasm", "dist/consent.wasm", "the module to run")
	f.StringVar(&o.bundle, "bundle", "dist/bundle.json", "the bundle the module carries (the checks read the policy from it)")
	f.BoolVar(&o.native, "native", false, "run the native engine instead of the module")
	f.IntVar(&o.workers, "workers", runtime.NumCPU(), "parallel workers, one module instance each")
	f.DurationVar(&o.timeout, "timeout", 2*time.Second, "deadline of one call into the module")
	f.StringVar(&o.cache, "cache", defaultCache(), "folder for wazero's compiled code (\"\" for none)")
}

func defaultCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "jitconsent-wazero")
}

// engines are what the runs decide with.
type engines struct {
	o        *options
	policy   *check.Policy
	bundle   *bundle.Bundle
	native   *engine.Engine
	module   *wasmhost.Module
	webview  *wasmhost.Module
	label    string
	replaced atomic.Int64
}

func (o *options) open(ctx context.Context) (*engines, error) {
	env, err := os.ReadFile(o.bundle)
	if err != nil {
		return nil, fmt.Errorf("%v (make bundle builds it)", err)
	}
	b, err := bundle.OpenUnsigned(env)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", o.bundle, err)
	}
	e := &engines{o: o, policy: check.NewPolicy(b), bundle: b}
	if o.native || o.compare {
		if e.native, err = engine.New(b); err != nil {
			return nil, err
		}
		e.label = "the native engine"
	}
	if !o.native || o.compare {
		wasm, err := os.ReadFile(o.wasm)
		if err != nil {
			return nil, fmt.Errorf("the module: %v (make wasm builds it)", err)
		}
		cfg := wasmhost.Config{CacheDir: o.cache, CallTimeout: o.timeout}
		if e.module, err = wasmhost.Compile(ctx, wasm, cfg); err != nil {
			return nil, fmt.Errorf("%s is not a consent module: %v", o.wasm, err)
		}
		cfg.WASI = wasmhost.WebviewWASI
		if e.webview, err = wasmhost.Compile(ctx, wasm, cfg); err != nil {
			return nil, fmt.Errorf("%s: %v", o.wasm, err)
		}
		e.label = o.wasm
		if o.compare {
			e.label = o.wasm + " compared with the native engine"
		}
	}
	return e, nil
}

func (e *engines) close(ctx context.Context) {
	if e.module != nil {
		e.module.Close(ctx)
		e.webview.Close(ctx)
	}
}

// worker decides for one goroutine: a module instance per profile kind,
// replaced after a trap or a timeout.
type worker struct {
	e        *engines
	wasm, wv *wasmhost.Worker
	buf      []byte
}

func (e *engines) newWorker() *worker {
	w := &worker{e: e}
	if e.module != nil {
		w.wasm, w.wv = e.module.NewWorker(nil), e.webview.NewWorker(nil)
	}
	return w
}

// replaced counts the worker's module instances discarded after a trap or
// a timeout.
func (w *worker) replaced() int64 {
	if w.wasm == nil {
		return 0
	}
	return w.wasm.Replaced() + w.wv.Replaced()
}

func (w *worker) close(ctx context.Context) {
	if w.wasm != nil {
		w.e.replaced.Add(w.replaced())
		w.wasm.Close(ctx)
		w.wv.Close(ctx)
	}
}

// decide returns the decision function for a device, and for compare
// mode the native one too. The module's instance takes the device's clock
// and randomness.
func (w *worker) decide(ctx context.Context, dev *device.Device) (main, native sim.Decide) {
	nat := func(req []byte) ([]byte, error) {
		w.buf = w.e.native.Decide(w.buf[:0], req)
		return bytes.Clone(w.buf), nil
	}
	if w.wasm == nil {
		return nat, nil
	}
	hw := w.wasm
	if dev.Profile().Webview {
		hw = w.wv
	}
	hw.SetDevice(dev.Now, dev)
	mod := func(req []byte) ([]byte, error) { return hw.Decide(ctx, req) }
	if w.e.native != nil {
		return mod, nat
	}
	return mod, nil
}

// job is a journey on a profile.
type job struct {
	j *journey.Journey
	p device.Profile
}

// runJobs plays jobs on all workers, with a progress bar on a terminal.
func (o *options) runJobs(ctx context.Context, cmd *cobra.Command, e *engines, jobs []job) *report.Run {
	start := time.Now()
	results := make([]*journey.Result, len(jobs))
	var diffs []string
	var mu sync.Mutex
	bar := newBar(cmd, len(jobs), "journeys")
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range max(1, o.workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := e.newWorker()
			defer w.close(ctx)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				jb := jobs[i]
				dev := jb.j.NewDevice(jb.p)
				main, nat := w.decide(ctx, dev)
				res := journey.PlayOn(jb.j, dev, main, e.policy)
				if nat != nil {
					other := journey.Play(jb.j, jb.p, nat, e.policy)
					if d := differ(res.Transcript, other.Transcript); d != "" {
						mu.Lock()
						diffs = append(diffs, jb.j.Name+" on "+jb.p.Name+": "+d)
						mu.Unlock()
					}
				}
				results[i] = res
				bar.Add(1)
			}
		}()
	}
	wg.Wait()
	bar.Finish()
	run := &report.Run{Engine: e.label, Results: results, Elapsed: time.Since(start), Differences: diffs, Replaced: e.replaced.Load()}
	for _, r := range results {
		run.Decisions += len(r.Transcript.Entries)
	}
	return run
}

// differ compares two transcripts answer by answer.
func differ(a, b *sim.Transcript) string {
	for i := range min(len(a.Entries), len(b.Entries)) {
		if !bytes.Equal(a.Entries[i].Raw, b.Entries[i].Raw) {
			return fmt.Sprintf("request %d (%s): the module answers\n  %s\nthe native engine\n  %s", i+1, a.Entries[i].Event.Type, a.Entries[i].Raw, b.Entries[i].Raw)
		}
	}
	if len(a.Entries) != len(b.Entries) {
		return fmt.Sprintf("%d requests with the module, %d natively", len(a.Entries), len(b.Entries))
	}
	return ""
}

// write writes the reports a run asks for, and the summary.
func (o *options) write(cmd *cobra.Command, run *report.Run) error {
	out := cmd.OutOrStdout()
	if o.jsonOut == "-" {
		return run.JSON(out)
	}
	run.Text(out, o.verbose)
	files := []struct {
		path  string
		write func(*os.File) error
	}{
		{o.jsonOut, func(f *os.File) error { return run.JSON(f) }},
		{o.junit, func(f *os.File) error { return run.JUnit(f) }},
		{o.html, func(f *os.File) error { return run.HTML(f) }},
	}
	for _, x := range files {
		if x.path == "" {
			continue
		}
		f, err := os.Create(x.path)
		if err != nil {
			return err
		}
		if err := x.write(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s\n", x.path)
	}
	return nil
}

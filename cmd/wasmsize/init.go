package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Init measures what a module's _initialize costs: its median time over
// runs fresh instances in wazero, compiled and interpreted (instantiation,
// which copies the data segments into memory, apart), then the calls it
// makes, one interpreted run with a function listener, attributed to the
// package whose init function runs when each is made.
func Init(w io.Writer, bin []byte, runs int, pkgs Packages) error {
	ctx := context.Background()
	fmt.Fprintf(w, "_initialize, median of %d fresh instances (compilation not included):\n", runs)
	for _, c := range []struct {
		name   string
		config wazero.RuntimeConfig
	}{
		{"compiled", wazero.NewRuntimeConfigCompiler()},
		{"interpreted", wazero.NewRuntimeConfigInterpreter()},
	} {
		inst, start, info, err := timeInit(ctx, bin, runs, c.config)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Fprintf(w, "  %-11s  instantiate %8s  _initialize %8s  then a first consent_info %8s\n", c.name, inst, start, info)
	}
	calls, err := countInit(ctx, bin, pkgs)
	if err != nil {
		return err
	}
	total := 0
	for _, g := range calls {
		total += g.calls
	}
	fmt.Fprintf(w, "\ncalls during _initialize (interpreted, one listener event per call): %d, by the package init running (its callees included)\n", total)
	for _, g := range calls {
		fmt.Fprintf(w, "%9d  %s  %-44s %s\n", g.calls, pct(g.calls, total), g.name, g.top())
	}
	return nil
}

// timeInit returns the median times to instantiate the module (no start
// function), to run _initialize on it and then a first consent_info.
func timeInit(ctx context.Context, bin []byte, runs int, config wazero.RuntimeConfig) (inst, start, info time.Duration, err error) {
	rt := wazero.NewRuntimeWithConfig(ctx, config)
	defer rt.Close(ctx)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return 0, 0, 0, err
	}
	compiled, err := rt.CompileModule(ctx, bin)
	if err != nil {
		return 0, 0, 0, err
	}
	var ti, ts, tf []time.Duration
	for range runs {
		t0 := time.Now()
		m, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName("").WithStartFunctions())
		if err != nil {
			return 0, 0, 0, err
		}
		t1 := time.Now()
		if _, err := m.ExportedFunction("_initialize").Call(ctx); err != nil {
			return 0, 0, 0, err
		}
		t2 := time.Now()
		if f := m.ExportedFunction("consent_info"); f != nil {
			if _, err := f.Call(ctx); err != nil {
				return 0, 0, 0, err
			}
		}
		t3 := time.Now()
		ti, ts, tf = append(ti, t1.Sub(t0)), append(ts, t2.Sub(t1)), append(tf, t3.Sub(t2))
		m.Close(ctx)
	}
	return median(ti), median(ts), median(tf), nil
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2].Round(time.Microsecond)
}

// initFunc matches what follows the package in the name of a package's
// init functions ("crypto_internal_fips140_sha256.init.0", "main.init",
// the map initialisers "unicode.map.init.0"), not closures within them
// nor methods named init ("runtime.__mheap_.init").
var initFunc = regexp.MustCompile(`^\.(map\.)?init(\.\d+)?$`)

// initGroup is what one package's init (or the runtime between them)
// called.
type initGroup struct {
	name   string
	calls  int
	callee map[string]int
}

func (g *initGroup) top() string {
	var names []string
	for n := range g.callee {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(g.callee[b], g.callee[a]), strings.Compare(a, b)) })
	var parts []string
	for i, n := range names {
		if i == 3 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", n, g.callee[n]))
	}
	return strings.Join(parts, ", ")
}

// initCounter attributes each call to the package whose init function was
// entered last, or to the runtime ("(runtime: start-up, between inits)") outside them: on entering
// runtime.doInit1, which runs each package's inits, and before the first.
// Go on wasm switches goroutines and grows stacks by unwinding the wasm
// stack, so the stack is not a reliable witness of who called whom; the
// inits run one after another, which is what this relies on.
type initCounter struct {
	pkgs    Packages
	current *initGroup
	groups  map[string]*initGroup
}

func (c *initCounter) group(name string) *initGroup {
	g := c.groups[name]
	if g == nil {
		g = &initGroup{name: name, callee: map[string]int{}}
		c.groups[name] = g
	}
	return g
}

func (c *initCounter) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	name := def.Name()
	if def.ModuleName() == "wasi_snapshot_preview1" {
		name = "wasi:" + name
	}
	pkg, n := c.pkgs.split(name)
	isInit := initFunc.MatchString(name[n:])
	isDoInit := name == "runtime.doInit1"
	pretty := c.pkgs.Pretty(name)
	return experimental.FunctionListenerFunc(func(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
		switch {
		case isInit:
			c.current = c.group(pkg + " init")
		case isDoInit:
			c.current = c.group("(runtime: start-up, between inits)")
		}
		c.current.calls++
		c.current.callee[pretty]++
	})
}

// countInit runs _initialize once, interpreted, counting calls.
func countInit(ctx context.Context, bin []byte, pkgs Packages) ([]*initGroup, error) {
	c := &initCounter{pkgs: pkgs, groups: map[string]*initGroup{}}
	c.current = c.group("(runtime: start-up, between inits)")
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	lctx := experimental.WithFunctionListenerFactory(ctx, c)
	if _, err := wasi_snapshot_preview1.Instantiate(lctx, rt); err != nil {
		return nil, err
	}
	compiled, err := rt.CompileModule(lctx, bin)
	if err != nil {
		return nil, err
	}
	m, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return nil, err
	}
	if _, err := m.ExportedFunction("_initialize").Call(ctx); err != nil {
		return nil, err
	}
	var out []*initGroup
	for _, g := range c.groups {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *initGroup) int {
		return cmp.Or(cmp.Compare(b.calls, a.calls), strings.Compare(a.name, b.name))
	})
	return out, nil
}

// Package wasmhost runs the consent module (consent.wasm) in wazero, the
// way an app's host does: compile once, instantiate, copy a request into
// the module's memory, call consent_decide, copy the answer out (the ABI is
// wasm/ABI.md). It is the lowest layer of the simulator that touches the
// module: the host loop (hostsim/sim) sees it only as a function from
// request to answer, which the runner (package hostsim) builds from an
// Instance. The tests that run the engine's conformance cases through the
// real module live here too.
//
// An instance is a WASI preview 1 guest that sees no filesystem, no
// environment and no network. Its clock and randomness are the simulated
// device's (Instance.SetDevice), fixed until one is given, so a run is
// reproducible. WebviewWASI replaces wazero's WASI with one whose
// poll_oneoff throws, as the browser shims of webviews and mini-programs
// do.
//
// # Notes
//
// A Module is safe for concurrent use; an Instance is not: give each
// goroutine its own. An instance whose call traps or runs past
// Config.CallTimeout is closed (ErrClosed) and must be replaced; the
// runner's Worker does that. Without CallTimeout nothing can stop a call
// that never returns (see Config.CallTimeout).
package wasmhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/jitconsent/jitconsent/hostsim/device"
)

// Config tunes a Module.
type Config struct {
	// CacheDir keeps compiled code on disk between runs ("" for none).
	CacheDir string
	// MemoryLimitPages caps each instance's linear memory in 64 KiB pages
	// (0: 512 pages, 32 MiB).
	MemoryLimitPages uint32
	// CallTimeout bounds one call into the module; a call that runs out of
	// time closes its instance. 0 sets no deadline, as an app's host runs
	// the module: wazero then compiles guest code without the checks it
	// needs to stop it, which slow it more than threefold (BenchmarkDeadline).
	//
	// Without them nothing stops a call that never returns: Go cannot
	// preempt a goroutine inside compiled guest code, so such a call also
	// stalls the garbage collector, and with it the whole process, at the
	// next collection. A host that wants both full speed and safety from a
	// hung module runs unchecked instances in a process of its own and
	// kills the process (package hostsim/fuzz does).
	CallTimeout time.Duration
	// Stderr receives what the module writes to fd 2 (nil: discarded).
	Stderr io.Writer
	// WASI, if set, replaces wazero's WASI implementation: it instantiates
	// a wasi_snapshot_preview1 host module in the runtime. The webview
	// profile uses it to fail poll_oneoff as browser shims do.
	WASI func(context.Context, wazero.Runtime) error
}

// Module is a compiled consent module.
type Module struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	cfg      Config
}

// Compile compiles a module for instantiating many times.
func Compile(ctx context.Context, wasm []byte, cfg Config) (*Module, error) {
	if cfg.MemoryLimitPages == 0 {
		cfg.MemoryLimitPages = 512
	}
	rc := wazero.NewRuntimeConfig().
		WithMemoryLimitPages(cfg.MemoryLimitPages).
		WithCloseOnContextDone(cfg.CallTimeout > 0)
	if cfg.CacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, err
		}
		rc = rc.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	var err error
	if cfg.WASI != nil {
		err = cfg.WASI(ctx, rt)
	} else {
		_, err = wasi_snapshot_preview1.Instantiate(ctx, rt)
	}
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("compile: %w", err)
	}
	for _, name := range []string{"consent_abi_version", "consent_alloc", "consent_free", "consent_decide", "consent_load_bundle", "consent_info"} {
		if _, ok := compiled.ExportedFunctions()[name]; !ok {
			rt.Close(ctx)
			return nil, fmt.Errorf("the module does not export %s", name)
		}
	}
	return &Module{rt: rt, compiled: compiled, cfg: cfg}, nil
}

// Close releases the runtime and every instance.
func (m *Module) Close(ctx context.Context) error { return m.rt.Close(ctx) }

// Imports lists the module's imports as "module.name".
func (m *Module) Imports() []string {
	var out []string
	for _, f := range m.compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		out = append(out, mod+"."+name)
	}
	return out
}

// Instance is one instantiation of the module.
type Instance struct {
	m                               *Module
	mod                             api.Module
	alloc, free, decide, load, info api.Function
	abi                             api.Function
	buf                             uint32 // a reusable request buffer
	bufSize                         uint32
	// stack holds a call's arguments, then its results: every export
	// takes at most two and returns at most one. Calling with it rather
	// than with Call's variadic arguments spares two allocations a call.
	stack  [2]uint64
	closed bool
	clock  func() time.Time
	random io.Reader
	mono   int64     // nanotime's last answer
	wall   time.Time // the clock at that answer
}

// nanotime is the monotonic clock: it follows the device's clock forward,
// never back (a new device may start earlier than the last one), and
// moves a microsecond on each read, as real clocks do between reads.
func (in *Instance) nanotime() int64 {
	t := in.clock()
	if t.After(in.wall) && !in.wall.IsZero() {
		in.mono += t.Sub(in.wall).Nanoseconds()
	}
	in.wall = t
	in.mono += 1000
	return in.mono
}

// Instantiate makes a fresh instance: the module's _initialize runs, so
// it holds the embedded bundle.
func (m *Module) Instantiate(ctx context.Context) (*Instance, error) {
	in := &Instance{m: m, clock: defaultClock, random: zeros{}}
	cfg := wazero.NewModuleConfig().
		WithName(""). // anonymous: many instances may live in one runtime
		WithStartFunctions("_initialize").
		WithWalltime(func() (int64, int32) {
			t := in.clock()
			return t.Unix(), int32(t.Nanosecond())
		}, sys.ClockResolution(time.Millisecond)).
		WithNanotime(in.nanotime, sys.ClockResolution(time.Microsecond)).
		WithRandSource(readerFunc(func(p []byte) (int, error) { return in.random.Read(p) }))
	if m.cfg.Stderr != nil {
		cfg = cfg.WithStderr(m.cfg.Stderr)
	}
	if m.cfg.CallTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.cfg.CallTimeout)
		defer cancel()
	}
	mod, err := m.rt.InstantiateModule(ctx, m.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	in.mod = mod
	in.alloc = mod.ExportedFunction("consent_alloc")
	in.free = mod.ExportedFunction("consent_free")
	in.decide = mod.ExportedFunction("consent_decide")
	in.load = mod.ExportedFunction("consent_load_bundle")
	in.info = mod.ExportedFunction("consent_info")
	in.abi = mod.ExportedFunction("consent_abi_version")
	return in, nil
}

// ErrClosed is returned by an instance that trapped or timed out: it is
// closed and must be replaced.
var ErrClosed = errors.New("hostsim: the instance is closed after a trap or a timeout")

// defaultClock is an instance's clock until SetDevice gives it one: a new
// device's.
func defaultClock() time.Time { return device.DefaultStart }

// zeros is an instance's randomness until SetDevice gives it some.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// SetDevice gives the instance the clock and randomness of a simulated
// device: what WASI's clock_time_get and random_get answer from now on.
// The engine reads neither (time comes in the request), but the module's
// Go runtime does, and a host that is the device answers with the
// device's.
func (in *Instance) SetDevice(clock func() time.Time, random io.Reader) {
	in.clock, in.random = clock, random
}

// Close closes the instance.
func (in *Instance) Close(ctx context.Context) error {
	in.closed = true
	return in.mod.Close(ctx)
}

// Closed reports whether the instance can no longer be called.
func (in *Instance) Closed() bool { return in.closed }

// Memory returns the size of the instance's linear memory in bytes.
func (in *Instance) Memory() uint32 { return in.mod.Memory().Size() }

// call runs an export with the per-call deadline; any failure closes the
// instance. Its results are valid until the next call.
func (in *Instance) call(ctx context.Context, f api.Function, args ...uint64) ([]uint64, error) {
	if in.closed {
		return nil, ErrClosed
	}
	if in.m.cfg.CallTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, in.m.cfg.CallTimeout)
		defer cancel()
	}
	stack := in.stack[:]
	copy(stack, args)
	err := f.CallWithStack(ctx, stack)
	if err != nil {
		in.closed = true
		in.mod.Close(context.Background())
		name := "a call"
		if names := f.Definition().ExportNames(); len(names) > 0 {
			name = names[0] // a stripped module has no name section
		}
		return nil, fmt.Errorf("%s: %w (%v)", name, ErrClosed, err)
	}
	return stack, nil
}

// ABIVersion calls consent_abi_version.
func (in *Instance) ABIVersion(ctx context.Context) (int32, error) {
	res, err := in.call(ctx, in.abi)
	if err != nil {
		return 0, err
	}
	return int32(res[0]), nil
}

// Decide calls consent_decide with a request and returns a copy of the
// answer.
func (in *Instance) Decide(ctx context.Context, request []byte) ([]byte, error) {
	return in.DecideAppend(ctx, nil, request)
}

// DecideAppend is Decide that appends the answer to dst, for a host that
// reuses one buffer for its answers rather than allocating each.
func (in *Instance) DecideAppend(ctx context.Context, dst, request []byte) ([]byte, error) {
	return in.withInput(ctx, in.decide, request, dst)
}

// LoadBundle calls consent_load_bundle with a bundle envelope.
func (in *Instance) LoadBundle(ctx context.Context, envelope []byte) ([]byte, error) {
	return in.withInput(ctx, in.load, envelope, nil)
}

// Info calls consent_info.
func (in *Instance) Info(ctx context.Context) ([]byte, error) {
	res, err := in.call(ctx, in.info)
	if err != nil {
		return nil, err
	}
	return in.read(res[0], nil)
}

// withInput copies input into a module buffer, calls f and appends the
// answer to dst. The request buffer is kept between calls and grown when
// needed, as a host would.
func (in *Instance) withInput(ctx context.Context, f api.Function, input, dst []byte) ([]byte, error) {
	n := uint32(len(input))
	if n == 0 {
		n = 1 // a zero-length buffer cannot be allocated; the length passed stays 0
	}
	if in.buf == 0 || in.bufSize < n {
		if in.buf != 0 {
			if _, err := in.call(ctx, in.free, uint64(in.buf)); err != nil {
				return nil, err
			}
			in.buf = 0
		}
		size := max(n, 4096)
		res, err := in.call(ctx, in.alloc, uint64(size))
		if err != nil {
			return nil, err
		}
		if res[0] == 0 {
			return nil, fmt.Errorf("hostsim: consent_alloc(%d) refused", size)
		}
		in.buf, in.bufSize = uint32(res[0]), size
	}
	if !in.mod.Memory().Write(in.buf, input) {
		return nil, fmt.Errorf("hostsim: buffer at %d is outside memory", in.buf)
	}
	res, err := in.call(ctx, f, uint64(in.buf), uint64(len(input)))
	if err != nil {
		return nil, err
	}
	return in.read(res[0], dst)
}

// read copies the answer (ptr << 32 | len) out of the module's memory,
// appending it to dst.
func (in *Instance) read(packed uint64, dst []byte) ([]byte, error) {
	ptr, n := uint32(packed>>32), uint32(packed)
	b, ok := in.mod.Memory().Read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("hostsim: answer at %d+%d is outside memory", ptr, n)
	}
	return append(dst, b...), nil
}

package hostsim

import (
	"bytes"
	"context"
	"fmt"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
)

// Worker decides for one goroutine of a run. It holds a module instance of
// its own for each WASI (the profiles' and the webview's), made on the
// first call that needs it. An instance that traps or runs past the
// call timeout is closed by wasmhost; the worker drops it, counts it, and
// the next call gets a fresh one: the run goes on. An instance that loaded
// a policy update is closed when the journey ends: each journey starts on
// the bundle the module carries.
type Worker struct {
	e               *Engines
	module, webview slot
	replaced        int64
	buf             []byte // the native engine's answer, reused
}

// slot is a worker's instance for one WASI, and the update envelope the
// journey in progress loaded into it (nil: none).
type slot struct {
	in     *wasmhost.Instance
	loaded []byte
}

// NewWorker returns a worker on the engines.
func (e *Engines) NewWorker() *Worker { return &Worker{e: e} }

// Journey returns the engines one journey on a device runs on: run with
// the engine the run is on, and native with the native engine when the
// run compares the two (its Decide is nil otherwise). Each starts on the
// bundle the engines carry; Load gives it an update bundle by name
// (Config.Updates), the module through consent_load_bundle, the native
// engine by deciding with the update's bundle from then on, both refusing
// a version not newer than the active one. The module's instance reads
// the device's clock and randomness (wasmhost.Instance.SetDevice).
func (w *Worker) Journey(ctx context.Context, dev *device.Device) (run, native sim.Engine) {
	for _, s := range []*slot{&w.module, &w.webview} {
		if s.loaded != nil {
			if s.in != nil {
				s.in.Close(ctx)
			}
			*s = slot{}
		}
	}
	if w.e.native != nil {
		cur, version := w.e.native, w.e.Bundle.Policy.Version
		native = sim.Engine{
			Decide: func(req []byte) ([]byte, error) {
				w.buf = cur.Decide(w.buf[:0], req)
				return bytes.Clone(w.buf), nil
			},
			Load: func(name string) error {
				u, err := w.e.update(name)
				if err != nil {
					return err
				}
				if !bundle.PolicyVersionLess(version, u.version) {
					return fmt.Errorf("older_version: version %s is not newer than the active %s", u.version, version)
				}
				cur, version = u.native, u.version
				return nil
			},
		}
	}
	if w.e.module == nil {
		return native, sim.Engine{}
	}
	s, m := &w.module, w.e.module
	if dev.Profile().Webview {
		s, m = &w.webview, w.e.webview
	}
	// dropClosed drops an instance that trapped or timed out.
	dropClosed := func(in *wasmhost.Instance) {
		if in.Closed() {
			w.replaced++ // counted now, though its successor is made on the next call
			s.in = nil
		}
	}
	instance := func() (*wasmhost.Instance, error) {
		if s.in == nil {
			in, err := m.Instantiate(ctx)
			if err != nil {
				return nil, err
			}
			s.in = in
			if s.loaded != nil {
				// A fresh instance after a trap keeps the journey's update.
				if err := loadInto(ctx, in, s.loaded); err != nil {
					return nil, err
				}
			}
		}
		s.in.SetDevice(dev.Now, dev)
		return s.in, nil
	}
	// The journey's instance is made now, with its embedded bundle opened
	// (consent_info, as a host that starts early does), not in its first
	// decision, so that a decision's time (fuzz's figures) is the
	// decision's alone; if it fails, the first decision tries again and
	// fails the run.
	if in, err := instance(); err == nil {
		in.Info(ctx)
		dropClosed(in)
	}
	run.Decide = func(req []byte) ([]byte, error) {
		in, err := instance()
		if err != nil {
			return nil, err
		}
		out, err := in.Decide(ctx, req)
		dropClosed(in)
		return out, err
	}
	run.Load = func(name string) error {
		u, err := w.e.update(name)
		if err != nil {
			return err
		}
		in, err := instance()
		if err != nil {
			return err
		}
		err = loadInto(ctx, in, u.env)
		dropClosed(in)
		if err != nil {
			return fmt.Errorf("the module refused it: %w", err)
		}
		s.loaded = u.env
		return nil
	}
	return run, native
}

// Replaced counts the worker's module instances that trapped or timed out
// and were dropped.
func (w *Worker) Replaced() int64 { return w.replaced }

// Close closes the worker's instances and adds its count of replaced ones
// to the engines'.
func (w *Worker) Close(ctx context.Context) {
	for _, s := range []*slot{&w.module, &w.webview} {
		if s.in != nil {
			s.in.Close(ctx)
		}
	}
	w.e.replaced.Add(w.replaced)
}

package hostsim

import (
	"bytes"
	"context"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
)

// Worker decides for one goroutine of a run. It holds a module instance of
// its own for each WASI (the profiles' and the webview's), made on the
// first call that needs it. An instance that traps or runs past the
// call timeout is closed by wasmhost; the worker drops it, counts it, and
// the next call gets a fresh one: the run goes on.
type Worker struct {
	e               *Engines
	module, webview *wasmhost.Instance // nil until needed, and after a failure
	replaced        int64
	buf             []byte // the native engine's answer, reused
}

// NewWorker returns a worker on the engines.
func (e *Engines) NewWorker() *Worker { return &Worker{e: e} }

// Decide returns the functions that answer a device's requests: decide
// with the engine the run is on, and native with the native engine when
// the run compares the two (nil otherwise). The module's instance reads
// the device's clock and randomness (wasmhost.Instance.SetDevice).
func (w *Worker) Decide(ctx context.Context, dev *device.Device) (decide, native sim.Decide) {
	if w.e.native != nil {
		native = func(req []byte) ([]byte, error) {
			w.buf = w.e.native.Decide(w.buf[:0], req)
			return bytes.Clone(w.buf), nil
		}
	}
	if w.e.module == nil {
		return native, nil
	}
	slot, m := &w.module, w.e.module
	if dev.Profile().Webview {
		slot, m = &w.webview, w.e.webview
	}
	decide = func(req []byte) ([]byte, error) {
		if *slot == nil {
			in, err := m.Instantiate(ctx)
			if err != nil {
				return nil, err
			}
			*slot = in
		}
		in := *slot
		in.SetDevice(dev.Now, dev)
		out, err := in.Decide(ctx, req)
		if in.Closed() {
			w.replaced++ // counted now, though its successor is made on the next call
			*slot = nil
		}
		return out, err
	}
	return decide, native
}

// Replaced counts the worker's module instances that trapped or timed out
// and were dropped.
func (w *Worker) Replaced() int64 { return w.replaced }

// Close closes the worker's instances and adds its count of replaced ones
// to the engines'.
func (w *Worker) Close(ctx context.Context) {
	for _, in := range []*wasmhost.Instance{w.module, w.webview} {
		if in != nil {
			in.Close(ctx)
		}
	}
	w.e.replaced.Add(w.replaced)
}

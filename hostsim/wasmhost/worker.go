package wasmhost

import (
	"context"
	"io"
	"sync/atomic"
	"time"
)

// Worker decides on an instance of its own, for one goroutine of a
// parallel run. An instance that traps or times out is discarded and the
// next call gets a fresh one: the run goes on, and Replaced counts them.
type Worker struct {
	m        *Module
	in       *Instance
	setup    func(context.Context, *Instance) error
	replaced atomic.Int64
	clock    func() time.Time
	random   io.Reader
}

// SetDevice gives the worker's instances, this one and those that replace
// it, the clock and randomness of a simulated device (Instance.SetDevice).
func (w *Worker) SetDevice(clock func() time.Time, random io.Reader) {
	w.clock, w.random = clock, random
	if w.in != nil {
		w.in.SetDevice(clock, random)
	}
}

// NewWorker returns a worker. setup, if not nil, runs on every new
// instance (to load a bundle, say).
func (m *Module) NewWorker(setup func(context.Context, *Instance) error) *Worker {
	return &Worker{m: m, setup: setup}
}

// Decide answers a request. An error means the instance failed on it (it
// is replaced for the next call) or no instance could be made.
func (w *Worker) Decide(ctx context.Context, req []byte) ([]byte, error) {
	if w.in == nil {
		in, err := w.m.Instantiate(ctx)
		if err != nil {
			return nil, err
		}
		if w.setup != nil {
			if err := w.setup(ctx, in); err != nil {
				in.Close(ctx)
				return nil, err
			}
		}
		if w.clock != nil {
			in.SetDevice(w.clock, w.random)
		}
		w.in = in
	}
	out, err := w.in.Decide(ctx, req)
	if w.in.Closed() {
		w.replaced.Add(1) // counted now, though its successor is made on the next call
		w.in = nil
	}
	return out, err
}

// Replaced counts the instances discarded after a trap or a timeout.
func (w *Worker) Replaced() int64 { return w.replaced.Load() }

// Close closes the worker's instance.
func (w *Worker) Close(ctx context.Context) {
	if w.in != nil {
		w.in.Close(ctx)
	}
}

package wasmhost

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// TestWorkerReplacesFailedInstances: a call that runs out of time closes
// its instance; the worker's next call gets a fresh one and the same
// answer a fresh instance gives.
func TestWorkerReplacesFailedInstances(t *testing.T) {
	setup(t)
	ctx := context.Background()
	m, err := Compile(ctx, wasmtest.Read(t, wasmtest.Test), Config{CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	w := m.NewWorker(nil)
	defer w.Close(ctx)
	req := []byte(`{"now":"2026-03-01T10:00:00+08:00","device":{"platform":"ios","version":"17.2"},"event":{"type":"launch"}}`)
	want, err := w.Decide(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.Decide(cancelled, req); !errors.Is(err, ErrClosed) {
		t.Fatalf("a call past its deadline: %v, want ErrClosed", err)
	}
	got, err := w.Decide(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the fresh instance answers\n%s\nnot\n%s", got, want)
	}
	if w.Replaced() != 1 {
		t.Errorf("replaced %d instances, want 1", w.Replaced())
	}
}

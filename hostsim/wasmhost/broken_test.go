package wasmhost

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

func withdrawRequest(perm string) []byte {
	return conformance.Request("2026-03-01T10:00:00+08:00", "zh-CN", conformance.Device{Platform: "android", Version: "33"},
		nil, nil, []byte(`{"type":"withdraw","permission":"`+perm+`"}`))
}

// TestHangsAndTraps runs the faulty module (wasm/faults.go: the real
// module, except that withdrawing calendar never returns and withdrawing
// contacts traps). A call that never returns runs into the deadline and
// one that traps fails, both with ErrClosed; the worker's next call gets a
// fresh instance whose answer is a fresh instance's; and the process is
// fine afterwards (a hung call left running would stall the collector).
func TestHangsAndTraps(t *testing.T) {
	ctx := context.Background()
	m, err := Compile(ctx, wasmtest.Read(t, wasmtest.Faulty), Config{CacheDir: cacheDir(), CallTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	fresh, err := m.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	valid := withdrawRequest("location")
	want, err := fresh.Decide(ctx, valid)
	if err != nil {
		t.Fatal(err)
	}
	w := m.NewWorker(nil)
	defer w.Close(ctx)
	for _, c := range []struct{ perm, what string }{{"calendar", "a hang"}, {"contacts", "a trap"}} {
		start := time.Now()
		_, err := w.Decide(ctx, withdrawRequest(c.perm))
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s gives %v", c.what, err)
		}
		t.Logf("%s: %v", c.what, err)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s took %s to end", c.what, d)
		}
		got, err := w.Decide(ctx, valid)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("after %s: %v\n%s\nwant\n%s", c.what, err, got, want)
		}
	}
	if w.Replaced() != 2 {
		t.Errorf("replaced %d instances, want 2", w.Replaced())
	}
	done := make(chan struct{})
	go func() { runtime.GC(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a garbage collection does not finish: a hung call is still running")
	}
}

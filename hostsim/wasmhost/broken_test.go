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
// one that traps fails, both with ErrClosed, and the instance is closed
// for good; a fresh instance of the same module answers as before; and
// the process is fine afterwards (a hung call left running would stall
// the collector). A call on a cancelled context fails the same way.
func TestHangsAndTraps(t *testing.T) {
	ctx := context.Background()
	// The deadline covers instantiation (_initialize) too: three seconds are
	// enough for that on a loaded machine, and short enough for the hang.
	m, err := Compile(ctx, wasmtest.Read(t, wasmtest.Faulty), Config{CacheDir: cacheDir(), CallTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	valid := withdrawRequest("location")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		what string
		ctx  context.Context
		req  []byte
	}{
		{"a hang", ctx, withdrawRequest("calendar")},
		{"a trap", ctx, withdrawRequest("contacts")},
		{"a cancelled call", cancelled, valid},
	} {
		in, err := m.Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, err := in.Decide(ctx, valid)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = in.Decide(c.ctx, c.req)
		if !errors.Is(err, ErrClosed) || !in.Closed() {
			t.Errorf("%s gives %v, closed %v; want ErrClosed and a closed instance", c.what, err, in.Closed())
		}
		t.Logf("%s: %v", c.what, err)
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("%s took %s to end", c.what, d)
		}
		if _, err := in.Decide(ctx, valid); !errors.Is(err, ErrClosed) {
			t.Errorf("after %s the instance answers again: %v", c.what, err)
		}
		fresh, err := m.Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fresh.Decide(ctx, valid)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("after %s a fresh instance answers %v\n%s\nwant\n%s", c.what, err, got, want)
		}
		fresh.Close(ctx)
	}
	done := make(chan struct{})
	go func() { runtime.GC(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a garbage collection does not finish: a hung call is still running")
	}
}

package wasmhost

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestDeviceClock: the module's WASI clock is the simulated device's: it
// reads it, the monotonic clock follows the device forward and never goes
// back when a run switches to a device whose clock is earlier.
func TestDeviceClock(t *testing.T) {
	in := instance(t)
	ctx := context.Background()
	dev := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	reads := 0
	in.SetDevice(func() time.Time { reads++; return dev }, zeros{})
	req := benchRequest(t, func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out })
	for range 100 {
		if _, err := in.Decide(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	// A decision allocates nothing (the bundle is compiled in, the request
	// buffer reused), so decisions alone never make the runtime collect.
	// Loading a bundle does: its collector reads the clock.
	for i := 0; i < 50 && reads == 0; i++ {
		if out, err := in.LoadBundle(ctx, envelopes["revision"]); err != nil || !bytes.Contains(out, []byte(`"ok":true`)) {
			t.Fatalf("%v %s", err, out)
		}
	}
	if reads == 0 {
		t.Error("the module never read the device's clock")
	}

	a := in.nanotime()
	dev = dev.Add(time.Hour)
	b := in.nanotime()
	if d := time.Duration(b - a); d < time.Hour {
		t.Errorf("an hour on the device moved the monotonic clock %s", d)
	}
	dev = dev.Add(-48 * time.Hour) // the next run's device starts earlier
	if c := in.nanotime(); c <= b {
		t.Errorf("the monotonic clock went back: %d after %d", c, b)
	}
}

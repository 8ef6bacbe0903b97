package wasmhost

import (
	"bytes"
	"compress/gzip"
	"context"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// benchRequest is the engine's representative decision (engine's
// BenchmarkDecide): entering loan_apply/apply on Android 13 from a
// consented state.
func benchRequest(tb testing.TB, decide func([]byte) []byte) []byte {
	tb.Helper()
	return benchRequestAt(tb, decide, "2026-03-01T10:00:00+08:00")
}

// benchRequestAt is benchRequest from a state consented at a given time.
func benchRequestAt(tb testing.TB, decide func([]byte) []byte, consented string) []byte {
	tb.Helper()
	state, err := conformance.ConsentedState(func(r []byte) ([]byte, error) { return decide(r), nil }, consented, conformance.Extra{})
	if err != nil {
		tb.Fatal(err)
	}
	return conformance.BenchRequest(state, conformance.Extra{})
}

// targetNs is issue 14's bound on one decision through the module in
// compiled wazero, host copies included: 10 us. The wasm benchmarks print
// it beside their ns/op.
const targetNs = 10_000

// BenchmarkDecide compares one decision through the module in wazero,
// host copies included, with the native engine on the same request. The
// host copies each answer out into one buffer it reuses, as the native
// loop reuses its own.
//
// The loop sends one request again and again: from the second call on,
// the module's state cache holds its state, read and verified (the state
// a request carried last). wasm-uncached alternates two requests from two
// consented states, which no cache holds, so that each decision reads and
// verifies its state, as the native engine always does here.
func BenchmarkDecide(b *testing.B) {
	ctx := context.Background()
	b.Run("wasm", func(b *testing.B) {
		in := instance(b)
		req := benchRequest(b, func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out })
		buf := make([]byte, 0, 8192)
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if buf, err = in.DecideAppend(ctx, buf[:0], req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(targetNs, "target-ns/op")
	})
	b.Run("wasm-uncached", func(b *testing.B) {
		in := instance(b)
		decide := func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out }
		reqs := [2][]byte{benchRequest(b, decide), benchRequestAt(b, decide, "2026-03-01T10:01:00+08:00")}
		buf := make([]byte, 0, 8192)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var err error
			if buf, err = in.DecideAppend(ctx, buf[:0], reqs[i&1]); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(targetNs, "target-ns/op")
	})
	b.Run("native", func(b *testing.B) {
		e := nativeEngine(b, "reference")
		req := benchRequest(b, func(r []byte) []byte { return e.Decide(nil, r) })
		buf := make([]byte, 0, 8192)
		b.ReportAllocs()
		for b.Loop() {
			buf = e.Decide(buf[:0], req)
		}
	})
	// The same decision with a state_key only (the state's hash keyed,
	// SipHash-2-4), and as a host that keeps the record sends it: with
	// its installation, state_key, bundle_version and checkpoint.
	for _, c := range []struct {
		name   string
		record bool
	}{{"wasm-keyed", false}, {"wasm-record", true}} {
		b.Run(c.name, func(b *testing.B) {
			in := instance(b)
			req := recordRequest(b, func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out }, c.record)
			if out, _ := in.Decide(ctx, req); bytes.Contains(out, []byte(`"error"`)) || bytes.Contains(out, []byte(`"STATE"`)) {
				b.Fatalf("%s", out)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.Decide(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("native-record", func(b *testing.B) {
		e := nativeEngine(b, "reference")
		req := recordRequest(b, func(r []byte) []byte { return e.Decide(nil, r) }, true)
		buf := make([]byte, 0, 8192)
		b.ReportAllocs()
		for b.Loop() {
			buf = e.Decide(buf[:0], req)
		}
	})
}

// recordRequest is benchRequest with a consented state made under a
// state_key, and, if full, the record's other fields: an installation, a
// bundle_version and the service's checkpoint of the state's head, signed
// by the test service key (conformance.RecordRequest).
func recordRequest(tb testing.TB, decide func([]byte) []byte, full bool) []byte {
	tb.Helper()
	req, err := conformance.RecordRequest(func(r []byte) ([]byte, error) { return decide(r), nil }, full)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

// BenchmarkInstantiate measures a fresh instance from the compiled
// module, _initialize included. The embedded bundle is opened by the first
// call that needs it, not here: BenchmarkModules's first-decision and open
// measure that.
func BenchmarkInstantiate(b *testing.B) {
	setup(b)
	ctx := context.Background()
	for b.Loop() {
		in, err := module.Instantiate(ctx)
		if err != nil {
			b.Fatal(err)
		}
		in.Close(ctx)
	}
}

// BenchmarkModuleSize reports the shipped module's size raw, gzip and
// brotli (the number that counts against a mini-program's 2 MB package).
func BenchmarkModuleSize(b *testing.B) {
	wasm := wasmtest.Read(b, wasmtest.Shipped)
	var gz, br bytes.Buffer
	for b.Loop() {
		gz.Reset()
		br.Reset()
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(wasm)
		zw.Close()
		bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
		bw.Write(wasm)
		bw.Close()
	}
	b.ReportMetric(float64(len(wasm)), "raw-bytes")
	b.ReportMetric(float64(gz.Len()), "gzip-bytes")
	b.ReportMetric(float64(br.Len()), "brotli-bytes")
}

// BenchmarkMemory makes a million decisions on one instance (one op) and
// reports its linear memory after the first 100,000 and at the end.
func BenchmarkMemory(b *testing.B) {
	ctx := context.Background()
	in := instance(b)
	req := benchRequest(b, func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out })
	var early, end uint32
	for b.Loop() {
		for i := 1; i <= 1_000_000; i++ {
			if _, err := in.Decide(ctx, req); err != nil {
				b.Fatal(err)
			}
			if i == 100_000 {
				early = in.Memory()
			}
		}
		end = in.Memory()
	}
	b.ReportMetric(float64(early), "mem-bytes-at-100k")
	b.ReportMetric(float64(end), "mem-bytes-at-1M")
}

// TestMemoryIsBounded checks the module's memory the way the issue states
// it, at a fifth of the scale: 200,000 representative decisions on one
// instance leave its linear memory within 32 MiB and no larger than after
// the first 20,000 (BenchmarkMemory makes the full million). Then every
// journey's requests, bad ones and rejected bundles included, replayed 50
// times on the same instance keep it within 32 MiB. (Its collector's live
// heap stays at 200 KB throughout; the linear memory, which never shrinks,
// creeps by a page now and then over such mixed loads as the runtime's
// own structures grow, which is why only the bound is checked there.)
func TestMemoryIsBounded(t *testing.T) {
	setup(t)
	ctx := context.Background()
	in := instance(t)
	req := benchRequest(t, func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out })
	var early uint32
	for i := 1; i <= 200_000; i++ {
		if _, err := in.Decide(ctx, req); err != nil {
			t.Fatal(err)
		}
		if i == 20_000 {
			early = in.Memory()
		}
	}
	end := in.Memory()
	t.Logf("200,000 decisions: memory %d bytes after 20,000, %d at the end", early, end)
	if end > 32<<20 || end > early {
		t.Errorf("memory %d bytes at the end, %d after 20,000: want at most 32 MiB and no growth", end, early)
	}

	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	native := nativeEngine(t, "reference")
	var requests [][]byte
	for _, j := range cases {
		if j.Bundle != "reference" {
			continue
		}
		res, err := conformance.Play(j, func(_ string, req []byte) ([]byte, error) { return native.Decide(nil, req), nil })
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			requests = append(requests, r.Request)
		}
	}
	for r := 0; r < 50; r++ {
		for _, req := range requests {
			if _, err := in.Decide(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := in.LoadBundle(ctx, []byte(`{"hash":"x","payload":{},"signatures":[]}`)); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("then %d mixed decisions: memory %d bytes", 50*len(requests), in.Memory())
	if in.Memory() > 32<<20 {
		t.Errorf("memory %d bytes is over 32 MiB", in.Memory())
	}
}

// BenchmarkJourney replays the requests of conformance case 002 (a loan
// application on Android 13: eight decisions, each request carrying the
// state the one before returned, as a host sends it) through the module
// and natively; ns/op is per journey.
func BenchmarkJourney(b *testing.B) {
	setup(b)
	ctx := context.Background()
	cases, err := conformance.Cases()
	if err != nil {
		b.Fatal(err)
	}
	native := nativeEngine(b, "reference")
	var steps []conformance.Result
	for _, j := range cases {
		if j.Name == "002_android33_loan_apply_grant_then_refuse" {
			if steps, err = conformance.Play(j, func(_ string, req []byte) ([]byte, error) { return native.Decide(nil, req), nil }); err != nil {
				b.Fatal(err)
			}
		}
	}
	if steps == nil {
		b.Fatal("journey 002 is missing")
	}
	b.Run("wasm", func(b *testing.B) {
		in := instance(b)
		for b.Loop() {
			for _, s := range steps {
				if _, err := in.Decide(ctx, s.Request); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(steps)), "decisions/op")
	})
	b.Run("native", func(b *testing.B) {
		buf := make([]byte, 0, 8192)
		for b.Loop() {
			for _, s := range steps {
				buf = native.Decide(buf[:0], s.Request)
			}
		}
		b.ReportMetric(float64(len(steps)), "decisions/op")
	})
}

// BenchmarkDeadline: a decision without a deadline (as apps run the
// module) and with one (Config.CallTimeout), whose checks wazero compiles
// into the guest code. It is the reason fuzz runs unchecked instances in
// worker processes instead.
func BenchmarkDeadline(b *testing.B) {
	ctx := context.Background()
	wasm := wasmtest.Read(b, wasmtest.Test)
	for _, c := range []struct {
		name    string
		timeout time.Duration
	}{{"none", 0}, {"checked", time.Second}} {
		b.Run(c.name, func(b *testing.B) {
			m, err := Compile(ctx, wasm, Config{CacheDir: cacheDir(), CallTimeout: c.timeout})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close(ctx)
			in, err := m.Instantiate(ctx)
			if err != nil {
				b.Fatal(err)
			}
			req := benchRequest(b, func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out })
			for b.Loop() {
				if _, err := in.Decide(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package wasmhost

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
)

// TestConformanceThroughWasm runs every conformance case through the
// module in wazero: each must pass, and each answer must be byte for byte
// the native engine's.
func TestConformanceThroughWasm(t *testing.T) {
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	setup(t)
	wasmDecide := wasmDecide(t, module)
	natives := map[string]interface {
		Decide(dst, req []byte) []byte
	}{"reference": nativeEngine(t, "reference"), "revision": nativeEngine(t, "revision"), "minor": nativeEngine(t, "minor")}
	nativeDecide := func(name string, req []byte) ([]byte, error) { return natives[name].Decide(nil, req), nil }
	for _, j := range cases {
		t.Run(j.Name, func(t *testing.T) {
			for _, err := range moduleRuntime(t, wasmDecide).Check(j) {
				t.Error(err)
			}
			got, err := conformance.Play(j, wasmDecide)
			if err != nil {
				t.Fatal(err)
			}
			want, err := conformance.Play(j, nativeDecide)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if !bytes.Equal(got[i].Response, want[i].Response) {
					t.Errorf("step %d: wasm and native differ:\nwasm   %s\nnative %s", i+1, got[i].Response, want[i].Response)
				}
			}
		})
	}
}

// TestImports: the module imports only WASI preview 1, so that browser
// shims and mini-program runtimes can run it.
func TestImports(t *testing.T) {
	setup(t)
	for _, imp := range module.Imports() {
		if !strings.HasPrefix(imp, "wasi_snapshot_preview1.") {
			t.Errorf("import %s is not WASI preview 1", imp)
		}
	}
}

// TestABI checks the ABI's answers for info, bad pointers and bundles.
func TestABI(t *testing.T) {
	ctx := context.Background()
	in := instance(t)
	if v, err := in.ABIVersion(ctx); err != nil || v != 1 {
		t.Fatalf("abi version %d, %v", v, err)
	}
	info, err := in.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var i struct {
		ABI         int
		Module      string
		Policy      struct{ ID, Version string }
		Hash        string
		Locales     []string
		Keys        []string
		ServiceKeys []string `json:"service_keys"`
	}
	if err := json.Unmarshal(info, &i); err != nil {
		t.Fatalf("%v: %s", err, info)
	}
	if i.ABI != 1 || i.Policy.ID != "msxf" || i.Policy.Version != "2022-03-29" || !strings.HasPrefix(i.Hash, "sha256:") ||
		len(i.Locales) != 3 || len(i.Keys) != 2 || len(i.ServiceKeys) != 1 || i.Module == "" {
		t.Errorf("info: %s", info)
	}

	// Pointers that are not the host's buffers get an error, not a trap.
	for _, args := range [][2]uint64{{0, 10}, {8, 4}, {1 << 31, 1}, {uint64(in.buf) + 1, 1}} {
		res, err := in.call(ctx, in.decide, args[0], args[1])
		if err != nil {
			t.Fatalf("decide(%d, %d) trapped: %v", args[0], args[1], err)
		}
		out, _ := in.read(res[0], nil)
		if !bytes.Contains(out, []byte(`"bad_pointer"`)) {
			t.Errorf("decide(%d, %d) = %s", args[0], args[1], out)
		}
	}
	// consent_alloc refuses sizes out of range.
	for _, size := range []uint64{0, 1 << 31, 5 << 20} {
		if res, err := in.call(ctx, in.alloc, size); err != nil || res[0] != 0 {
			t.Errorf("alloc(%d) = %v, %v; want 0", size, res, err)
		}
	}
}

// TestLoadBundle: only a newer bundle of the same policy signed by a
// trusted key replaces the active one; a rejected one leaves it in place.
func TestLoadBundle(t *testing.T) {
	ctx := context.Background()
	in := instance(t)
	setup(t)
	unsigned, err := bundlePayloadEnvelope(envelopes["revision"])
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(envelopes["revision"], []byte(`"2023-09-01"`), []byte(`"2023-09-02"`), 1)
	for name, c := range map[string]struct {
		env  []byte
		code string
	}{
		"not JSON":     {[]byte("hello"), "bad_bundle"},
		"empty":        {nil, "bad_bundle"},
		"unsigned":     {unsigned, "bad_signature"},
		"tampered":     {tampered, "bad_bundle"},
		"same version": {envelopes["reference"], "older_version"},
	} {
		out, err := in.LoadBundle(ctx, c.env)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Contains(out, []byte(`"code":"`+c.code+`"`)) {
			t.Errorf("%s: got %s, want %s", name, out, c.code)
		}
		info, _ := in.Info(ctx)
		if !bytes.Contains(info, []byte(`"version":"2022-03-29"`)) {
			t.Fatalf("%s: a rejected bundle changed the active one: %s", name, info)
		}
	}
	out, err := in.LoadBundle(ctx, envelopes["revision"])
	if err != nil || !bytes.Contains(out, []byte(`"ok":true`)) || !bytes.Contains(out, []byte(`"version":"2023-09-01"`)) {
		t.Fatalf("load the revision: %v %s", err, out)
	}
	out, _ = in.LoadBundle(ctx, envelopes["reference"])
	if !bytes.Contains(out, []byte(`"older_version"`)) {
		t.Errorf("an older bundle after a newer one: %s", out)
	}
}

// bundlePayloadEnvelope strips the signatures of an envelope.
func bundlePayloadEnvelope(env []byte) ([]byte, error) {
	var e map[string]json.RawMessage
	if err := json.Unmarshal(env, &e); err != nil {
		return nil, err
	}
	e["signatures"] = json.RawMessage(`[]`)
	return json.Marshal(map[string]json.RawMessage{"hash": e["hash"], "payload": e["payload"], "signatures": e["signatures"]})
}

package wasmhost

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// FuzzModule feeds arbitrary bytes to consent_decide and
// consent_load_bundle through wazero: every answer must be JSON holding a
// response or an error, the instance must not trap, and a valid request
// afterwards must get exactly the answer a fresh instance gives.
// `make test` runs the seed corpus in testdata/fuzz/FuzzModule.
func FuzzModule(f *testing.F) {
	setup(f)
	ctx := context.Background()
	fresh, err := module.Instantiate(ctx)
	if err != nil {
		f.Fatal(err)
	}
	good := []byte(`{"now":"2026-03-01T10:00:00+08:00","locale":"zh-CN","device":{"platform":"android","version":"33"},"event":{"type":"enter","scenario":"loan_apply","step":"apply"}}`)
	want, err := fresh.Decide(ctx, good)
	if err != nil {
		f.Fatal(err)
	}
	fresh.Close(ctx)

	f.Add(false, good)
	f.Add(false, []byte(`{"now":`))
	f.Add(false, []byte(`{"now":"2026-03-01T10:00:00Z","device":{"platform":"ios","version":"17.2"},"os":{"camera":"denied"},"state":{"v":1,"policy":"msxf","accepted":"2022-03-29","hash":"0000000000000000"},"event":{"type":"launch"}}`))
	f.Add(false, bytes.Repeat([]byte("["), 1000))
	f.Add(true, []byte(`{"hash":"sha256:00","payload":{},"signatures":[]}`))
	f.Add(true, envelopes["revision"][:200])
	f.Add(true, []byte("\xff\xfe"))

	in, err := module.Instantiate(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, bundle bool, data []byte) {
		if in.Closed() {
			t.Fatal("an earlier input closed the instance")
		}
		var out []byte
		var err error
		if bundle {
			out, err = in.LoadBundle(ctx, data)
		} else {
			out, err = in.Decide(ctx, data)
		}
		if err != nil {
			t.Fatalf("the module failed on %q: %v", data, err)
		}
		var r map[string]json.RawMessage
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("not JSON: %v: %q -> %s", err, data, out)
		}
		_, isErr := r["error"]
		_, isOK := r["ok"]
		_, isResponse := r["actions"]
		if !isErr && !isOK && !isResponse {
			t.Fatalf("neither a response nor an error: %q -> %s", data, out)
		}
		got, err := in.Decide(ctx, good)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) && !isOK { // a loaded bundle may change the answer
			t.Fatalf("after %q a valid request gets\n%s\nnot\n%s", data, got, want)
		}
	})
}

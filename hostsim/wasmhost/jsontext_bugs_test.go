package wasmhost

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// The JSON reader's bugs of issue 9 (item 8) through the module, as
// engine/jsontext_bugs_test.go has them through the native engine: bytes
// after a NUL, repeated names, invalid UTF-8, in requests, states and
// bundles loaded with consent_load_bundle.

const (
	bugNow    = `"now":"2026-03-01T10:00:00+08:00"`
	bugDevice = `"device":{"platform":"android","version":"33"}`
	bugLaunch = `"event":{"type":"launch"}`
)

func bugRequest(members ...string) string { return "{" + strings.Join(members, ",") + "}" }

type bugAnswer struct {
	Error    *struct{ Code, Message, Field string }
	Actions  []struct{ Type, Change string }
	State    json.RawMessage
	Receipts []struct{ Time string }
	Trace    []struct{ Rule, Detail string }
}

// bugDecide decides on the module and natively: both answers must be the
// same bytes.
func bugDecide(t *testing.T, in *Instance, request string) (bugAnswer, []byte) {
	t.Helper()
	out, err := in.Decide(context.Background(), []byte(request))
	if err != nil {
		t.Fatal(err)
	}
	if native := nativeEngine(t, "reference").Decide(nil, []byte(request)); !bytes.Equal(out, native) {
		t.Errorf("the module and the engine differ on %q:\nwasm   %s\nnative %s", request, out, native)
	}
	var a bugAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatalf("the answer is not JSON: %v: %s", err, out)
	}
	return a, out
}

// TestModuleRequestBugs: after a request, a NUL and anything else is
// bad_json; a name given twice, at any level, is duplicate_field; invalid
// UTF-8 is bad_utf8; and escaped strings keep their values.
func TestModuleRequestBugs(t *testing.T) {
	in := instance(t)
	good := bugRequest(bugNow, bugDevice, bugLaunch)
	for _, c := range []struct{ name, request, code, field string }{
		{"NUL after", good + "\x00", "bad_json", ""},
		{"JSON after a NUL", good + "\x00{\"x\":[[[", "bad_json", ""},
		{"a second document", good + " {}", "bad_json", ""},
		{"now twice", bugRequest(bugNow, bugDevice, bugLaunch, `"no\u0077":"2026-03-01T10:00:00Z"`), "duplicate_field", "now"},
		{"device.platform twice", bugRequest(bugNow, `"device":{"platform":"android","version":"33","platform":"ios"}`, bugLaunch), "duplicate_field", "device.platform"},
		{"os.camera twice", bugRequest(bugNow, bugDevice, `"os":{"camera":"granted","camera":"denied"}`, bugLaunch), "duplicate_field", "os.camera"},
		{"event.step twice", bugRequest(bugNow, bugDevice, `"event":{"type":"enter","scenario":"loan_apply","step":"apply","step":"x"}`), "duplicate_field", "event.step"},
		{"invalid UTF-8", bugRequest(bugNow, bugDevice, "\"locale\":\"zh\xff\"", bugLaunch), "bad_utf8", "locale"},
		{"a lone surrogate", bugRequest(bugNow, bugDevice, `"locale":"zh\udc00"`, bugLaunch), "bad_utf8", "locale"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, out := bugDecide(t, in, c.request)
			if a.Error == nil || a.Error.Code != c.code || (a.Error.Field != c.field && !(c.code == "bad_utf8" && a.Error.Field == "")) {
				t.Errorf("got %s; want %s naming %q", out, c.code, c.field)
			}
		})
	}
	// An escaped now is the receipt's time, whatever is escaped after it.
	a, out := bugDecide(t, in, bugRequest(`"now":"2026-03-01T10:00:00+08:0\u0030"`, bugDevice, `"event":{"type":"policy_\u0061nswer","\u0061ccepted":true}`))
	if len(a.Receipts) != 1 || a.Receipts[0].Time != "2026-03-01T10:00:00+08:00" {
		t.Errorf("the receipt's time: %s", out)
	}
}

// TestModuleStateBugs: a state with a name given twice or a lone
// surrogate escape is a fresh install with a STATE entry, not an error.
func TestModuleStateBugs(t *testing.T) {
	in := instance(t)
	var state string
	for _, ev := range []string{`{"type":"launch"}`, `{"type":"policy_answer","accepted":true}`} {
		members := []string{bugNow, bugDevice, `"event":` + ev}
		if state != "" {
			members = append(members, `"state":`+state)
		}
		a, out := bugDecide(t, in, bugRequest(members...))
		if a.State == nil {
			t.Fatalf("%s", out)
		}
		state = string(a.State)
	}
	for name, st := range map[string]string{
		"accepted twice": strings.Replace(state, `"accepted":"2022-03-29"`, `"accepted":"2022-03-29","accepted":"2022-03-29"`, 1),
		"v twice":        strings.Replace(state, `{"v":2,`, `{"v":2,"\u0076":2,`, 1),
		"lone surrogate": strings.Replace(state, `"policy":"msxf"`, `"policy":"msxf\ud800"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if st == state {
				t.Fatalf("the state %s was not changed", state)
			}
			a, out := bugDecide(t, in, bugRequest(bugNow, bugDevice, `"state":`+st, bugLaunch))
			if a.Error != nil || len(a.Actions) != 1 || a.Actions[0].Change != "first" || len(a.Trace) == 0 || a.Trace[0].Rule != "STATE" {
				t.Errorf("want a fresh install with a STATE entry first; got %s", out)
			}
		})
	}
}

// signedEnvelope signs a payload with the test key by hand: bundle.Seal
// and bundle.Sign refuse a payload that readers would read differently.
func signedEnvelope(t *testing.T, payload []byte) []byte {
	t.Helper()
	key, err := prompts.ReadPrivateKey(filepath.Join(prompttest.Must(t).Root, prompttest.TestKey))
	if err != nil {
		t.Fatal(err)
	}
	sig := ed25519.Sign(key, append([]byte("jitconsent bundle v1\n"), payload...))
	var b bytes.Buffer
	b.WriteString(`{"hash":"` + bundle.Hash(payload) + `","payload":`)
	b.Write(payload)
	b.WriteString(`,"signatures":[{"alg":"ed25519","key":"` + bundle.KeyID(key.Public().(ed25519.PublicKey)) +
		`","sig":"` + base64.StdEncoding.EncodeToString(sig) + `"}]}`)
	return b.Bytes()
}

// TestModuleBadBundles: consent_load_bundle answers bad_bundle, naming
// the cause, for a signed bundle (the revision, which it would take) with
// a repeated name, invalid UTF-8 or data after it, and keeps its bundle.
func TestModuleBadBundles(t *testing.T) {
	setup(t)
	ctx := context.Background()
	env := envelopes["revision"]
	payload, err := bundle.Payload(env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Open(signedEnvelope(t, payload), nil); err == nil || !strings.Contains(err.Error(), "no signature by a trusted key") {
		t.Fatalf("the signature by hand: %v", err)
	}
	spoil := func(old, new string) []byte {
		p := bytes.Replace(payload, []byte(old), []byte(new), 1)
		if bytes.Equal(p, payload) {
			t.Fatalf("the payload has no %q", old)
		}
		return signedEnvelope(t, p)
	}
	end := bytes.LastIndexByte(env, '}') + 1
	for _, c := range []struct {
		name string
		env  []byte
		want string
	}{
		{"sdks twice", spoil(`"sdks":[`, `"sdks":[],"sdks":[`), `duplicate name \"sdks\" in payload at byte`},
		{"permissions twice", spoil(`"permissions":[`, `"permissions":[],"permissions":[`), `duplicate name \"permissions\" in payload`},
		{"scenarios twice", spoil(`"scenarios":[`, `"scenarios":[],"scenarios":[`), `duplicate name \"scenarios\" in payload`},
		{"a text twice", spoil(`"texts":{"en":{`, `"texts":{"en":{"policy.title":"x",`), `duplicate name \"policy.title\" in payload`},
		{"invalid UTF-8", spoil("隐私政策", "隐私\xff政策"), "payload: invalid UTF-8 at byte"},
		{"a lone surrogate", spoil("隐私政策", `隐私\ud800政策`), "payload: lone UTF-16 surrogate at byte"},
		{"NUL after the envelope", append(bytes.Clone(env[:end]), 0), "data after the envelope at byte " + strconv.Itoa(end)},
		{"JSON after a NUL", append(bytes.Clone(env[:end]), "\x00{\"payload\":[[["...), "data after the envelope at byte " + strconv.Itoa(end)},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := instance(t)
			before, err := in.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out, err := in.LoadBundle(ctx, c.env)
			if err != nil {
				t.Fatal(err)
			}
			var a bugAnswer
			if err := json.Unmarshal(out, &a); err != nil || a.Error == nil || a.Error.Code != "bad_bundle" || !strings.Contains(string(out), c.want) {
				t.Errorf("got %s; want bad_bundle: ...%s...", out, c.want)
			}
			if after, _ := in.Info(ctx); !bytes.Equal(after, before) {
				t.Errorf("a rejected bundle changed the module:\n%s\n%s", before, after)
			}
			if out, err := in.LoadBundle(ctx, env); err != nil || !bytes.Contains(out, []byte(`"ok":true`)) {
				t.Errorf("the revision unspoilt: %v %s", err, out)
			}
		})
	}
}

// BenchmarkModules measures modules side by side, in one run: the shipped
// test module (wasmtest.Test) and any others named in JSONTEXT_MODULES
// ("name=path,name=path"), such as the same module built on another JSON
// reader (RATIONALE.md, "Why do we keep the hand-written JSON scanner?").
// For each: its size raw, gzip -9 and brotli 11; a decision (the
// representative request of BenchmarkDecide); a fresh instance's first
// decision, instantiation and the opening of the embedded bundle
// included; the opening alone (consent_info on a fresh instance: the
// embedded bundle read and engine.New); instantiation alone; and loading
// the signed revision bundle.
func BenchmarkModules(b *testing.B) {
	setup(b)
	ctx := context.Background()
	modules := [][2]string{{"hand", wasmtest.Path(b, wasmtest.Test)}}
	if list := strings.TrimSpace(os.Getenv("JSONTEXT_MODULES")); list != "" {
		modules = modules[:0]
		for _, m := range strings.Split(list, ",") {
			name, path, _ := strings.Cut(m, "=")
			modules = append(modules, [2]string{name, path})
		}
	}
	for _, m := range modules {
		wasm, err := os.ReadFile(m[1])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(m[0]+"/size", func(b *testing.B) {
			var gz, br bytes.Buffer
			for b.Loop() {
				gz.Reset()
				br.Reset()
				compress(&gz, &br, wasm)
			}
			b.ReportMetric(float64(len(wasm)), "raw-bytes")
			b.ReportMetric(float64(gz.Len()), "gzip-bytes")
			b.ReportMetric(float64(br.Len()), "brotli-bytes")
		})
		compiled, err := Compile(ctx, wasm, Config{CacheDir: cacheDir()})
		if err != nil { // not a module of this ABI: its size only
			b.Logf("%s: %v", m[0], err)
			continue
		}
		b.Cleanup(func() { compiled.Close(ctx) })
		b.Run(m[0]+"/decide", func(b *testing.B) {
			in, err := compiled.Instantiate(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer in.Close(ctx)
			req := benchRequest(b, func(r []byte) []byte { out, _ := in.Decide(ctx, r); return out })
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.Decide(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
		req := conformance.Request("2026-03-01T10:00:00+08:00", "zh-CN", conformance.Device{Platform: "android", Version: "33"}, nil, nil, []byte(`{"type":"launch"}`))
		b.Run(m[0]+"/first-decision", func(b *testing.B) {
			for b.Loop() {
				in, err := compiled.Instantiate(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if out, err := in.Decide(ctx, req); err != nil || !bytes.Contains(out, []byte(`"show_policy"`)) {
					b.Fatalf("%v %s", err, out)
				}
				in.Close(ctx)
			}
		})
		b.Run(m[0]+"/open", func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				in, err := compiled.Instantiate(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if out, err := in.Info(ctx); err != nil || !bytes.Contains(out, []byte(`"hash"`)) {
					b.Fatalf("%v %s", err, out)
				}
				b.StopTimer()
				in.Close(ctx)
				b.StartTimer()
			}
		})
		b.Run(m[0]+"/instantiate", func(b *testing.B) {
			for b.Loop() {
				in, err := compiled.Instantiate(ctx)
				if err != nil {
					b.Fatal(err)
				}
				in.Close(ctx)
			}
		})
		b.Run(m[0]+"/load-bundle", func(b *testing.B) {
			in, err := compiled.Instantiate(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer in.Close(ctx)
			if _, err := in.Info(ctx); err != nil { // the embedded bundle opened first
				b.Fatal(err)
			}
			env := envelopes["revision"]
			for b.Loop() {
				// The revision is newer than the embedded bundle and
				// not newer than itself: every load after the first
				// reads, verifies and builds it, then answers
				// older_version.
				if _, err := in.LoadBundle(ctx, env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// compress writes wasm gzip -9 to gz and brotli 11 to br, as
// BenchmarkModuleSize does.
func compress(gz, br *bytes.Buffer, wasm []byte) {
	zw, _ := gzip.NewWriterLevel(gz, gzip.BestCompression)
	zw.Write(wasm)
	zw.Close()
	bw := brotli.NewWriterLevel(br, brotli.BestCompression)
	bw.Write(wasm)
	bw.Close()
}

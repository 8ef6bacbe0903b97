package firstlaunch_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/firstlaunch"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

// TestModuleAgrees: the file computed natively from the bundle the module
// embeds equals, for every locale and platform, the module's own answer
// to the launch in wazero, byte for byte; and the module's bundle is the
// file's. (wasm/js/test/firstlaunch.test.mjs checks make's
// dist/first-launch.json against dist/consent.wasm the same way in Node.)
func TestModuleAgrees(t *testing.T) {
	env, err := os.ReadFile(wasmtest.Bundle(t))
	if err != nil {
		t.Fatal(err)
	}
	f, err := firstlaunch.Compute(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := wasmhost.Compile(ctx, wasmtest.Read(t, wasmtest.Shipped), wasmhost.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	in, err := m.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, err := in.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), `"hash":"`+f.Bundle+`"`) {
		t.Errorf("the module's bundle is not the file's %s: %s", f.Bundle, info)
	}
	decide := func(req []byte) ([]byte, error) { return in.Decide(ctx, req) }
	if err := firstlaunch.Verify(f, decide); err != nil {
		t.Error(err)
	}
	// The check is not blind: a file with one entry changed fails it.
	f.Actions["zh-TW"]["harmonyos"] = f.Actions["en"]["harmonyos"]
	if err := firstlaunch.Verify(f, decide); err == nil || !strings.Contains(err.Error(), "actions.zh-TW.harmonyos:") {
		t.Errorf("a wrong entry passed: %v", err)
	}
}

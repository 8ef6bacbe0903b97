// Package wasmtest builds the consent module for tests, so that every test
// that runs it stands alone on a fresh clone: no `make wasm` first, and no
// test reads or writes dist/.
//
// The first call for a variant builds it into a temporary folder of the
// test binary, with the flags of the Makefile's `make wasm` and
// `make wasm-test`; later calls return the same file. The bundle the module
// embeds (wasm/bundle.json, which `make wasm` copies from dist/) is compiled
// from the policy's source by prompts/prompttest and handed to the build
// with `go build -overlay`: nothing is written into the source tree, so
// packages tested in parallel, each in its own test binary, never race on a
// shared file.
//
// A package whose tests use it calls Main from its TestMain, which removes
// the folder when the tests end:
//
//	func TestMain(m *testing.M) { wasmtest.Main(m) }
//
// # Notes
//
// Path, Read and Bundle are safe to call from parallel tests: each variant
// is built once per test binary. The go command comes from PATH, where
// `go test` puts its own GOROOT/bin first. A build takes a few seconds with
// a warm build cache; the first one on a machine compiles the engine for
// wasm and takes longer.
package wasmtest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/gotables"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// Variant is a build of the module, named as `make` names its file in
// dist/ without the extension.
type Variant string

// The variants the Makefile builds.
const (
	// Shipped is consent.wasm (make wasm): it trusts keys/release.pub to
	// sign bundles given to consent_load_bundle.
	Shipped Variant = "consent"
	// Test is consent-test.wasm (make wasm-test): the shipped module that
	// also trusts the test key of hostsim/testdata/keys, whose private half
	// signs prompttest's envelopes.
	Test Variant = "consent-test"
	// Faulty is consent-faulty.wasm (make wasm-test): the test module built
	// with the consentfaults tag (wasm/faults.go), where withdrawing
	// calendar never returns and withdrawing contacts traps. It trusts the
	// test module's keys, so that the simulator's random journeys, which
	// load policy updates signed with the test key, run on it too.
	Faulty Variant = "consent-faulty"
)

// builds say how each variant is built: its build tags and the public
// keys, relative to the repository root, it trusts to sign bundles and
// checkpoints (service).
var builds = map[Variant]struct {
	tags          string
	keys, service []string
}{
	Shipped: {keys: []string{"keys/release.pub"}},
	Test:    {keys: []string{"keys/release.pub", "hostsim/testdata/keys/test.pub"}, service: []string{ServiceKey}},
	Faulty:  {tags: "consentfaults", keys: []string{"keys/release.pub", "hostsim/testdata/keys/test.pub"}},
}

// ServiceKey is the test consent-record service's public key, relative
// to the repository root, which the test variant trusts to sign
// checkpoints; its private half (service.key beside it) signs those of
// the conformance cases.
const ServiceKey = "hostsim/testdata/keys/service.pub"

var (
	mu      sync.Mutex
	started bool                  // Main runs the tests
	dir     string                // the folder of this test binary's builds
	files   = map[string]*built{} // by name: a variant's .wasm, bundle.json, overlay.json
)

// built is a file of the folder, made once; ready is closed when it is.
type built struct {
	ready chan struct{}
	path  string
	err   error
}

// Main runs the tests of a package, removes the folder of its builds, and
// exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	mu.Lock()
	started = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	if dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, "wasmtest:", err)
		}
	}
	mu.Unlock()
	os.Exit(code)
}

// Path returns the file of a variant, building it on the first call. It
// fails the test when the module cannot be built.
func Path(t testing.TB, v Variant) string {
	t.Helper()
	if _, ok := builds[v]; !ok {
		t.Fatalf("wasmtest: no variant %q (Shipped, Test or Faulty)", v)
	}
	return must(t)(file(string(v)+".wasm", func(path string) error { return build(t, v, path) }))
}

// Read returns the bytes of a variant, building it on the first call.
func Read(t testing.TB, v Variant) []byte {
	t.Helper()
	data, err := os.ReadFile(Path(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Bundle returns the file of the bundle every variant embeds, as
// `make bundle` writes dist/bundle.json: the shipped policy compiled from
// source and sealed, unsigned.
func Bundle(t testing.TB) string {
	t.Helper()
	return must(t)(bundleFile())
}

// must checks that Main runs the tests, and fails the test on an error.
func must(t testing.TB) func(string, error) string {
	t.Helper()
	mu.Lock()
	ok := started
	mu.Unlock()
	if !ok {
		t.Fatal("wasmtest: the package's TestMain must call wasmtest.Main(m), which removes the builds when the tests end")
	}
	return func(path string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("wasmtest: %v", err)
		}
		return path
	}
}

// file makes a file of the folder the first time it is asked for, and
// returns it; a failure is every caller's.
func file(name string, write func(path string) error) (string, error) {
	mu.Lock()
	if dir == "" {
		d, err := os.MkdirTemp("", "wasmtest-")
		if err != nil {
			mu.Unlock()
			return "", err
		}
		dir = d
	}
	b, made := files[name]
	if !made {
		b = &built{ready: make(chan struct{}), path: filepath.Join(dir, name)}
		files[name] = b
	}
	mu.Unlock()
	if !made {
		func() {
			defer close(b.ready)
			b.err = write(b.path)
		}()
	}
	<-b.ready
	return b.path, b.err
}

// bundleFile writes, once, the reference bundle as an unsigned envelope.
func bundleFile() (string, error) {
	return file("bundle.json", func(path string) error {
		c, err := prompttest.Load()
		if err != nil {
			return err
		}
		env, err := prompts.Marshal(c.Bundles["reference"])
		if err != nil {
			return err
		}
		return os.WriteFile(path, env, 0o644)
	})
}

// overlayFile writes, once, the overlay that gives a build the engine's
// tables for the bundle file (gotables.Source, as promptc tables
// writes them) in place of engine/tables_gen.go.
func overlayFile(root string) (string, error) {
	return file("overlay.json", func(path string) error {
		tables, err := file("tables_gen.go", func(path string) error {
			bundle, err := bundleFile()
			if err != nil {
				return err
			}
			env, err := os.ReadFile(bundle)
			if err != nil {
				return err
			}
			src, err := gotables.Source(env)
			if err != nil {
				return err
			}
			return os.WriteFile(path, src, 0o644)
		})
		if err != nil {
			return err
		}
		data, err := json.Marshal(map[string]map[string]string{
			"Replace": {filepath.Join(root, "engine", "tables_gen.go"): tables},
		})
		if err != nil {
			return err
		}
		return os.WriteFile(path, data, 0o644)
	})
}

// build builds a variant into path as the Makefile does:
//
//	GOWASM=satconv,signext GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -tags consent_tables \
//	    -ldflags="-s -w -X main.moduleVersion=... -X main.trustedKeys=... -X main.serviceKeys=..." ./wasm
//
// with the bundle's tables put in place of engine/tables_gen.go by an
// overlay, and logs
// how long it took.
func build(t testing.TB, v Variant, path string) error {
	root, err := prompttest.Root()
	if err != nil {
		return err
	}
	overlay, err := overlayFile(root)
	if err != nil {
		return err
	}
	b := builds[v]
	ldflags := "-s -w -X main.moduleVersion=wasmtest" + strings.TrimPrefix(string(v), "consent")
	for _, k := range []struct {
		name  string
		files []string
	}{{"trustedKeys", b.keys}, {"serviceKeys", b.service}} {
		if len(k.files) == 0 {
			continue
		}
		var files []string
		for _, f := range k.files {
			files = append(files, filepath.Join(root, f))
		}
		keys, err := prompts.TrustedKeys(files...) // as promptc pubkeys prints them
		if err != nil {
			return err
		}
		ldflags += " -X main." + k.name + "=" + keys
	}
	args := []string{"build", "-buildmode=c-shared", "-trimpath", "-overlay", overlay, "-ldflags", ldflags, "-o", path}
	tags := engine.TablesTag
	if b.tags != "" {
		tags += "," + b.tags
	}
	args = append(args, "-tags", tags)
	cmd := exec.Command("go", append(args, "./wasm")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWASM=satconv,signext", "GOOS=wasip1", "GOARCH=wasm")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: go %s ./wasm: %v\n%s", v, strings.Join(args, " "), err, out)
	}
	t.Logf("wasmtest: built %s.wasm in %s", v, time.Since(start).Round(time.Millisecond))
	return nil
}

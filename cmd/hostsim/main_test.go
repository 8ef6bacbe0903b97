package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// TestMain runs the command from the repository root, as make does, on
// modules that wasmtest builds for this test binary.
func TestMain(m *testing.M) {
	if os.Getenv(asCommandEnv) == "1" { // a worker process of fuzz
		os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
	}
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	wasmtest.Main(m)
}

// on adds to a command line the flags that name a variant of the module
// and its bundle.
func on(t *testing.T, v wasmtest.Variant, args ...string) []string {
	return append(args, "--wasm", wasmtest.Path(t, v), "--bundle", wasmtest.Bundle(t))
}

func hostsimCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunAndReports(t *testing.T) {
	dir := t.TempDir()
	// A deadline is not what this test is about: a generous one keeps it
	// from failing on a loaded machine.
	code, out, errOut := hostsimCmd(t, on(t, wasmtest.Test, "run", "--timeout", "1m",
		"--json", filepath.Join(dir, "r.json"), "--junit", filepath.Join(dir, "r.xml"), "--html", filepath.Join(dir, "r.html"),
		"--record", filepath.Join(dir, "record"),
		"hostsim/testdata/journeys", "examples/journeys")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// The record: every run's receipts, chains with no fault, each text
	// one of the bundles written beside them shows.
	data, err := os.ReadFile(filepath.Join(dir, "record", "receipts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	chain, err := ledger.Parse(data)
	if err != nil || len(chain) < 100 {
		t.Fatalf("the record's receipts: %d, %v", len(chain), err)
	}
	bs, err := ledger.LoadBundles(nil, filepath.Join(dir, "record", "bundles"))
	if err != nil || bs.Len() != 3 {
		t.Fatalf("the record's bundles: %v", err)
	}
	if rep := ledger.Verify(chain, ledger.Options{Bundles: bs}); len(rep.Faults) > 0 || rep.TextsChecked == 0 {
		t.Errorf("the record does not verify: %d texts checked, faults %v", rep.TextsChecked, rep.Faults[:min(3, len(rep.Faults))])
	}
	if !strings.Contains(out, "0 failed") || !strings.Contains(out, "PRECONSENT  0") {
		t.Errorf("summary:\n%s", out)
	}
	var js struct {
		Results []struct{ Journey, Device string }
		Failed  int
	}
	data, _ = os.ReadFile(filepath.Join(dir, "r.json"))
	if err := json.Unmarshal(data, &js); err != nil || len(js.Results) == 0 || js.Failed != 0 {
		t.Errorf("JSON report: %v %s", err, data[:min(200, len(data))])
	}
	var ju struct {
		Suites []struct {
			Tests int `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	data, _ = os.ReadFile(filepath.Join(dir, "r.xml"))
	if err := xml.Unmarshal(data, &ju); err != nil || len(ju.Suites) == 0 {
		t.Errorf("JUnit report: %v", err)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "r.html"))
	if !bytes.Contains(data, []byte(`class="phone"`)) || !bytes.Contains(data, []byte("隐私政策")) {
		t.Error("the HTML report has no phone timeline")
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("name = \"x\"\ndevices = [\"android-33\"]\n\n[[do]]\ndo = \"launch\"\nsceanrio = \"loan_apply\"\n"), 0o644)
	code, _, errOut := hostsimCmd(t, "run", bad)
	if code != 1 || !strings.Contains(errOut, "bad.toml:6:1") || !strings.Contains(errOut, "sceanrio") {
		t.Errorf("a misspelt key: exit %d, %s", code, errOut)
	}
	unknown := filepath.Join(dir, "unknown.toml")
	os.WriteFile(unknown, []byte("name = \"x\"\ndevices = [\"nokia-3310\"]\n\n[[do]]\ndo = \"launch\"\n"), 0o644)
	code, _, errOut = hostsimCmd(t, "run", unknown)
	if code != 1 || !strings.Contains(errOut, "android-33") || !strings.Contains(errOut, "unknown.toml:2") {
		t.Errorf("an unknown profile: exit %d, %s", code, errOut)
	}
	code, _, errOut = hostsimCmd(t, "run", "--wasm", filepath.Join(dir, "missing.wasm"), "--bundle", wasmtest.Bundle(t), "hostsim/testdata/journeys")
	if code != 1 || !strings.Contains(errOut, "missing.wasm") {
		t.Errorf("a missing module: exit %d, %s", code, errOut)
	}
	corrupt := filepath.Join(dir, "corrupt.wasm")
	os.WriteFile(corrupt, []byte("\x00asm garbage"), 0o644)
	code, _, errOut = hostsimCmd(t, "run", "--wasm", corrupt, "--bundle", wasmtest.Bundle(t), "hostsim/testdata/journeys")
	if code != 1 || !strings.Contains(errOut, "corrupt.wasm") {
		t.Errorf("a corrupt module: exit %d, %s", code, errOut)
	}
}

// TestUpdatesOnTheReleaseModule: journeys that publish a policy update
// cannot run on the release module, which does not trust the key that
// signs the update bundles: the run stops before it starts, with an error
// at each update op's file:line:col that says which module to run; without
// updates the release module plays them.
func TestUpdatesOnTheReleaseModule(t *testing.T) {
	code, out, errOut := hostsimCmd(t, on(t, wasmtest.Shipped, "matrix", "hostsim/testdata/journeys")...)
	if code != 1 || out != "" {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"hostsim/testdata/journeys/minor_update_declined.toml:18:1: bad_signature: do[2].bundle: do = \"update\" loads the bundle \"minor\", but the simulator's update bundles are signed with the test key (hostsim/testdata/keys/test.key, key id ",
		"hostsim/testdata/journeys/major_update_mid_step_declined.toml:18:1: bad_signature: do[2].bundle: do = \"update\" loads the bundle \"revision\", but",
		"consent.wasm does not trust (it trusts ", "so it would refuse them (bad_signature)", "run with --wasm dist/consent-test.wasm",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the error does not say %q:\n%s", want, errOut)
		}
	}
	code, out, errOut = hostsimCmd(t, on(t, wasmtest.Shipped, "run", "hostsim/testdata/journeys/withdraw.toml")...)
	if code != 0 || !strings.Contains(out, "0 failed") {
		t.Errorf("a journey without updates on the release module: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestFuzzFindsNothing(t *testing.T) {
	code, out, errOut := hostsimCmd(t, on(t, wasmtest.Test, "fuzz", "--journeys", "300", "--seed", "7")...)
	if code != 0 || !strings.Contains(out, "no compliance fault; 0 difference(s)") || !strings.Contains(out, "decisions/s") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuch"}, `unknown command "nosuch" for "hostsim"; hostsim --help lists the commands`},
		{[]string{"mtrix"}, `unknown command "mtrix" for "hostsim" (did you mean matrix?)`},
		{[]string{"run"}, "requires at least 1 arg"},
		{[]string{"run", "--nosuch", "x"}, "unknown flag: --nosuch\n"},
		{[]string{"run", "--juint", "r.xml", "x"}, "unknown flag: --juint (did you mean --junit?)"},
		{[]string{"fuzz", "--jurneys", "3"}, "unknown flag: --jurneys (did you mean --journeys?)"},
		{[]string{"fuzz", "extra"}, `unknown command "extra" for "hostsim fuzz"`},
		{[]string{"fuzz", "--journeys", "many"}, `invalid argument "many"`},
		{[]string{"fuzz", "--journeys", "-1"}, "cannot be negative"},
		// compare always runs both engines: it has no --compare, and
		// --native contradicts it.
		{[]string{"compare", "--compare"}, "unknown flag: --compare"},
		{[]string{"compare", "--native"}, "--native runs the native engine instead of the module, and compare runs both"},
		{[]string{"run", "--native", "--compare", "x"}, "and --compare runs both"},
	} {
		if code, _, errOut := hostsimCmd(t, c.args...); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// TestVersion: the simulator's build, the module it would run as its
// consent_info describes it, and the bundle file, said to be the one the
// module carries; a module that is not there is said so, after the build.
func TestVersion(t *testing.T) {
	code, out, errOut := hostsimCmd(t, "--version", "--wasm", wasmtest.Path(t, wasmtest.Test), "--bundle", wasmtest.Bundle(t))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "hostsim ") || !strings.Contains(lines[0], "go1.") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !regexp.MustCompile(`^module .*\.wasm: version \S+, ABI 1, bundle of policy msxf version 2022-03-29 \(sha256:[0-9a-f]{64}\)$`).MatchString(lines[1]) {
		t.Errorf("the module's line: %q", lines[1])
	}
	if !regexp.MustCompile(`^bundle .*: policy msxf version 2022-03-29, format 1 \(sha256:[0-9a-f]{64}, the module's\)$`).MatchString(lines[2]) {
		t.Errorf("the bundle's line: %q", lines[2])
	}
	missing := filepath.Join(t.TempDir(), "none.wasm")
	code, out, _ = hostsimCmd(t, "--version", "--wasm", missing, "--bundle", wasmtest.Bundle(t))
	if code != 0 || !strings.HasPrefix(out, "hostsim ") || !strings.Contains(out, "module "+missing+": not found") || !strings.Contains(out, "policy msxf") {
		t.Errorf("a missing module: exit %d\n%s", code, out)
	}
}

// A module that hangs or traps (wasmtest.Faulty, wasm/faults.go:
// withdrawing calendar never returns, contacts traps) is reported as such;
// the run goes on and exits 1. The deadlines leave room for a loaded
// machine: a call's deadline covers making its instance too, and a worker
// process may wait for a core.
func TestHangsAndTraps(t *testing.T) {
	dir := t.TempDir()
	j := filepath.Join(dir, "faults.toml")
	os.WriteFile(j, []byte(`name = "withdrawals"
devices = ["android-33"]

[[do]]
do = "launch"

[[do]]
do = "withdraw"
permission = "calendar"

[[do]]
do = "withdraw"
permission = "contacts"
`), 0o644)
	code, out, errOut := hostsimCmd(t, on(t, wasmtest.Faulty, "run", "--timeout", "3s", j, "hostsim/testdata/journeys/withdraw.toml")...)
	if code != 1 || !strings.Contains(out, "context deadline exceeded") || !strings.Contains(out, "ok   withdrawal of a permission") {
		t.Errorf("run: exit %d\n%s\n%s", code, out, errOut)
	}

	// Among seeds 160 to 215, seed 182 withdraws contacts (a trap), the
	// first to break a rule, and seed 212 calendar (a hang).
	code, out, errOut = hostsimCmd(t, on(t, wasmtest.Faulty, "fuzz", "--seed", "160", "--journeys", "56", "--timeout", "300ms", "--out", dir)...)
	// The hints repeat the flags that chose the module, its bundle and
	// the deadline: on the defaults they would play another module.
	engine := " --wasm " + wasmtest.Path(t, wasmtest.Faulty) + " --bundle " + wasmtest.Bundle(t) + " --timeout 300ms"
	shrunk := filepath.Join(dir, "seed-182.toml")
	for _, want := range []string{
		"HANG seed 212 on ios-14", "(hostsim fuzz" + engine + " --journeys 1 --seed 212 runs it again)",
		"trapped and were replaced", "seed 182 on android-33: CONTRACT",
		"shrunk to " + shrunk + " (hostsim run" + engine + " " + shrunk + " reproduces it)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("fuzz: no %q in\n%s\n%s", want, out, errOut)
		}
	}
	if code != 1 || !strings.Contains(out, "56 journeys") {
		t.Errorf("fuzz: exit %d\n%s\n%s", code, out, errOut)
	}
	// The command the hint prints, as it is printed, reproduces the trap.
	_, hint, _ := strings.Cut(out, "(hostsim run ")
	hint, _, _ = strings.Cut(hint, " reproduces it)")
	code, out, _ = hostsimCmd(t, append([]string{"run"}, strings.Fields(hint)...)...)
	if code != 1 || !strings.Contains(out, "out of bounds memory access") {
		t.Errorf("hostsim run %s does not reproduce the trap: exit %d\n%s", hint, code, out)
	}
}

// TestEngineArgs: the flags a hint repeats, quoted for a shell.
func TestEngineArgs(t *testing.T) {
	for _, c := range []struct {
		o    fuzzOptions
		want string
	}{
		{fuzzOptions{options: options{wasm: "dist/consent-test.wasm", bundle: "dist/bundle.json", timeout: 2 * time.Second}},
			" --wasm dist/consent-test.wasm --bundle dist/bundle.json --timeout 2s"},
		{fuzzOptions{options: options{wasm: "dist/consent.wasm", bundle: "my bundles/it's.json", native: true, timeout: 300 * time.Millisecond}},
			` --native --bundle 'my bundles/it'\''s.json' --timeout 300ms`},
	} {
		if got := c.o.engineArgs(); got != c.want {
			t.Errorf("engineArgs() = %q, want %q", got, c.want)
		}
	}
	if got := shellQuote(""); got != "''" {
		t.Errorf("shellQuote(\"\") = %q", got)
	}
}

// TestProfiles: every profile on a line, the vendor system and the
// webview with what sets them apart.
func TestProfiles(t *testing.T) {
	code, out, _ := hostsimCmd(t, "profiles")
	for _, want := range []string{"android-25 ", "android-30-vendor  android   30  (a vendor system following T/TAF 108-2022", "webview            web       chrome  (a WASI"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("exit %d; the list does not say %q:\n%s", code, want, out)
		}
	}
}

// TestExamples: every command's help has examples, and each is a command
// line hostsim accepts, on files that exist.
func TestExamples(t *testing.T) {
	for _, err := range cli.CheckExamples(rootCmd()) {
		t.Error(err)
	}
}

package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// workerEnv makes the test binary a worker process of Run: "serve" is a
// real one (Serve on the module and bundle of the variables below), "die"
// says it is ready and dies at the first journey, "broken" dies at once.
const (
	workerEnv = "FUZZ_TEST_WORKER"
	wasmEnv   = "FUZZ_TEST_WASM"
	bundleEnv = "FUZZ_TEST_BUNDLE"
	seedEnv   = "FUZZ_TEST_SEED"
)

func TestMain(m *testing.M) {
	switch os.Getenv(workerEnv) {
	case "":
		wasmtest.Main(m)
	case "serve":
		seed, _ := strconv.ParseUint(os.Getenv(seedEnv), 10, 64)
		cfg := Config{Wasm: os.Getenv(wasmEnv), Bundle: os.Getenv(bundleEnv), Seed: seed}
		if err := Serve(context.Background(), cfg, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "die":
		fmt.Println(`{"i":-1}`)
		fmt.Scanln()
		fmt.Fprintln(os.Stderr, "the worker dies")
		os.Exit(3)
	default:
		fmt.Fprintln(os.Stderr, "no module here")
		os.Exit(2)
	}
}

// worker is a WorkerCommand that starts this test binary in a mode.
func worker(t *testing.T, mode string, seed uint64, v wasmtest.Variant) func() *exec.Cmd {
	env := []string{workerEnv + "=" + mode, seedEnv + "=" + strconv.FormatUint(seed, 10)}
	if mode == "serve" {
		env = append(env, wasmEnv+"="+wasmtest.Path(t, v), bundleEnv+"="+wasmtest.Bundle(t))
	}
	return func() *exec.Cmd {
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), env...)
		return c
	}
}

func policy(t *testing.T) (steps, perms, consents []string) {
	return policyNames(prompttest.Must(t).Bundles["reference"])
}

// TestGenerate: a seed always gives the same journey; journeys start with
// a launch, hold only the simulator's ops on the policy's steps,
// permissions and consents, upgrade only Android, and load at most one
// policy update, one of prompttest's; many seeds reach every profile,
// withdraw consents, set the clock wrong, and load updates at once and
// while a screen waits.
func TestGenerate(t *testing.T) {
	steps, perms, consents := policy(t)
	if len(consents) == 0 {
		t.Fatal("the reference policy names no separate consent")
	}
	kinds := []string{sim.OpLaunch, sim.OpEnter, sim.OpWithdraw, sim.OpWait, sim.OpSettings, sim.OpReinstall, sim.OpUpgrade, sim.OpClock, sim.OpUpdate}
	updates := 0
	profiles := map[string]bool{}
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 500; seed++ {
		c := Generate(seed, steps, perms, consents)
		if again := Generate(seed, steps, perms, consents); !reflect.DeepEqual(c, again) {
			t.Fatalf("seed %d gives two journeys", seed)
		}
		profiles[c.Profile.Name] = true
		if c.Seed != seed || len(c.Ops) < 2 || c.Ops[0].Kind != sim.OpLaunch || !slices.Contains(locales[:], c.Locale) {
			t.Fatalf("seed %d: %+v", seed, c)
		}
		if n := len(slices.DeleteFunc(slices.Clone(c.Ops), func(op sim.Op) bool { return op.Kind != sim.OpUpdate })); n > 1 {
			t.Errorf("seed %d loads %d updates", seed, n)
		}
		for _, op := range c.Ops {
			switch {
			case !slices.Contains(kinds, op.Kind):
				t.Errorf("seed %d: op %q", seed, op.Kind)
			case op.Kind == sim.OpEnter && !slices.Contains(steps, op.Scenario+"/"+op.Step):
				t.Errorf("seed %d: enters %s/%s, not a step of the policy", seed, op.Scenario, op.Step)
			case op.Kind == sim.OpSettings && !slices.Contains(perms, op.Permission):
				t.Errorf("seed %d: settings for %s", seed, op.Permission)
			case op.Kind == sim.OpWithdraw && op.Sensitive != "":
				seen["consent"] = true
				if op.Permission != "" || !slices.Contains(consents, op.Sensitive+"/"+op.Purpose) {
					t.Errorf("seed %d: withdraws %+v", seed, op)
				}
			case op.Kind == sim.OpWithdraw && op.Permission != "policy" && !slices.Contains(perms, op.Permission):
				t.Errorf("seed %d: withdraws %s", seed, op.Permission)
			case op.Kind == sim.OpClock && op.Offset > 0:
				seen["ahead"] = true
			case op.Kind == sim.OpClock && op.Offset == 0:
				seen["right"] = true
			case op.Kind == sim.OpUpgrade && c.Profile.Platform != "android":
				t.Errorf("seed %d: upgrades %s", seed, c.Profile.Name)
			case op.Kind == sim.OpUpdate && (!slices.Contains(prompttest.Updates(), op.Bundle) || op.While != "" && !slices.Contains(sim.UpdateWhile(), op.While)):
				t.Errorf("seed %d: %+v", seed, op)
			case op.Kind == sim.OpUpdate && op.While == "":
				updates++
				seen["update"] = true
			case op.Kind == sim.OpUpdate:
				updates++
				seen["update while "+op.While] = true
			}
		}
	}
	if len(profiles) != len(device.Profiles()) {
		t.Errorf("500 seeds reach %d of %d profiles", len(profiles), len(device.Profiles()))
	}
	if len(seen) != 4+len(sim.UpdateWhile()) {
		t.Errorf("500 seeds: a consent withdrawn, a clock set ahead, a clock set right, an update at once and while each screen waits: %v", seen)
	}
	if updates < 35 || updates > 95 {
		t.Errorf("500 seeds load %d updates, not about one in eight", updates)
	}
}

// TestShrinkOps: ops are dropped while the rule still breaks, whatever
// else breaks, down to those it needs; a rule that needs all keeps all.
func TestShrinkOps(t *testing.T) {
	op := func(kind, perm string) sim.Op { return sim.Op{Kind: kind, Permission: perm} }
	launch, wCam, wLoc, wait, set := op("launch", ""), op("withdraw", "camera"), op("withdraw", "location"), op("wait", ""), op("settings", "camera")
	ops := []sim.Op{launch, wait, wCam, set, wLoc, wait}
	for _, c := range []struct {
		name  string
		fails func([]sim.Op) []string
		want  []sim.Op
	}{
		{"needs a withdrawal of camera after a launch", func(o []sim.Op) []string {
			if i := slices.Index(o, launch); i >= 0 && slices.Contains(o[i:], wCam) {
				return []string{"PRECONSENT", "WITHDRAW"}
			}
			return []string{"PRECONSENT"}
		}, []sim.Op{launch, wCam}},
		{"needs one wait", func(o []sim.Op) []string {
			if slices.Contains(o, wait) {
				return []string{"WITHDRAW"}
			}
			return nil
		}, []sim.Op{wait}},
		{"needs every op", func(o []sim.Op) []string {
			if len(o) == len(ops) {
				return []string{"WITHDRAW"}
			}
			return nil
		}, ops},
	} {
		if got := shrinkOps(slices.Clone(ops), "WITHDRAW", c.fails); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestTOML: the journey file of a shrunk case loads as a journey with the
// case's device, locale, ops and recorded answers.
func TestTOML(t *testing.T) {
	steps, perms, consents := policy(t)
	c := Generate(44, steps, perms, consents)
	c.Ops = append(c.Ops, sim.Op{Kind: sim.OpWait, Wait: 49 * time.Hour}, sim.Op{Kind: sim.OpSettings, Permission: perms[0], On: true},
		sim.Op{Kind: sim.OpClock, Offset: 720 * time.Hour}, sim.Op{Kind: sim.OpWithdraw, Sensitive: "biometrics", Purpose: "loan_identity"},
		sim.Op{Kind: sim.OpClock}, sim.Op{Kind: sim.OpClock, Offset: -2 * time.Hour},
		sim.Op{Kind: sim.OpWithdraw, Permission: "policy"}, sim.Op{Kind: sim.OpReinstall},
		sim.Op{Kind: sim.OpUpdate, Bundle: "minor", While: "request_permission"}, sim.Op{Kind: sim.OpUpdate, Bundle: "revision"})
	user := &sim.Scripted{Policies: []bool{true, false}, Rationales: []bool{false}, Consents: []bool{false, true}, Dialogs: []device.Choice{device.DenyForever, device.Allow}, Switches: []bool{true}}
	file := filepath.Join(t.TempDir(), "seed-44.toml")
	if err := os.WriteFile(file, []byte(TOML(&c, c.Ops, user, "WITHDRAW")), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := journey.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if j.Name != "fuzz seed 44: WITHDRAW" || !reflect.DeepEqual(j.Devices, []string{c.Profile.Name}) || j.Locale != c.Locale {
		t.Errorf("journey %q on %v in %s", j.Name, j.Devices, j.Locale)
	}
	if !reflect.DeepEqual(j.Ops(), c.Ops) {
		t.Errorf("ops\n%v\nwant\n%v", j.Ops(), c.Ops)
	}
	u := j.NewUser()
	if !reflect.DeepEqual(u.Policies, user.Policies) || !reflect.DeepEqual(u.Rationales, user.Rationales) ||
		!reflect.DeepEqual(u.Dialogs, user.Dialogs) || !reflect.DeepEqual(u.Switches, user.Switches) || !reflect.DeepEqual(u.Consents, user.Consents) {
		t.Errorf("user %+v, want %+v", u, user)
	}
}

// TestText: the summary counts, lists every hang, crash and difference
// with its seed, and ends with the verdict: the first journey that broke a
// rule, or none.
func TestText(t *testing.T) {
	ok := Outcome{Profile: "ios-17", Decisions: 10, EngineNs: 50_000, NativeNs: 10_000}
	hang := Outcome{I: 2, Profile: "android-33", Hang: "no answer in 1s"}
	crash := Outcome{I: 3, Profile: "wechat", Crash: "the worker process ended"}
	diff := Outcome{I: 4, Profile: "web", Decisions: 5, Diff: "request 2 (launch): ..."}
	fault := func(i int) Outcome {
		return Outcome{I: i, Profile: "webview", Decisions: 3, Faults: 2, Rule: "CONTRACT", Fault: "CONTRACT at request 2"}
	}
	for _, c := range []struct {
		name   string
		res    Result
		ok     bool
		want   []string
		unseen []string
	}{
		{"clean", Result{Seed: 100, Workers: 2, Outcomes: []Outcome{ok, ok}, Peaks: []int64{64 << 20, 32 << 20}, Memory: 10 << 20}, true,
			[]string{"2 journeys, 20 decisions", "on 2 worker processes", "module 5.0 us, native 1.0 us on the same 1 sampled journeys: 5.0x",
				"simulator memory: 10 MiB from the OS here, at most 64 MiB peak in each worker process (138 MiB in all)",
				"no compliance fault; 0 difference(s) between the module and the native engine"},
			[]string{"HANG", "CRASH", "DIFF", "broke"}},
		{"native", Result{Seed: 1, Native: true, Workers: 3, Outcomes: []Outcome{{Decisions: 4, EngineNs: 8000}}}, true,
			[]string{"on 3 workers, the native engine", "engine time per decision: 2.0 us", "simulator memory: 0 MiB from the OS\n", "no compliance fault\n"},
			[]string{"worker process", "difference"}},
		{"faults", Result{Seed: 100, Workers: 1, Outcomes: []Outcome{ok, fault(1), hang, crash, diff, fault(5)}, Peaks: []int64{0}}, false,
			[]string{"HANG seed 102 on android-33: no answer in 1s; the worker process was killed and replaced (hostsim fuzz --journeys 1 --seed 102 runs it again)",
				"CRASH seed 103 on wechat: the worker process ended", "DIFF seed 104 on web: request 2 (launch)",
				"2 journeys broke a rule; the first: seed 101 on webview: CONTRACT at request 2"},
			[]string{"no compliance fault"}},
		{"a hang alone", Result{Workers: 1, Outcomes: []Outcome{hang}, Peaks: []int64{0}}, false,
			[]string{"HANG seed 2", "no compliance fault; 0 difference(s)"}, nil},
	} {
		c.res.Elapsed = time.Second
		var b bytes.Buffer
		c.res.Text(&b)
		if c.res.OK() != c.ok {
			t.Errorf("%s: OK %v", c.name, c.res.OK())
		}
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, b.String())
			}
		}
		for _, w := range c.unseen {
			if strings.Contains(b.String(), w) {
				t.Errorf("%s: %q in\n%s", c.name, w, b.String())
			}
		}
	}
	var b bytes.Buffer
	(&Result{Native: true, Workers: 1}).Text(&b)
	if !strings.HasPrefix(b.String(), "0 journeys, 0 decisions in 0s: 0 decisions/s") {
		t.Errorf("no journeys: %q", b.String())
	}
	res := Result{Outcomes: []Outcome{ok, fault(1), hang, fault(5)}}
	if f := res.Failing(); len(f) != 2 || f[0].I != 1 || f[1].I != 5 {
		t.Errorf("failing: %+v", f)
	}
}

// TestRunNative plays journeys on the native engine in this process: an
// outcome per journey in order, no fault, and the summary says so.
func TestRunNative(t *testing.T) {
	var progress, log bytes.Buffer
	cfg := Config{Bundle: wasmtest.Bundle(t), Native: true, Journeys: 120, Seed: 3, Workers: 2, Progress: func() { progress.WriteByte('.') }}
	res, err := Run(context.Background(), cfg, &log)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range res.Outcomes {
		if o.I != i || o.Decisions == 0 || o.Profile == "" {
			t.Errorf("outcome %d: %+v", i, o)
		}
	}
	if !res.OK() || progress.Len() != 120 || log.Len() != 0 {
		t.Errorf("OK %v, %d progress calls, log %q", res.OK(), progress.Len(), log.String())
	}
}

// TestRunWorkers plays journeys on worker processes of the test module:
// they start, every journey is answered, and the module agrees with the
// native engine on the sampled ones.
func TestRunWorkers(t *testing.T) {
	var log, text bytes.Buffer
	cfg := Config{Journeys: 100, Seed: 11, Workers: 2, Timeout: 10 * time.Second, Wasm: wasmtest.Path(t, wasmtest.Test), Bundle: wasmtest.Bundle(t)}
	cfg.WorkerCommand = worker(t, "serve", cfg.Seed, wasmtest.Test)
	res, err := Run(context.Background(), cfg, &log)
	if err != nil {
		t.Fatal(err)
	}
	res.Text(&text)
	sampled := 0
	for i, o := range res.Outcomes {
		if o.I != i || o.Decisions == 0 {
			t.Errorf("outcome %d: %+v", i, o)
		}
		if o.NativeNs > 0 {
			sampled++
		}
	}
	if !res.OK() || sampled != 10 || len(res.Peaks) != 2 || !strings.Contains(log.String(), "2 worker processes ready") {
		t.Errorf("OK %v, %d sampled, peaks %v, log %q\n%s", res.OK(), sampled, res.Peaks, log.String(), text.String())
	}
}

// TestWorkerCrash: a worker process that dies is replaced, and the
// journey it died on is reported as a crash with what it wrote last; one
// that never says it is ready stops the run with its last words.
func TestWorkerCrash(t *testing.T) {
	cfg := Config{Journeys: 3, Seed: 1, Workers: 1, Timeout: 10 * time.Second, Wasm: wasmtest.Path(t, wasmtest.Test), Bundle: wasmtest.Bundle(t)}
	cfg.WorkerCommand = worker(t, "die", cfg.Seed, "")
	res, err := Run(context.Background(), cfg, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range res.Outcomes {
		if o.I != i || !strings.Contains(o.Crash, "exit status 3") || !strings.Contains(o.Crash, "the worker dies") || o.Profile == "" {
			t.Errorf("outcome %d: %+v", i, o)
		}
	}
	if res.OK() {
		t.Error("a run whose workers died is OK")
	}
	cfg.WorkerCommand = worker(t, "broken", cfg.Seed, "")
	if _, err := Run(context.Background(), cfg, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "did not start: no module here") {
		t.Errorf("a worker that never starts: %v", err)
	}
	cfg.Journeys = -1
	if _, err := Run(context.Background(), cfg, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "-1 journeys") {
		t.Errorf("a negative count: %v", err)
	}
	cfg.Journeys = 3
	cfg.WorkerCommand = nil
	if _, err := Run(context.Background(), cfg, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "WorkerCommand") {
		t.Errorf("no worker command: %v", err)
	}
}

package mutate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is how a Runner builds and kills mutants.
type Config struct {
	// Root is the module root whose files are mutated (never written).
	Root string
	// Work is a folder of the runner's own: mutated files, overlays,
	// binaries, the bundle.
	Work string
	// Jobs is how many mutants are built and run at once.
	Jobs int
	// Timeout bounds one run of a suite (a mutant may loop forever).
	Timeout time.Duration
	// TestPkg and TestRun are the conformance suite: the package whose
	// test binary runs, and its -test.run pattern.
	TestPkg, TestRun string
	// Journeys is the folder hostsim matrix plays on every profile.
	Journeys string
	// Fuzz and Seed are hostsim fuzz's --journeys and --seed.
	Fuzz int
	Seed uint64
	// Log gets a line per mutant as it finishes (nil: nothing).
	Log io.Writer
}

// Outcome is one suite's verdict on a mutant.
type Outcome struct {
	Killed  bool `json:"killed"`
	Timeout bool `json:"timeout,omitempty"`
	// By says in a few words what killed it: how many conformance cases
	// failed, or matrix or fuzz with the faults they counted.
	By string `json:"by,omitempty"`
	// Detail is the longer story: the failing cases, every fault count,
	// a panic's message.
	Detail  string        `json:"detail,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Result is a mutant's fate.
type Result struct {
	Mutant Mutant `json:"-"`
	// Status is "run", "invalid" (it does not compile), "equivalent"
	// (listed, not run) or "error" (the runner failed on it).
	Status string `json:"status"`
	// Equivalent is the listed reason, for an equivalent mutant.
	Equivalent  string        `json:"equivalent,omitempty"`
	Conformance Outcome       `json:"conformance"`
	Checks      Outcome       `json:"checks"`
	Error       string        `json:"error,omitempty"`
	Elapsed     time.Duration `json:"elapsed_ns"`
}

// Killed says whether either suite killed the mutant.
func (r Result) Killed() bool { return r.Conformance.Killed || r.Checks.Killed }

// Runner builds mutants of one module and runs the suites against them.
type Runner struct {
	cfg    Config
	bundle string
	mu     sync.Mutex
	done   int
}

// NewRunner prepares a runner: it compiles the policy bundle the simulator
// reads from the unmutated tree, then builds and runs both suites on it,
// which must pass (a suite that fails already would kill every mutant).
// It returns the baseline's times.
func NewRunner(ctx context.Context, cfg Config) (*Runner, Result, error) {
	if cfg.Jobs < 1 {
		cfg.Jobs = 1
	}
	r := &Runner{cfg: cfg, bundle: filepath.Join(cfg.Work, "bundle.json")}
	base := filepath.Join(cfg.Work, "baseline")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, Result{}, err
	}
	promptc := filepath.Join(base, "promptc")
	if out, err := r.goCmd(ctx, "", "build", "-o", promptc, "./cmd/promptc"); err != nil {
		return nil, Result{}, fmt.Errorf("building promptc: %v\n%s", err, out)
	}
	c := exec.CommandContext(ctx, promptc, "compile", "--policy", "prompts/msxf", "--locales", "locales", "-o", r.bundle)
	c.Dir = cfg.Root
	if out, err := c.CombinedOutput(); err != nil {
		return nil, Result{}, fmt.Errorf("compiling the bundle: %v\n%s", err, out)
	}
	res := r.run(ctx, base, "")
	if res.Status != "run" {
		return nil, res, fmt.Errorf("the unmutated tree: %s: %s", res.Status, res.Error)
	}
	if res.Killed() {
		return nil, res, fmt.Errorf("the suites fail on the unmutated tree (conformance: %s; checks: %s)", res.Conformance.By, res.Checks.By)
	}
	return r, res, nil
}

// Run runs every mutant, Jobs at a time, and returns their results in the
// same order. Mutants in eq are not run, unless runEquivalent.
func (r *Runner) Run(ctx context.Context, ms []Mutant, eq Equivalents, runEquivalent bool) []Result {
	results := make([]Result, len(ms))
	next := make(chan int)
	var wg sync.WaitGroup
	for range r.cfg.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				m := ms[i]
				reason, isEq := eq[m.ID()]
				var res Result
				if isEq && !runEquivalent {
					res = Result{Status: "equivalent"}
				} else {
					res = r.mutant(ctx, i, m)
				}
				res.Mutant, res.Equivalent = m, reason
				if isEq && res.Status == "run" {
					res.Status = "equivalent"
				}
				results[i] = res
				r.progress(len(ms), res)
			}
		}()
	}
	for i := range ms {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func (r *Runner) progress(total int, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, "[%d/%d] %-48s %-10s %s\n", r.done, total, res.Mutant.ID(), res.Status, verdicts(res))
	}
}

func verdicts(res Result) string {
	if res.Status != "run" && !(res.Status == "equivalent" && res.Elapsed > 0) {
		return ""
	}
	return fmt.Sprintf("conformance %s, checks %s (%.1fs)", word(res.Conformance), word(res.Checks), res.Elapsed.Seconds())
}

func word(o Outcome) string {
	switch {
	case o.Timeout:
		return "timeout"
	case o.Killed:
		return "killed"
	}
	return "survived"
}

// mutant writes the mutated file and its overlay into a folder of its own,
// runs the suites, and removes the folder.
func (r *Runner) mutant(ctx context.Context, i int, m Mutant) Result {
	dir := filepath.Join(r.cfg.Work, "m"+strconv.Itoa(i))
	fail := func(err error) Result { return Result{Status: "error", Error: err.Error()} }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	orig := filepath.Join(r.cfg.Root, filepath.FromSlash(m.File))
	src, err := os.ReadFile(orig)
	if err != nil {
		return fail(err)
	}
	mutated, err := Apply(src, m)
	if err != nil {
		return fail(err)
	}
	file := filepath.Join(dir, filepath.Base(orig))
	if err := os.WriteFile(file, mutated, 0o644); err != nil {
		return fail(err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {orig: file}})
	if err != nil {
		return fail(err)
	}
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		return fail(err)
	}
	return r.run(ctx, dir, ov)
}

// run builds the simulator and the conformance test binary in dir (with
// the overlay ov, if any) and runs both suites.
func (r *Runner) run(ctx context.Context, dir, ov string) Result {
	start := time.Now()
	var ovArgs []string
	if ov != "" {
		ovArgs = []string{"-overlay", ov}
	}
	hostsim := filepath.Join(dir, "hostsim")
	test := filepath.Join(dir, "conformance.test")
	builds := [][]string{
		append(append([]string{"build"}, ovArgs...), "-o", hostsim, "./cmd/hostsim"),
		append(append([]string{"test", "-c", "-vet=off"}, ovArgs...), "-o", test, r.cfg.TestPkg),
	}
	for _, args := range builds {
		if out, err := r.goCmd(ctx, "", args...); err != nil {
			if ctx.Err() != nil {
				return Result{Status: "error", Error: ctx.Err().Error()}
			}
			return Result{Status: "invalid", Error: firstLines(out, 3), Elapsed: time.Since(start)}
		}
	}
	res := Result{Status: "run"}
	pkgDir := filepath.Join(r.cfg.Root, filepath.FromSlash(strings.TrimPrefix(r.cfg.TestPkg, "./")))
	res.Conformance = r.suite(ctx, pkgDir, conformanceBy, test, "-test.run", r.cfg.TestRun, "-test.count=1")
	res.Checks = r.suite(ctx, r.cfg.Root, checksBy("matrix"), hostsim, "matrix", r.cfg.Journeys, "--native", "--workers", "1", "--bundle", r.bundle)
	if !res.Checks.Killed && r.cfg.Fuzz > 0 {
		took := res.Checks.Elapsed
		res.Checks = r.suite(ctx, r.cfg.Root, checksBy("fuzz"), hostsim, "fuzz", "--native", "--workers", "1", "--bundle", r.bundle,
			"--journeys", strconv.Itoa(r.cfg.Fuzz), "--seed", strconv.FormatUint(r.cfg.Seed, 10), "--out", filepath.Join(dir, "fuzz"))
		res.Checks.Elapsed += took
	}
	res.Elapsed = time.Since(start)
	return res
}

// suite runs one binary of a suite with the timeout; a non-zero exit or a
// timeout kills the mutant, and by names what killed it.
func (r *Runner) suite(ctx context.Context, dir string, by func([]byte) (string, string), bin string, args ...string) Outcome {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	setProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	o := Outcome{Elapsed: time.Since(start)}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		o.Killed, o.Timeout, o.By = true, true, fmt.Sprintf("timeout after %s", r.cfg.Timeout)
	case err != nil:
		o.Killed = true
		o.By, o.Detail = by(out.Bytes())
	}
	return o
}

// conformanceBy names the failing cases of a test binary's output.
func conformanceBy(out []byte) (string, string) {
	var failed []string
	panicked := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if name, ok := strings.CutPrefix(l, "--- FAIL: "); ok && strings.Contains(name, "/") {
			name, _, _ = strings.Cut(name, " ")
			failed = append(failed, name[strings.IndexByte(name, '/')+1:])
		}
		if strings.HasPrefix(l, "panic:") && panicked == "" {
			panicked = l
		}
	}
	switch {
	case panicked != "":
		return "panic", panicked
	case len(failed) == 0:
		return "failed", firstLines(out, 3)
	case len(failed) == 1:
		return "1 case: " + failed[0], failed[0]
	}
	return fmt.Sprintf("%d cases", len(failed)), strings.Join(failed, ", ")
}

var brokeRule = regexp.MustCompile(`^(\d+) (journeys?) broke a rule; the first: .*?: ([A-Z_]+) at `)

// checksBy names the run and the faults it counted: the summary lines of
// hostsim ("SEPARATE    2") that are not zero.
func checksBy(run string) func([]byte) (string, string) {
	return func(out []byte) (string, string) {
		var faults []string
		panicked := ""
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l := strings.TrimSpace(sc.Text())
			f := strings.Fields(l)
			if len(f) == 2 && f[0] == strings.ToUpper(f[0]) && f[1] != "0" {
				if _, err := strconv.Atoi(f[1]); err == nil {
					faults = append(faults, f[0]+" "+f[1])
				}
			}
			if strings.HasPrefix(l, "panic:") && panicked == "" {
				panicked = l
			}
			if m := brokeRule.FindStringSubmatch(l); m != nil && len(faults) == 0 {
				// fuzz: "19 journeys broke a rule; the first: seed 122
				// on ios-13: PLATFORM at request 5 (op 4): ..."
				return fmt.Sprintf("%s: %s %s, first %s", run, m[1], m[2], m[3]), l
			}
		}
		switch {
		case panicked != "":
			return run + ": panic", panicked
		case len(faults) == 0:
			// A failed expectation of a journey, with no fault counted.
			return run + ": failed", firstLines(out, 3)
		case len(faults) > 2:
			return fmt.Sprintf("%s: %s, %s, …", run, faults[0], faults[1]), strings.Join(faults, ", ")
		}
		return run + ": " + strings.Join(faults, ", "), strings.Join(faults, ", ")
	}
}

// firstLines are the first n non-empty lines of out, joined by "; ".
func firstLines(out []byte, n int) string {
	var ls []string
	for l := range strings.Lines(string(out)) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			ls = append(ls, l)
			if len(ls) == n {
				break
			}
		}
	}
	return strings.Join(ls, "; ")
}

// goCmd runs the go command in the module root.
func (r *Runner) goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.cfg.Root
	if dir != "" {
		cmd.Dir = dir
	}
	return cmd.CombinedOutput()
}

// SetTimeout changes the bound of one suite's run, for instance to a
// multiple of the baseline's.
func (r *Runner) SetTimeout(d time.Duration) { r.cfg.Timeout = d }

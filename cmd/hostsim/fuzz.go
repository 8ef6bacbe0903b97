package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/fuzz"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// How fuzz runs the module.
//
// The journeys run in worker processes (this command again, as the hidden
// fuzz-worker), each deciding on an instance without deadline checks, at
// full speed. A per-call deadline inside the process would cost more than
// the checks' threefold slowdown: a call that never returns in unchecked
// code cannot be stopped at all, and it stalls Go's garbage collector and
// so the whole process. A worker process that gives no answer in time is
// killed instead, its journey reported as a hang, and a new worker takes
// the next journey. With --native there is nothing to isolate and the
// journeys run in this process.

// sampleEvery: every tenth journey also runs on the native engine, for the
// comparison and the time ratio.
const sampleEvery = 10

// caseResult is one random journey's outcome, as a worker reports it.
type caseResult struct {
	I         int    `json:"i"`
	Profile   string `json:"profile"`
	Decisions int    `json:"decisions"`
	EngineNs  int64  `json:"engine_ns"`          // in the module (or the native engine with --native)
	NativeNs  int64  `json:"native_ns"`          // the native engine on the same journey (sampled ones)
	Diff      string `json:"diff,omitempty"`     // the first difference between the two
	Faults    int    `json:"faults,omitempty"`   // compliance faults (a trap is a CONTRACT fault)
	Rule      string `json:"rule,omitempty"`     // the first fault's rule
	Fault     string `json:"fault,omitempty"`    // the first fault
	Replaced  int64  `json:"replaced,omitempty"` // module instances discarded after a trap
	Hang      string `json:"hang,omitempty"`     // set by the parent: no answer in time
	Crash     string `json:"crash,omitempty"`    // set by the parent: the worker process died
}

type fuzzOptions struct {
	options
	n    int
	seed uint64
	out  string
}

func fuzzCmd() *cobra.Command {
	var o fuzzOptions
	cmd := &cobra.Command{
		Use:   "fuzz",
		Short: "Run random devices, users and journeys, check every rule, and shrink a failure to a journey file",
		Long: `Fuzz generates random journeys (journey i from seed+i: a device profile, a locale,
a random user and what they do), runs them on every core, checks every
compliance rule on every transcript, and compares the module with the
native engine on every tenth journey. The first failing journey is shrunk
to a journey file that hostsim run reproduces.

The module runs in worker processes at full speed; a journey that gets no
answer within --timeout per user action is reported as a hang, its worker
killed and replaced, and the run goes on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.fuzz(cmd) },
	}
	o.engineFlags(cmd)
	cmd.Flag("workers").Usage = "worker processes (with --native, goroutines), one module instance each"
	cmd.Flag("timeout").Usage = "deadline of one call into the module: a journey without an answer within it per user action is a hang"
	cmd.Flags().IntVar(&o.n, "journeys", 10000, "how many random journeys")
	cmd.Flags().Uint64Var(&o.seed, "seed", 1, "seed of the first journey (journey i has seed+i)")
	cmd.Flags().StringVar(&o.out, "out", "dist/fuzz", "folder for the shrunk journey of a failure")
	return cmd
}

// fuzzWorkerCmd is a worker process of fuzz: it reads lines "first count"
// on standard input, runs those journeys and answers each with a
// caseResult line.
func fuzzWorkerCmd() *cobra.Command {
	var o fuzzOptions
	cmd := &cobra.Command{
		Use:    "fuzz-worker",
		Short:  "A worker process of fuzz (reads journey numbers, writes results)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			o.timeout = 0 // unchecked: the parent enforces the deadline
			o.compare = !o.native
			e, err := hostsim.Open(ctx, o.config())
			if err != nil {
				return err
			}
			defer e.Close(ctx)
			steps, perms := policyNames(e.Bundle)
			w := e.NewWorker()
			defer w.Close(ctx)
			// A first decision instantiates the module before the parent
			// starts the clock on journeys.
			runCase(ctx, w, e.Policy, o.seed, steps, perms, false)
			out := bufio.NewWriter(cmd.OutOrStdout())
			enc := json.NewEncoder(out)
			if err := enc.Encode(caseResult{I: -1}); err != nil || out.Flush() != nil {
				return err
			}
			in := bufio.NewScanner(cmd.InOrStdin())
			for in.Scan() {
				var from, n int
				if _, err := fmt.Sscanf(in.Text(), "%d %d", &from, &n); err != nil {
					return fmt.Errorf("fuzz-worker: %q is not \"first count\": %v", in.Text(), err)
				}
				flushed := time.Now()
				for i := from; i < from+n; i++ {
					before := w.Replaced()
					r := runCase(ctx, w, e.Policy, o.seed+uint64(i), steps, perms, i%sampleEvery == 0)
					r.I, r.Replaced = i, w.Replaced()-before
					if err := enc.Encode(r); err != nil {
						return err
					}
					// Answers go out in batches (a write and a wake-up per
					// journey cost a tenth of the run), but never later
					// than flushEvery: the parent's deadline is per journey.
					if i == from+n-1 || time.Since(flushed) > flushEvery {
						if err := out.Flush(); err != nil {
							return err
						}
						flushed = time.Now()
					}
				}
			}
			return in.Err()
		},
	}
	o.engineFlags(cmd)
	cmd.Flags().Uint64Var(&o.seed, "seed", 1, "seed of journey 0")
	return cmd
}

// runCase plays the journey of a seed and checks it.
func runCase(ctx context.Context, w *hostsim.Worker, policy *check.Policy, seed uint64, steps, perms []string, sample bool) caseResult {
	c := fuzz.Generate(seed, steps, perms)
	r := caseResult{Profile: c.Profile.Name}
	timed := func(d sim.Decide, acc *int64) sim.Decide {
		return func(req []byte) ([]byte, error) {
			t := time.Now()
			out, err := d(req)
			*acc += int64(time.Since(t))
			return out, err
		}
	}
	dev := device.New(c.Profile)
	main, nat := w.Decide(ctx, dev)
	u := c.NewUser()
	t := sim.Run(timed(main, &r.EngineNs), dev, u, c.Locale, c.Ops)
	r.Decisions = len(t.Entries)
	if nat != nil && sample {
		nt := sim.Run(timed(nat, &r.NativeNs), device.New(c.Profile), u.Script(), c.Locale, c.Ops)
		r.Diff = hostsim.Diff(t, nt)
	}
	if faults := check.Check(policy, t); len(faults) > 0 {
		r.Faults, r.Rule, r.Fault = len(faults), faults[0].Rule, faults[0].String()
	}
	return r
}

func (o *fuzzOptions) fuzz(cmd *cobra.Command) error {
	ctx := context.Background()
	env, err := os.ReadFile(o.bundle)
	if err != nil {
		return fmt.Errorf("%v (make bundle builds it)", err)
	}
	b, err := bundle.OpenUnsigned(env)
	if err != nil {
		return fmt.Errorf("%s: %v", o.bundle, err)
	}
	if !o.native {
		if _, err := os.Stat(o.wasm); err != nil {
			return fmt.Errorf("the module: %v (make wasm builds it)", err)
		}
	}
	steps, perms := policyNames(b)
	o.workers = max(1, o.workers)
	results := make([]caseResult, o.n)
	bar := newBar(cmd, o.n, "journeys")
	var next atomic.Int64
	take := func(n int) int { return int(next.Add(int64(n)) - int64(n)) }
	var wg sync.WaitGroup
	errs := make([]error, o.workers)
	peaks := make([]int64, o.workers)
	// Worker processes start (and compile the module, unless wazero's
	// cache has it) before the clock of the journeys starts.
	procs := make([]*workerProc, o.workers)
	startup := time.Now()
	if !o.native {
		for k := range procs {
			wg.Go(func() { procs[k], errs[k] = o.start(cmd) })
		}
		wg.Wait()
		if err := firstError(errs); err != nil {
			for _, p := range procs {
				if p != nil {
					p.kill()
				}
			}
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%d worker processes ready in %s\n", o.workers, time.Since(startup).Round(time.Millisecond))
	}
	start := time.Now()
	if o.native {
		o.compare = false
		e, err := hostsim.Open(ctx, o.config())
		if err != nil {
			return err
		}
		defer e.Close(ctx)
		for range o.workers {
			wg.Go(func() {
				w := e.NewWorker()
				defer w.Close(ctx)
				for i := take(1); i < o.n; i = take(1) {
					results[i] = runCase(ctx, w, e.Policy, o.seed+uint64(i), steps, perms, false)
					results[i].I = i
					bar.Add(1)
				}
			})
		}
	} else {
		for k := range o.workers {
			wg.Go(func() {
				errs[k] = o.drive(cmd, procs[k], take, steps, perms, results, bar, &peaks[k])
			})
		}
	}
	wg.Wait()
	bar.Finish()
	elapsed := time.Since(start)
	if err := firstError(errs); err != nil {
		return err
	}
	return o.summarise(cmd, results, elapsed, peaks)
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// workerProc is a running worker process.
type workerProc struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    chan caseResult // closed when the process's output ends
	stderr *tailBuffer
}

// readyTimeout bounds a worker's start: compiling the module without a
// warm cache takes seconds, not minutes.
const readyTimeout = 5 * time.Minute

// start starts a worker process and waits until its module answers.
func (o *fuzzOptions) start(cmd *cobra.Command) (*workerProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	c := exec.Command(self, "fuzz-worker", "--wasm", o.wasm, "--bundle", o.bundle, "--cache", o.cache,
		"--seed", strconv.FormatUint(o.seed, 10))
	// One goroutine decides in a worker: more Ps would only spin for work.
	c.Env = append(os.Environ(), asCommandEnv+"=1", "GOMAXPROCS=1")
	p := &workerProc{cmd: c, out: make(chan caseResult, 1), stderr: &tailBuffer{max: 4096}}
	c.Stderr = p.stderr
	if p.in, err = c.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("start a worker process: %v", err)
	}
	go func() {
		defer close(p.out)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			var r caseResult
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				fmt.Fprintf(p.stderr, "fuzz-worker wrote %q: %v\n", sc.Bytes(), err)
				return
			}
			p.out <- r
		}
	}()
	select {
	case r, ok := <-p.out:
		if ok && r.I == -1 {
			return p, nil
		}
	case <-time.After(readyTimeout):
	}
	p.kill()
	return nil, fmt.Errorf("a worker process did not start: %s", p.stderr.String())
}

func (p *workerProc) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// finish ends a worker that is done and returns its peak memory.
func (p *workerProc) finish() int64 {
	p.in.Close()
	for range p.out {
	}
	p.cmd.Wait()
	return peakRSS(p.cmd.ProcessState)
}

// chunk is how many journeys a worker process is given at once: enough
// that it seldom waits for the parent, few enough to spread the run's end.
// A worker writes its answers at the end of a chunk or flushEvery after
// its last write.
const (
	chunk      = 32
	flushEvery = 50 * time.Millisecond
)

// drive feeds journeys to one worker process at a time, replacing it when
// it hangs or dies.
//
// A worker holds back up to flushEvery of answers, so when it hangs or
// dies the first journey without an answer need not be the culprit: the
// rest of the chunk goes to the new worker one journey at a time, and the
// journey that fails then is reported.
func (o *fuzzOptions) drive(cmd *cobra.Command, p *workerProc, take func(n int) int, steps, perms []string, results []caseResult, bar *progressbar.ProgressBar, peak *int64) error {
	var err error
	for from := take(chunk); from < o.n; from = take(chunk) {
		to := min(from+chunk, o.n)
		single := false
		for from < to {
			n := to - from
			if single {
				n = 1
			}
			if _, err := fmt.Fprintf(p.in, "%d %d\n", from, n); err != nil {
				p.in.Close() // the process is gone: its output ends, and the wait below says so
			}
			end := from + n
			for ; from < end; from++ {
				r, ok := o.await(p, from, steps, perms)
				if ok || n == 1 {
					results[from] = r
					bar.Add(1)
				}
				if ok {
					continue
				}
				*peak = max(*peak, peakRSS(p.cmd.ProcessState))
				if p, err = o.start(cmd); err != nil {
					return err
				}
				if n == 1 {
					from++ // reported: go on with the next
				}
				single = true
				break
			}
		}
	}
	*peak = max(*peak, p.finish())
	return nil
}

// await waits for journey i's result; ok is false when the process hung
// (it is killed) or died.
func (o *fuzzOptions) await(p *workerProc, i int, steps, perms []string) (r caseResult, ok bool) {
	c := fuzz.Generate(o.seed+uint64(i), steps, perms)
	deadline := o.timeout * time.Duration(len(c.Ops)+1)
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	select {
	case r, ok = <-p.out:
		if ok && r.I == i {
			return r, true
		}
		if ok {
			p.kill()
			r = caseResult{Crash: fmt.Sprintf("the worker process answered journey %d for %d", r.I, i)}
		} else {
			p.cmd.Wait()
			r = caseResult{Crash: fmt.Sprintf("the worker process ended (%v): %s", p.cmd.ProcessState, p.stderr.String())}
		}
	case <-timer.C:
		p.kill()
		r = caseResult{Hang: fmt.Sprintf("no answer in %s (%d user actions, --timeout %s each)", deadline, len(c.Ops), o.timeout)}
	}
	r.I, r.Profile = i, c.Profile.Name
	return r, false
}

// summarise prints the run's figures and verdict, and shrinks the first
// failing journey.
func (o *fuzzOptions) summarise(cmd *cobra.Command, results []caseResult, elapsed time.Duration, peaks []int64) error {
	w := cmd.OutOrStdout()
	var decisions, engineNs, sampledEngineNs, nativeNs, sampledDecisions, replaced int64
	var failing, hangs, crashes []caseResult
	var diffs []string
	for _, r := range results {
		decisions += int64(r.Decisions)
		engineNs += r.EngineNs
		replaced += r.Replaced
		if r.NativeNs > 0 {
			sampledEngineNs += r.EngineNs
			nativeNs += r.NativeNs
			sampledDecisions += int64(r.Decisions)
		}
		if r.Diff != "" {
			diffs = append(diffs, fmt.Sprintf("seed %d on %s: %s", o.seed+uint64(r.I), r.Profile, r.Diff))
		}
		switch {
		case r.Hang != "":
			hangs = append(hangs, r)
		case r.Crash != "":
			crashes = append(crashes, r)
		case r.Faults > 0:
			failing = append(failing, r)
		}
	}
	where := fmt.Sprintf("%d worker processes", o.workers)
	if o.native {
		where = fmt.Sprintf("%d workers, the native engine", o.workers)
	}
	fmt.Fprintf(w, "%d journeys, %d decisions in %s: %.0f decisions/s on %s\n", len(results), decisions,
		elapsed.Round(time.Millisecond), float64(decisions)/elapsed.Seconds(), where)
	if nativeNs > 0 && sampledDecisions > 0 {
		fmt.Fprintf(w, "engine time per decision: module %.1f us, native %.1f us on the same %d sampled journeys: %.1fx\n",
			float64(sampledEngineNs)/float64(sampledDecisions)/1e3, float64(nativeNs)/float64(sampledDecisions)/1e3,
			(len(results)+sampleEvery-1)/sampleEvery, float64(sampledEngineNs)/float64(nativeNs))
	} else if decisions > 0 {
		fmt.Fprintf(w, "engine time per decision: %.1f us\n", float64(engineNs)/float64(decisions)/1e3)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mem := fmt.Sprintf("simulator memory: %d MiB from the OS", ms.Sys>>20)
	if !o.native {
		peak := slices.Max(peaks)
		mem += fmt.Sprintf(" here, at most %d MiB peak in each worker process (%d MiB in all)", peak>>20, (int64(ms.Sys)+peak*int64(len(peaks)))>>20)
	}
	fmt.Fprintln(w, mem)
	if replaced > 0 {
		fmt.Fprintf(w, "%d module instance(s) trapped and were replaced\n", replaced)
	}
	for _, r := range hangs {
		fmt.Fprintf(w, "HANG seed %d on %s: %s; the worker process was killed and replaced (hostsim fuzz --journeys 1 --seed %d runs it again)\n",
			o.seed+uint64(r.I), r.Profile, r.Hang, o.seed+uint64(r.I))
	}
	for _, r := range crashes {
		fmt.Fprintf(w, "CRASH seed %d on %s: %s\n", o.seed+uint64(r.I), r.Profile, r.Crash)
	}
	for _, d := range diffs {
		fmt.Fprintf(w, "DIFF %s\n", d)
	}
	if len(failing) == 0 {
		if o.native {
			fmt.Fprintln(w, "no compliance fault")
		} else {
			fmt.Fprintf(w, "no compliance fault; %d difference(s) between the module and the native engine\n", len(diffs))
		}
		if len(diffs)+len(hangs)+len(crashes) > 0 {
			return errFailed
		}
		return nil
	}
	first := failing[0]
	fmt.Fprintf(w, "%d journeys broke a rule; the first: seed %d on %s: %s\n", len(failing), o.seed+uint64(first.I), first.Profile, first.Fault)
	file, err := o.shrink(first)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "shrunk to %s (hostsim run %s reproduces it)\n", file, file)
	return errFailed
}

// shrink replays a failing journey in this process (the module with its
// per-call deadline, or the native engine), shrinks it to the fewest user
// actions that still break the rule, and writes it as a journey file.
func (o *fuzzOptions) shrink(r caseResult) (string, error) {
	ctx := context.Background()
	opts := o.options
	opts.compare = false
	e, err := hostsim.Open(ctx, opts.config())
	if err != nil {
		return "", err
	}
	defer e.Close(ctx)
	w := e.NewWorker()
	defer w.Close(ctx)
	steps, perms := policyNames(e.Bundle)
	c := fuzz.Generate(o.seed+uint64(r.I), steps, perms)
	play := func(ops []sim.Op, user sim.User) *sim.Transcript {
		dev := device.New(c.Profile)
		decide, _ := w.Decide(ctx, dev)
		return sim.Run(decide, dev, user, c.Locale, ops)
	}
	rec := c.NewUser()
	if !slices.ContainsFunc(check.Check(e.Policy, play(c.Ops, rec)), func(f check.Fault) bool { return f.Rule == r.Rule }) {
		return "", fmt.Errorf("seed %d broke %s in its worker but not when run again here", c.Seed, r.Rule)
	}
	script := rec.Script()
	ops := fuzz.Shrink(c.Ops, r.Rule, func(ops []sim.Op) []string {
		user := *script
		var rules []string
		for _, f := range check.Check(e.Policy, play(ops, &user)) {
			rules = append(rules, f.Rule)
		}
		return rules
	})
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return "", err
	}
	file := filepath.Join(o.out, fmt.Sprintf("seed-%d.toml", c.Seed))
	return file, os.WriteFile(file, []byte(fuzz.TOML(&c, ops, script, r.Rule)), 0o644)
}

// tailBuffer keeps the last bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf.Bytes()))
}

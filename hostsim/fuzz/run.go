// Package fuzz plays random journeys: journey i of a run has seed
// Config.Seed+i, which picks a device profile, a locale, a random user and
// what the user does (Generate), so a seed always gives the same journey.
// Every journey is checked for every compliance rule, and every tenth is
// also played on the native engine with the same answers, to compare the
// two engines' answers and time. The first journey that breaks a rule is
// shrunk (Shrink): replayed with the answers its user gave, it loses user
// actions one at a time as long as the same rule still breaks, and what is
// left is written as a journey file that `hostsim run` reproduces.
//
// Run drives the journeys; Serve is the other end, in a worker process.
//
// # Notes
//
// The module runs in worker processes, each deciding on an instance
// without deadline checks, at full speed, one journey at a time. A
// deadline inside the process would cost more than the checks' threefold
// slowdown (wasmhost.Config.CallTimeout): a call that never returns in
// unchecked code cannot be stopped at all, and it stalls Go's garbage
// collector and so the whole process. A worker process that gives no
// answer in time is killed instead, its journey reported as a hang, and a
// new process takes the next journey. With Config.Native there is nothing
// to isolate, and the journeys run on goroutines of the calling process.
//
// Config.WorkerCommand makes the command of a worker process: the caller's
// own program again (cmd/hostsim's hidden fuzz-worker), which calls Serve.
package fuzz

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// sampleEvery: every tenth journey also runs on the native engine, for the
// comparison and the time ratio.
const sampleEvery = 10

// Config is a fuzz run.
type Config struct {
	// Wasm, Bundle and CacheDir are the module, its bundle and wazero's
	// cache folder, as in hostsim.Config.
	Wasm, Bundle, CacheDir string
	// Native plays the journeys on the native engine alone, in this
	// process.
	Native bool
	// Timeout is the deadline of one call into the module: a journey
	// without an answer within it per user action is a hang. Shrink's
	// replay, in this process, uses it as its call deadline.
	Timeout time.Duration
	// Journeys is how many random journeys to play; Seed the first one's
	// seed.
	Journeys int
	Seed     uint64
	// Workers is how many worker processes (with Native, goroutines) play
	// journeys at once.
	Workers int
	// Out is the folder Shrink writes a journey file to.
	Out string
	// WorkerCommand returns a new command that starts a worker process:
	// one that calls Serve with this run's Wasm, Bundle, CacheDir and Seed
	// on its standard input and output. Run sets its standard streams and
	// GOMAXPROCS=1. Unused with Native.
	WorkerCommand func() *exec.Cmd
	// Progress, if not nil, is called as each journey ends, from any
	// goroutine.
	Progress func()
	// Flags are the command-line flags that chose this run's engine and
	// deadline (" --wasm W --bundle B", quoted for a shell), which the
	// hints Text prints repeat, so that the command a hint names plays
	// the journey as this run did rather than on the defaults.
	Flags string
}

// engines is the configuration of the engines a run opens in a process.
// Random journeys publish policy updates (Generate), so the engines hold
// the update bundles.
func (c *Config) engines(compare bool, timeout time.Duration) hostsim.Config {
	return hostsim.Config{Wasm: c.Wasm, Bundle: c.Bundle, CacheDir: c.CacheDir, Native: c.Native, Compare: compare, CallTimeout: timeout, Updates: true}
}

// Outcome is what one random journey came to, as a worker process reports
// it (one JSON line each).
type Outcome struct {
	I         int    `json:"i"` // the journey's number: its seed is Config.Seed+I
	Profile   string `json:"profile"`
	Decisions int    `json:"decisions"`
	EngineNs  int64  `json:"engine_ns"`          // in the module (or the native engine with Native)
	NativeNs  int64  `json:"native_ns"`          // the native engine on the same journey (sampled ones)
	Diff      string `json:"diff,omitempty"`     // the first difference between the two
	Faults    int    `json:"faults,omitempty"`   // compliance faults (a trap is a CONTRACT fault)
	Rule      string `json:"rule,omitempty"`     // the first fault's rule
	Fault     string `json:"fault,omitempty"`    // the first fault
	Replaced  int64  `json:"replaced,omitempty"` // module instances discarded after a trap
	Hang      string `json:"hang,omitempty"`     // set by Run: no answer in time
	Crash     string `json:"crash,omitempty"`    // set by Run: the worker process died
}

// Result is a fuzz run's outcome and figures.
type Result struct {
	Seed     uint64
	Native   bool
	Workers  int
	Outcomes []Outcome // by journey number
	Elapsed  time.Duration
	// Memory is what this process took from the OS; Peaks the peak
	// resident memory of each worker process (none with Native).
	Memory uint64
	Peaks  []int64
	// Flags are Config.Flags, for the hints.
	Flags string
}

// Run plays the journeys and returns their outcomes. It says on log when
// its worker processes are ready, before it starts the clock. An error is
// one that stopped the run: the bundle, the module or a worker process
// that could not start.
func Run(ctx context.Context, cfg Config, log io.Writer) (*Result, error) {
	if cfg.Journeys < 0 {
		return nil, fmt.Errorf("fuzz: %d journeys: the count cannot be negative", cfg.Journeys)
	}
	b, err := hostsim.ReadBundle(cfg.Bundle)
	if err != nil {
		return nil, err
	}
	if !cfg.Native {
		if _, err := hostsim.ReadModule(cfg.Wasm); err != nil {
			return nil, err
		}
	}
	steps, perms, consents := policyNames(b)
	res := &Result{Seed: cfg.Seed, Native: cfg.Native, Flags: cfg.Flags, Workers: max(1, cfg.Workers), Outcomes: make([]Outcome, cfg.Journeys)}
	var next atomic.Int64
	take := func(n int) int { return int(next.Add(int64(n)) - int64(n)) }
	done := func() {
		if cfg.Progress != nil {
			cfg.Progress()
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, res.Workers)
	if cfg.Native {
		e, err := hostsim.Open(ctx, cfg.engines(false, cfg.Timeout))
		if err != nil {
			return nil, err
		}
		defer e.Close(ctx)
		start := time.Now()
		for range res.Workers {
			wg.Go(func() {
				w := e.NewWorker()
				defer w.Close(ctx)
				for i := take(1); i < cfg.Journeys; i = take(1) {
					res.Outcomes[i] = play(ctx, w, e.Policy, cfg.Seed+uint64(i), steps, perms, consents, false)
					res.Outcomes[i].I = i
					done()
				}
			})
		}
		wg.Wait()
		res.Elapsed = time.Since(start)
	} else {
		// Worker processes start (and compile the module, unless wazero's
		// cache has it) before the clock of the journeys starts.
		procs := make([]*process, res.Workers)
		startup := time.Now()
		for k := range procs {
			wg.Go(func() { procs[k], errs[k] = start(cfg.WorkerCommand) })
		}
		wg.Wait()
		if err := firstError(errs); err != nil {
			for _, p := range procs {
				if p != nil {
					p.kill()
				}
			}
			return nil, err
		}
		fmt.Fprintf(log, "%d worker processes ready in %s\n", res.Workers, time.Since(startup).Round(time.Millisecond))
		res.Peaks = make([]int64, res.Workers)
		d := &driver{cfg: &cfg, take: take, steps: steps, perms: perms, consents: consents, outcomes: res.Outcomes, done: done}
		start := time.Now()
		for k := range procs {
			wg.Go(func() { errs[k] = d.drive(procs[k], &res.Peaks[k]) })
		}
		wg.Wait()
		res.Elapsed = time.Since(start)
		if err := firstError(errs); err != nil {
			return nil, err
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.Memory = ms.Sys
	return res, nil
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// policyNames lists a bundle's steps ("scenario/step"), permissions and
// separate consents ("<sensitive>/<purpose>"), what Generate picks from.
func policyNames(b *bundle.Bundle) (steps, perms, consents []string) {
	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			steps = append(steps, sc.ID+"/"+st.ID)
		}
	}
	for _, p := range b.Permissions {
		perms = append(perms, p.ID)
	}
	return steps, perms, check.NewPolicy(b).Consents()
}

// play plays the journey of a seed on a worker and checks it; sample also
// plays it on the native engine with the same answers, to compare.
func play(ctx context.Context, w *hostsim.Worker, policy *check.Policy, seed uint64, steps, perms, consents []string, sample bool) Outcome {
	c := Generate(seed, steps, perms, consents)
	r := Outcome{Profile: c.Profile.Name}
	timed := func(d sim.Decide, acc *int64) sim.Decide {
		return func(req []byte) ([]byte, error) {
			t := time.Now()
			out, err := d(req)
			*acc += int64(time.Since(t))
			return out, err
		}
	}
	dev := device.New(c.Profile)
	run, native := w.Journey(ctx, dev)
	u := c.NewUser()
	t := sim.Run(sim.Engine{Decide: timed(run.Decide, &r.EngineNs), Load: run.Load}, dev, u, c.Locale, c.Ops)
	r.Decisions = len(t.Entries)
	if native.Decide != nil && sample {
		nt := sim.Run(sim.Engine{Decide: timed(native.Decide, &r.NativeNs), Load: native.Load}, device.New(c.Profile), u.Script(), c.Locale, c.Ops)
		r.Diff = hostsim.Diff(t, nt)
	}
	if faults := check.Check(policy, t); len(faults) > 0 {
		r.Faults, r.Rule, r.Fault = len(faults), faults[0].Rule, faults[0].String()
	}
	return r
}

// Failing lists the journeys that broke a rule (and did not hang or
// crash), in seed order.
func (r *Result) Failing() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Hang == "" && o.Crash == "" && o.Faults > 0 {
			out = append(out, o)
		}
	}
	return out
}

// OK reports whether no journey broke a rule, hung or crashed, and the
// engines never answered differently.
func (r *Result) OK() bool {
	for _, o := range r.Outcomes {
		if o.Hang != "" || o.Crash != "" || o.Faults > 0 || o.Diff != "" {
			return false
		}
	}
	return true
}

// Text writes the run's figures and verdict: its speed, the module's time
// per decision against the native engine's, memory, instances replaced,
// every hang, crash and difference, and the first journey that broke a
// rule.
func (r *Result) Text(w io.Writer) {
	var decisions, engineNs, sampledEngineNs, nativeNs, sampledDecisions, replaced int64
	var hangs, crashes []Outcome
	var diffs []string
	for _, o := range r.Outcomes {
		decisions += int64(o.Decisions)
		engineNs += o.EngineNs
		replaced += o.Replaced
		if o.NativeNs > 0 {
			sampledEngineNs += o.EngineNs
			nativeNs += o.NativeNs
			sampledDecisions += int64(o.Decisions)
		}
		if o.Diff != "" {
			diffs = append(diffs, fmt.Sprintf("seed %d on %s: %s", r.Seed+uint64(o.I), o.Profile, o.Diff))
		}
		switch {
		case o.Hang != "":
			hangs = append(hangs, o)
		case o.Crash != "":
			crashes = append(crashes, o)
		}
	}
	where := fmt.Sprintf("%d worker processes", r.Workers)
	if r.Native {
		where = fmt.Sprintf("%d workers, the native engine", r.Workers)
	}
	rate := 0.0
	if r.Elapsed > 0 {
		rate = float64(decisions) / r.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "%d journeys, %d decisions in %s: %.0f decisions/s on %s\n", len(r.Outcomes), decisions,
		r.Elapsed.Round(time.Millisecond), rate, where)
	if nativeNs > 0 && sampledDecisions > 0 {
		fmt.Fprintf(w, "engine time per decision: module %.1f us, native %.1f us on the same %d sampled journeys: %.1fx\n",
			float64(sampledEngineNs)/float64(sampledDecisions)/1e3, float64(nativeNs)/float64(sampledDecisions)/1e3,
			(len(r.Outcomes)+sampleEvery-1)/sampleEvery, float64(sampledEngineNs)/float64(nativeNs))
	} else if decisions > 0 {
		fmt.Fprintf(w, "engine time per decision: %.1f us\n", float64(engineNs)/float64(decisions)/1e3)
	}
	mem := fmt.Sprintf("simulator memory: %d MiB from the OS", r.Memory>>20)
	if len(r.Peaks) > 0 {
		peak := slices.Max(r.Peaks)
		mem += fmt.Sprintf(" here, at most %d MiB peak in each worker process (%d MiB in all)", peak>>20, (int64(r.Memory)+peak*int64(len(r.Peaks)))>>20)
	}
	fmt.Fprintln(w, mem)
	if replaced > 0 {
		fmt.Fprintf(w, "%d module instance(s) trapped and were replaced\n", replaced)
	}
	for _, o := range hangs {
		fmt.Fprintf(w, "HANG seed %d on %s: %s; the worker process was killed and replaced (hostsim fuzz%s --journeys 1 --seed %d runs it again)\n",
			r.Seed+uint64(o.I), o.Profile, o.Hang, r.Flags, r.Seed+uint64(o.I))
	}
	for _, o := range crashes {
		fmt.Fprintf(w, "CRASH seed %d on %s: %s\n", r.Seed+uint64(o.I), o.Profile, o.Crash)
	}
	for _, d := range diffs {
		fmt.Fprintf(w, "DIFF %s\n", d)
	}
	failing := r.Failing()
	if len(failing) == 0 {
		if r.Native {
			fmt.Fprintln(w, "no compliance fault")
		} else {
			fmt.Fprintf(w, "no compliance fault; %d difference(s) between the module and the native engine\n", len(diffs))
		}
		return
	}
	first := failing[0]
	fmt.Fprintf(w, "%d journeys broke a rule; the first: seed %d on %s: %s\n", len(failing), r.Seed+uint64(first.I), first.Profile, first.Fault)
}

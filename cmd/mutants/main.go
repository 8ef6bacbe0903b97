// Command mutants is the engine's mutation test: it flips operators in the
// engine's code one at a time (internal/mutate) and runs two kill suites
// against each mutant, natively: the conformance journeys (go test
// ./engine -run Conformance) and the simulator's checks (hostsim matrix on
// the journeys of hostsim/testdata and hostsim fuzz). The source tree is
// never written: each mutant is built with go build -overlay.
//
//	mutants --sample 40 --seed 1 --equivalent mutation/equivalent.txt
//	mutants --all --pkg ./engine/... -j 2 --json dist/mutants.json
//	mutants --list --sample 40        # the mutants, without running them
//	mutants --all --func policyAnswer # the mutants of one function
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/internal/mutate"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	root, pkgs, ops, funcs, equivalent, jsonOut, journeys, testPkg, testRun, work string
	sample, jobs, fuzz                                                            int
	seed, fuzzSeed                                                                uint64
	all, list, runEquivalent, keep                                                bool
	timeout                                                                       time.Duration
}

func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.root, "root", ".", "the module checkout to mutate (read only)")
	fs.StringVar(&o.pkgs, "pkg", "./engine", "comma-separated go list patterns of the packages to mutate")
	fs.StringVar(&o.ops, "ops", "", "comma-separated kinds of mutants (default all: "+kindList()+")")
	fs.StringVar(&o.funcs, "func", "", "only the mutants in functions whose name contains one of these, comma-separated (decision.policyAnswer, updateDue)")
	fs.IntVar(&o.sample, "sample", 0, "run N mutants picked by --seed")
	fs.BoolVar(&o.all, "all", false, "run every mutant")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the sample")
	fs.BoolVar(&o.list, "list", false, "list the mutants (after sampling) and run nothing")
	fs.IntVar(&o.jobs, "j", 2, "mutants built and run at once")
	fs.DurationVar(&o.timeout, "timeout", 0, "bound of one suite's run (default 20 times the unmutated run's, at least 30s)")
	fs.IntVar(&o.fuzz, "fuzz", 2000, "hostsim fuzz --journeys per mutant (0: matrix alone)")
	fs.Uint64Var(&o.fuzzSeed, "fuzz-seed", 1, "hostsim fuzz --seed")
	fs.StringVar(&o.journeys, "journeys", "hostsim/testdata/journeys", "the journeys hostsim matrix plays")
	fs.StringVar(&o.testPkg, "test-pkg", "./engine", "the package of the conformance tests")
	fs.StringVar(&o.testRun, "test-run", "Conformance", "the conformance tests' -test.run pattern")
	fs.StringVar(&o.equivalent, "equivalent", "", "file of mutants known to be equivalent (ID and reason a line)")
	fs.BoolVar(&o.runEquivalent, "run-equivalent", false, "run the listed equivalent mutants too, to check the list")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file (- for standard output)")
	fs.StringVar(&o.work, "work", "", "folder for builds (default a temporary one, removed after)")
	fs.BoolVar(&o.keep, "keep", false, "keep the --work folder")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || o.sample > 0 && o.all || o.sample <= 0 && !o.all && !o.list {
		fmt.Fprintln(stderr, "mutants: say --sample N or --all (one of them)")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := o.run(ctx, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 1
	}
	return 0
}

func kindList() string {
	var s []string
	for _, k := range mutate.Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ",")
}

func (o *options) run(ctx context.Context, stdout, stderr io.Writer) error {
	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	var kinds []mutate.Kind
	for _, k := range strings.Split(o.ops, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if !strings.Contains(","+kindList()+",", ","+k+",") {
			return fmt.Errorf("--ops: no kind %q (%s)", k, kindList())
		}
		kinds = append(kinds, mutate.Kind(k))
	}
	eq := mutate.Equivalents{}
	if o.equivalent != "" {
		f, err := os.Open(o.equivalent)
		if err != nil {
			return err
		}
		eq, err = mutate.ReadEquivalents(f, o.equivalent)
		f.Close()
		if err != nil {
			return err
		}
	}
	all, err := mutate.Enumerate(ctx, root, strings.Split(o.pkgs, ","))
	if err != nil {
		return err
	}
	for _, id := range eq.Stale(all) {
		fmt.Fprintf(stderr, "mutants: %s: %s names no mutant (the code moved?)\n", o.equivalent, id)
	}
	all = mutate.Filter(all, kinds)
	if o.funcs != "" {
		all = slices.DeleteFunc(all, func(m mutate.Mutant) bool {
			return !slices.ContainsFunc(strings.Split(o.funcs, ","), func(f string) bool { return f != "" && strings.Contains(m.Func, f) })
		})
	}
	ms := all
	if !o.all {
		ms = mutate.Sample(all, o.sample, o.seed)
	}
	if o.list {
		for _, m := range ms {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", m.ID(), m.Func, m.Change(), m.Source)
		}
		fmt.Fprintf(stdout, "%d of %d mutants\n", len(ms), len(all))
		return nil
	}

	work := o.work
	if work == "" {
		if work, err = os.MkdirTemp("", "mutants-"); err != nil {
			return err
		}
	}
	if !o.keep {
		defer os.RemoveAll(work)
	}
	cfg := mutate.Config{Root: root, Work: work, Jobs: o.jobs, Timeout: 5 * time.Minute,
		TestPkg: o.testPkg, TestRun: o.testRun, Journeys: o.journeys, Fuzz: o.fuzz, Seed: o.fuzzSeed, Log: stderr}
	start := time.Now()
	fmt.Fprintf(stderr, "building and running both suites on the unmutated tree (%s)\n", root)
	r, base, err := mutate.NewRunner(ctx, cfg)
	if err != nil {
		return err
	}
	timeout := o.timeout
	if timeout == 0 {
		timeout = max(30*time.Second, 20*max(base.Conformance.Elapsed, base.Checks.Elapsed))
	}
	r.SetTimeout(timeout)
	fmt.Fprintf(stderr, "unmutated: %.1fs (conformance run %.1fs, checks %.1fs); %d of %d mutants, %d at a time, %s per suite run\n",
		base.Elapsed.Seconds(), base.Conformance.Elapsed.Seconds(), base.Checks.Elapsed.Seconds(), len(ms), len(all), o.jobs, timeout)
	results := r.Run(ctx, ms, eq, o.runEquivalent)
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	elapsed := time.Since(start)
	fmt.Fprintln(stdout)
	if err := mutate.WriteTable(stdout, results); err != nil {
		return err
	}
	ran := 0
	for _, res := range results {
		if res.Elapsed > 0 {
			ran++
		}
	}
	if ran > 0 {
		fmt.Fprintf(stdout, "%d mutants in %s, %.1fs a mutant with %d at a time\n", ran, elapsed.Round(time.Second), elapsed.Seconds()/float64(ran), o.jobs)
	}
	if o.jsonOut == "" {
		return nil
	}
	rep := mutate.Report{Root: root, Seed: o.seed, Sample: len(ms), Of: len(all), Fuzz: o.fuzz, Baseline: base.Elapsed, Elapsed: elapsed}
	if o.jsonOut == "-" {
		return mutate.WriteJSON(stdout, rep, results)
	}
	f, err := os.Create(o.jsonOut)
	if err != nil {
		return err
	}
	if err := mutate.WriteJSON(f, rep, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/fuzz"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/prompts"
)

// commands lists the subcommands.
func commands() []*cobra.Command {
	return []*cobra.Command{runCmd(), matrixCmd(), compareCmd(), fuzzCmd(), lintCmd(), profilesCmd(), serveCmd()}
}

func loadJourneys(args []string) ([]*journey.Journey, error) {
	var out []*journey.Journey
	var errs []error
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if st.IsDir() {
			js, err := journey.LoadDir(a)
			out = append(out, js...)
			if err != nil {
				errs = append(errs, err)
			}
			continue
		}
		j, err := journey.Load(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, j)
	}
	return out, errors.Join(errs...)
}

func simulate(cmd *cobra.Command, o *options, journeys []*journey.Journey, all bool) error {
	ctx := context.Background()
	e, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer e.close(ctx)
	var jobs []job
	for _, j := range journeys {
		profiles := j.Profiles()
		if all {
			profiles = device.Profiles()
		}
		for _, p := range profiles {
			jobs = append(jobs, job{j, p})
		}
	}
	run := o.runJobs(ctx, cmd, e, jobs)
	if err := o.write(cmd, run); err != nil {
		return err
	}
	if !run.OK() {
		return errFailed
	}
	return nil
}

func runCmd() *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "run FILE|DIR...",
		Short: "Play journeys on the devices they name; exit 1 on a failed expectation or a compliance fault",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			js, err := loadJourneys(args)
			if err != nil {
				return err
			}
			return simulate(cmd, &o, js, false)
		},
	}
	o.flags(cmd)
	return cmd
}

func matrixCmd() *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "matrix [FILE|DIR...]",
		Short: "Play every journey on every device profile (default: hostsim/testdata/journeys and examples/journeys)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"hostsim/testdata/journeys", "examples/journeys"}
			}
			js, err := loadJourneys(args)
			if err != nil {
				return err
			}
			return simulate(cmd, &o, js, true)
		},
	}
	o.flags(cmd)
	return cmd
}

func compareCmd() *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "compare [FILE|DIR...]",
		Short: "Play journeys on every profile with the module and the native engine, and report every difference",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"hostsim/testdata/journeys", "examples/journeys"}
			}
			js, err := loadJourneys(args)
			if err != nil {
				return err
			}
			o.compare = true
			return simulate(cmd, &o, js, true)
		},
	}
	o.flags(cmd)
	return cmd
}

func lintCmd() *cobra.Command {
	var policies, locales []string
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Check the policy versions and locale files (the compiler's linter)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := prompts.Load(policies, locales)
			if err != nil {
				return err
			}
			if probs := prompts.Lint(p); len(probs) > 0 {
				return probs
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: policy %s, %d version(s), %d locales\n", p.Active().Meta.ID, len(p.Versions), len(p.Catalogs))
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&policies, "policy", []string{"prompts/msxf"}, "policy folder or version files")
	cmd.Flags().StringSliceVar(&locales, "locales", []string{"locales"}, "message folders")
	return cmd
}

func profilesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "profiles",
		Short: "List the device profiles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, p := range device.Profiles() {
				note := ""
				if p.Webview {
					note = "  (a WASI whose poll_oneoff fails, as browser shims')"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-16s %-9s %s%s\n", p.Name, p.Platform, p.Version, note)
			}
			return nil
		},
	}
}

func fuzzCmd() *cobra.Command {
	var o options
	var n int
	var seed uint64
	var out string
	cmd := &cobra.Command{
		Use:   "fuzz",
		Short: "Run random devices, users and journeys, check every rule, and shrink a failure to a journey file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			native := o.native
			o.compare = !native // the native engine samples every tenth journey for the ratio and the comparison
			e, err := o.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(ctx)
			steps, perms := policyNames(e.bundle)
			var diffMu sync.Mutex
			var diffs []string
			start := time.Now()
			var decisions, failures atomic.Int64
			var firstMu sync.Mutex
			var first *fuzzFailure
			bar := newBar(cmd, n, "journeys")
			next := atomic.Int64{}
			var wg sync.WaitGroup
			var wasmTime, nativeTime atomic.Int64
			for range max(1, o.workers) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					w := e.newWorker()
					defer w.close(ctx)
					for {
						i := int(next.Add(1) - 1)
						if i >= n {
							return
						}
						c := fuzz.Generate(seed+uint64(i), steps, perms)
						main, nat := w.decide(ctx, c.Profile)
						timed := func(d sim.Decide, acc *atomic.Int64) sim.Decide {
							return func(req []byte) ([]byte, error) {
								t := time.Now()
								out, err := d(req)
								acc.Add(int64(time.Since(t)))
								return out, err
							}
						}
						u := c.NewUser()
						t := sim.Run(timed(main, &wasmTime), device.New(c.Profile), u, c.Locale, c.Ops)
						decisions.Add(int64(len(t.Entries)))
						// Every tenth journey also natively, for the ratio.
						if nat != nil && i%10 == 0 {
							nt := sim.Run(timed(nat, &nativeTime), device.New(c.Profile), u.Script(), c.Locale, c.Ops)
							if d := differ(t, nt); d != "" {
								diffMu.Lock()
								diffs = append(diffs, fmt.Sprintf("seed %d on %s: %s", c.Seed, c.Profile.Name, d))
								diffMu.Unlock()
							}
						}
						if faults := check.Check(e.policy, t); len(faults) > 0 {
							failures.Add(1)
							firstMu.Lock()
							if first == nil {
								first = &fuzzFailure{c: c, rec: u, fault: faults[0], decide: main}
							}
							firstMu.Unlock()
						}
						bar.Add(1)
					}
				}()
			}
			wg.Wait()
			bar.Finish()
			elapsed := time.Since(start)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%d journeys, %d decisions in %s: %.0f decisions/s on %d workers\n", n, decisions.Load(),
				elapsed.Round(time.Millisecond), float64(decisions.Load())/elapsed.Seconds(), o.workers)
			if nt := nativeTime.Load(); nt > 0 {
				// The native sample is every tenth journey, replayed with the same answers.
				fmt.Fprintf(w, "engine time per decision: module %.1f us, native %.1f us (sampled): %.1fx\n",
					float64(wasmTime.Load())/float64(decisions.Load())/1e3, float64(nt)*10/float64(decisions.Load())/1e3,
					float64(wasmTime.Load())/(float64(nt)*10))
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			fmt.Fprintf(w, "simulator memory: %d MiB from the OS\n", m.Sys>>20)
			if r := e.replaced.Load(); r > 0 {
				fmt.Fprintf(w, "%d module instance(s) trapped or timed out and were replaced\n", r)
			}
			for _, d := range diffs {
				fmt.Fprintf(w, "DIFF %s\n", d)
			}
			if first == nil {
				fmt.Fprintf(w, "no compliance fault; %d difference(s) between the module and the native engine\n", len(diffs))
				if len(diffs) > 0 {
					return errFailed
				}
				return nil
			}
			fmt.Fprintf(w, "%d journeys broke a rule; the first: seed %d on %s: %s\n", failures.Load(), first.c.Seed, first.c.Profile.Name, first.fault)
			file, err := first.shrink(e.policy, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "shrunk to %s (hostsim run %s reproduces it)\n", file, file)
			return errFailed
		},
	}
	o.flags(cmd)
	cmd.Flags().IntVar(&n, "journeys", 10000, "how many random journeys")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the first journey (journey i has seed+i)")
	cmd.Flags().StringVar(&out, "out", "dist/fuzz", "folder for the shrunk journey of a failure")
	return cmd
}

type fuzzFailure struct {
	c      fuzz.Case
	rec    *fuzz.Recorder
	fault  check.Fault
	decide sim.Decide
}

// shrink reduces the failing journey and writes it as a journey file.
func (f *fuzzFailure) shrink(policy *check.Policy, dir string) (string, error) {
	script := f.rec.Script()
	ops := fuzz.Shrink(f.c.Ops, f.fault.Rule, func(ops []sim.Op) []string {
		user := *script
		t := sim.Run(f.decide, device.New(f.c.Profile), &user, f.c.Locale, ops)
		var rules []string
		for _, fl := range check.Check(policy, t) {
			rules = append(rules, fl.Rule)
		}
		return rules
	})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	file := filepath.Join(dir, fmt.Sprintf("seed-%d.toml", f.c.Seed))
	return file, os.WriteFile(file, []byte(fuzz.TOML(&f.c, ops, script, f.fault.Rule)), 0o644)
}

// policyNames lists a bundle's steps ("scenario/step") and permissions.
func policyNames(b *bundle.Bundle) (steps, perms []string) {
	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			steps = append(steps, sc.ID+"/"+st.ID)
		}
	}
	for _, p := range b.Permissions {
		perms = append(perms, p.ID)
	}
	return steps, perms
}

package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/hostsim"
	"github.com/jitconsent/jitconsent/hostsim/report"
)

// errFailed is returned by a command whose run found failures it has
// already reported: the exit status is 1 and nothing more is printed.
var errFailed = errors.New("failed")

// options are the flags the simulating commands share.
type options struct {
	wasm, bundle, cache string
	native, compare     bool
	workers             int
	timeout             time.Duration
	jsonOut, junit      string
	html                string
	record              string
	verbose             bool
	shard               shard
}

// flags are those of the commands that play journeys and report them;
// compareFlag adds --compare (which the compare command, always
// comparing, has no use for).
func (o *options) flags(cmd *cobra.Command, compareFlag bool) {
	o.engineFlags(cmd)
	f := cmd.Flags()
	if compareFlag {
		f.BoolVar(&o.compare, "compare", false, "run the module and the native engine, and report every difference (as hostsim compare does)")
	}
	f.StringVar(&o.jsonOut, "json", "", "write the results as JSON to this file (- for standard output)")
	f.StringVar(&o.junit, "junit", "", "write JUnit XML to this file")
	f.StringVar(&o.html, "html", "", "write the HTML report (a phone-screen timeline per run) to this file")
	f.StringVar(&o.record, "record", "", "write the runs' receipts (receipts.jsonl) and the bundles they name (bundles/) to this folder, for the consent-record service and the verifier")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "list every run, not only failures")
	f.Var(&o.shard, "shard", "play only part k of n of the runs (every n-th, from the k-th), for n machines; hostsim merge joins their --json reports")
}

// engineFlags choose the engine and how it runs.
func (o *options) engineFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.wasm, "wasm", "dist/consent.wasm", "the module to run")
	f.StringVar(&o.bundle, "bundle", "dist/bundle.json", "the bundle the module carries (the checks read the policy from it)")
	f.BoolVar(&o.native, "native", false, "run the native engine instead of the module")
	f.IntVar(&o.workers, "workers", runtime.NumCPU(), "parallel workers, one module instance each")
	f.DurationVar(&o.timeout, "timeout", 2*time.Second, "deadline of one call into the module")
	f.StringVar(&o.cache, "cache", defaultCache(), "folder for wazero's compiled code (\"\" for none)")
}

func defaultCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "jitconsent-wazero")
}

// config is the engines' part of the flags.
func (o *options) config() hostsim.Config {
	return hostsim.Config{Wasm: o.wasm, Bundle: o.bundle, Native: o.native, Compare: o.compare, CacheDir: o.cache, CallTimeout: o.timeout}
}

// outputs are the reports the flags ask for.
func (o *options) outputs() report.Outputs {
	return report.Outputs{JSON: o.jsonOut, JUnit: o.junit, HTML: o.html, Verbose: o.verbose}
}

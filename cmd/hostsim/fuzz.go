package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/hostsim/fuzz"
)

// asCommandEnv, set to 1, makes a test binary of this package act as the
// command (see TestMain): fuzz starts its worker processes from its own
// executable, which under go test is the test binary.
const asCommandEnv = "HOSTSIM_AS_COMMAND"

// fuzzOptions are the flags of fuzz and of its worker processes.
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
		Example: `  hostsim fuzz --journeys 2000 --seed 7
  hostsim fuzz --native --journeys 100000
  hostsim fuzz --wasm dist/consent-test.wasm --out dist/fuzz --timeout 5s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.n < 0 {
				return usageError{fmt.Errorf("--journeys %d: the count cannot be negative", o.n)}
			}
			return o.run(cmd)
		},
	}
	o.engineFlags(cmd)
	cmd.Flag("workers").Usage = "worker processes (with --native, goroutines), one module instance each"
	cmd.Flag("timeout").Usage = "deadline of one call into the module: a journey without an answer within it per user action is a hang"
	cmd.Flags().IntVar(&o.n, "journeys", 10000, "how many random journeys")
	cmd.Flags().Uint64Var(&o.seed, "seed", 1, "seed of the first journey (journey i has seed+i)")
	cmd.Flags().StringVar(&o.out, "out", "dist/fuzz", "folder for the shrunk journey of a failure")
	cmd.Flags().Var(&o.shard, "shard", "play only part k of n of the journeys (a contiguous block of seeds), for n machines")
	return cmd
}

// fuzzWorkerCmd is a worker process of fuzz (fuzz.Serve): it reads lines
// "first count" on standard input, plays those journeys and answers each
// with a JSON line.
func fuzzWorkerCmd() *cobra.Command {
	var o fuzzOptions
	cmd := &cobra.Command{
		Use:    "fuzz-worker",
		Short:  "A worker process of fuzz (reads journey numbers, writes results)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fuzz.Serve(context.Background(), o.config(), cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	o.engineFlags(cmd)
	cmd.Flags().Uint64Var(&o.seed, "seed", 1, "seed of journey 0")
	return cmd
}

// config is the fuzz run the flags ask for. Its worker processes are this
// command again, as fuzz-worker, on the same module, bundle and seed.
func (o *fuzzOptions) config() fuzz.Config {
	return fuzz.Config{
		Wasm: o.wasm, Bundle: o.bundle, CacheDir: o.cache, Native: o.native, Timeout: o.timeout,
		Journeys: o.n, Seed: o.seed, Workers: o.workers, Out: o.out, Flags: o.engineArgs(),
		WorkerCommand: func() *exec.Cmd {
			self, err := os.Executable()
			if err != nil {
				self = os.Args[0]
			}
			c := exec.Command(self, "fuzz-worker", "--wasm", o.wasm, "--bundle", o.bundle, "--cache", o.cache,
				"--seed", strconv.FormatUint(o.seed, 10))
			c.Env = append(os.Environ(), asCommandEnv+"=1")
			return c
		},
	}
}

// run plays the random journeys, prints the summary, and shrinks the
// first journey that broke a rule to a journey file.
func (o *fuzzOptions) run(cmd *cobra.Command) error {
	ctx := context.Background()
	out := cmd.OutOrStdout()
	if o.shard.n > 0 {
		// The shard's block of journeys is itself a fuzz run, from the
		// seed of its first journey: every hint names absolute seeds.
		first, count := o.shard.block(o.n)
		fmt.Fprintf(out, "shard %s: journeys %d to %d of %d (seeds %d to %d)\n", o.shard.String(), first, first+count-1, o.n, o.seed+uint64(first), o.seed+uint64(first+count)-1)
		o.seed, o.n = o.seed+uint64(first), count
	}
	cfg := o.config()
	bar := newBar(cmd, o.n, "journeys")
	cfg.Progress = func() { bar.Add(1) }
	res, err := fuzz.Run(ctx, cfg, out)
	bar.Finish()
	if err != nil {
		return err
	}
	res.Text(out)
	failing := res.Failing()
	if len(failing) == 0 {
		if !res.OK() {
			return errFailed
		}
		return nil
	}
	file, err := fuzz.Shrink(ctx, cfg, failing[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "shrunk to %s (hostsim run%s %s reproduces it)\n", file, o.engineArgs(), shellQuote(file))
	return errFailed
}

// engineArgs are the flags that chose the engine and the deadline this
// run plays journeys with, as a command line repeats them (with a leading
// space): hostsim run and hostsim fuzz play a hint's journey as this run
// did only with them, whatever their defaults. The cache, the worker count
// and the report files change nothing a journey does.
func (o *fuzzOptions) engineArgs() string {
	args := []string{"--wasm", o.wasm}
	if o.native {
		args = []string{"--native"}
	}
	args = append(args, "--bundle", o.bundle, "--timeout", o.timeout.String())
	var b strings.Builder
	for _, a := range args {
		b.WriteString(" " + shellQuote(a))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./:=+,@%.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Command hostsim runs the consent module against simulated devices and
// users, and serves the demo page.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/internal/cli"
)

func main() { os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr)) }

// execute runs the command line args and returns the exit status.
func execute(args []string, stdout, stderr io.Writer) int {
	root := rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		if !errors.Is(err, errFailed) {
			fmt.Fprintln(stderr, "hostsim:", err)
		}
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

// rootCmd is hostsim with its subcommands.
func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "hostsim",
		Short:         "Run consent.wasm against simulated devices and users",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// An unknown subcommand is a usage error that names the nearest ones
	// (SuggestionsFor needs the distance set; cobra defaults it only for
	// the suggestions of its own message).
	root.SuggestionsMinimumDistance = 2
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
			msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(near, " or "))
		}
		return errors.New(msg + "; hostsim --help lists the commands")
	}
	var version bool
	var versionWasm, versionBundle string
	root.Flags().BoolVar(&version, "version", false, "print the simulator's build, and the versions of the module it runs and of its bundle")
	root.Flags().StringVar(&versionWasm, "wasm", "dist/consent.wasm", "with --version: the module to describe")
	root.Flags().StringVar(&versionBundle, "bundle", "dist/bundle.json", "with --version: the bundle file to describe")
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		if version {
			writeVersion(cmd.OutOrStdout(), versionWasm, versionBundle)
			return nil
		}
		return cmd.Help()
	}
	root.Example = `  hostsim run examples/journeys
  hostsim matrix --junit dist/hostsim.xml --html dist/hostsim.html
  hostsim compare --json dist/compare.json
  hostsim fuzz --journeys 2000 --seed 7
  hostsim --version --wasm dist/consent-test.wasm`
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{cli.FlagError(cmd, err)} })
	for _, c := range append(commands(), root) {
		if v := c.Args; v != nil {
			c.Args = func(c *cobra.Command, args []string) error {
				if err := v(c, args); err != nil {
					return usageError{err}
				}
				return nil
			}
		}
		if c != root {
			root.AddCommand(c)
		}
	}
	return root
}

// usageError is a wrong use of the command line (exit status 2).
type usageError struct{ error }

// commands lists the subcommands.
func commands() []*cobra.Command {
	return []*cobra.Command{
		playCmd("run FILE|DIR...", "Play journeys on the devices they name; exit 1 on a failed expectation or a compliance fault",
			`  hostsim run examples/journeys
  hostsim run -v hostsim/testdata/journeys/withdraw.toml
  hostsim run --wasm dist/consent-test.wasm --junit dist/junit.xml --json dist/run.json hostsim/testdata/journeys`, false, false),
		playCmd("matrix [FILE|DIR...]", "Play every journey on every device profile (default: "+defaultMatrix+")",
			`  hostsim matrix --wasm dist/consent-test.wasm --html dist/report.html   # the update journeys need the test module
  hostsim matrix --native --junit dist/matrix.xml
  hostsim matrix --wasm dist/consent-test.wasm --record dist/record hostsim/testdata/journeys`, true, false),
		playCmd("compare [FILE|DIR...]", "Play journeys on every profile with the module and the native engine, and report every difference (default: "+defaultMatrix+")",
			`  hostsim compare --wasm dist/consent-test.wasm
  hostsim compare --wasm dist/consent-test.wasm --json dist/compare.json hostsim/testdata/journeys/withdraw.toml`, true, true),
		mergeCmd(), fuzzCmd(), fuzzWorkerCmd(), lintCmd(), profilesCmd(), serveCmd(),
	}
}

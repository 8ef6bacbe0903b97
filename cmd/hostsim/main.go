// Command hostsim runs the consent module against simulated devices and
// users, and serves the demo page.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() { os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr)) }

// execute runs the command line args and returns the exit status.
func execute(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "hostsim",
		Short:         "Run consent.wasm against simulated devices and users",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.Args = cobra.NoArgs // an unknown subcommand is a usage error
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
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

// usageError is a wrong use of the command line (exit status 2).
type usageError struct{ error }

// commands lists the subcommands.
func commands() []*cobra.Command {
	return []*cobra.Command{
		playCmd("run FILE|DIR...", "Play journeys on the devices they name; exit 1 on a failed expectation or a compliance fault", false, false),
		playCmd("matrix [FILE|DIR...]", "Play every journey on every device profile (default: "+defaultMatrix+")", true, false),
		playCmd("compare [FILE|DIR...]", "Play journeys on every profile with the module and the native engine, and report every difference (default: "+defaultMatrix+")", true, true),
		fuzzCmd(), fuzzWorkerCmd(), lintCmd(), profilesCmd(), serveCmd(),
	}
}

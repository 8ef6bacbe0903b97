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

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// errFailed is returned by a command whose run found failures it has
// already reported: the exit status is 1 and nothing more is printed.
var errFailed = errors.New("failed")

func run(args []string, stdout, stderr io.Writer) int {
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

// asCommandEnv, set to 1, makes a test binary of this package act as the
// command (see TestMain): fuzz starts its worker processes from its own
// executable, which under go test is the test binary.
const asCommandEnv = "HOSTSIM_AS_COMMAND"

// usageError is a wrong use of the command line (exit status 2).
type usageError struct{ error }

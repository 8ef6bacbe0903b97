// Command ledger checks consent receipt chains offline, as an auditor
// would: the hashes, ids and links of every receipt, the sequence and
// times per installation, each text hash against the signed bundle of its
// policy version and locale, and the consent-record service's signed
// checkpoints and anchors. It prints what each installation was shown and
// answered, and exports the receipts as Kantara consent receipts.
//
//	ledger verify receipts.jsonl --bundles dist/bundles --checkpoint cp.json --service-key service.pub
//	ledger timeline receipts.jsonl --bundles dist/bundles [--json]
//	ledger export receipts.jsonl --bundles dist/bundles [--json]
//
// Receipts are read from files (or - for standard input) holding a JSON
// array of receipts or JSON Lines. docs/RECORDS.md is the auditor's
// guide.
//
// Exit status: 0 when every check passes, 1 when a receipt or checkpoint
// has a fault or an input cannot be read (each named), 2 on wrong usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/spf13/cobra"
)

// errFaults ends a command whose report has been printed and which found
// faults: exit 1, nothing more to say.
var errFaults = errors.New("")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs ledger with args and returns its exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "ledger",
		Short:         "Verify consent receipt chains offline, show their timeline and export them",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(verifyCmd(stdin), timelineCmd(stdin), exportCmd(stdin), generateCmd())
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	code, err := cli.Status(err)
	if err != errFaults {
		fmt.Fprintln(stderr, err)
	}
	return code
}

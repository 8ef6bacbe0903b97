// Command promptc is the policy compiler: it lints policy versions and
// their locale files, compiles them into a bundle, diffs versions, signs
// and verifies bundles, and exports the platform declarations an app build
// checks against the policy.
//
//	promptc lint                          lint prompts/msxf with locales/
//	promptc compile -o dist/bundle.json   compile (and --sign KEY)
//	promptc diff OLD.toml NEW.toml        what changed, major or minor
//	promptc freeze --version V            publish V: write its <version>.lock
//	promptc keygen --out keys/dev         make a signing key pair
//	promptc sign --key K bundle.json      sign a bundle
//	promptc verify --pub P bundle.json    verify a signed bundle
//	promptc export --out dist/platform    manifest, Info.plist, app.json
//	promptc check --android M.xml ...     compare an app build with the policy
//	promptc show dist/bundle.json         summarise a bundle
//	promptc tables -o F.go bundle.json    the bundle as the engine's Go tables
//	promptc first-launch -o F.json        the first popup, precomputed
//	promptc preview -o preview.html       every text of a version, per locale
//
// Exit status: 0 on success, 1 when the input has problems or a bundle is
// rejected, 2 on wrong usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/spf13/cobra"
)

// Cobra gives every subcommand its --help and flag parsing; the compiler
// has ten subcommands and the simulator will have more, and hand-written
// flag sets for each would be longer and less consistent.

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs promptc with args and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var probs errcode.List
	if errors.As(err, &probs) {
		err = cli.Fail(err) // problems in the input, unless a status says otherwise
	}
	code, err := cli.Status(err)
	fmt.Fprintln(stderr, err)
	if errors.As(err, &probs) {
		fmt.Fprintf(stderr, "%d problem(s)\n", len(probs))
	}
	return code
}

// rootCmd is promptc with its subcommands.
func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "promptc",
		Short:         "Compile privacy-policy versions and their texts into a signed consent bundle",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		Example: `  promptc lint
  promptc compile -o dist/bundle.json
  promptc show dist/bundle.json
  promptc --version`,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(cli.FlagError)
	root.AddCommand(lintCmd(), compileCmd(), diffCmd(), freezeCmd(), keygenCmd(), signCmd(), verifyCmd(), exportCmd(), checkCmd(), showCmd(), pubkeysCmd(), tablesCmd(), firstLaunchCmd(), previewCmd())
	return root
}

// version is promptc --version: the build, and the versions of the
// formats it writes, which a reader of its output checks: the bundle
// layout (engine/bundle.Format, which the module and the JavaScript host
// accept no other of) and the lock file of a frozen version
// (prompts.LockFormat). The policy and message files it reads are
// described by prompts/FORMAT.md and carry no version number.
func version() string {
	return fmt.Sprintf("%s\nbundle format %d, lock format %d (policy files: prompts/FORMAT.md)", cli.Build("promptc"), bundle.Format, prompts.LockFormat)
}

// sources are the flags that name what to load.
type sources struct {
	policies []string
	locales  []string
}

func (s *sources) flags(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&s.policies, "policy", []string{"prompts/msxf"}, "policy version file or folder (repeatable)")
	cmd.Flags().StringArrayVar(&s.locales, "locales", []string{"locales"}, "message file or folder (repeatable)")
}

func (s *sources) load() (*prompts.Project, error) {
	return prompts.Load(s.policies, s.locales)
}

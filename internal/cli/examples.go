package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// CheckExamples checks the Example of root and of every command under it
// that is not hidden: each has one, and each of its lines is a command
// line of the tool that finds a command, whose flags parse and whose
// arguments its Args accepts, and whose paths outside dist/ (the build's
// output) exist in the directory the tests run in, the repository root
// (the value of -o and --out, which a command writes, excepted). It
// returns every problem; the commands are not run.
func CheckExamples(root *cobra.Command) []error {
	var errs []error
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		if strings.TrimSpace(c.Example) == "" {
			errs = append(errs, fmt.Errorf("%s: no example", c.CommandPath()))
		}
		for _, line := range exampleLines(c.Example) {
			if err := checkLine(root, line); err != nil {
				errs = append(errs, fmt.Errorf("%s: example %q: %v", c.CommandPath(), line, err))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return errs
}

// exampleLines are the command lines of an example: comments after " #"
// dropped, lines ending in a backslash joined to the next.
func exampleLines(example string) []string {
	var out []string
	cur := ""
	for _, l := range strings.Split(example, "\n") {
		if i := strings.Index(l, " #"); i >= 0 {
			l = l[:i]
		}
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutSuffix(l, "\\"); ok {
			cur += rest + " "
			continue
		}
		if l = strings.TrimSpace(cur + l); l != "" {
			out = append(out, l)
		}
		cur = ""
	}
	return out
}

func checkLine(root *cobra.Command, line string) error {
	words := strings.Fields(line)
	if words[0] != root.Name() {
		return fmt.Errorf("does not start with %s", root.Name())
	}
	c, rest, err := root.Find(words[1:])
	if err != nil {
		return err
	}
	// --help and --version are added as Execute would; Changed is reset,
	// as an earlier line may have set a required flag.
	c.InitDefaultHelpFlag()
	c.InitDefaultVersionFlag()
	c.Flags().VisitAll(func(f *pflag.Flag) { f.Changed = false })
	if err := c.ParseFlags(rest); err != nil {
		return err
	}
	if err := c.ValidateRequiredFlags(); err != nil {
		return err
	}
	if err := c.ValidateArgs(c.Flags().Args()); err != nil {
		return err
	}
	for i, w := range words[1:] {
		prev := words[i]
		if !strings.Contains(w, "/") || strings.HasPrefix(w, "-") || strings.HasPrefix(w, "dist/") ||
			prev == "-o" || prev == "--out" {
			continue
		}
		if _, err := os.Stat(w); err != nil {
			return err
		}
	}
	return nil
}

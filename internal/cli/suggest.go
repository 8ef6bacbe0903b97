package cli

import (
	"errors"
	"fmt"
	"github.com/jitconsent/jitconsent/internal/similar"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// FlagError is a cobra flag error function: an unknown long flag gets the
// command's flags nearest to it, "unknown flag: --juint (did you mean
// --junit?)". Other errors are returned as they are.
func FlagError(cmd *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	if !errors.As(err, &ne) || !strings.HasPrefix(err.Error(), "unknown flag: --") {
		return err
	}
	if near := SuggestFlags(cmd, ne.GetSpecifiedName()); len(near) > 0 {
		return fmt.Errorf("%w (did you mean --%s?)", err, strings.Join(near, " or --"))
	}
	return err
}

// SuggestFlags returns the names of the command's flags (its own and
// those it inherits, --help included) within an edit distance of two of
// name, or of which name is a prefix, nearest first.
func SuggestFlags(cmd *cobra.Command, name string) []string {
	best, bestD := []string(nil), 3
	consider := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := similar.Distance(strings.ToLower(name), f.Name)
		if len(name) >= 3 && strings.HasPrefix(f.Name, name) {
			d = min(d, 1)
		}
		switch {
		case d < bestD:
			best, bestD = []string{f.Name}, d
		case d == bestD:
			best = append(best, f.Name)
		}
	}
	cmd.LocalFlags().VisitAll(consider)
	cmd.InheritedFlags().VisitAll(consider)
	return best
}

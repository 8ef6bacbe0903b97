package cli

import (
	"errors"
	"fmt"
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
		d := distance(strings.ToLower(name), f.Name)
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

// distance is the Levenshtein distance between a and b, in bytes (flag
// names are ASCII).
func distance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

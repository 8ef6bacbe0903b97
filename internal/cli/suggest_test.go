package cli

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestFlagError(t *testing.T) {
	root := &cobra.Command{Use: "tool"}
	root.PersistentFlags().Bool("verbose", false, "")
	sub := &cobra.Command{Use: "run", Run: func(*cobra.Command, []string) {}}
	sub.Flags().String("junit", "", "")
	sub.Flags().String("json", "", "")
	sub.Flags().String("wasm", "", "")
	sub.Flags().String("secret", "", "")
	sub.Flags().MarkHidden("secret")
	root.AddCommand(sub)
	root.SetFlagErrorFunc(FlagError)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--juint", "x"}, "unknown flag: --juint (did you mean --junit?)"},
		{[]string{"run", "--jsno", "x"}, "unknown flag: --jsno (did you mean --json?)"},
		{[]string{"run", "--JUNIT", "x"}, "unknown flag: --JUNIT (did you mean --junit?)"},
		{[]string{"run", "--verbos"}, "unknown flag: --verbos (did you mean --verbose?)"},
		{[]string{"run", "--was=x"}, "unknown flag: --was (did you mean --wasm?)"},
		{[]string{"run", "--jsn"}, "unknown flag: --jsn (did you mean --json?)"},
		{[]string{"run", "--secre"}, "unknown flag: --secre"},
		{[]string{"run", "--nothinglikeit"}, "unknown flag: --nothinglikeit"},
		{[]string{"run", "-q"}, "unknown shorthand flag: 'q' in -q"},
	} {
		root.SetArgs(c.args)
		root.SilenceErrors, root.SilenceUsage = true, true
		if err := root.Execute(); err == nil || err.Error() != c.want {
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		}
	}
	if got := SuggestFlags(sub, "jso"); !slices.Equal(got, []string{"json"}) {
		t.Errorf("SuggestFlags(jso) = %q", got)
	}
}

// TestCheckExamples: the checker finds what makes an example wrong.
func TestCheckExamples(t *testing.T) {
	root := &cobra.Command{Use: "tool", Example: "  tool run --junit r.xml internal/cli   # a comment"}
	run := &cobra.Command{Use: "run DIR", Args: cobra.ExactArgs(1), Run: func(*cobra.Command, []string) {},
		Example: "  tool run --junit r.xml \\\n      internal/cli\n  tool run --juint r.xml internal/cli\n  tool run internal/cli extra\n  tool run no/such/dir\n  tool run -o out/x dist/y\n  other run x"}
	run.Flags().String("junit", "", "")
	run.Flags().StringP("out", "o", "", "")
	req := &cobra.Command{Use: "req", Run: func(*cobra.Command, []string) {}, Example: "  tool req --key k\n  tool req"}
	req.Flags().String("key", "", "")
	req.MarkFlagRequired("key")
	root.AddCommand(run, req, &cobra.Command{Use: "bare", Run: func(*cobra.Command, []string) {}})
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir("internal/cli") })
	var got []string
	for _, err := range CheckExamples(root) {
		got = append(got, err.Error())
	}
	want := []string{
		`tool bare: no example`,
		`tool req: example "tool req": required flag(s) "key" not set`,
		`tool run: example "tool run --juint r.xml internal/cli": unknown flag: --juint`,
		`tool run: example "tool run internal/cli extra": accepts 1 arg(s), received 2`,
		`tool run: example "tool run no/such/dir": stat no/such/dir: no such file or directory`,
		`tool run: example "other run x": does not start with tool`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

package main

import (
	"fmt"
	"os"

	"github.com/jitconsent/jitconsent/firstlaunch"
	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/spf13/cobra"
)

// firstLaunchCmd writes the precomputed first launch (package
// firstlaunch): the popup a host shows while the module loads.
func firstLaunchCmd() *cobra.Command {
	var in, out string
	cmd := &cobra.Command{
		Use:     "first-launch --bundle dist/bundle.json -o dist/first-launch.json",
		Example: "  promptc first-launch --bundle dist/bundle.json -o dist/first-launch.json",
		Short:   "Precompute the engine's answer to a fresh install's launch, per locale and platform, for hosts to show before the module is ready",
		Long: "Decide a fresh install's launch (no state, no OS report) with the native engine on the bundle, opened as the\n" +
			"module opens the one it embeds, for every locale of the bundle and every platform, and write the actions of\n" +
			"each answer byte for byte, with the policy version and the bundle's hash (package firstlaunch). A host shows\n" +
			"them at once, then replays the launch on the module and follows its answer (wasm/js/README.md).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := os.ReadFile(in)
			if err != nil {
				return cli.Fail(err)
			}
			f, err := firstlaunch.Compute(env)
			if err != nil {
				return cli.Fail(fmt.Errorf("%s: %w", in, err))
			}
			data := f.Marshal()
			if err := writeFile(out, data); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: policy %s %s, bundle %s, %d locale(s) x %d platform(s), %d bytes\n",
				out, f.Policy.ID, f.Policy.Version, f.Bundle, len(f.Locales), len(f.Platforms), len(data))
			return nil
		},
	}
	cmd.Flags().StringVar(&in, "bundle", "dist/bundle.json", "the bundle the module embeds (make bundle)")
	cmd.Flags().StringVarP(&out, "out", "o", "dist/first-launch.json", "where to write the precomputed launch")
	return cmd
}

package main

import (
	"bytes"
	"fmt"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/spf13/cobra"
)

func previewCmd() *cobra.Command {
	var src sources
	var version, against, out string
	cmd := &cobra.Command{
		Use:   "preview [-o dist/preview.html] [--version V] [--against OLD]",
		Short: "Write one HTML page with every text a policy version shows, its locales side by side",
		Long: `preview renders every text the version shows, as the app shows it: the
policy popup, the update lines, each step's purpose, consequence and
fallback, the consent screens, the settings guidance per platform, the
block and basic-mode notices, the platforms' own dialogs and the SDK
list, with the version's locales side by side. A text a locale lacks is
marked missing, one that renders blank empty, and one wider than a phone
shows well overlong (prompts.MaxWidth). The page is self-contained: no
script, nothing loaded, printable. With --against, only the texts that
differ from the older version, each beside its older text.

Drafts are previewed, not refused: promptc lint says what the compiler
would refuse.`,
		Example: `  promptc preview -o dist/preview.html
  promptc preview --policy prompts/msxf --policy next.toml --version 2023-09-01 --against 2022-03-29 -o dist/changes.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := src.load()
			if err != nil {
				return cli.Fail(err)
			}
			var pv *prompts.Preview
			if against != "" {
				pv, err = prompts.NewPreviewDiff(p, against, version)
			} else {
				pv, err = prompts.NewPreview(p, version)
			}
			if err != nil {
				return cli.Fail(err)
			}
			var page bytes.Buffer
			if err := pv.WriteHTML(&page); err != nil {
				return err
			}
			if err := writeFile(out, page.Bytes()); err != nil {
				return err
			}
			what := "every text"
			if against != "" {
				what = "the texts changed from " + against
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: policy %s version %s, %s (%d) in %d locale(s); marked: %d missing, %d empty, %d overlong\n",
				out, pv.Policy, pv.Version, what, pv.Rows(), len(pv.Locales), pv.Marks["missing"], pv.Marks["empty"], pv.Marks["overlong"])
			return nil
		},
	}
	src.flags(cmd)
	cmd.Flags().StringVar(&version, "version", "", "the version to show (default: the newest loaded)")
	cmd.Flags().StringVar(&against, "against", "", "show only what changed from this older version")
	cmd.Flags().StringVarP(&out, "out", "o", "dist/preview.html", "where to write the page")
	return cmd
}

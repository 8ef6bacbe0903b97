package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/records"
	"github.com/spf13/cobra"
)

func purgeCmd() *cobra.Command {
	var db dbFlags
	var keys keyFlags
	var inst, before string
	cmd := &cobra.Command{
		Use:   "purge --installation ID --before TIME --key KEY",
		Short: "Remove an installation's receipts older than a cut-off, leaving a signed anchor",
		Long: "Remove an installation's oldest receipts, those before the first one dated at or after --before\n" +
			"(RFC 3339; a receipt dated after the cut-off, and any after it, stays), and store an anchor signed with --key (the seq and hash of the last receipt removed), from which\n" +
			"the rest of the chain still verifies. It prints the anchor. The retention a policy promises runs\n" +
			"from account closure, which only the operator knows: the cut-off is theirs to give.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !records.ValidInstallation(inst) {
				return cli.Usage(fmt.Errorf("--installation %q is not an installation id", inst))
			}
			t, err := time.Parse(time.RFC3339Nano, before)
			if err != nil {
				return cli.Usage(fmt.Errorf("--before %q is not an RFC 3339 time", before))
			}
			signer, err := keys.signer()
			if err != nil {
				return err
			}
			store, err := db.open(cmd.Context())
			if err != nil {
				return cli.Fail(err)
			}
			defer store.Close()
			anchor, cut, err := records.Purge(cmd.Context(), store, signer, time.Now(), inst, t)
			if err != nil {
				return cli.Fail(err)
			}
			if cut.Seq == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: no receipt before %s; nothing removed\n", inst, before)
				return nil
			}
			b, _ := anchor.MarshalJSON()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: removed %d receipt(s), up to seq %d\n%s\n", inst, cut.Removed, cut.Seq, b)
			return nil
		},
	}
	db.add(cmd)
	keys.add(cmd)
	cmd.Flags().StringVar(&inst, "installation", "", "the installation")
	cmd.Flags().StringVar(&before, "before", "", "the cut-off, RFC 3339")
	_ = cmd.MarkFlagRequired("installation")
	_ = cmd.MarkFlagRequired("before")
	return cmd
}

func exportCmd() *cobra.Command {
	var db dbFlags
	var keys keyFlags
	var inst, from, to, out string
	cmd := &cobra.Command{
		Use:   "export (--installation ID | --from T --to T) --key KEY --out DIR",
		Short: "Export an installation's or a period's records with a signed manifest, for an auditor",
		Long: "Write DIR/receipts.jsonl (the receipts, one canonical JSON a line, by installation and seq),\n" +
			"DIR/anchors.json (the anchors of purged chains) and DIR/manifest.json (signed with --key: the\n" +
			"count, first and last seq per installation, and the SHA-256 of receipts.jsonl). A period\n" +
			"(--from, --to: receipt times in [from, to)) exports, per installation, its receipts from the first\n" +
			"to the last in the period, a range of its chain without holes.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var q records.ExportQuery
			switch {
			case inst != "" && (from != "" || to != ""):
				return cli.Usage(errors.New("give --installation, or --from and --to, not both"))
			case inst != "":
				if !records.ValidInstallation(inst) {
					return cli.Usage(fmt.Errorf("--installation %q is not an installation id", inst))
				}
				q.Installation = inst
			default:
				var err1, err2 error
				q.From, err1 = time.Parse(time.RFC3339Nano, from)
				q.To, err2 = time.Parse(time.RFC3339Nano, to)
				if err1 != nil || err2 != nil || !q.To.After(q.From) {
					return cli.Usage(errors.New("give --installation, or --from and --to: RFC 3339 times, to after from"))
				}
			}
			signer, err := keys.signer()
			if err != nil {
				return err
			}
			store, err := db.open(cmd.Context())
			if err != nil {
				return cli.Fail(err)
			}
			defer store.Close()
			if err := os.MkdirAll(out, 0o755); err != nil {
				return cli.Fail(err)
			}
			f, err := os.Create(filepath.Join(out, "receipts.jsonl"))
			if err != nil {
				return cli.Fail(err)
			}
			defer f.Close()
			w := bufio.NewWriter(f)
			manifest, anchors, err := records.Export(cmd.Context(), store, signer, time.Now(), q, func(st records.Stored) error {
				w.Write(st.JSON)
				return w.WriteByte('\n')
			})
			if err == nil {
				err = w.Flush()
			}
			if err == nil {
				err = f.Close()
			}
			if err != nil {
				return cli.Fail(err)
			}
			al := make([]json.RawMessage, len(anchors))
			for i, a := range anchors {
				al[i] = a
			}
			ab, _ := json.Marshal(al)
			if err := os.WriteFile(filepath.Join(out, "anchors.json"), append(ab, '\n'), 0o644); err != nil {
				return cli.Fail(err)
			}
			if err := os.WriteFile(filepath.Join(out, "manifest.json"), append(manifest, '\n'), 0o644); err != nil {
				return cli.Fail(err)
			}
			var m struct{ Count int64 }
			json.Unmarshal(manifest, &m)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d receipt(s), %d anchor(s) and the manifest to %s\n", m.Count, len(anchors), out)
			return nil
		},
	}
	db.add(cmd)
	keys.add(cmd)
	cmd.Flags().StringVar(&inst, "installation", "", "export this installation's chain")
	cmd.Flags().StringVar(&from, "from", "", "export the period from this time (RFC 3339)")
	cmd.Flags().StringVar(&to, "to", "", "to this time (exclusive)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "the folder to write")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

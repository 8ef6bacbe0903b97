package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/spf13/cobra"
)

// inputs are what every command reads: receipt files, bundles, and the
// service's checkpoints with its keys.
type inputs struct {
	stdin        io.Reader
	bundles      []string
	bundleKeys   []string
	checkpoints  []string
	serviceKeys  []string
	installation string
	json         bool

	files  []string // the receipt files, in order
	starts []int    // the index of each file's first receipt in chain
	chain  []ledger.Receipt
	opts   ledger.Options
}

func (in *inputs) flags(cmd *cobra.Command, checkpoints bool) {
	f := cmd.Flags()
	f.StringArrayVar(&in.bundles, "bundles", nil, "a bundle envelope, or a folder of them (*.json), to check texts against; repeatable")
	f.StringArrayVar(&in.bundleKeys, "bundle-key", nil, "a public key (PEM file, or raw base64) that must have signed the bundles; repeatable")
	if checkpoints {
		f.StringArrayVar(&in.checkpoints, "checkpoint", nil, "a file of the service's checkpoints or anchors (JSON object, array or lines); repeatable")
		f.StringArrayVar(&in.serviceKeys, "service-key", nil, "the service's public key (PEM file, or raw base64 as GET /v1/keys gives it); repeatable")
	}
	f.StringVar(&in.installation, "installation", "", "only this installation's receipts (and checkpoints)")
	f.BoolVar(&in.json, "json", false, "write JSON")
}

// load reads everything the flags and arguments name.
func (in *inputs) load(args []string) error {
	if len(in.checkpoints) > 0 && len(in.serviceKeys) == 0 {
		return cli.Usage(errors.New("--checkpoint needs --service-key: a checkpoint is worth only its signature"))
	}
	for _, file := range args {
		data, err := in.read(file)
		if err != nil {
			return cli.Fail(err)
		}
		rs, err := ledger.Parse(data)
		if err != nil {
			return cli.Fail(prefixLines(file+": ", err.Error()))
		}
		in.files = append(in.files, file)
		in.starts = append(in.starts, len(in.chain))
		in.chain = append(in.chain, rs...)
	}
	if in.installation != "" {
		var keep []ledger.Receipt
		for _, r := range in.chain {
			if r.Installation == in.installation {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 {
			return cli.Fail(fmt.Errorf("no receipt of installation %q in %s", in.installation, strings.Join(args, ", ")))
		}
		in.chain = keep
		in.files, in.starts = nil, nil // indexes no longer map to files
	}
	if len(in.bundles) > 0 {
		var keys []ed25519.PublicKey
		for _, k := range in.bundleKeys {
			pub, err := readPublicKey(k)
			if err != nil {
				return cli.Fail(fmt.Errorf("--bundle-key %s: %w", k, err))
			}
			keys = append(keys, pub)
		}
		bs, err := ledger.LoadBundles(keys, in.bundles...)
		if err != nil {
			return cli.Fail(err)
		}
		in.opts.Bundles = bs
	} else if len(in.bundleKeys) > 0 {
		return cli.Usage(errors.New("--bundle-key without --bundles"))
	}
	for _, k := range in.serviceKeys {
		pub, err := readPublicKey(k)
		if err != nil {
			return cli.Fail(fmt.Errorf("--service-key %s: %w", k, err))
		}
		in.opts.ServiceKeys = append(in.opts.ServiceKeys, pub)
	}
	for _, file := range in.checkpoints {
		data, err := in.read(file)
		if err != nil {
			return cli.Fail(err)
		}
		cps, err := ledger.ParseCheckpoints(data)
		if err != nil {
			return cli.Fail(fmt.Errorf("%s: %w", file, err))
		}
		for _, c := range cps {
			if in.installation == "" || c.Installation == in.installation {
				in.opts.Checkpoints = append(in.opts.Checkpoints, c)
			}
		}
	}
	return nil
}

func (in *inputs) read(file string) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(in.stdin)
	}
	return os.ReadFile(file)
}

// where names a receipt by its index in the chain: its file and its index
// there, when the chain came from several files.
func (in *inputs) where(index int) (string, int) {
	if len(in.files) == 0 || index < 0 {
		return "", index
	}
	i := len(in.starts) - 1
	for i > 0 && in.starts[i] > index {
		i--
	}
	return in.files[i], index - in.starts[i]
}

// faultLine writes a fault naming the receipt's file.
func (in *inputs) faultLine(f ledger.Fault) string {
	file, local := in.where(f.Index)
	f.Index = local
	if file != "" {
		return file + ": " + f.String()
	}
	return f.String()
}

func prefixLines(prefix, s string) error {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return errors.New(strings.Join(lines, "\n"))
}

// readPublicKey reads an ed25519 public key: a PEM file, a file holding
// the raw key in base64, or the raw key in base64 itself.
func readPublicKey(arg string) (ed25519.PublicKey, error) {
	data, err := os.ReadFile(arg)
	switch {
	case err == nil && bytes.Contains(data, []byte("-----BEGIN")):
		return prompts.ReadPublicKey(arg)
	case err == nil:
		arg = strings.TrimSpace(string(data))
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	raw, derr := base64.StdEncoding.DecodeString(arg)
	if derr != nil || len(raw) != ed25519.PublicKeySize {
		if err != nil {
			return nil, errors.New("no such file, and not a base64 ed25519 public key either")
		}
		return nil, errors.New("not a PEM public key, nor a base64 ed25519 public key")
	}
	return ed25519.PublicKey(raw), nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func verifyCmd(stdin io.Reader) *cobra.Command {
	in := &inputs{stdin: stdin}
	cmd := &cobra.Command{
		Use:   "verify RECEIPTS...",
		Short: "Check receipt chains: hashes, ids, links, sequence, times, texts against bundles, checkpoints; exit 1 on any fault",
		Long: `Check receipt chains offline. Per installation: each receipt's hash and id, the prev
links, seq from 1 (or from after an anchor) without gaps or repeats, one policy,
time_behind exactly where time goes back; with --bundles, each text hash against the
screens the bundle of its version shows in its locale; with --checkpoint, the service's
signed heads (a chain cut short, or edited and re-linked, after the service saw it).

Every fault names the receipt (file, installation, seq, index, id) and a code; the exit
status is 1 if there is any. docs/RECORDS.md says what each code means.`,
		Example: `  ledger verify receipts.jsonl
  ledger verify receipts.jsonl --bundles dist/bundles --bundle-key keys/release.pub
  ledger verify receipts.jsonl --checkpoint checkpoint.json --service-key service.pub
  curl -s $SERVICE/v1/installations/inst-1/receipts | jq .receipts | ledger verify - --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := in.load(args); err != nil {
				return err
			}
			rep := ledger.Verify(in.chain, in.opts)
			w := cmd.OutOrStdout()
			if in.json {
				if err := writeJSON(w, rep); err != nil {
					return err
				}
			} else {
				for _, f := range rep.Faults {
					fmt.Fprintln(w, in.faultLine(f))
				}
				writeSummary(w, rep, in.opts)
			}
			if !rep.OK() {
				return &cli.ExitError{Code: 1, Err: errFaults}
			}
			return nil
		},
	}
	in.flags(cmd, true)
	return cmd
}

// writeSummary writes the verdict and a line per installation.
func writeSummary(w io.Writer, rep *ledger.Report, opts ledger.Options) {
	verdict := "ok"
	if !rep.OK() {
		verdict = "FAIL: " + strconv.Itoa(len(rep.Faults)) + " fault(s)"
	}
	fmt.Fprintf(w, "%s: %d receipt(s) of %d installation(s)", verdict, rep.Receipts, len(rep.Installations))
	switch {
	case opts.Bundles == nil:
		fmt.Fprint(w, "; texts not checked (no --bundles)")
	default:
		fmt.Fprintf(w, "; %d text(s) checked against %d bundle(s) (%s)", rep.TextsChecked, opts.Bundles.Len(),
			map[bool]string{true: "signatures checked", false: "signatures not checked: no --bundle-key"}[rep.BundlesSigned])
	}
	fmt.Fprintf(w, "; %d checkpoint(s) and anchor(s) verified\n", rep.Checkpoints)
	for _, ir := range rep.Installations {
		name := ir.Installation
		if name == "" {
			name = "(no installation)"
		}
		fmt.Fprintf(w, "  %s: policy %s, seq %d to %d, head %s", name, ir.Policy, ir.FirstSeq, ir.LastSeq, ir.Head)
		if ir.Anchor > 0 {
			fmt.Fprintf(w, ", after the anchor of seq %d", ir.Anchor)
		}
		if ir.Checkpoints > 0 {
			fmt.Fprintf(w, ", checkpoint seq %d of %s", ir.CheckpointSeq, ir.CheckpointTime)
		}
		if ir.TimeBehind > 0 {
			fmt.Fprintf(w, ", %d time_behind", ir.TimeBehind)
		}
		if ir.Faults > 0 {
			fmt.Fprintf(w, ", %d fault(s)", ir.Faults)
		}
		fmt.Fprintln(w)
	}
}

func timelineCmd(stdin io.Reader) *cobra.Command {
	in := &inputs{stdin: stdin}
	cmd := &cobra.Command{
		Use:   "timeline RECEIPTS...",
		Short: "Print, per installation, what was shown and answered, in order (exit 1 if the chain has faults)",
		Long: `Print, per installation, each receipt in order: seq, time, what it records, the answer,
the step, and with --bundles the title of the screen its text hash names (with --json,
all its texts). Faults are shown under their receipt, as verify finds them; the exit
status is 1 if there is any.`,
		Example: `  ledger timeline receipts.jsonl --bundles dist/bundles
  ledger timeline receipts.jsonl --bundles dist/bundles --installation inst-7f3a --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := in.load(args); err != nil {
				return err
			}
			tl := ledger.NewTimeline(in.chain, in.opts)
			w := cmd.OutOrStdout()
			var err error
			if in.json {
				err = writeJSON(w, tl)
			} else {
				err = tl.WriteText(w)
			}
			if err != nil {
				return err
			}
			if len(tl.Faults) > 0 {
				return &cli.ExitError{Code: 1, Err: errFaults}
			}
			return nil
		},
	}
	in.flags(cmd, true)
	return cmd
}

func exportCmd(stdin io.Reader) *cobra.Command {
	in := &inputs{stdin: stdin}
	var unverified bool
	cmd := &cobra.Command{
		Use:   "export RECEIPTS... --bundles DIR",
		Short: "Write the receipts as Kantara consent receipts (v1.1; ISO/IEC TS 27560 facts added), after verifying them",
		Long: `Write each receipt as a Kantara Initiative Consent Receipt (v1.1.0): jurisdiction,
collection method, the controller in the receipt's language, policy URL, language,
purposes with their data categories, the sensitive flag, the receipt id; the consent
record's own facts (state, notice shown, place in the chain) under "jitconsent".
docs/RECORDS.md maps every member.

The chain is verified first and nothing is exported if it has a fault (the faults are
printed, exit 1), unless --unverified. The bundles give the controller, the URLs and
the names, so --bundles is required.`,
		Example: `  ledger export receipts.jsonl --bundles dist/bundles --json > consent-receipts.json
  ledger export receipts.jsonl --bundles dist/bundles --installation inst-7f3a`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(in.bundles) == 0 {
				return cli.Usage(errors.New("export needs --bundles: the controller, the policy URL and the names come from them"))
			}
			if err := in.load(args); err != nil {
				return err
			}
			if !unverified {
				if rep := ledger.Verify(in.chain, in.opts); !rep.OK() {
					for _, f := range rep.Faults {
						fmt.Fprintln(cmd.ErrOrStderr(), in.faultLine(f))
					}
					return cli.Fail(fmt.Errorf("not exported: %d fault(s) (--unverified exports all the same)", len(rep.Faults)))
				}
			}
			crs, err := ledger.Export(in.chain, in.opts.Bundles)
			if err != nil {
				return cli.Fail(err)
			}
			if in.json {
				return writeJSON(cmd.OutOrStdout(), crs)
			}
			return ledger.WriteExportText(cmd.OutOrStdout(), crs)
		},
	}
	in.flags(cmd, true)
	cmd.Flags().BoolVar(&unverified, "unverified", false, "export even if the chain has faults")
	return cmd
}

// generateCmd writes a synthetic chain for benchmarks and trials: hidden,
// since an auditor never needs it.
func generateCmd() *cobra.Command {
	var (
		bundleFile, out, cpOut, keyOut, locale, platform string
		n, installations                                 int
	)
	cmd := &cobra.Command{
		Use:    "generate --bundle BUNDLE.json -n N -o FILE",
		Short:  "Write a valid synthetic chain whose texts are the bundle's screens (for benchmarks)",
		Hidden: true,
		Example: `  ledger generate --bundle dist/bundle.json -n 10000 -o dist/chain.jsonl \
      --checkpoint-out dist/checkpoint.json --key-out dist/service
  ledger verify dist/chain.jsonl --bundles dist/bundle.json --checkpoint dist/checkpoint.json --service-key dist/service.pub`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return generate(bundleFile, out, cpOut, keyOut, locale, platform, n, installations)
		},
	}
	f := cmd.Flags()
	f.StringVar(&bundleFile, "bundle", "dist/bundle.json", "the bundle envelope whose screens the receipts show")
	f.StringVarP(&out, "out", "o", "", "where to write the chain (JSON Lines)")
	f.IntVarP(&n, "receipts", "n", 10000, "receipts per installation")
	f.IntVar(&installations, "installations", 1, "installations")
	f.StringVar(&locale, "locale", "zh-CN", "the locale shown")
	f.StringVar(&platform, "platform", "android", "the platform")
	f.StringVar(&cpOut, "checkpoint-out", "", "also write a signed checkpoint of each installation's head here")
	f.StringVar(&keyOut, "key-out", "", "with --checkpoint-out: write the new service key pair to PREFIX.key and PREFIX.pub")
	cmd.MarkFlagRequired("out")
	return cmd
}

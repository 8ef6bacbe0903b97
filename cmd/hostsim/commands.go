package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/hostsim"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/prompts"
)

// simulate plays journeys on the devices they name or, with every, on
// every profile, and writes the reports the flags ask for.
func simulate(cmd *cobra.Command, o *options, paths []string, every bool) error {
	journeys, err := journey.LoadPaths(paths)
	if err != nil {
		return err
	}
	ctx := context.Background()
	cfg := o.config()
	var updates errcode.List // the journeys' policy updates
	for _, j := range journeys {
		updates = append(updates, j.Updates()...)
	}
	cfg.Updates = len(updates) > 0
	e, err := hostsim.Open(ctx, cfg)
	if ue := (*hostsim.UpdateError)(nil); errors.As(err, &ue) {
		// Every update op the module cannot play, where it is written.
		for i := range updates {
			updates[i].Code, updates[i].Message = errcode.BadSignature, updates[i].Message+", but "+ue.Why()
		}
		return updates
	}
	if err != nil {
		return err
	}
	defer e.Close(ctx)
	var unknown errcode.List // names the policy does not have, where they are written
	for _, j := range journeys {
		var l errcode.List
		if err := j.Check(e.Bundle, e.UpdateBundle); errors.As(err, &l) {
			unknown = append(unknown, l...)
		}
	}
	if len(unknown) > 0 {
		return unknown
	}
	all := hostsim.Jobs(journeys, every)
	picks := o.shard.picks(len(all))
	jobs := make([]hostsim.Job, len(picks))
	for i, p := range picks {
		jobs[i] = all[p]
	}
	bar := newBar(cmd, len(jobs), "journeys")
	run := e.Play(ctx, jobs, o.workers, func() { bar.Add(1) })
	bar.Finish()
	if o.shard.n > 0 {
		run.Shard, run.Indexes, run.Jobs = o.shard.String(), picks, len(all)
	}
	if err := run.Write(cmd.OutOrStdout(), o.outputs()); err != nil {
		return err
	}
	if o.record != "" {
		n, err := writeRecord(o.record, run, e.Envelopes())
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %d receipts and %d bundles to %s\n", n, len(e.Envelopes()), o.record)
	}
	if !run.OK() {
		return errFailed
	}
	return nil
}

// defaultMatrix holds the journeys that must hold on every profile. The
// examples are written for particular platforms, so they are not in it.
const defaultMatrix = "hostsim/testdata/journeys"

// playCmd is run (every false: the devices each journey names, at least
// one file or folder) or matrix and compare (every profile, by default on
// defaultMatrix; compare also on the native engine). run and matrix take
// --compare to compare the engines as compare does; compare always does,
// so it has no such flag.
func playCmd(use, short, example string, every, compare bool) *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{defaultMatrix}
			}
			o.compare = o.compare || compare
			if o.compare && o.native {
				return usageError{fmt.Errorf("--native runs the native engine instead of the module, and %s runs both: choose one", map[bool]string{true: "compare", false: "--compare"}[compare])}
			}
			return simulate(cmd, &o, args, every)
		},
	}
	if !every {
		cmd.Args = cobra.MinimumNArgs(1)
	}
	o.flags(cmd, !compare)
	return cmd
}

func lintCmd() *cobra.Command {
	var policies, locales []string
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Check the policy versions and locale files (the compiler's linter)",
		Example: `  hostsim lint
  hostsim lint --policy prompts/testdata/mini/prompts/mini --locales prompts/testdata/mini/locales`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := prompts.Load(policies, locales)
			if err != nil {
				return err
			}
			if probs := prompts.Lint(p); len(probs) > 0 {
				return probs
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: policy %s, %d version(s), %d locales\n", p.Active().Meta.ID, len(p.Versions), len(p.Catalogs))
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&policies, "policy", []string{"prompts/msxf"}, "policy folder or version files")
	cmd.Flags().StringSliceVar(&locales, "locales", []string{"locales"}, "message folders")
	return cmd
}

func profilesCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "profiles",
		Short:   "List the device profiles",
		Example: "  hostsim profiles",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, p := range device.Profiles() {
				note := ""
				switch {
				case p.Webview:
					note = "  (a WASI whose poll_oneoff fails, as browser shims')"
				case p.Vendor:
					note = "  (a vendor system following T/TAF 108-2022: the installed-app list is a runtime permission)"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-18s %-9s %s%s\n", p.Name, p.Platform, p.Version, note)
			}
			return nil
		},
	}
}

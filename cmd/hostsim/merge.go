package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/report"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// shardReport is a shard's --json report, as merge reads it.
type shardReport struct {
	Engine      string        `json:"engine"`
	Elapsed     time.Duration `json:"elapsed_ns"`
	Decisions   int           `json:"decisions"`
	Replaced    int64         `json:"replaced_instances"`
	Differences []string      `json:"differences"`
	Shard       string        `json:"shard"`
	Jobs        int           `json:"jobs"`
	Results     []struct {
		Journey     string          `json:"journey"`
		File        string          `json:"file"`
		Device      string          `json:"device"`
		Failures    []string        `json:"failures"`
		Faults      []check.Fault   `json:"faults"`
		Index       *int            `json:"index"`
		Description string          `json:"description"`
		Transcript  *sim.Transcript `json:"transcript"`
	} `json:"results"`
}

func mergeCmd() *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "merge SHARD.json...",
		Short: "Join the --json reports of a run's shards (--shard k/n) into the whole run's reports",
		Long: `merge reads the JSON reports that n machines wrote with --shard 1/n to
--shard n/n and --json, checks that they are the n parts of one run
(the same engine and count of runs, each part once, every run once), and
writes the whole run's reports as the run itself would have: the
summary, and --json, --junit and --html from the merged results. Its
exit status is 1 if any run failed, as the run's would be.`,
		Example: `  hostsim matrix --shard=1/2 --json dist/shard-1.json   # on one machine
  hostsim matrix --shard=2/2 --json dist/shard-2.json   # on another
  hostsim merge dist/shard-1.json dist/shard-2.json --junit dist/junit.xml --html dist/report.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := mergeShards(args)
			if err != nil {
				return err
			}
			if err := run.Write(cmd.OutOrStdout(), o.outputs()); err != nil {
				return err
			}
			if !run.OK() {
				return errFailed
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.jsonOut, "json", "", "write the merged results as JSON to this file (- for standard output)")
	f.StringVar(&o.junit, "junit", "", "write JUnit XML to this file")
	f.StringVar(&o.html, "html", "", "write the HTML report to this file")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "list every run, not only failures")
	return cmd
}

// mergeShards reads shard reports and returns the whole run.
func mergeShards(files []string) (*report.Run, error) {
	var n, jobs int
	var engine string
	seen := map[int]string{} // shard k: its file
	run := &report.Run{}
	type placed struct {
		index int
		res   *journey.Result
	}
	var results []placed
	at := map[int]string{} // run index: the file that has it
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var r shardReport
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: not a hostsim --json report: %v", file, err)
		}
		var s shard
		if r.Shard == "" {
			return nil, fmt.Errorf("%s: not a shard's report (no \"shard\"): run hostsim with --shard k/n and --json", file)
		}
		if err := s.Set(r.Shard); err != nil {
			return nil, fmt.Errorf("%s: shard: %v", file, err)
		}
		switch {
		case n == 0:
			n, jobs, engine = s.n, r.Jobs, r.Engine
		case s.n != n:
			return nil, fmt.Errorf("%s is shard %s, of %d parts, but %s is of %d", file, r.Shard, s.n, seen[firstKey(seen)], n)
		case r.Jobs != jobs:
			return nil, fmt.Errorf("%s is of a run of %d runs, but %s of %d: not the same run", file, r.Jobs, seen[firstKey(seen)], jobs)
		case r.Engine != engine:
			return nil, fmt.Errorf("%s ran on %s, but %s on %s: not the same run", file, r.Engine, seen[firstKey(seen)], engine)
		}
		if other, dup := seen[s.k]; dup {
			return nil, fmt.Errorf("%s and %s are both shard %s", other, file, r.Shard)
		}
		seen[s.k] = file
		run.Elapsed = max(run.Elapsed, r.Elapsed)
		run.Decisions += r.Decisions
		run.Replaced += r.Replaced
		run.Differences = append(run.Differences, r.Differences...)
		for i, res := range r.Results {
			if res.Index == nil || res.Transcript == nil {
				return nil, fmt.Errorf("%s: results[%d] has no index or transcript: written by an older hostsim?", file, i)
			}
			if other, dup := at[*res.Index]; dup {
				return nil, fmt.Errorf("%s and %s both have run %d", other, file, *res.Index)
			}
			at[*res.Index] = file
			p, err := device.Lookup(res.Device)
			if err != nil {
				p = res.Transcript.Profile
			}
			results = append(results, placed{*res.Index, &journey.Result{
				Journey:    &journey.Journey{Name: res.Journey, File: res.File, Description: res.Description},
				Profile:    p,
				Transcript: res.Transcript,
				Faults:     res.Faults,
				Failures:   res.Failures,
			}})
		}
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if seen[k] == "" {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing shard(s) %s: the merged run would lack their runs", strings.Join(missing, ", "))
	}
	if len(at) != jobs {
		return nil, fmt.Errorf("the shards have %d of the run's %d runs", len(at), jobs)
	}
	sort.Slice(results, func(a, b int) bool { return results[a].index < results[b].index })
	run.Engine = engine
	for _, p := range results {
		run.Results = append(run.Results, p.res)
	}
	return run, nil
}

func firstKey(m map[int]string) int {
	for k := range m {
		return k
	}
	return 0
}

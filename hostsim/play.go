package hostsim

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/report"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// Job is a journey to play on a device profile.
type Job struct {
	Journey *journey.Journey
	Profile device.Profile
}

// Jobs pairs each journey with the profiles its devices name or, with
// everyProfile, with every profile (what hostsim matrix plays).
func Jobs(journeys []*journey.Journey, everyProfile bool) []Job {
	var out []Job
	for _, j := range journeys {
		profiles := j.Profiles()
		if everyProfile {
			profiles = device.Profiles()
		}
		for _, p := range profiles {
			out = append(out, Job{j, p})
		}
	}
	return out
}

// Play plays the jobs on workers goroutines, each with a Worker of its
// own, checks every run, and returns the results in the jobs' order. When
// the engines compare the module with the native engine, each job is
// played on both and the first difference of each is in the run's
// Differences. progress, if not nil, is called from the workers'
// goroutines as each job ends.
func (e *Engines) Play(ctx context.Context, jobs []Job, workers int, progress func()) *report.Run {
	start := time.Now()
	results := make([]*journey.Result, len(jobs))
	diffs := make([]string, len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			w := e.NewWorker()
			defer w.Close(ctx)
			for i := int(next.Add(1) - 1); i < len(jobs); i = int(next.Add(1) - 1) {
				jb := jobs[i]
				dev := jb.Journey.NewDevice(jb.Profile)
				run, native := w.Journey(ctx, dev)
				results[i] = journey.PlayOn(jb.Journey, dev, run, e.Policy)
				if native.Decide != nil {
					other := journey.Play(jb.Journey, jb.Profile, native, e.Policy)
					if d := Diff(results[i].Transcript, other.Transcript); d != "" {
						diffs[i] = jb.Journey.Name + " on " + jb.Profile.Name + ": " + d
					}
				}
				if progress != nil {
					progress()
				}
			}
		})
	}
	wg.Wait()
	run := &report.Run{Engine: e.Label(), Results: results, Elapsed: time.Since(start), Replaced: e.Replaced()}
	for i, r := range results {
		run.Decisions += len(r.Transcript.Entries)
		if diffs[i] != "" {
			run.Differences = append(run.Differences, diffs[i])
		}
	}
	return run
}

// Diff compares the module's transcript of a run with the native
// engine's, answer by answer: "" when every answer is the same byte for
// byte, or else the first difference, with both answers.
func Diff(module, native *sim.Transcript) string {
	for i := range min(len(module.Entries), len(native.Entries)) {
		a, b := &module.Entries[i], &native.Entries[i]
		if !bytes.Equal(a.Raw, b.Raw) {
			return fmt.Sprintf("request %d (%s): the module answers\n  %s\nthe native engine\n  %s", i+1, a.Event.Type, a.Raw, b.Raw)
		}
	}
	if len(module.Entries) != len(native.Entries) {
		return fmt.Sprintf("%d requests with the module, %d natively", len(module.Entries), len(native.Entries))
	}
	return ""
}

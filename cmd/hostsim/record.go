package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jitconsent/jitconsent/hostsim/report"
)

// writeRecord writes what a consent-record service would hold of a run:
// dir/receipts.jsonl, every receipt of every run in the order the engine
// made them (each run is its own installation, a reinstall another), and
// dir/bundles/<name>.json, the signed bundles they name, so that the
// receipts can be uploaded (records upload) and verified (ledger verify
// --bundles) as a host's would be. It returns the number of receipts.
func writeRecord(dir string, run *report.Run, envelopes map[string][]byte) (int, error) {
	if err := os.MkdirAll(filepath.Join(dir, "bundles"), 0o755); err != nil {
		return 0, err
	}
	for name, env := range envelopes {
		if err := os.WriteFile(filepath.Join(dir, "bundles", name+".json"), env, 0o644); err != nil {
			return 0, err
		}
	}
	f, err := os.Create(filepath.Join(dir, "receipts.jsonl"))
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriter(f)
	n := 0
	// A run's installation is named after its profile, locale and ops,
	// so two runs of the same ops (a journey in two folders) are the same
	// installation, with the same receipts from the same engine: its chain
	// is written once, as a host that uploads it twice leaves it once.
	seen := map[string]bool{}
	for _, res := range run.Results {
		if res.Transcript == nil || seen[res.Transcript.Installation] {
			continue
		}
		seen[res.Transcript.Installation] = true
		for _, e := range res.Transcript.Entries {
			for _, r := range e.Response.Receipts {
				w.Write(r)
				w.WriteByte('\n')
				n++
			}
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, fmt.Errorf("%s: %v", dir, err)
	}
	return n, f.Close()
}

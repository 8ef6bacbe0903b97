package ledger

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Timeline is, per installation, what was shown and answered, in order,
// with what Verify found: the auditor's reading of a chain. It encodes
// itself as JSON (encoding/json) and as text (WriteText).
type Timeline struct {
	Installations []InstallationTimeline `json:"installations"`
	// TextsChecked says whether the texts were checked against bundles;
	// BundlesSigned, whether the bundles' signatures were.
	TextsChecked  bool `json:"texts_checked"`
	BundlesSigned bool `json:"bundles_signed"`
	// Faults are all of Verify's faults, also those that concern no one
	// receipt (a checkpoint that does not verify).
	Faults []Fault `json:"faults"`
}

// InstallationTimeline is one installation's summary and entries.
type InstallationTimeline struct {
	InstallationReport
	Entries []Entry `json:"entries"`
}

// Entry is one receipt as the timeline shows it.
type Entry struct {
	Index           int    `json:"index"` // in the chain given
	Seq             int64  `json:"seq"`
	ID              string `json:"id"`
	Time            string `json:"time"`
	TimeBehind      bool   `json:"time_behind,omitempty"`
	Kind            string `json:"kind"`
	Answer          string `json:"answer"`
	Version         string `json:"version"`
	Locale          string `json:"locale"`
	Platform        string `json:"platform"`
	PlatformVersion string `json:"platform_version"`
	Scenario        string `json:"scenario,omitempty"`
	Step            string `json:"step,omitempty"`
	Permission      string `json:"permission,omitempty"`
	Sensitive       string `json:"sensitive,omitempty"`
	Purpose         string `json:"purpose,omitempty"`
	SeparateConsent bool   `json:"separate_consent,omitempty"`
	Text            string `json:"text,omitempty"`
	// Shown is the screen the text hash names, with its texts, where the
	// bundles given have it.
	Shown  *Screen     `json:"shown,omitempty"`
	Faults []FaultCode `json:"faults,omitempty"`
}

// What says what the entry records in a few words: "rationale location
// (separate consent precise_location/loan_risk)", "withdraw policy".
func (e *Entry) What() string {
	var b strings.Builder
	b.WriteString(e.Kind)
	switch {
	case e.Kind == "policy":
		b.WriteString(" " + e.Version)
	case e.Permission != "":
		b.WriteString(" " + e.Permission)
	case e.Sensitive != "":
		b.WriteString(" " + e.Sensitive + "/" + e.Purpose)
	case e.Kind == "withdraw":
		b.WriteString(" policy")
	}
	if e.Sensitive != "" && e.Permission != "" {
		b.WriteString(" (separate consent " + e.Sensitive + "/" + e.Purpose + ")")
	}
	return b.String()
}

// NewTimeline verifies chain with opts and arranges it per installation,
// each receipt with the screen its text names (with opts.Bundles) and the
// codes of its faults.
func NewTimeline(chain []Receipt, opts Options) *Timeline {
	rep := Verify(chain, opts)
	tl := &Timeline{TextsChecked: opts.Bundles != nil, BundlesSigned: rep.BundlesSigned, Faults: rep.Faults}
	faults := map[int][]FaultCode{}
	for _, f := range rep.Faults {
		if f.Index >= 0 {
			faults[f.Index] = append(faults[f.Index], f.Code)
		}
	}
	byInst := map[string]int{}
	for _, ir := range rep.Installations {
		byInst[ir.Installation] = len(tl.Installations)
		tl.Installations = append(tl.Installations, InstallationTimeline{InstallationReport: ir})
	}
	for i := range chain {
		r := &chain[i]
		e := Entry{Index: i, Seq: r.Seq, ID: r.RecordedID, Time: r.Time, TimeBehind: r.TimeBehind, Kind: r.Kind, Answer: r.Answer,
			Version: r.Version, Locale: r.Locale, Platform: r.Platform, PlatformVersion: r.PlatformVersion,
			Scenario: r.Scenario, Step: r.Step, Permission: r.Permission, Sensitive: r.Sensitive, Purpose: r.Purpose,
			SeparateConsent: r.SeparateConsent, Text: r.Text, Faults: faults[i]}
		if opts.Bundles != nil {
			e.Shown, _ = opts.Bundles.Shown(r)
		}
		it := &tl.Installations[byInst[r.Installation]]
		it.Entries = append(it.Entries, e)
	}
	return tl
}

// WriteText writes the timeline for people: per installation a heading,
// then one line per receipt (seq, time, what, answer, step, and the
// title of the screen shown), each fault under its receipt, and a summary.
func (tl *Timeline) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for n, it := range tl.Installations {
		if n > 0 {
			bw.WriteString("\n")
		}
		name := it.Installation
		if name == "" {
			name = "(none)"
		}
		fmt.Fprintf(bw, "installation %s: policy %s, %d receipt(s), seq %d to %d, %s to %s\n",
			name, it.Policy, it.Receipts, it.FirstSeq, it.LastSeq, it.From, it.To)
		if it.Anchor > 0 {
			fmt.Fprintf(bw, "  starts after the anchor of seq %d (receipts up to it purged)\n", it.Anchor)
		}
		if it.Checkpoints > 0 {
			fmt.Fprintf(bw, "  %d checkpoint(s), the newest of seq %d at %s\n", it.Checkpoints, it.CheckpointSeq, it.CheckpointTime)
		}
		for _, e := range it.Entries {
			line := fmt.Sprintf("  %5d  %-25s  %-42s %-14s", e.Seq, e.Time, e.What(), e.Answer)
			if e.Scenario != "" {
				line += "  " + e.Scenario + "/" + e.Step
			}
			if e.Shown != nil {
				line += "  shown: " + oneLine(e.Shown.Title())
			} else if e.Text != "" && tl.TextsChecked {
				line += "  shown: ? (text " + short(e.Text) + " not found)"
			}
			if e.TimeBehind {
				line += "  [time behind]"
			}
			bw.WriteString(strings.TrimRight(line, " ") + "\n")
			for _, f := range tl.Faults {
				if f.Index == e.Index {
					fmt.Fprintf(bw, "         ! %s: %s\n", f.Code, f.Message)
				}
			}
		}
		fmt.Fprintf(bw, "  %d receipt(s) dated before the one before them (time_behind), %d fault(s)\n", it.TimeBehind, it.Faults)
	}
	var loose []Fault
	for _, f := range tl.Faults {
		if f.Index < 0 {
			loose = append(loose, f)
		}
	}
	if len(loose) > 0 {
		bw.WriteString("\n")
		for _, f := range loose {
			bw.WriteString("! " + f.String() + "\n")
		}
	}
	switch {
	case !tl.TextsChecked:
		bw.WriteString("\ntexts not checked: no bundles given\n")
	case !tl.BundlesSigned:
		bw.WriteString("\nbundle signatures not checked: no bundle key given\n")
	}
	return bw.Flush()
}

// oneLine shortens a text to its first line.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

package mutate

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Score counts the results: the score is killed over scored, where scored
// are the mutants run that are neither invalid nor equivalent.
type Score struct {
	Mutants     int `json:"mutants"`
	Invalid     int `json:"invalid"`
	Equivalent  int `json:"equivalent"`
	Errors      int `json:"errors"`
	Scored      int `json:"scored"`
	Conformance int `json:"killed_by_conformance"`
	Checks      int `json:"killed_by_checks"`
	Both        int `json:"killed_by_both"`
	Killed      int `json:"killed"`
	Survived    int `json:"survived"`
	Timeouts    int `json:"timeouts"`
	// EquivalentKilled are listed equivalents that a suite killed when
	// they were run (--run-equivalent): the list is wrong about them.
	EquivalentKilled int `json:"equivalent_killed,omitempty"`
}

// Tally scores results.
func Tally(results []Result) Score {
	var s Score
	for _, r := range results {
		s.Mutants++
		switch r.Status {
		case "invalid":
			s.Invalid++
			continue
		case "error":
			s.Errors++
			continue
		case "equivalent":
			s.Equivalent++
			if r.Killed() {
				s.EquivalentKilled++
			}
			continue
		}
		s.Scored++
		if r.Conformance.Killed {
			s.Conformance++
		}
		if r.Checks.Killed {
			s.Checks++
		}
		if r.Conformance.Killed && r.Checks.Killed {
			s.Both++
		}
		if r.Conformance.Timeout || r.Checks.Timeout {
			s.Timeouts++
		}
		if r.Killed() {
			s.Killed++
		} else {
			s.Survived++
		}
	}
	return s
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
}

// Line is the score line.
func (s Score) Line() string {
	return fmt.Sprintf("score %s: %d of %d mutants killed (conformance %d = %s, checks %d = %s, both %d), %d survived; %d invalid, %d equivalent, %d errors",
		pct(s.Killed, s.Scored), s.Killed, s.Scored, s.Conformance, pct(s.Conformance, s.Scored), s.Checks, pct(s.Checks, s.Scored), s.Both, s.Survived,
		s.Invalid, s.Equivalent, s.Errors)
}

// WriteTable writes a row per mutant, the survivors' and equivalents'
// source lines under the table, and the score line.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tid\tfunc\tchange\tconformance\tchecks\t")
	for i, r := range results {
		m := r.Mutant
		conf, checks := cell(r, r.Conformance), cell(r, r.Checks)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", i+1, m.ID(), m.Func, m.Change(), conf, checks)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes []string
	for i, r := range results {
		m := r.Mutant
		switch {
		case r.Status == "equivalent":
			notes = append(notes, fmt.Sprintf("%d equivalent: %s\n    %s", i+1, m.Source, r.Equivalent))
		case r.Status == "invalid":
			notes = append(notes, fmt.Sprintf("%d invalid: %s", i+1, r.Error))
		case r.Status == "error":
			notes = append(notes, fmt.Sprintf("%d error: %s", i+1, r.Error))
		case !r.Killed():
			notes = append(notes, fmt.Sprintf("%d SURVIVED: %s", i+1, m.Source))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, Tally(results).Line())
	return err
}

func cell(r Result, o Outcome) string {
	switch r.Status {
	case "invalid", "error":
		return r.Status
	case "equivalent":
		if r.Elapsed == 0 {
			return "equivalent"
		}
	}
	if !o.Killed {
		return "survived"
	}
	if o.Timeout {
		return "killed (timeout)"
	}
	return "killed (" + o.By + ")"
}

// Report is the JSON form of a run.
type Report struct {
	Root     string        `json:"root"`
	Seed     uint64        `json:"seed"`
	Sample   int           `json:"sample"`
	Of       int           `json:"of"`
	Fuzz     int           `json:"fuzz_journeys"`
	Baseline time.Duration `json:"baseline_ns"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	Score    Score         `json:"score"`
	Mutants  []JSONResult  `json:"mutants"`
}

// JSONResult is a result with its mutant spelled out.
type JSONResult struct {
	ID     string `json:"id"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	Kind   Kind   `json:"kind"`
	Orig   string `json:"orig"`
	Repl   string `json:"repl"`
	Func   string `json:"func,omitempty"`
	Source string `json:"source"`
	Result
}

// WriteJSON writes rep, with results, as indented JSON.
func WriteJSON(w io.Writer, rep Report, results []Result) error {
	rep.Score = Tally(results)
	for _, r := range results {
		m := r.Mutant
		rep.Mutants = append(rep.Mutants, JSONResult{ID: m.ID(), File: m.File, Line: m.Line, Col: m.Col, Kind: m.Kind,
			Orig: m.Orig, Repl: m.Repl, Func: m.Func, Source: m.Source, Result: r})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

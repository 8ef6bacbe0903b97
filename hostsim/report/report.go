// Package report writes simulator results for people and for CI: a
// terminal summary (per journey and per rule), JSON, JUnit XML, and an HTML
// page that shows each run as a phone-screen timeline. Write writes the
// ones a command asks for.
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// Run is the results of one simulator run.
type Run struct {
	Engine    string            `json:"engine"` // what decided: the module's file, "the native engine", or both
	Results   []*journey.Result `json:"-"`
	Elapsed   time.Duration     `json:"elapsed_ns"` // the run's wall time (in JSON, nanoseconds, as the name says)
	Decisions int               `json:"decisions"`
	Replaced  int64             `json:"replaced_instances"` // instances discarded after a trap or timeout
	// Differences between the module and the native engine (compare mode).
	Differences []string `json:"differences,omitempty"`
	// Shard is the part of a run this is, "k/n" (hostsim --shard), Jobs
	// the whole run's count of runs, and Indexes each result's place in
	// it. A shard's JSON carries each result's transcript, so that hostsim
	// merge can write every report of the whole run from the shards'.
	Shard   string `json:"shard,omitempty"`
	Jobs    int    `json:"jobs,omitempty"`
	Indexes []int  `json:"-"`
}

// Failed counts the runs that failed.
func (r *Run) Failed() int {
	n := 0
	for _, res := range r.Results {
		if !res.Passed() {
			n++
		}
	}
	return n
}

// OK reports whether everything passed.
func (r *Run) OK() bool { return r.Failed() == 0 && len(r.Differences) == 0 }

// FaultsByRule counts the compliance faults found, per rule.
func (r *Run) FaultsByRule() map[string]int {
	out := map[string]int{}
	for _, res := range r.Results {
		for _, f := range res.Faults {
			out[f.Rule]++
		}
	}
	return out
}

// Text writes the terminal summary.
func (r *Run) Text(w io.Writer, verbose bool) {
	byJourney := map[string][]*journey.Result{}
	var names []string
	for _, res := range r.Results {
		n := res.Journey.Name
		if _, ok := byJourney[n]; !ok {
			names = append(names, n)
		}
		byJourney[n] = append(byJourney[n], res)
	}
	for _, n := range names {
		runs := byJourney[n]
		failed := 0
		for _, res := range runs {
			if !res.Passed() {
				failed++
			}
		}
		mark := "ok  "
		if failed > 0 {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-50s %3d device(s)", mark, n, len(runs))
		if failed > 0 {
			fmt.Fprintf(w, ", %d failed", failed)
		}
		fmt.Fprintln(w)
		for _, res := range runs {
			if res.Passed() && !verbose {
				continue
			}
			status := "ok"
			if !res.Passed() {
				status = "FAIL"
			}
			fmt.Fprintf(w, "     %-4s %-16s %d requests\n", status, res.Profile.Name, len(res.Transcript.Entries))
			for _, f := range res.Failures {
				fmt.Fprintf(w, "          %s\n", f)
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "compliance faults by rule:")
	faults := r.FaultsByRule()
	for _, rule := range check.Rules() {
		fmt.Fprintf(w, "  %-11s %d\n", rule, faults[rule])
	}
	for _, d := range r.Differences {
		fmt.Fprintf(w, "DIFF %s\n", d)
	}
	rate := 0.0
	if r.Elapsed > 0 {
		rate = float64(r.Decisions) / r.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "\n%d run(s), %d failed, %d decisions in %s (%.0f decisions/s) on %s",
		len(r.Results), r.Failed(), r.Decisions, r.Elapsed.Round(time.Millisecond), rate, r.Engine)
	if r.Replaced > 0 {
		fmt.Fprintf(w, "; %d instance(s) trapped or timed out and were replaced", r.Replaced)
	}
	fmt.Fprintln(w)
}

// Outputs are the reports a command asks for.
type Outputs struct {
	// JSON, JUnit and HTML are files to write each report to ("" for
	// none). JSON "-" writes the JSON to standard output instead of the
	// text summary.
	JSON, JUnit, HTML string
	// Verbose lists every run in the text summary, not only the failures.
	Verbose bool
}

// Write writes the text summary (or, for JSON "-", the JSON) to w, then
// each report file asked for, saying so on w.
func (r *Run) Write(w io.Writer, o Outputs) error {
	if o.JSON == "-" {
		return r.JSON(w)
	}
	r.Text(w, o.Verbose)
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{{o.JSON, r.JSON}, {o.JUnit, r.JUnit}, {o.HTML, r.HTML}} {
		if f.path == "" {
			continue
		}
		if err := writeFile(f.path, f.write); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s\n", f.path)
	}
	return nil
}

// writeFile creates a file and writes a report to it.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// jsonResult is a result as JSON reports carry it.
type jsonResult struct {
	Journey  string        `json:"journey"`
	File     string        `json:"file"`
	Device   string        `json:"device"`
	Passed   bool          `json:"passed"`
	Failures []string      `json:"failures,omitempty"`
	Faults   []check.Fault `json:"faults,omitempty"`
	Requests int           `json:"requests"`
	Failure  string        `json:"failure,omitempty"`
	// In a shard's report only (Run.Shard): the result's place in the
	// whole run, its journey's description and its transcript.
	Index       *int            `json:"index,omitempty"`
	Description string          `json:"description,omitempty"`
	Transcript  *sim.Transcript `json:"transcript,omitempty"`
}

// JSON writes the results as JSON.
func (r *Run) JSON(w io.Writer) error {
	out := struct {
		*Run
		Results []jsonResult   `json:"results"`
		Faults  map[string]int `json:"faults_by_rule"`
		Failed  int            `json:"failed"`
	}{Run: r, Faults: r.FaultsByRule(), Failed: r.Failed()}
	for i, res := range r.Results {
		jr := jsonResult{Journey: res.Journey.Name, File: res.Journey.File, Device: res.Profile.Name,
			Passed: res.Passed(), Failures: res.Failures, Faults: res.Faults, Requests: len(res.Transcript.Entries), Failure: res.Transcript.Failure}
		if r.Shard != "" && i < len(r.Indexes) {
			jr.Index, jr.Description, jr.Transcript = &r.Indexes[i], res.Journey.Description, res.Transcript
		}
		out.Results = append(out.Results, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// JUnit writes the results as JUnit XML: a suite per journey, a case per
// device.
func (r *Run) JUnit(w io.Writer) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
	}
	type suite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	suites := map[string]*suite{}
	var order []string
	for _, res := range r.Results {
		s := suites[res.Journey.Name]
		if s == nil {
			s = &suite{Name: res.Journey.Name}
			suites[res.Journey.Name] = s
			order = append(order, res.Journey.Name)
		}
		c := testcase{Name: res.Profile.Name, Classname: "hostsim." + strings.ReplaceAll(res.Journey.Name, " ", "_"), Time: "0"}
		if !res.Passed() {
			c.Failure = &failure{Message: res.Failures[0], Text: strings.Join(res.Failures, "\n")}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	doc := struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []*suite `xml:"testsuite"`
	}{}
	sort.Strings(order)
	for _, n := range order {
		doc.Suites = append(doc.Suites, suites[n])
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

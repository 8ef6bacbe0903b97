package report

import (
	_ "embed"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// HTML writes the report as one self-contained page (its style and its
// script inline, nothing fetched), for a person to navigate a run of
// many journeys:
//
//   - a summary first: a journey × device table whose cells link to the
//     runs, the counts, and the compliance faults per rule, each rule
//     linking to the runs that broke it;
//   - then the runs, failures first: each a <details> (open when it
//     failed) with a stable anchor, #run-<journey>-<device> slugified, and
//     its requests as a phone-screen timeline, each frame with its own
//     anchor, #run-<journey>-<device>--r<n>, and the button the user chose
//     on each screen marked;
//   - a filter by rule, device and status whose state is the URL's hash
//     (#rule=JIT&device=ios-17&status=fail), so that a link reproduces a
//     filtered view.
//
// Without JavaScript the page shows every run and the filter is hidden.
func (r *Run) HTML(w io.Writer) error {
	return page.Execute(w, r.htmlView())
}

// htmlView is what the page shows.
type htmlView struct {
	Run     *Run
	Runs    []*htmlRun // failures first
	Devices []string   // the table's columns, in the order they first ran
	Rows    []htmlRow
	Rules   []htmlRule
	Failed  int
	Passed  int
	Script  template.JS
}

// htmlRow is a journey's row of the summary table: a cell per device,
// each the runs of the journey on it (usually one, none if it did not
// run there).
type htmlRow struct {
	Journey string
	Cells   [][]*htmlRun
}

// htmlRule is a rule's line of the summary: its faults, and the runs
// with one.
type htmlRule struct {
	Rule         string
	Faults, Runs int
}

type htmlRun struct {
	ID, Journey, File, Device, Locale string
	Passed                            bool
	Failures                          []string
	Faults                            []check.Fault
	// Rules are the rules the run broke, each once, space-separated: the
	// filter's data.
	Rules string
	Steps []htmlStep
}

type htmlStep struct {
	ID, Event, Time string
	N               int // the request's number, from 1
	Screens         []htmlScreen
	Rules           []string
	SDKs            int
}

type htmlScreen struct {
	Kind, Title, Body, Note string
	Buttons                 []htmlButton
	Chosen                  string // what the user did, where no button says it
}

// htmlButton is a button of a screen; Chosen marks the one the user chose.
type htmlButton struct {
	Label  string
	Chosen bool
}

//go:embed report.js
var script string

func (r *Run) htmlView() *htmlView {
	v := &htmlView{Run: r, Script: template.JS(script)}
	ids := map[string]bool{}
	var failed, passed []*htmlRun
	rules := map[string]*htmlRule{}
	rows := map[string]int{}
	cols := map[string]int{}
	for _, res := range r.Results {
		rn := newHTMLRun(res, ids)
		if rn.Passed {
			passed = append(passed, rn)
		} else {
			failed = append(failed, rn)
		}
		for _, f := range res.Faults {
			if rules[f.Rule] == nil {
				rules[f.Rule] = &htmlRule{Rule: f.Rule}
			}
			rules[f.Rule].Faults++
		}
		for _, rule := range strings.Fields(rn.Rules) {
			rules[rule].Runs++
		}
		if _, ok := cols[rn.Device]; !ok {
			cols[rn.Device] = len(v.Devices)
			v.Devices = append(v.Devices, rn.Device)
		}
		if _, ok := rows[rn.Journey]; !ok {
			rows[rn.Journey] = len(v.Rows)
			v.Rows = append(v.Rows, htmlRow{Journey: rn.Journey})
		}
	}
	for i := range v.Rows {
		v.Rows[i].Cells = make([][]*htmlRun, len(v.Devices))
	}
	v.Runs = append(failed, passed...)
	for _, rn := range v.Runs {
		cell := &v.Rows[rows[rn.Journey]].Cells[cols[rn.Device]]
		*cell = append(*cell, rn)
	}
	v.Failed, v.Passed = len(failed), len(passed)
	// Every rule, in the checks' order, then any other a fault names.
	for _, rule := range check.Rules() {
		if rules[rule] == nil {
			rules[rule] = &htmlRule{Rule: rule}
		}
		v.Rules = append(v.Rules, *rules[rule])
		delete(rules, rule)
	}
	var other []string
	for rule := range rules {
		other = append(other, rule)
	}
	slices.Sort(other)
	for _, rule := range other {
		v.Rules = append(v.Rules, *rules[rule])
	}
	return v
}

// newHTMLRun makes a run's part of the page; ids holds the anchors
// already taken, to which it adds its own.
func newHTMLRun(res *journey.Result, ids map[string]bool) *htmlRun {
	rn := &htmlRun{Journey: res.Journey.Name, File: res.Journey.File, Device: res.Profile.Name, Passed: res.Passed(),
		Failures: res.Failures, Faults: res.Faults}
	rn.ID = uniqueID("run-"+slug(rn.Journey)+"-"+slug(rn.Device), ids)
	var broke []string
	for _, f := range res.Faults {
		if !slices.Contains(broke, f.Rule) {
			broke = append(broke, f.Rule)
		}
	}
	rn.Rules = strings.Join(broke, " ")
	if res.Transcript == nil {
		return rn
	}
	rn.Locale = res.Transcript.Locale
	for i := range res.Transcript.Entries {
		e := &res.Transcript.Entries[i]
		// A run's id has no "--" (slug collapses dashes, uniqueID adds
		// "-<n>"): its frames' ids cannot be another run's.
		st := htmlStep{ID: rn.ID + "--r" + strconv.Itoa(i+1), N: i + 1, Event: describe(e), Time: e.Time.Format("01-02 15:04"), SDKs: len(e.Response.SDKs)}
		ids[st.ID] = true
		for _, t := range e.Response.Trace {
			st.Rules = append(st.Rules, t.Rule)
		}
		if e.Response.Error != nil {
			st.Screens = append(st.Screens, htmlScreen{Kind: "error", Title: e.Response.Error.Code, Body: e.Response.Error.Message})
		}
		for k := range e.Response.Actions {
			st.Screens = append(st.Screens, newScreen(e, k))
		}
		rn.Steps = append(rn.Steps, st)
	}
	return rn
}

// newScreen is the k-th action of an entry's response as a screen, with
// what the user chose on it.
func newScreen(e *sim.Entry, k int) htmlScreen {
	a := &e.Response.Actions[k]
	sc := htmlScreen{Kind: a.Type, Title: a.Title, Body: a.Body}
	// accepted is the user's answer to a screen with an accept and a
	// decline button, nil if the host sent none (the run stopped there).
	var accepted *bool
	for _, ans := range e.Answers {
		if ans.Action == k {
			accepted = ans.Event.Accepted
		}
	}
	twoButtons := func() {
		sc.Buttons = []htmlButton{{Label: a.Accept}}
		if a.Decline != "" { // iOS's rationale has one button, on to the system dialog
			sc.Buttons = append(sc.Buttons, htmlButton{Label: a.Decline})
		}
		switch {
		case accepted == nil:
		case *accepted:
			sc.Buttons[0].Chosen = true
		case len(sc.Buttons) > 1:
			sc.Buttons[1].Chosen = true
		}
	}
	switch a.Type {
	case "show_policy":
		sc.Body = a.Body + "\n" + strings.Join(a.Changes, "\n")
		if a.Version != "" {
			sc.Note = a.Version + " · " + a.Change
		}
		twoButtons()
	case "show_rationale":
		sc.Note = a.Consequence
		twoButtons()
	case "show_consent":
		if c := a.Consent(); c != "" {
			sc.Note = "separate consent " + c
		}
		twoButtons()
	case "request_permission":
		sc.Title = "system dialog: " + a.Permission
		sc.Body = strings.Join(a.PlatformIDs, ", ")
		if d := e.Dialog; d != nil {
			if p := d.Privacy; p != nil {
				sc.Note = "WeChat's privacy agreement first: " + string(p.Choice) + " → " + p.Result
			}
			switch {
			case d.Permission == "privacy" && a.Permission != "privacy":
				// The agreement was refused: the request was not made.
				sc.Note = "WeChat's privacy agreement first: " + string(d.Choice) + " → " + d.Result
				sc.Chosen = "no request made → denied"
			case d.Shown:
				sc.Buttons = []htmlButton{{Label: string(d.Choice), Chosen: true}}
				sc.Chosen = "→ " + d.Result
			default:
				sc.Chosen = "no dialog shown → " + d.Result
			}
		}
	case "open_settings":
		if a.Settings != "" {
			sc.Note = "settings page " + a.Settings
		}
		switch {
		case e.Settings != nil:
			sc.Buttons = []htmlButton{{Label: "switch on", Chosen: *e.Settings}, {Label: "leave off", Chosen: !*e.Settings}}
			sc.Chosen = map[bool]string{true: "switched on in the settings", false: "left off in the settings"}[*e.Settings]
		case e.NoSwitch:
			sc.Chosen = "no switch for " + a.Permission + " on that page"
		}
	case "proceed":
		sc.Title = "✓ " + a.Scenario + "/" + a.Step
		sc.Body = strings.Join(a.Fallbacks, "\n")
		if len(a.Missing) > 0 {
			sc.Note = "without " + strings.Join(a.Missing, ", ")
		}
		var apis []string
		for _, u := range e.APIs {
			api := u.Permission + ": " + u.API
			if !u.Offered {
				api += " (the device has none)"
			}
			apis = append(apis, api)
		}
		if len(apis) > 0 {
			sc.Chosen = "uses " + strings.Join(apis, ", ")
		}
	case "block":
		sc.Title = "✗ " + a.Title
	}
	return sc
}

// slug is s in lower case with every run of characters other than
// letters and digits made one "-", none at either end; "x" if nothing is
// left.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// uniqueID returns id, or id-2, id-3... if it is taken, and takes it.
func uniqueID(id string, taken map[string]bool) string {
	out := id
	for n := 2; taken[out]; n++ {
		out = id + "-" + strconv.Itoa(n)
	}
	taken[out] = true
	return out
}

func describe(e *sim.Entry) string {
	ev := e.Event
	s := ev.Type
	switch ev.Type {
	case "enter":
		s += " " + ev.Scenario + "/" + ev.Step
	case "policy_answer", "rationale_answer", "consent_answer":
		if ev.Permission != "" {
			s += " " + ev.Permission
		}
		if ev.Sensitive != "" || ev.Purpose != "" {
			s += " " + sim.Consent(ev.Sensitive, ev.Purpose)
		}
		if ev.Accepted != nil {
			s += map[bool]string{true: ": accepted", false: ": declined"}[*ev.Accepted]
		}
	case "permission_result":
		s += " " + ev.Permission + ": " + ev.Result
	case "withdraw":
		s += " " + ev.Permission
	}
	if e.Update != "" {
		// The newer bundle arrived before this request was sent.
		s = "policy update " + e.Update + " loaded · " + s
	}
	return s
}

//go:embed report.html.tmpl
var pageText string

var page = template.Must(template.New("report").Parse(pageText))

package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/report"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// synthetic is a run of two journeys: "loan" passes on ios-17 and fails on
// android-33 (a fault and an expectation), and "<b>tricky</b> & co" fails
// on web with text that needs escaping.
func synthetic(t *testing.T) *report.Run {
	t.Helper()
	profile := func(name string) device.Profile {
		p, err := device.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	yes, off := true, false
	when := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	entry := func(ev sim.Event, actions ...sim.Action) sim.Entry {
		return sim.Entry{Time: when, Event: ev, Response: sim.Response{Actions: actions, SDKs: []string{"jpush"}}}
	}
	loan := &journey.Journey{Name: "loan", File: "journeys/loan.toml"}
	tricky := &journey.Journey{Name: "<b>tricky</b> & co", File: "journeys/tricky.toml"}

	denied := entry(sim.Event{Type: "enter", Scenario: "loan_apply", Step: "apply"},
		sim.Action{Type: "request_permission", Permission: "camera", PlatformIDs: []string{"android.permission.CAMERA"}})
	denied.Dialog = &sim.Dialog{Permission: "camera", Shown: true, Choice: device.Deny, Result: "denied"}
	silent := entry(sim.Event{Type: "permission_result", Permission: "camera", Result: "denied"},
		sim.Action{Type: "request_permission", Permission: "location"})
	silent.Dialog = &sim.Dialog{Permission: "location", Shown: false, Result: "granted"}
	settings := entry(sim.Event{Type: "rationale_answer", Permission: "camera", Accepted: &yes},
		sim.Action{Type: "open_settings", Permission: "camera"})
	settings.Settings = &off
	settings.Update = "minor" // a policy update arrived while the rationale waited
	failed := &journey.Result{Journey: loan, Profile: profile("android-33"),
		Transcript: &sim.Transcript{Locale: "zh-CN", Entries: []sim.Entry{
			entry(sim.Event{Type: "launch"}, sim.Action{Type: "show_policy", Version: "2022-03-29", Change: "first", Title: "隐私政策", Body: "正文", Changes: []string{"新增 SDK"}, Accept: "同意", Decline: "不同意"}),
			denied, silent, settings,
			entry(sim.Event{Type: "policy_answer", Accepted: &off}, sim.Action{Type: "block", Title: "无法继续"},
				sim.Action{Type: "proceed", Scenario: "loan_apply", Step: "apply", Missing: []string{"camera"}, Fallbacks: []string{"上传照片"}}),
		}},
		Faults:   []check.Fault{{Rule: check.JIT, Entry: 1, Op: 1, Detail: "asked early"}, {Rule: check.JIT, Entry: 2, Op: 1, Detail: "again"}, {Rule: check.Withdraw, Detail: "kept"}},
		Failures: []string{"compliance fault: JIT at request 2 (op 2): asked early", "expected proceed loan_apply/apply, never shown"},
	}
	failed.Transcript.Entries[0].Answers = []sim.Answer{{Action: 0, Event: sim.Event{Type: "policy_answer", Accepted: &off}}}
	failed.Transcript.Entries[0].Response.Trace = append(failed.Transcript.Entries[0].Response.Trace, struct {
		Rule   string `json:"rule"`
		Detail string `json:"detail"`
	}{"PRECONSENT", "first launch"})
	// Issue 11's screens: a one-button rationale (iOS), a special access's
	// settings page without its switch, a step going on with pickers.
	picked := entry(sim.Event{Type: "launch"},
		sim.Action{Type: "show_rationale", Permission: "camera", Title: "Camera", Accept: "Continue"},
		sim.Action{Type: "open_settings", Permission: "install_packages", Special: true, Settings: "android.settings.MANAGE_UNKNOWN_APP_SOURCES"},
		sim.Action{Type: "proceed", Scenario: "customer_service", Step: "send_image"})
	picked.NoSwitch = true
	picked.APIs = []sim.APIUse{{SystemAPI: sim.SystemAPI{Permission: "photos", Access: "picker", API: "PHPickerViewController"}, Offered: true},
		{SystemAPI: sim.SystemAPI{Permission: "contacts", Access: "picker", API: "CNContactPickerViewController"}}}
	picked.Answers = []sim.Answer{{Action: 0, Event: sim.Event{Type: "rationale_answer", Permission: "camera", Accepted: &yes}}}
	consent := entry(sim.Event{Type: "enter", Scenario: "loan_apply", Step: "bind_card"},
		sim.Action{Type: "show_consent", Sensitive: "financial_account", Purpose: "card_binding", Title: "单独同意", Accept: "同意绑卡", Decline: "暂不"})
	consent.Answers = []sim.Answer{{Action: 0, Event: sim.Event{Type: "consent_answer", Sensitive: "financial_account", Purpose: "card_binding", Accepted: &off}}}
	passed := &journey.Result{Journey: loan, Profile: profile("ios-17"),
		Transcript: &sim.Transcript{Locale: "en", Entries: []sim.Entry{picked, consent}}}
	errEntry := sim.Entry{Time: when, Event: sim.Event{Type: "withdraw", Permission: "<camera>"}}
	errEntry.Response.Error = &struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	}{"bad_request", `a "<script>" here`, "event"}
	escaped := &journey.Result{Journey: tricky, Profile: profile("web"),
		Transcript: &sim.Transcript{Locale: "en", Entries: []sim.Entry{errEntry}, Failure: "op 1 (withdraw): <stopped> & done"},
		Faults:     []check.Fault{{Rule: check.Contract, Detail: "<error>"}},
		Failures:   []string{`the run stopped: <stopped> & "done"`},
	}
	return &report.Run{Engine: "dist/consent.wasm", Results: []*journey.Result{failed, passed, escaped},
		Elapsed: 2 * time.Second, Decisions: 7, Replaced: 2, Differences: []string{"loan on android-33: request 1 (launch): ..."}}
}

// TestCounts: a run counts its failed results and faults per rule, and is
// OK only without failures and differences.
func TestCounts(t *testing.T) {
	r := synthetic(t)
	if r.Failed() != 2 || r.OK() {
		t.Errorf("failed %d, OK %v", r.Failed(), r.OK())
	}
	if got, want := r.FaultsByRule(), map[string]int{check.JIT: 2, check.Withdraw: 1, check.Contract: 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("faults by rule %v, want %v", got, want)
	}
	ok := &report.Run{Results: r.Results[1:2]}
	if !ok.OK() {
		t.Error("a run of one passed result is not OK")
	}
	ok.Differences = []string{"x"}
	if ok.OK() {
		t.Error("a run with a difference is OK")
	}
}

// TestText: a line per journey with its devices and failures, the failed
// runs under it (every run with verbose), every rule with its count, the
// differences, and the totals.
func TestText(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		synthetic(t).Text(&b, verbose)
		out := b.String()
		want := []string{
			"FAIL loan                                                 2 device(s), 1 failed\n",
			"     FAIL android-33       5 requests\n          compliance fault: JIT at request 2 (op 2): asked early\n          expected proceed loan_apply/apply, never shown\n",
			"FAIL <b>tricky</b> & co                                   1 device(s), 1 failed\n",
			"compliance faults by rule:\n",
			"  JIT         2\n", "  WITHDRAW    1\n", "  CONTRACT    1\n", "  PRECONSENT  0\n",
			"DIFF loan on android-33: request 1 (launch): ...\n",
			"\n3 run(s), 2 failed, 7 decisions in 2s (4 decisions/s) on dist/consent.wasm; 2 instance(s) trapped or timed out and were replaced\n",
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("verbose %v: no %q in\n%s", verbose, w, out)
			}
		}
		if got := strings.Contains(out, "     ok   ios-17           2 requests\n"); got != verbose {
			t.Errorf("verbose %v: the passed run listed: %v\n%s", verbose, got, out)
		}
		for _, rule := range check.Rules() {
			if strings.Count(out, "  "+rule+" ") != 1 {
				t.Errorf("rule %s is not listed once", rule)
			}
		}
		if strings.Index(out, "FAIL loan") > strings.Index(out, "FAIL <b>tricky") {
			t.Error("the journeys are not in the run's order")
		}
	}
}

// TestJSON: the JSON holds the run's figures, the faults per rule, and
// each result with its failures and faults.
func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := synthetic(t).JSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Engine      string
		Elapsed     int64 `json:"elapsed_ns"`
		Decisions   int
		Replaced    int64 `json:"replaced_instances"`
		Differences []string
		Failed      int
		Faults      map[string]int `json:"faults_by_rule"`
		Results     []struct {
			Journey, File, Device string
			Passed                bool
			Failures              []string
			Faults                []check.Fault
			Requests              int
			Failure               string
		}
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	// Every duration names its unit (issue 15: "elapsed": 154651135).
	if bytes.Contains(b.Bytes(), []byte(`"elapsed"`)) || !bytes.Contains(b.Bytes(), []byte(`"elapsed_ns": 2000000000`)) {
		t.Errorf("the elapsed time has no unit in its name:\n%.300s", b.String())
	}
	if got.Engine != "dist/consent.wasm" || got.Elapsed != int64(2*time.Second) || got.Decisions != 7 || got.Replaced != 2 ||
		len(got.Differences) != 1 || got.Failed != 2 || got.Faults[check.JIT] != 2 || got.Faults[check.Contract] != 1 {
		t.Errorf("the run: %+v", got)
	}
	if len(got.Results) != 3 {
		t.Fatalf("%d results", len(got.Results))
	}
	r0, r1, r2 := got.Results[0], got.Results[1], got.Results[2]
	if r0.Journey != "loan" || r0.File != "journeys/loan.toml" || r0.Device != "android-33" || r0.Passed || len(r0.Failures) != 2 ||
		len(r0.Faults) != 3 || r0.Faults[0].Detail != "asked early" || r0.Requests != 5 || r0.Failure != "" {
		t.Errorf("the failed result: %+v", r0)
	}
	if !r1.Passed || r1.Device != "ios-17" || r1.Failures != nil || r1.Faults != nil {
		t.Errorf("the passed result: %+v", r1)
	}
	if r2.Journey != "<b>tricky</b> & co" || r2.Failure != "op 1 (withdraw): <stopped> & done" {
		t.Errorf("the stopped result: %+v", r2)
	}
}

// TestJUnit: valid XML with a suite per journey in name order, a case per
// device, and a failure whose message is the first failure and whose text
// is every one; names that need escaping survive it.
func TestJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := synthetic(t).JUnit(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), xml.Header) {
		t.Errorf("no XML header:\n%s", b.String())
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not valid XML: %v\n%s", err, b.String())
	}
	if len(doc.Suites) != 2 || doc.Suites[0].Name != "<b>tricky</b> & co" || doc.Suites[1].Name != "loan" {
		t.Fatalf("suites: %+v", doc.Suites)
	}
	tricky, loan := doc.Suites[0], doc.Suites[1]
	if tricky.Tests != 1 || tricky.Failures != 1 || tricky.Cases[0].Classname != "hostsim.<b>tricky</b>_&_co" ||
		tricky.Cases[0].Failure == nil || tricky.Cases[0].Failure.Message != `the run stopped: <stopped> & "done"` {
		t.Errorf("the escaped suite: %+v", tricky)
	}
	if loan.Tests != 2 || loan.Failures != 1 || len(loan.Cases) != 2 || loan.Cases[0].Name != "android-33" || loan.Cases[1].Name != "ios-17" {
		t.Fatalf("the loan suite: %+v", loan)
	}
	f := loan.Cases[0].Failure
	if f == nil || f.Message != "compliance fault: JIT at request 2 (op 2): asked early" ||
		f.Text != "compliance fault: JIT at request 2 (op 2): asked early\nexpected proceed loan_apply/apply, never shown" || loan.Cases[1].Failure != nil {
		t.Errorf("the loan cases: %+v", loan.Cases)
	}
}

// page writes a run's HTML report.
func page(t *testing.T, r *report.Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.HTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHTML: a phone timeline per run with its screens, the user's choices
// and the rules in the trace; every text of the run is escaped.
func TestHTML(t *testing.T) {
	out := page(t, synthetic(t))
	for _, w := range []string{
		`<h1 id="top">hostsim: 3 run(s), 2 failed, 7 decisions on dist/consent.wasm</h1>`,
		`<span class="fail">✗</span> loan · android-33 · zh-CN</h2> <span class="meta">5 request(s) · faults: JIT WITHDRAW · journeys/loan.toml</span>`,
		`<span class="pass">✓</span> loan · ios-17 · en`,
		`<li class="fail">expected proceed loan_apply/apply, never shown</li>`,
		`<div class="event">enter loan_apply/apply</div>`, `<div class="event">policy_answer: declined</div>`,
		`<div class="event">policy update minor loaded · rationale_answer camera: accepted</div>`, `<div class="event">permission_result camera: denied</div>`,
		`<div class="time">03-01 10:00 · 1 SDK(s)</div>`,
		`<div class="screen show_policy"><h4>隐私政策</h4><p>正文` + "\n" + `新增 SDK</p>`,
		`<h4>system dialog: camera</h4><p>android.permission.CAMERA</p>`,
		`<p class="chosen">no dialog shown → granted</p>`, `<p class="chosen">left off in the settings</p>`,
		`<h4>✓ loan_apply/apply</h4><p>上传照片</p><p><em>without camera</em></p>`, `<h4>✗ 无法继续</h4>`,
		`<div class="rules">PRECONSENT </div>`, `<p><em>2022-03-29 · first</em></p>`,
		`<p><em>settings page android.settings.MANAGE_UNKNOWN_APP_SOURCES</em></p>`, `<p class="chosen">no switch for install_packages on that page</p>`,
		`<p class="chosen">uses photos: PHPickerViewController, contacts: CNContactPickerViewController (the device has none)</p>`,
		`<p><em>separate consent financial_account/card_binding</em></p>`,
		`&lt;b&gt;tricky&lt;/b&gt; &amp; co · web`, `<div class="event">withdraw &lt;camera&gt;</div>`,
		`<div class="screen error"><h4>bad_request</h4><p>a &#34;&lt;script&gt;&#34; here</p>`,
		`<li class="fail">the run stopped: &lt;stopped&gt; &amp; &#34;done&#34;</li>`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("no %q in the page", w)
		}
	}
	if n := strings.Count(out, `<details class="run"`); n != 3 {
		t.Errorf("%d runs on the page, want 3", n)
	}
	// The page's one script is its own; no text of the run is markup.
	if strings.Count(out, "<script>") != 1 || !strings.Contains(out, "<script>// The report's filter") || regexp.MustCompile(`<(b|stopped|camera)>`).MatchString(out) {
		t.Errorf("unescaped text in the page:\n%s", out)
	}
}

// TestHTMLSummary: the summary comes first, before the filter and the
// runs: a journey × device table whose cells link to the runs (· where a
// journey did not run), the counts linking to the filtered views, and
// every rule with its faults and runs, those with a fault linking to the
// runs that broke it.
func TestHTMLSummary(t *testing.T) {
	out := page(t, synthetic(t))
	order := []string{`<section id="summary">`, `<table id="matrix">`, `<table id="rules">`, `</section>`, `<form id="filter" hidden>`, `<main id="runs">`, `<details class="run"`}
	at := -1
	for _, w := range order {
		i := strings.Index(out, w)
		if i < at {
			t.Errorf("%q is not after %q", w, order[0])
		}
		at = i
	}
	summary := out[strings.Index(out, `<section id="summary">`):strings.Index(out, `</section>`)]
	for _, w := range []string{
		`<a class="fail" href="#status=fail">2 failed</a> · <a class="pass" href="#status=pass">1 passed</a> · 3 device(s) · 2 journey(s)`,
		`<thead><tr><th scope="col">journey</th><th scope="col">android-33</th><th scope="col">ios-17</th><th scope="col">web</th></tr></thead>`,
		`<tr><th scope="row" title="loan">loan</th><td><a href="#run-loan-android-33" class="fail" title="loan on android-33: failed">✗</a></td><td><a href="#run-loan-ios-17" class="pass" title="loan on ios-17: passed">✓</a></td><td><span class="none">·</span></td></tr>`,
		`<tr><th scope="row" title="&lt;b&gt;tricky&lt;/b&gt; &amp; co">&lt;b&gt;tricky&lt;/b&gt; &amp; co</th><td><span class="none">·</span></td><td><span class="none">·</span></td><td><a href="#run-b-tricky-b-co-web" class="fail"`,
		`<tr class="fail"><th scope="row"><a href="#rule=JIT">JIT</a></th><td>2</td><td>1</td></tr>`,
		`<tr class="fail"><th scope="row"><a href="#rule=WITHDRAW">WITHDRAW</a></th><td>1</td><td>1</td></tr>`,
		`<tr class="fail"><th scope="row"><a href="#rule=CONTRACT">CONTRACT</a></th><td>1</td><td>1</td></tr>`,
		`<tr><th scope="row">PRECONSENT</th><td>0</td><td>0</td></tr>`,
		"2 module instance(s) trapped or timed out and were replaced", `<li>loan on android-33: request 1 (launch): ...</li>`,
	} {
		if !strings.Contains(summary, w) {
			t.Errorf("no %q in the summary:\n%s", w, summary)
		}
	}
	for _, rule := range check.Rules() {
		if strings.Count(summary, `<th scope="row">`+rule+`</th>`)+strings.Count(summary, `<a href="#rule=`+rule+`">`) != 1 {
			t.Errorf("rule %s is not in the summary once", rule)
		}
	}
	if strings.Contains(summary, "<details") || strings.Contains(summary, `class="phone"`) {
		t.Error("the summary holds a run's timeline")
	}
}

var (
	detailsRE = regexp.MustCompile(`<details class="run" id="([^"]*)" data-journey="[^"]*" data-device="([^"]*)" data-status="(pass|fail)" data-rules="([^"]*)"( open)?>`)
	idRE      = regexp.MustCompile(` id="([^"]*)"`)
	hrefRE    = regexp.MustCompile(` href="#([^"]*)"`)
)

// TestHTMLRuns: failures first, in the run's order, each open, then the
// passed runs, closed; each run carries what the filter reads (its
// device, status and the rules it broke, each once).
func TestHTMLRuns(t *testing.T) {
	r := synthetic(t)
	// A passed run first in the results still comes after the failures.
	r.Results = append(r.Results[1:2], r.Results[0], r.Results[2])
	var got []string
	for _, m := range detailsRE.FindAllStringSubmatch(page(t, r), -1) {
		got = append(got, strings.Join(m[1:], "|"))
	}
	want := []string{"run-loan-android-33|android-33|fail|JIT WITHDRAW| open", "run-b-tricky-b-co-web|web|fail|CONTRACT| open", "run-loan-ios-17|ios-17|pass||"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("runs\n%q\nwant\n%q", got, want)
	}
}

// TestHTMLAnchors: every id on the page is unique, a run's is made of its
// journey's and device's names (a second run of the same journey on the
// same device gets -2), each frame has its own within its run's, and
// every link to an anchor leads to one.
func TestHTMLAnchors(t *testing.T) {
	r := synthetic(t)
	again := *r.Results[1] // the same journey from another folder
	r.Results = append(r.Results, &again)
	out := page(t, r)
	ids := map[string]int{}
	for _, m := range idRE.FindAllStringSubmatch(out, -1) {
		ids[m[1]]++
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("id %q is on the page %d times", id, n)
		}
	}
	for _, id := range []string{"run-loan-android-33", "run-loan-ios-17", "run-loan-ios-17-2", "run-b-tricky-b-co-web",
		"run-loan-android-33--r1", "run-loan-android-33--r5", "run-loan-ios-17-2--r2", "run-b-tricky-b-co-web--r1"} {
		if ids[id] != 1 {
			t.Errorf("no anchor %q", id)
		}
	}
	if ids["run-loan-android-33--r6"] != 0 {
		t.Error("an anchor for a request that was not made")
	}
	links := 0
	for _, m := range hrefRE.FindAllStringSubmatch(out, -1) {
		if strings.Contains(m[1], "=") {
			continue // a filtered view
		}
		links++
		if ids[m[1]] != 1 {
			t.Errorf("a link to #%s, which is no anchor", m[1])
		}
	}
	if links < 10 {
		t.Errorf("%d links to anchors", links)
	}
}

// TestHTMLChosen: on each screen the button the user chose is marked, and
// only that one: the policy popup's and a consent screen's decline, a
// one-button rationale's accept, the system dialog's choice, the
// settings' switch left off; a screen the run never answered has none.
func TestHTMLChosen(t *testing.T) {
	r := synthetic(t)
	out := page(t, r)
	for _, c := range []struct{ frame, want string }{
		{"run-loan-android-33--r1", `<span class="btn">同意</span><span class="btn chosen" title="the user chose this">✔ 不同意</span>`},
		{"run-loan-android-33--r2", `<span class="btn chosen" title="the user chose this">✔ deny</span><p class="chosen">→ denied</p>`},
		{"run-loan-android-33--r4", `<span class="btn">switch on</span><span class="btn chosen" title="the user chose this">✔ leave off</span>`},
		{"run-loan-ios-17--r1", "<h4>Camera</h4>\n" + `<span class="btn chosen" title="the user chose this">✔ Continue</span></div>`},
		{"run-loan-ios-17--r2", `<span class="btn">同意绑卡</span><span class="btn chosen" title="the user chose this">✔ 暂不</span>`},
	} {
		i := strings.Index(out, `<div class="phone" id="`+c.frame+`">`)
		if i < 0 {
			t.Errorf("no frame %s", c.frame)
			continue
		}
		frame := out[i:]
		frame = frame[:strings.Index(frame, `<div class="rules">`)]
		if !strings.Contains(frame, c.want) || strings.Count(frame, "btn chosen") != 1 {
			t.Errorf("frame %s does not mark %q once:\n%s", c.frame, c.want, frame)
		}
	}
	// Without the host's answer (the run stopped at the popup) no
	// button is marked.
	r.Results[0].Transcript.Entries[0].Answers = nil
	out = page(t, r)
	if !strings.Contains(out, `<span class="btn">同意</span><span class="btn">不同意</span>`) {
		t.Error("a popup never answered has a button marked")
	}
}

// TestHTMLSelfContained: the page is one file: its style and script
// inline, nothing it loads from elsewhere; the filter is hidden until the
// script shows it, so that without JavaScript every run shows and no
// control does nothing.
func TestHTMLSelfContained(t *testing.T) {
	out := page(t, synthetic(t))
	for _, re := range []string{`(?i)<script[^>]+src`, `(?i)<link\b`, `(?i)\b(src|href)\s*=\s*"?(https?:)?//`, `(?i)@import`, `(?i)url\(`, `(?i)<iframe|<img|<object|<embed`} {
		if m := regexp.MustCompile(re).FindString(out); m != "" {
			t.Errorf("the page loads something (%q)", m)
		}
	}
	for _, w := range []string{"<style>\n", "<script>// The report's filter", `var bar = document.getElementById('filter');`, "bar.hidden = false;", `window.addEventListener('hashchange', apply);`} {
		if !strings.Contains(out, w) {
			t.Errorf("no %q in the page", w)
		}
	}
	if regexp.MustCompile(`<details[^>]* hidden`).MatchString(out) {
		t.Error("a run is hidden without the script")
	}
}

// TestWrite: the summary and the files asked for, each announced; JSON
// "-" prints the JSON alone; a file that cannot be made is an error.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	r := synthetic(t)
	var b bytes.Buffer
	o := report.Outputs{JSON: filepath.Join(dir, "r.json"), JUnit: filepath.Join(dir, "r.xml"), HTML: filepath.Join(dir, "r.html")}
	if err := r.Write(&b, o); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{o.JSON, o.JUnit, o.HTML} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 || !strings.Contains(b.String(), "wrote "+f+"\n") {
			t.Errorf("%s: %v\n%s", f, err, b.String())
		}
	}
	if !strings.HasPrefix(b.String(), "FAIL loan") {
		t.Errorf("the summary does not come first:\n%s", b.String())
	}
	b.Reset()
	if err := r.Write(&b, report.Outputs{JSON: "-", HTML: filepath.Join(dir, "other.html")}); err != nil || !json.Valid(b.Bytes()) {
		t.Errorf("JSON to standard output: %v\n%s", err, b.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "other.html")); err == nil {
		t.Error("with JSON on standard output the other files are written too")
	}
	if err := r.Write(&bytes.Buffer{}, report.Outputs{JUnit: filepath.Join(dir, "no", "such", "r.xml")}); err == nil {
		t.Error("no error for a file in a missing folder")
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// summaryShot is where TestReportInChromium saves its screenshot of the
// report's summary, from the repository root (the tests' working folder).
const summaryShot = "dist/report-summary.png"

// reportJourneys are the run TestReportInChromium reports: a loan
// application that passes on two devices, and withdrawals that make the
// faulty module trap (wasm/faults.go) on one, a CONTRACT fault.
var reportJourneys = map[string]string{
	"loan.toml": `name = "loan application"
devices = ["android-33", "ios-17"]

[[do]]
do = "launch"

[[do]]
do = "enter"
scenario = "loan_apply"
step = "apply"

[expect]
must = ["show_policy"]
`,
	"withdrawals.toml": `name = "withdrawals"
devices = ["android-33"]

[[do]]
do = "launch"

[[do]]
do = "withdraw"
permission = "contacts"
`,
}

// TestReportInChromium opens the HTML report of a small real run (hostsim
// run on the faulty module) in a real headless Chromium, as a person
// would: the summary fits the first screen and the page is short; the
// filter by rule shows only the runs that broke it and writes the URL's
// hash, and a reload of that URL shows the same view; a link of the
// summary table opens its run, closed before, and scrolls to it, and a
// frame's anchor does the same for a frame. It saves a screenshot of the
// first screen, the summary, to dist/report-summary.png. Without Chromium it fails: the
// browser test is part of make test.
func TestReportInChromium(t *testing.T) {
	dir := t.TempDir()
	for name, text := range reportJourneys {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := filepath.Join(dir, "report.html")
	code, out, errOut := hostsimCmd(t, on(t, wasmtest.Faulty, "run", "--timeout", "1m", "--html", report, dir)...)
	if code != 1 || !strings.Contains(out, "FAIL withdrawals") || !strings.Contains(out, "ok   loan application") {
		t.Fatalf("the run: exit %d, want 1 (a trap)\n%s\n%s", code, out, errOut)
	}

	bctx := wasmtest.Chromium(t, 1280, 900, 60*time.Second)
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// view is what the page shows: the runs not hidden, which are open,
	// the hash, the filter's values, and where the page is scrolled to.
	type view struct {
		Shown, Open           []string
		Hash, Rule, Device    string
		Status, Count         string
		Summary, Page, Scroll float64
		Chosen                int
	}
	look := func() view {
		t.Helper()
		js := `JSON.stringify((() => {
			const runs = [...document.querySelectorAll('details.run')], f = document.getElementById('filter');
			return {
				Shown: runs.filter(r => !r.hidden).map(r => r.id),
				Open: runs.filter(r => r.open).map(r => r.id),
				Hash: location.hash, Rule: f.elements.rule.value, Device: f.elements.device.value, Status: f.elements.status.value,
				Count: f.hidden ? 'the filter is hidden' : document.getElementById('shown').textContent,
				Summary: document.getElementById('summary').getBoundingClientRect().height,
				Page: document.documentElement.scrollHeight, Scroll: window.scrollY,
				Chosen: document.querySelectorAll('.btn.chosen').length,
			};
		})())`
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("read the page: %v", err)
		}
		var v view
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatalf("%v: %s", err, s)
		}
		return v
	}
	// settle looks until ok holds or a second has passed: a change of the
	// URL's hash reaches the page's handler as an event of its own, after
	// the action that made it has returned.
	settle := func(ok func(view) bool) view {
		t.Helper()
		v := look()
		for deadline := time.Now().Add(time.Second); !ok(v) && time.Now().Before(deadline); v = look() {
			time.Sleep(20 * time.Millisecond)
		}
		return v
	}
	eval := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[any](js)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	const (
		failed  = "run-withdrawals-android-33"
		android = "run-loan-application-android-33"
		ios     = "run-loan-application-ios-17"
	)
	all := []string{failed, android, ios} // failures first

	do("open the report", chromedp.Navigate("file://"+report))
	v := look()
	t.Logf("the summary is %.0f px high, the page %.0f px", v.Summary, v.Page)
	if !slices.Equal(v.Shown, all) || !slices.Equal(v.Open, []string{failed}) || v.Count != "3 of 3 runs shown" || v.Chosen == 0 {
		t.Errorf("the page as it opens: %+v", v)
	}
	// The summary fits the first screen; the page, with the passed runs
	// closed, is a few screens, not 52,000 px.
	if v.Summary <= 0 || v.Summary > 900 || v.Page > 2500 {
		t.Errorf("the summary is %.0f px high and the page %.0f px", v.Summary, v.Page)
	}
	// The user accepted the policy: its popup's first button is marked,
	// and only it.
	marked, err := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const pop = document.querySelector('#%s--r1 .screen.show_policy'), b = pop ? pop.querySelectorAll('.btn') : [];
		return b.length + ' ' + pop.querySelectorAll('.btn.chosen').length + ' ' + (b.length && b[0].classList.contains('chosen'));
	})()`, android)))
	if err != nil || marked != "2 1 true" {
		t.Errorf("the policy popup's buttons (count, marked, the first marked): %q, %v", marked, err)
	}
	if err := os.MkdirAll(filepath.Dir(summaryShot), 0o755); err != nil {
		t.Fatal(err)
	}
	// The first screen as the report opens: the summary, the filter and
	// the first runs.
	png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil || len(png) == 0 {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(summaryShot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("the summary's screenshot: %s", summaryShot)

	// The filter by rule: only the run that broke it, the hash saying so;
	// the same view after a reload of that URL.
	eval("choose the rule", `(() => { const s = document.getElementById('filter').elements.rule;
		s.value = 'CONTRACT'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`)
	want := view{Shown: []string{failed}, Hash: "#rule=CONTRACT", Rule: "CONTRACT", Count: "1 of 3 runs shown"}
	matches := func(got, want view) bool {
		return slices.Equal(got.Shown, want.Shown) && got.Hash == want.Hash && got.Rule == want.Rule && got.Device == want.Device &&
			got.Status == want.Status && got.Count == want.Count
	}
	same := func(what string, got, want view) {
		t.Helper()
		if !matches(got, want) {
			t.Errorf("%s: %+v\nwant %+v", what, got, want)
		}
	}
	same("filtered by rule", look(), want)
	do("reload", chromedp.Reload())
	same("reloaded", look(), want)
	// A device and a status, as a link to the view gives them.
	eval("filter by link", `location.hash = 'device=ios-17&status=pass'`)
	byLink := view{Shown: []string{ios}, Hash: "#device=ios-17&status=pass", Device: "ios-17", Status: "pass", Count: "1 of 3 runs shown"}
	same("filtered by device and status", settle(func(v view) bool { return matches(v, byLink) }), byLink)

	// A cell of the summary table: its run shows and opens, scrolled to.
	do("follow the table's link", chromedp.Click(fmt.Sprintf(`#matrix a[href="#%s"]`, ios)))
	opened := func(v view) bool {
		return slices.Equal(v.Shown, all) && slices.Contains(v.Open, ios) && v.Hash == "#"+ios && v.Scroll != 0
	}
	if v = settle(opened); !opened(v) {
		t.Errorf("after the table's link to %s: %+v", ios, v)
	}
	// A frame's anchor in a closed run.
	eval("close the run", fmt.Sprintf(`document.getElementById(%q).open = false; window.scrollTo(0, 0)`, android))
	frame := android + "--r2"
	eval("follow a frame's anchor", fmt.Sprintf(`location.hash = %q`, frame))
	v = settle(func(v view) bool { return slices.Contains(v.Open, android) })
	var top float64
	s, err := chromedp.Run(bctx, chromedp.Evaluate[float64](fmt.Sprintf(`document.getElementById(%q).getBoundingClientRect().top`, frame)))
	if err == nil {
		top = s
	}
	if !slices.Contains(v.Open, android) || top < 0 || top > 900 {
		t.Errorf("after the anchor of %s: the frame is at %.0f px, %+v", frame, top, v)
	}
}

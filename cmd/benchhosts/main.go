// Command benchhosts measures the consent module's cold start on the hosts
// that run it (`make bench-hosts`), beside the floor reactor (wasm/floor:
// the module's exports, SHA-256 and ed25519 linked, no engine, built the
// same way) in the same run:
//
//   - chromium: headless Chromium with a fresh profile; the page compiles
//     the module while it downloads from a local HTTP server
//     (WebAssembly.compileStreaming) and runs it on consent.mjs's WASI shim;
//   - chromium-second: the second visit, Chromium started again on the
//     profile of the first (whose visit is the chromium sample), which V8's
//     wasm code cache may serve;
//   - node: Node in a fresh process, on node:wasi;
//   - wazero-compiled: wazero's compiler in a fresh process, the compiled
//     code read from its file cache (warmed once before the runs), as an
//     app that ships or caches it does;
//   - wazero-interp: wazero's interpreter in a fresh process, a stand-in for
//     runtimes that do not compile wasm to machine code.
//
// Each run reports compile (fetch or read and compile; from the file cache
// for wazero compiled), start (instantiate and _initialize), the first
// decision (a fresh install's launch, zh-CN on Android 13, host copies
// included), total (the three), and a steady decision (the engine
// benchmark's representative request: loan_apply/apply on Android 13 from
// a consented state, after a warm-up). In Chromium the page also draws the
// precomputed first popup (--first-launch, consent.mjs's
// firstLaunchActions) as its script starts, and reports when it was on
// screen (two animation frames after insertion), from the page's script
// starting, beside when the module's first decision was made. The table has the median of --runs
// fresh runs of each, the module's and the floor's interleaved (their
// order alternating), and the module's total as a ratio to the floor's.
// --json writes every sample.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
)

// Sample is one fresh run's measurement, in milliseconds (Steady in
// microseconds per decision).
type Sample struct {
	Compile      float64 `json:"compile"`
	Start        float64 `json:"start"`
	First        float64 `json:"first"`
	Total        float64 `json:"total"`
	Steady       float64 `json:"steady"`
	Decisions    int     `json:"decisions"`
	FirstAnswer  string  `json:"first_answer"`
	SteadyAnswer string  `json:"steady_answer"`
	CodeCache    int64   `json:"code_cache,omitempty"` // Chromium: bytes in the profile's wasm code cache after the first visit
	// Chromium: the precomputed popup on screen, two animation frames after
	// insertion (ms from the page's script starting, and from navigation start), whether it is the module's
	// first answer's actions, and when that first decision was made (ms
	// from the page's script starting).
	Popup        float64 `json:"popup,omitempty"`
	PopupNav     float64 `json:"popup_nav,omitempty"`
	PopupMatches bool    `json:"popup_matches,omitempty"`
	FirstAt      float64 `json:"first_at,omitempty"`
	// PopupPaint is the popup's paint time (ms from the page's script
	// starting) where Chromium reports it (Element Timing), else 0.
	PopupPaint float64 `json:"popup_paint,omitempty"`
}

// The fresh install's launch every host decides first, whose precomputed
// popup the Chromium page draws.
const (
	launchLocale   = "zh-CN"
	launchPlatform = "android"
)

// Requests are the two requests every host sends, as JSON text.
type Requests struct {
	Launch string `json:"launch"`
	Steady string `json:"steady"`
}

// hosts in the table's order.
var hostNames = []string{"chromium", "chromium-second", "node", "wazero-compiled", "wazero-interp"}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "wazero-run" {
		if err := wazeroChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "benchhosts wazero-run:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchhosts:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	module, floor string
	firstLaunch   string
	runs          int
	hosts         []string
	steadyMs      int
	root          string
	browser       string
	jsFlags       string
	jsonOut       string
	verbose       bool
	work          string // the temporary folder
	requests      string // its requests.json
}

func run() error {
	var c config
	var hosts string
	flag.StringVar(&c.module, "module", "dist/consent.wasm", "the module (make wasm)")
	flag.StringVar(&c.floor, "floor", "dist/floor.wasm", "the floor reactor (make floor)")
	flag.StringVar(&c.firstLaunch, "first-launch", "dist/first-launch.json", "the precomputed first launch the Chromium page shows (make wasm)")
	flag.IntVar(&c.runs, "runs", 5, "fresh runs of each host, for the module and for the floor")
	flag.StringVar(&hosts, "hosts", strings.Join(hostNames, ","), "the hosts, of "+strings.Join(hostNames, ","))
	flag.IntVar(&c.steadyMs, "steady-ms", 1000, "how long the steady decision is measured, after as long a warm-up (V8 tiers up hot functions meanwhile), in ms")
	flag.StringVar(&c.root, "root", ".", "the repository root (for wasm/js/consent.mjs)")
	flag.StringVar(&c.browser, "chromium", "", "the browser (default: chromium, chromium-browser or google-chrome on PATH)")
	flag.StringVar(&c.jsFlags, "chromium-js-flags", "", "V8 flags for Chromium (--js-flags), for experiments: the table is then not the default browser's")
	flag.StringVar(&c.jsonOut, "json", "", "write every sample to this file")
	flag.BoolVar(&c.verbose, "v", false, "print each run")
	flag.Parse()
	if c.runs < 1 {
		return fmt.Errorf("--runs %d: want at least 1", c.runs)
	}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		if !slices.Contains(hostNames, h) {
			return fmt.Errorf("--hosts: no host %q (%s)", h, strings.Join(hostNames, ", "))
		}
		c.hosts = append(c.hosts, h)
	}
	for _, f := range []string{c.module, c.floor} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%w (make wasm floor builds dist/consent.wasm and dist/floor.wasm)", err)
		}
	}
	var err error
	if c.work, err = os.MkdirTemp("", "benchhosts-"); err != nil {
		return err
	}
	defer os.RemoveAll(c.work)

	reqs, err := requests(c.module, filepath.Join(c.work, "wazero-cache"))
	if err != nil {
		return err
	}
	c.requests = filepath.Join(c.work, "requests.json")
	data, _ := json.Marshal(reqs)
	if err := os.WriteFile(c.requests, data, 0o644); err != nil {
		return err
	}

	wanted := func(h string) bool { return slices.Contains(c.hosts, h) }
	results := map[string]map[string][]Sample{} // host, "module" or "floor"
	add := func(host, which string, s Sample) {
		if results[host] == nil {
			results[host] = map[string][]Sample{}
		}
		results[host][which] = append(results[host][which], s)
		if c.verbose {
			fmt.Fprintf(os.Stderr, "%-16s %-6s compile %7.1f  start %7.1f  first %7.1f  total %7.1f ms  steady %8.1f µs (%d)",
				host, which, s.Compile, s.Start, s.First, s.Total, s.Steady, s.Decisions)
			if s.Popup > 0 {
				fmt.Fprintf(os.Stderr, "  popup %5.1f ms (painted %5.1f), first decision at %6.1f ms", s.Popup, s.PopupPaint, s.FirstAt)
			}
			fmt.Fprintln(os.Stderr)
		}
	}
	pairs := func(i int) [][2]string {
		p := [][2]string{{"module", c.module}, {"floor", c.floor}}
		if i%2 == 1 { // alternate who goes first
			p[0], p[1] = p[1], p[0]
		}
		return p
	}
	progress := func(host string) {
		fmt.Fprintf(os.Stderr, "benchhosts: %s, %d runs each for the module and the floor\n", host, c.runs)
	}

	if wanted("chromium") || wanted("chromium-second") {
		if c.browser, err = findBrowser(c.browser); err != nil {
			return err
		}
		ch, err := newChromium(c)
		if err != nil {
			return err
		}
		defer ch.close()
		progress("chromium")
		if _, _, err := ch.visit("module", false); err != nil { // warm-up: the browser's files into the page cache
			return err
		}
		for i := range c.runs {
			for _, p := range pairs(i) {
				first, second, err := ch.visit(p[0], wanted("chromium-second"))
				if err != nil {
					return err
				}
				add("chromium", p[0], first)
				if wanted("chromium-second") {
					add("chromium-second", p[0], second)
				}
			}
		}
	}
	if wanted("node") {
		progress("node")
		if _, err := nodeRun(c, c.module); err != nil { // warm-up
			return err
		}
		for i := range c.runs {
			for _, p := range pairs(i) {
				s, err := nodeRun(c, p[1])
				if err != nil {
					return err
				}
				add("node", p[0], s)
			}
		}
	}
	for _, mode := range []string{"compiled", "interp"} {
		host := "wazero-" + mode
		if !wanted(host) {
			continue
		}
		progress(host)
		for _, f := range []string{c.module, c.floor} { // warm-up, and the compiled code into the file cache
			if _, err := wazeroRun(c, mode, f); err != nil {
				return err
			}
		}
		for i := range c.runs {
			for _, p := range pairs(i) {
				s, err := wazeroRun(c, mode, p[1])
				if err != nil {
					return err
				}
				add(host, p[0], s)
			}
		}
	}

	for host, r := range results {
		for which, samples := range r {
			if err := check(which, samples); err != nil {
				return fmt.Errorf("%s, %s: %w", host, which, err)
			}
		}
	}
	if c.jsonOut != "" {
		data, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(c.jsonOut, data, 0o644); err != nil {
			return err
		}
	}
	return table(os.Stdout, c, results)
}

// check makes sure the host ran what it should: the module answers the
// launch with the policy popup and the steady request without an error,
// the floor with its hash.
func check(which string, samples []Sample) error {
	for _, s := range samples {
		switch {
		case which == "module" && !strings.Contains(s.FirstAnswer, `"show_policy"`):
			return fmt.Errorf("the launch's answer has no show_policy: %s", s.FirstAnswer)
		case which == "module" && (strings.Contains(s.SteadyAnswer, `"error"`) || !strings.Contains(s.SteadyAnswer, `"actions"`)):
			return fmt.Errorf("the steady request's answer: %s", s.SteadyAnswer)
		case which == "module" && s.Popup > 0 && !s.PopupMatches:
			return fmt.Errorf("the precomputed popup is not the module's first answer (a stale first-launch.json? make wasm)")
		case which == "floor" && !strings.Contains(s.FirstAnswer, `"hash"`):
			return fmt.Errorf("the floor's answer: %s", s.FirstAnswer)
		}
	}
	return nil
}

// requests builds the launch of a fresh install and the representative
// request, whose consented state the module makes (in wazero, the
// compiled code kept in cacheDir for the wazero-compiled runs).
func requests(module, cacheDir string) (Requests, error) {
	ctx := context.Background()
	wasm, err := os.ReadFile(module)
	if err != nil {
		return Requests{}, err
	}
	m, err := wasmhost.Compile(ctx, wasm, wasmhost.Config{CacheDir: cacheDir})
	if err != nil {
		return Requests{}, err
	}
	defer m.Close(ctx)
	in, err := m.Instantiate(ctx)
	if err != nil {
		return Requests{}, err
	}
	dev := conformance.Device{Platform: launchPlatform, Version: "33"}
	launch := conformance.Request("2026-03-01T10:00:00+08:00", launchLocale, dev, nil, nil, []byte(`{"type":"launch"}`))
	state, err := conformance.ConsentedState(func(r []byte) ([]byte, error) { return in.Decide(ctx, r) }, "2026-03-01T10:00:00+08:00", conformance.Extra{})
	if err != nil {
		return Requests{}, fmt.Errorf("the module: %w", err)
	}
	steady := conformance.BenchRequest(state, conformance.Extra{})
	return Requests{Launch: string(launch), Steady: string(steady)}, nil
}

// nodeRun runs js/node.mjs in a fresh Node process.
func nodeRun(c config, wasm string) (Sample, error) {
	script := filepath.Join(c.work, "js", "node.mjs")
	if _, err := os.Stat(script); err != nil {
		if err := writeJS(filepath.Join(c.work, "js")); err != nil {
			return Sample{}, err
		}
	}
	cmd := exec.Command("node", "--no-warnings", script, wasm, c.requests, fmt.Sprint(c.steadyMs))
	return sample(cmd)
}

// wazeroRun runs one measurement in a fresh process: this command's
// wazero-run.
func wazeroRun(c config, mode, wasm string) (Sample, error) {
	self, err := os.Executable()
	if err != nil {
		return Sample{}, err
	}
	cmd := exec.Command(self, "wazero-run", "--mode", mode, "--wasm", wasm, "--requests", c.requests,
		"--cache", filepath.Join(c.work, "wazero-cache"), "--steady-ms", fmt.Sprint(c.steadyMs))
	return sample(cmd)
}

// sample runs a child that prints a Sample as JSON.
func sample(cmd *exec.Cmd) (Sample, error) {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	var s Sample
	if err := json.Unmarshal(out, &s); err != nil {
		return Sample{}, fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, out)
	}
	return s, nil
}

// median of one field.
func median(samples []Sample, field func(Sample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = field(s)
	}
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

// table prints the medians as a Markdown table.
func table(w io.Writer, c config, results map[string]map[string][]Sample) error {
	size := func(f string) int64 {
		st, err := os.Stat(f)
		if err != nil {
			return 0
		}
		return st.Size()
	}
	fmt.Fprintf(w, "\nmodule %s (%.2f MB), floor %s (%.2f MB); median of %d fresh runs each, module and floor interleaved; %s\n\n",
		c.module, float64(size(c.module))/1e6, c.floor, float64(size(c.floor))/1e6, c.runs, time.Now().UTC().Format(time.DateTime+" UTC"))
	fmt.Fprintln(w, "| host | module: compile / start / first decision / total | floor: compile / start / first decision / total | total ÷ floor | steady decision: module / floor |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, h := range hostNames {
		r, ok := results[h]
		if !ok {
			continue
		}
		m, f := r["module"], r["floor"]
		cols := func(s []Sample) string {
			return fmt.Sprintf("%s / %s / %s / **%s ms**", ms(median(s, func(s Sample) float64 { return s.Compile })),
				ms(median(s, func(s Sample) float64 { return s.Start })), ms(median(s, func(s Sample) float64 { return s.First })),
				ms(median(s, func(s Sample) float64 { return s.Total })))
		}
		total := func(s Sample) float64 { return s.Total }
		steady := func(s Sample) float64 { return s.Steady }
		fmt.Fprintf(w, "| %s | %s | %s | **%.2f** | %s / %s µs |\n", label(c, h), cols(m), cols(f),
			median(m, total)/median(f, total), us(median(m, steady)), us(median(f, steady)))
	}
	if r, ok := results["chromium"]; ok {
		popup := func(s Sample) float64 { return s.Popup }
		nav := func(s Sample) float64 { return s.PopupNav }
		firstAt := func(s Sample) float64 { return s.FirstAt }
		fmt.Fprintf(w, "| headless Chromium: the precomputed popup on screen (first-launch.json; two animation frames after insertion, from the page's script starting) | **%s ms** (%s ms after navigation start; painted at %s); the module's first decision at %s ms | floor's page: popup %s ms, first decision at %s ms | | |\n",
			ms(median(r["module"], popup)), ms(median(r["module"], nav)), paintTimes(r["module"]), ms(median(r["module"], firstAt)),
			ms(median(r["floor"], popup)), ms(median(r["floor"], firstAt)))
	}
	if _, ok := results["chromium-second"]; ok {
		cache := func(which string) string {
			var v []string
			for _, s := range results["chromium"][which] {
				v = append(v, fmt.Sprint(s.CodeCache))
			}
			return strings.Join(v, ", ")
		}
		fmt.Fprintf(w, "\nChromium's wasm code cache (the profile's Code Cache/wasm) after the first visit, bytes per run: module %s; floor %s (an empty cache is about 72 bytes: then the second visit compiles again).\n",
			cache("module"), cache("floor"))
	}
	return nil
}

// paintTimes is the median paint time of the popup over the runs where
// Chromium reported it, and how many those were.
func paintTimes(samples []Sample) string {
	var painted []Sample
	for _, s := range samples {
		if s.PopupPaint > 0 {
			painted = append(painted, s)
		}
	}
	if len(painted) == 0 {
		return fmt.Sprintf("not reported in %d runs", len(samples))
	}
	return fmt.Sprintf("%s ms, median of the %d of %d runs where Chromium reported it", ms(median(painted, func(s Sample) float64 { return s.PopupPaint })), len(painted), len(samples))
}

func ms(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func us(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// label names a host as the table shows it, with its version.
func label(c config, host string) string {
	switch host {
	case "chromium":
		return "headless " + browserVersion(c.browser) + " (fresh profile, `compileStreaming`)"
	case "chromium-second":
		return "headless Chromium, second visit (same profile: the module from the HTTP cache, its code from V8's wasm code cache if one was written, below)"
	case "node":
		v, _ := exec.Command("node", "--version").Output()
		return "Node " + strings.TrimSpace(string(v)) + " (fresh process, `node:wasi`)"
	case "wazero-compiled":
		return "wazero " + wazeroVersion() + " compiled (fresh process, compiled code from its file cache)"
	case "wazero-interp":
		return "wazero " + wazeroVersion() + " interpreter (fresh process)"
	}
	return host
}

func wazeroVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				return d.Version
			}
		}
	}
	return ""
}

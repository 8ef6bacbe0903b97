package demo

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// repo is the repository root, seen from this package's directory.
const repo = "../.."

// TestMain removes the module wasmtest builds for the browser test.
func TestMain(m *testing.M) { wasmtest.Main(m) }

// TestDemoInChromium walks the demo page in a real headless Chromium
// (Debian's chromium package): loan applications on Android 13 in Chinese
// and on iOS 17.2 in English, through the policy popup, the rationales, the
// mock system dialogs, a refusal that blocks, the settings hint and back.
// Every decision is made by consent.wasm in the page; the test clicks what a
// user would and checks what the phone and the side panel show. It saves
// screenshots of the system dialogs in its artifact folder (go test
// -artifacts keeps them). The module is the shipped one, built by wasmtest.
func TestDemoInChromium(t *testing.T) {
	srv := newServer(t, Site{Root: repo, Module: wasmtest.Path(t, wasmtest.Shipped), Bundle: wasmtest.Bundle(t)})
	bctx := wasmtest.Chromium(t, 1400, 1000, 60*time.Second)

	start := time.Now()
	t.Run("Android13_zh-CN", func(t *testing.T) { walkAndroid(openPage(t, bctx, srv)) })
	t.Run("iOS17.2_en", func(t *testing.T) { walkIOS(openPage(t, bctx, srv)) })
	t.Run("step_runner", func(t *testing.T) { runStepInPage(openPage(t, bctx, srv)) })
	// The test module trusts the test key, so the page can load a signed
	// minor update carrying the policy's links.
	test := newServer(t, Site{Root: repo, Module: wasmtest.Path(t, wasmtest.Test), Bundle: wasmtest.Bundle(t)})
	t.Run("Android13_en_minor_update", func(t *testing.T) { walkMinorUpdate(openPage(t, bctx, test), minorWithLinks(t)) })
	t.Logf("both walks took %v", time.Since(start).Round(10*time.Millisecond))
}

// minorWithLinks writes the revision declared minor, with links to the
// full policy and the SDK list, signed with the test key, and returns its
// path.
func minorWithLinks(t *testing.T) string {
	c := prompttest.Must(t)
	b := *c.Bundles["minor"]
	b.Texts = maps.Clone(b.Texts)
	urls := map[string]string{}
	for _, loc := range b.Policy.Locales {
		b.Texts[loc] = maps.Clone(b.Texts[loc])
		b.Texts[loc]["link.policy"] = "Full Privacy Policy"
		urls[loc] = "https://www.example.com/privacy?lang=" + loc
	}
	b.Policy.Links = []bundle.Link{{Kind: "policy", Title: "link.policy", URLs: urls}}
	env, err := prompts.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	key, err := prompts.ReadPrivateKey(filepath.Join(c.Root, prompttest.TestKey))
	if err != nil {
		t.Fatal(err)
	}
	if env, err = bundle.Sign(env, key); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "minor.json")
	if err := os.WriteFile(path, env, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// walkMinorUpdate: consent to 2022-03-29 on Android 13 (en), then a minor
// update loaded: its popup does not block, links to the full policy and
// offers a decline; declining keeps the app going, and the next launch
// offers it again.
func walkMinorUpdate(p *page, bundleFile string) {
	p.choose("platform-select", "android")
	p.choose("version-select", "33")
	p.choose("locale-select", "en")
	p.click("launch")
	p.wait("policy-dialog")
	p.click("policy-accept")
	p.gone("policy-dialog")
	p.do("load the minor update", chromedp.SetUploadFiles(tid("bundle-file"), []string{bundleFile}))
	p.click("launch")
	p.waitSel(`[data-testid="policy-dialog"][data-change="minor"]`)
	p.expectText("policy-accept", "Agree and continue", true)
	p.expectText("policy-decline", "Don't agree", true)
	p.expectCount(`[data-testid="policy-links"] a[data-kind="policy"][href="https://www.example.com/privacy?lang=en"][target="_blank"]`, 1, "links to the full policy")
	p.expectText("policy-links", "Full Privacy Policy", true)
	p.click("policy-decline")
	p.gone("policy-dialog")
	p.wait("home")
	if p.count(`[data-testid="sdks"] li`) == 0 {
		p.t.Error("declining a minor update stops the SDKs of the version accepted before")
	}
	p.click("launch")
	p.waitSel(`[data-testid="policy-dialog"][data-change="minor"]`)
	p.click("policy-accept")
	p.gone("policy-dialog")
}

// runStepInPage runs wasm/js/runner.mjs in the page, as a web app would
// import it: loan_apply/apply on Android 13 through callbacks that accept
// the policy and the location rationale, grant the dialog and decline the
// other rationales, with the state in sessionStorage (webStorage); then the
// same step again, which reads the state back and asks nothing within the
// cooldown. The Node tests (steprunner.test.mjs) cover the rest.
func runStepInPage(p *page) {
	js := `(async () => {
		const { Consent } = await import('/js/consent.mjs');
		const { runStep, sdkAllowed } = await import('/js/runner.mjs');
		const { webStorage } = await import('/js/storage.mjs');
		const os = {}, shown = [];
		const show = (a, v) => { shown.push(a.permission ? a.type + ' ' + a.permission : a.type); return v; };
		const app = {
			engine: await Consent.load('/consent.wasm'), storage: webStorage(sessionStorage), key: 'runner-test.state',
			request: { locale: 'en', device: { platform: 'android', version: '33' } }, os: () => ({ ...os }),
			scenario: 'loan_apply', step: 'apply',
			showPolicy: (a) => show(a, true), showRationale: (a) => show(a, a.permission === 'location'),
			showConsent: (a) => show(a, true), openSettings: (a) => show(a, 'denied'),
			requestPermission: (a) => { os[a.permission] = 'granted'; return show(a, 'granted'); },
		};
		const r = await runStep(app);
		const again = await runStep(app);
		const stored = JSON.parse(sessionStorage.getItem('runner-test.state'));
		return JSON.stringify({ outcome: r.outcome, missing: r.missing, shown, map: sdkAllowed(r, 'baidu_map').allowed,
			saved: stored.hash === again.response.state.hash, again: [again.outcome, again.decisions, again.missing] });
	})()`
	var got string
	p.do("run a step with runner.mjs", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		got, err = chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise)(ctx, t)
		return err
	}))
	want := `{"outcome":"proceed","missing":["call_log","installed_apps"],` +
		`"shown":["show_policy","show_rationale location","request_permission location","show_rationale call_log","show_rationale installed_apps"],` +
		`"map":true,"saved":true,"again":["proceed",1,["call_log","installed_apps"]]}`
	if got != want {
		p.t.Errorf("runner.mjs in the page:\n got %s\nwant %s", got, want)
	}
}

// walkAndroid: a loan application on Android 13 (API 33), zh-CN.
func walkAndroid(p *page) {
	p.choose("platform-select", "android")
	p.choose("version-select", "33")
	p.choose("locale-select", "zh-CN")
	p.wait("splash")
	p.expectCount(`[data-testid="sdks"] li`, 0, "SDKs before launch")

	// Launch: the policy comes first, and no SDK runs before it is accepted.
	p.click("launch")
	p.wait("policy-dialog")
	p.expectText("policy-title", "隐私政策", true)
	p.expectText("policy-accept", "同意并继续", true)
	p.expectText("policy-decline", "不同意", true)
	p.expectText("policy-body", "马上消费", false)
	p.expectText("trace", "PRECONSENT", false)
	p.expectCount(`[data-testid="sdks"] li`, 0, "SDKs while the policy waits")

	p.click("policy-accept")
	p.gone("policy-dialog")
	p.wait("home")
	if n := p.count(`[data-testid="sdks"] li`); n == 0 {
		p.t.Error("no SDK runs after consent")
	}
	p.expectText("sdks", "sensors (optional data off)", false)
	if p.count(`[data-testid="sdks"] li[data-sdk="jpush"]`) != 0 {
		p.t.Error("jpush runs before notifications are granted")
	}
	p.expectText("receipts", "policy", false)

	// Loan application: location, with its separate consent, is allowed in
	// the system dialog; the call log and the installed-app list (its
	// runtime permission on vendors' systems, T/TAF 108-2022) are declined
	// in their rationales, and the step goes on without them.
	p.enter("loan_apply/apply")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="location"]`)
	p.expectText("rationale-title", "申请使用位置信息权限", true)
	p.expectText("rationale-separate", "单独同意", false)
	p.expectText("rationale-consequence", "不开启仍可继续申请", false)
	p.expectText("rationale-accept", "去授权", true)
	p.expectText("rationale-decline", "暂不授权", true)
	p.expectText("trace", "RATIONALE", false)
	p.expectText("trace", "SEPARATE", false)
	p.gone("system-dialog")

	p.click("rationale-accept")
	p.waitSel(`[data-testid="system-dialog"][data-platform="android"][data-permission="location"]`)
	p.expectText("system-title", "位置信息", false)
	p.expectText("system-allow", "使用应用时允许", true)
	p.expectText("system-once", "仅限这一次", true)
	p.expectText("system-deny", "不允许", true)
	p.expectText("system-approximate", "大致位置", false)
	p.expectText("system-ids", "android.permission.ACCESS_FINE_LOCATION", false)
	p.screenshot("demo-screenshot.png")

	p.click("system-allow")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="call_log"]`)
	p.expectText("rationale-title", "通话记录", false)
	p.expectValue("os-location", "granted")
	p.expectText("sdks", "baidu_map", false) // it needs location

	p.click("rationale-decline")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="installed_apps"]`)
	p.click("rationale-decline")
	p.wait("proceed")
	p.expectText("proceed-title", "可以继续办理", false)
	p.expectAttr("proceed-missing", "data-missing", "call_log installed_apps")
	p.expectText("proceed-missing", "通话记录", false)
	p.expectText("receipts", "rationale call_log loan_apply/apply declined", false)

	// Within the 48 h cooldown the refused call log is not asked again;
	// 49 hours later it is.
	p.enter("loan_apply/apply")
	p.wait("proceed")
	p.gone("rationale-dialog")
	p.expectText("trace", "COOLDOWN", false)
	p.expectAttr("proceed-missing", "data-missing", "call_log installed_apps")
	p.click("clock")
	p.expectText("now", "2026-03-03T11:00:00+08:00", true)
	p.enter("loan_apply/apply")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="call_log"]`)
	p.click("rationale-decline")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="installed_apps"]`)
	p.click("rationale-decline")
	p.wait("proceed")

	// An image for customer service comes from the system photo picker:
	// no album permission, no rationale, no dialog.
	p.enter("customer_service/send_image")
	p.wait("proceed")
	p.gone("rationale-dialog")
	p.expectAttr("proceed-api", "data-api", "ActivityResultContracts.PickVisualMedia")

	// Liveness: the camera is blocking. Denied, the step is blocked; denied
	// a second time, Android 11+ shows no more dialogs.
	for i := 1; i <= 2; i++ {
		p.enter("loan_apply/liveness")
		p.waitSel(`[data-testid="rationale-dialog"][data-permission="camera"]`)
		p.expectText("rationale-title", "申请使用相机权限", true)
		p.click("rationale-accept")
		p.waitSel(`[data-testid="system-dialog"][data-permission="camera"]`)
		p.expectText("system-title", "相机", false)
		p.click("system-deny")
		p.wait("block")
		p.expectText("block-title", "需要相机权限才能继续", true)
		p.expectText("trace", "DEGRADE", false)
	}
	p.expectValue("os-camera", "denied_forever")

	// The third time the rationale leads to the settings, not a dialog.
	p.enter("loan_apply/liveness")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="camera"]`)
	p.click("rationale-accept")
	p.wait("settings-hint")
	p.gone("system-dialog")
	p.expectText("settings-title", "请在系统设置中开启相机权限", true)
	p.expectText("settings-body", "设置 > 应用 > 马上消费 > 权限 > 相机", false)
	p.expectText("trace", "SETTINGS", false)

	p.click("settings-on")
	p.wait("proceed")
	p.expectValue("os-camera", "granted")
	p.expectText("receipts", "permission camera loan_apply/liveness granted", false)
	p.expectText("receipts-chain", "chain ok", false)

	// Withdrawing location in the app stops the map SDK that needs it.
	p.choose("withdraw-select", "location")
	p.click("withdraw-permission")
	p.waitSel(`[data-testid="receipts"] li[data-kind="withdraw"]`)
	p.expectText("trace", "WITHDRAW", false)
	p.expectNoText("sdks", "baidu_map")
}

// walkIOS: iOS shows a permission's dialog once; a denial leaves only the
// settings.
func walkIOS(p *page) {
	p.choose("platform-select", "ios")
	p.choose("version-select", "17.2")
	p.choose("locale-select", "en")

	p.click("launch")
	p.wait("policy-dialog")
	p.expectText("policy-title", "Privacy Policy", true)
	p.expectText("policy-accept", "Agree and continue", true)
	p.click("policy-accept")
	p.gone("policy-dialog")

	// The separate consent to biometrics comes first, on its own screen
	// with agree and decline; then a pre-permission screen with one button,
	// on to the system dialog (App Review 5.1.1(iv)).
	p.enter("loan_apply/liveness")
	p.waitSel(`[data-testid="consent-dialog"][data-permission="camera"]`)
	p.expectText("consent-decline", "I don't agree", true)
	p.click("consent-accept")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="camera"]`)
	p.expectText("rationale-title", "Camera", false)
	p.expectCount(`[data-testid="rationale-decline"]`, 0, "decline buttons on an iOS pre-permission screen")
	p.click("rationale-accept")
	p.waitSel(`[data-testid="system-dialog"][data-platform="ios"][data-permission="camera"]`)
	p.expectText("system-title", "“Mashang Consumer Finance” Would Like to Access Your Camera", true)
	p.expectText("system-allow", "Allow", true)
	p.expectText("system-deny", "Don't Allow", true)
	p.screenshot("demo-screenshot-ios.png")
	p.click("system-deny")
	p.wait("block")
	p.expectText("block-title", "Camera", false)
	p.expectValue("os-camera", "denied")

	// The next entry explains again and then points to the settings.
	p.enter("loan_apply/liveness")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="camera"]`)
	p.click("rationale-accept")
	p.wait("settings-hint")
	p.gone("system-dialog")
	p.expectText("settings-title", "Turn on Camera in Settings", true)
	p.expectText("settings-body", "Settings > Mashang Consumer Finance > Camera", false)
	p.expectText("trace", "SETTINGS", false)

	// Back with the camera still off: blocked. Then on: the step goes on.
	p.click("settings-off")
	p.wait("block")
	p.enter("loan_apply/liveness")
	p.waitSel(`[data-testid="rationale-dialog"][data-permission="camera"]`)
	p.click("rationale-accept")
	p.wait("settings-hint")
	p.click("settings-on")
	p.wait("proceed")
	p.expectText("proceed-title", "You can go on", false)
	p.expectText("receipts-chain", "chain ok", false)
}

// page drives one tab of the demo.
type page struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// openPage opens the demo in a new tab and, when the test ends, fails it
// if the page logged an error or threw.
func openPage(t *testing.T, browser context.Context, url string) *page {
	ctx, cancel := chromedp.NewContext(browser)
	p := &page{t: t, ctx: ctx}
	messages := chromedp.Console(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m)
			p.mu.Unlock()
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, m := range p.console {
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleException:
				t.Errorf("the page's console: %s (%s:%d)", m, m.URL, m.Line)
			case chromedp.ConsoleWarning:
				t.Logf("the page's console: %s", m)
			}
		}
	})
	p.do("open the demo", chromedp.Navigate(url), chromedp.WaitVisible(`body[data-ready="true"]`))
	return p
}

func tid(id string) string { return `[data-testid="` + id + `"]` }

// do runs steps, each group within 15 s; on failure it stops the test with
// what the page shows.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v\n%s", what, err, p.dump())
	}
}

// dump is what the page shows, for a failure message.
func (p *page) dump() string {
	ctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		s = "(the page could not be read: " + err.Error() + ")"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "the page shows:\n%s\nits console:\n", s)
	for _, m := range p.console {
		fmt.Fprintf(&b, "  %s\n", m)
	}
	return b.String()
}

func (p *page) wait(id string)     { p.t.Helper(); p.do("wait for "+id, chromedp.WaitVisible(tid(id))) }
func (p *page) waitSel(sel string) { p.t.Helper(); p.do("wait for "+sel, chromedp.WaitVisible(sel)) }
func (p *page) gone(id string)     { p.t.Helper(); p.do(id+" stays", chromedp.WaitNotPresent(tid(id))) }

func (p *page) click(id string) {
	p.t.Helper()
	p.do("click "+id, chromedp.WaitVisible(tid(id)), chromedp.Click(tid(id)))
}

// enter picks a step in the controls and enters it.
func (p *page) enter(step string) {
	p.t.Helper()
	p.choose("scenario-select", step)
	p.click("enter")
}

// choose sets a select as a user would, firing its change event.
func (p *page) choose(id, value string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e) return 'no such element';
		e.value = %q;
		if (e.value !== %q) return 'no such option';
		e.dispatchEvent(new Event('change', {bubbles: true}));
		return '';
	})()`, tid(id), value, value)
	var msg string
	p.do("choose "+id+" "+value, chromedp.WaitVisible(tid(id)), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		msg, err = chromedp.Evaluate[string](js)(ctx, t)
		return err
	}))
	if msg != "" {
		p.t.Fatalf("choose %s = %s: %s", id, value, msg)
	}
}

func (p *page) text(id string) string {
	p.t.Helper()
	var s string
	p.do("read "+id, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		s, err = chromedp.Text(tid(id))(ctx, t)
		return err
	}))
	return strings.TrimSpace(s)
}

// expectText checks an element's text: equal to want, or containing it.
func (p *page) expectText(id, want string, exact bool) {
	p.t.Helper()
	got := p.text(id)
	if exact && got != want || !exact && !strings.Contains(got, want) {
		p.t.Errorf("%s shows %q, want %s%q", id, got, map[bool]string{true: "", false: "something with "}[exact], want)
	}
}

func (p *page) expectNoText(id, unwanted string) {
	p.t.Helper()
	if got := p.text(id); strings.Contains(got, unwanted) {
		p.t.Errorf("%s shows %q, with %q", id, got, unwanted)
	}
}

func (p *page) eval(what, js string) string {
	p.t.Helper()
	var s string
	p.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		s, err = chromedp.Evaluate[string](js)(ctx, t)
		return err
	}))
	return s
}

func (p *page) expectValue(id, want string) {
	p.t.Helper()
	if got := p.eval("value of "+id, fmt.Sprintf(`document.querySelector(%q).value`, tid(id))); got != want {
		p.t.Errorf("%s is %q, want %q", id, got, want)
	}
}

func (p *page) expectAttr(id, attr, want string) {
	p.t.Helper()
	got := p.eval(attr+" of "+id, fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) || ''`, tid(id), attr))
	if !strings.Contains(got, want) {
		p.t.Errorf("%s[%s] is %q, want it to hold %q", id, attr, got, want)
	}
}

func (p *page) count(sel string) int {
	p.t.Helper()
	var n int
	fmt.Sscan(p.eval("count "+sel, fmt.Sprintf(`String(document.querySelectorAll(%q).length)`, sel)), &n)
	return n
}

func (p *page) expectCount(sel string, want int, what string) {
	p.t.Helper()
	if got := p.count(sel); got != want {
		p.t.Errorf("%s: %d, want %d", what, got, want)
	}
}

// screenshot saves the whole page in the test's artifact folder.
func (p *page) screenshot(name string) {
	p.t.Helper()
	var png []byte
	p.do("screenshot", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		png, err = chromedp.FullScreenshot(100)(ctx, t)
		return err
	}))
	file := filepath.Join(p.t.ArtifactDir(), name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", file)
}

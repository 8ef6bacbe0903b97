package demo

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestDemoInChromium walks loan applications through the demo page in a
// real headless Chromium (Debian's chromium; .ci/run installs it): the
// policy popup, rationales, the mock system dialog, a refusal that blocks,
// the settings hint after two denials on Android 13, and back. Every
// decision is the module's, in the page. It saves a screenshot to
// dist/demo-screenshot.png.
func TestDemoInChromium(t *testing.T) {
	for _, f := range []string{"../../dist/consent.wasm", "../../dist/bundle.json"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%v: run make wasm", err)
		}
	}
	browser := ""
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := lookPath(b); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Fatal("no Chromium: install Debian's chromium (apt-get install chromium), as .ci/run does")
	}
	srv := httptest.NewServer(Handler("../.."))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 120*time.Second)
	defer cancel()

	var mu sync.Mutex
	var consoleErrors []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				consoleErrors = append(consoleErrors, "console error")
			}
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, e.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}

	tid := func(id string) string { return `[data-testid="` + id + `"]` }
	type step = chromedp.Action[chromedp.Void]
	click := func(id string) step { return chromedp.Click(tid(id)) }
	visible := func(id string) step { return chromedp.WaitVisible(tid(id)) }
	textOf := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(tid(id)))
		if err != nil {
			t.Fatalf("text of %s: %v", id, err)
		}
		return s
	}
	run := func(what string, steps ...step) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Text(`main`))
			t.Fatalf("%s: %v\nthe page shows:\n%s", what, err, page)
		}
	}
	enter := func(step string) {
		t.Helper()
		run("enter "+step, chromedp.SetValue(`#step`, step), click("enter"))
	}

	run("open the demo", chromedp.Navigate(srv.URL), chromedp.WaitVisible(`body[data-ready="true"]`))

	// Android 13, zh-CN: the policy first.
	run("launch", click("launch"), visible("policy-dialog"))
	if got := textOf("policy-title"); got != "隐私政策" {
		t.Errorf("policy title %q", got)
	}
	if got := textOf("policy-accept"); got != "同意并继续" {
		t.Errorf("policy accept %q", got)
	}
	if strings.TrimSpace(textOf("sdks")) != "" {
		t.Error("SDKs run before consent")
	}
	run("accept the policy", click("policy-accept"), chromedp.WaitNotPresent(tid("policy-dialog")))
	if !strings.Contains(textOf("sdks"), "jpush") {
		t.Errorf("no SDK after consent: %q", textOf("sdks"))
	}

	// Loan application: location explained with separate consent, allowed;
	// the call log declined, and the application goes on without it.
	enter("loan_apply/apply")
	run("location rationale", visible("rationale-dialog"), visible("rationale-separate"))
	if got := textOf("rationale-title"); !strings.Contains(got, "位置信息") {
		t.Errorf("rationale title %q", got)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll("../../dist", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("../../dist", "demo-screenshot.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	if !strings.Contains(textOf("trace"), "RATIONALE") {
		t.Error("no RATIONALE in the trace")
	}
	run("accept, then allow", click("rationale-accept"), visible("system-dialog"), click("system-allow"))
	run("call log rationale", visible("rationale-dialog"))
	if got := textOf("rationale-title"); !strings.Contains(got, "通话记录") {
		t.Errorf("second rationale %q", got)
	}
	run("decline the call log", click("rationale-decline"), visible("proceed"))
	if got := textOf("proceed-missing"); !strings.Contains(got, "call_log") {
		t.Errorf("proceed lists %q", got)
	}

	// Liveness: the camera denied blocks the step; denied twice, Android 13
	// shows no more dialogs and the page sends the user to the settings.
	for i := 1; i <= 2; i++ {
		enter("loan_apply/liveness")
		run("camera rationale", visible("rationale-dialog"), click("rationale-accept"), visible("system-dialog"), click("system-deny"), visible("block"))
	}
	if got := textOf("block-title"); !strings.Contains(got, "相机") {
		t.Errorf("block title %q", got)
	}
	enter("loan_apply/liveness")
	run("settings hint", visible("rationale-dialog"), click("rationale-accept"), visible("settings-hint"))
	if got := textOf("settings-body"); !strings.Contains(got, "设置") {
		t.Errorf("settings body %q", got)
	}
	if !strings.Contains(textOf("trace"), "SETTINGS") {
		t.Error("no SETTINGS in the trace")
	}
	run("back from the settings", click("settings-on"), visible("proceed"))
	if !strings.Contains(textOf("receipts"), "permission camera granted") {
		t.Errorf("no receipt of the grant: %q", textOf("receipts"))
	}

	// iOS 17.2 in English: one denial and the settings are the only way.
	run("switch to iOS", chromedp.SetValue(`#platform`, "ios"),
		chromedp.Steps(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('platform').dispatchEvent(new Event('change'))`))
			return err
		})),
		chromedp.SetValue(`#version`, "17.2"), chromedp.SetValue(`#locale`, "en"))
	run("launch on iOS", click("launch"), visible("policy-dialog"))
	if got := textOf("policy-title"); got != "Privacy Policy" {
		t.Errorf("English policy title %q", got)
	}
	run("accept", click("policy-accept"))
	enter("customer_service/voice")
	run("deny the microphone", visible("rationale-dialog"), click("rationale-accept"), visible("system-dialog"), click("system-deny"), visible("block"))
	enter("customer_service/voice")
	run("iOS settings hint", visible("rationale-dialog"), click("rationale-accept"), visible("settings-hint"))

	mu.Lock()
	defer mu.Unlock()
	if len(consoleErrors) > 0 {
		t.Errorf("the page logged errors: %v", consoleErrors)
	}
}

package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

//go:embed js/*.mjs
var jsFiles embed.FS

// writeJS writes the embedded scripts (js/) into dir.
func writeJS(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fs.WalkDir(jsFiles, "js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := jsFiles.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o644)
	})
}

// chromium runs the page in headless Chromium, a fresh profile per run.
type chromium struct {
	c       config
	browser string
	srv     *httptest.Server
	runs    int
}

const page = `<!doctype html><meta charset="utf-8"><title>bench-hosts</title><script type="module" src="/page.mjs"></script>`

func newChromium(c config) (*chromium, error) {
	browser, err := findBrowser(c.browser)
	if err != nil {
		return nil, err
	}
	shim, err := os.ReadFile(filepath.Join(c.root, "wasm", "js", "consent.mjs"))
	if err != nil {
		return nil, fmt.Errorf("%w (--root is the repository root)", err)
	}
	reqs, err := os.ReadFile(c.requests)
	if err != nil {
		return nil, err
	}
	// The modules are served as a server would serve a release: cacheable
	// (a day), so that the second visit reads them, and V8's code cache
	// for them, from the profile's disk cache.
	start := time.Now()
	mux := http.NewServeMux()
	serve := func(path, contentType string, data []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Header().Set("Cache-Control", "public, max-age=86400")
			http.ServeContent(w, r, path, start, strings.NewReader(string(data)))
		})
	}
	for path, file := range map[string]string{"/module.wasm": c.module, "/floor.wasm": c.floor} {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		serve(path, "application/wasm", data)
	}
	for _, f := range []string{"measure.mjs", "page.mjs"} {
		data, err := jsFiles.ReadFile("js/" + f)
		if err != nil {
			return nil, err
		}
		serve("/"+f, "text/javascript; charset=utf-8", data)
	}
	serve("/js/consent.mjs", "text/javascript; charset=utf-8", shim)
	serve("/requests.json", "application/json", reqs)
	launch, err := os.ReadFile(c.firstLaunch)
	if err != nil {
		return nil, fmt.Errorf("%w (make wasm writes dist/first-launch.json beside the module)", err)
	}
	serve("/first-launch.mjs", "text/javascript; charset=utf-8", append(append([]byte("export default "), launch...), ';'))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, page)
	})
	return &chromium{c: c, browser: browser, srv: httptest.NewServer(mux)}, nil
}

func (ch *chromium) close() { ch.srv.Close() }

// findBrowser returns the browser named, or the first of chromium,
// chromium-browser and google-chrome on PATH.
func findBrowser(named string) (string, error) {
	if named != "" {
		return exec.LookPath(named)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium on PATH (apt-get install -y chromium; or --chromium, or leave chromium out of --hosts)")
}

// browserVersion is what the browser says it is ("Chromium 156.0...").
func browserVersion(browser string) string {
	out, err := exec.Command(browser, "--version").Output()
	if err != nil {
		return "Chromium"
	}
	f := strings.Fields(string(out))
	if len(f) >= 2 {
		return f[0] + " " + strings.Split(f[1], ".")[0]
	}
	return "Chromium"
}

// visit measures which ("module" or "floor") in a browser on a fresh
// profile, and, if second, waits for the code cache to be written, closes
// the browser and measures it again in a browser started on the same
// profile.
func (ch *chromium) visit(which string, second bool) (first, again Sample, err error) {
	ch.runs++
	profile := filepath.Join(ch.c.work, fmt.Sprintf("profile-%d", ch.runs))
	defer os.RemoveAll(profile)
	wasm := "/module.wasm"
	if which == "floor" {
		wasm = "/floor.wasm"
	}
	url := fmt.Sprintf("%s/?wasm=%s&steady=%d&locale=%s&platform=%s", ch.srv.URL, wasm, ch.c.steadyMs, launchLocale, launchPlatform)
	if first, err = ch.page(profile, url, second); err != nil || !second {
		return first, again, err
	}
	first.CodeCache = dirSize(filepath.Join(profile, "Default", "Code Cache", "wasm"))
	again, err = ch.page(profile, url, false)
	return first, again, err
}

// page starts Chromium on profile, opens url and returns window.bench;
// linger keeps the page open 3 s more before the browser is closed
// (gracefully), time for V8 to hand the module's code to the cache.
func (ch *chromium) page(profile, url string, linger bool) (Sample, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ch.browser), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile))
	if ch.c.jsFlags != "" {
		opts = append(opts, chromedp.Flag("js-flags", ch.c.jsFlags))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := context.WithTimeout(actx, 2*time.Minute)
	defer cancel()
	bctx, cancelBrowser := chromedp.NewContext(ctx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil { // the browser, started
		return Sample{}, fmt.Errorf("start %s: %w", ch.browser, err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(url)); err != nil {
		return Sample{}, fmt.Errorf("open %s in %s: %w", url, ch.browser, err)
	}
	s, err := chromedp.Run(bctx, chromedp.Evaluate[Sample](
		`(async () => { while (!window.bench) await new Promise((r) => setTimeout(r, 5)); return await window.bench; })()`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return Sample{}, fmt.Errorf("the page in %s: %w", ch.browser, err)
	}
	if linger {
		time.Sleep(3 * time.Second)
	}
	if err := chromedp.Cancel(bctx); err != nil {
		return Sample{}, fmt.Errorf("close %s: %w", ch.browser, err)
	}
	return s, nil
}

// dirSize is the bytes of the files under dir (0 if there is none).
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

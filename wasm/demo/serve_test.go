package demo

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newServer serves a site and returns its URL.
func newServer(t *testing.T, s Site) string {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, h http.Handler, method, path string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "http://demo"+path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Result().Header, string(body)
}

// TestHandler checks what the demo's server serves from a repository with
// the files it needs, and what it refuses.
func TestHandler(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{
		"wasm/demo/index.html": "<!doctype html>page",
		"wasm/demo/demo.mjs":   "import x from '/js/consent.mjs';",
		"wasm/demo/demo.css":   "body{}",
		"wasm/demo/serve.go":   "package demo",
		"wasm/js/consent.mjs":  "export class Consent {}",
		"wasm/js/consent.d.ts": "export {};",
		"wasm/js/test/a.mjs":   "test",
		"wasm/js/.hidden":      "secret",
		"dist/consent.wasm":    "\x00asm\x01\x00\x00\x00",
		"dist/bundle.json":     `{"hash":"x"}`,
		"go.mod":               "module x",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := Site{Root: root}.Handler()

	for _, c := range []struct{ path, ctype, body string }{
		{"/", "text/html; charset=utf-8", "page"},
		{"/demo.mjs", "text/javascript; charset=utf-8", "import"},
		{"/demo.css", "text/css; charset=utf-8", "body"},
		{"/js/consent.mjs", "text/javascript; charset=utf-8", "Consent"},
		{"/js/consent.d.ts", "text/plain; charset=utf-8", "export"},
		{"/consent.wasm", "application/wasm", "\x00asm"},
		{"/bundle.json", "application/json", `"hash"`},
	} {
		code, hdr, body := get(t, h, http.MethodGet, c.path)
		if code != http.StatusOK || hdr.Get("Content-Type") != c.ctype || !strings.Contains(body, c.body) {
			t.Errorf("GET %s: %d %q %q", c.path, code, hdr.Get("Content-Type"), body)
		}
	}
	if code, _, body := get(t, h, http.MethodHead, "/consent.wasm"); code != http.StatusOK || body != "" {
		t.Errorf("HEAD /consent.wasm: %d %q", code, body)
	}
	if code, _, _ := get(t, h, http.MethodPost, "/"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", code)
	}

	// Nothing else of the repository, no directory listing, no way out.
	for _, path := range []string{
		"/index.html", "/serve.go", "/wasm/demo/index.html", "/wasm/demo/serve.go", "/go.mod", "/dist/consent.wasm",
		"/js/", "/js", "/js/test", "/js/test/a.mjs", "/js/.hidden", "/js/../go.mod", "/js/..%2fgo.mod", "/js/%2e%2e/go.mod",
		"/js/..\\go.mod", "/demo.mjs/", "/consent.wasm/x", "/missing",
	} {
		if code, _, body := get(t, h, http.MethodGet, path); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 (%q)", path, code, body)
		}
	}

	// Without make wasm, the page says what to do.
	if err := os.Remove(filepath.Join(root, "dist/consent.wasm")); err != nil {
		t.Fatal(err)
	}
	code, _, body := get(t, h, http.MethodGet, "/consent.wasm")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "run make wasm") {
		t.Errorf("missing dist/consent.wasm: %d %q", code, body)
	}
	if err := (Site{Root: root}).Check(); err == nil || !strings.Contains(err.Error(), "dist/consent.wasm: not found: run make wasm") {
		t.Errorf("Check: %v", err)
	}
	if err := (Site{Root: t.TempDir()}).Check(); err == nil || !strings.Contains(err.Error(), "repository root") {
		t.Errorf("Check of an empty directory: %v", err)
	}
}

// TestSiteFiles: a site that names its module and bundle serves those, not
// the repository's dist/, and says which one is missing.
func TestSiteFiles(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	write := func(file, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "wasm/demo/index.html"), "page")
	write(filepath.Join(root, "wasm/js/consent.mjs"), "host")
	write(filepath.Join(root, "dist/consent.wasm"), "dist module")
	write(filepath.Join(root, "dist/bundle.json"), "dist bundle")
	module, bundle := filepath.Join(elsewhere, "m.wasm"), filepath.Join(elsewhere, "b.json")
	write(module, "the named module")
	write(bundle, "the named bundle")
	for _, c := range []struct {
		name string
		site Site
		want map[string]string
	}{
		{"dist", Site{Root: root}, map[string]string{"/consent.wasm": "dist module", "/bundle.json": "dist bundle"}},
		{"module", Site{Root: root, Module: module}, map[string]string{"/consent.wasm": "the named module", "/bundle.json": "dist bundle"}},
		{"both", Site{Root: root, Module: module, Bundle: bundle}, map[string]string{"/consent.wasm": "the named module", "/bundle.json": "the named bundle", "/": "page"}},
	} {
		h := c.site.Handler()
		for path, want := range c.want {
			if code, _, body := get(t, h, http.MethodGet, path); code != http.StatusOK || body != want {
				t.Errorf("%s: GET %s: %d %q, want %q", c.name, path, code, body, want)
			}
		}
		if err := c.site.Check(); err != nil {
			t.Errorf("%s: Check: %v", c.name, err)
		}
	}
	gone := Site{Root: root, Module: filepath.Join(elsewhere, "gone.wasm")}
	code, _, body := get(t, gone.Handler(), http.MethodGet, "/consent.wasm")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "gone.wasm is missing") || strings.Contains(body, "dist/") {
		t.Errorf("a missing named module: %d %q", code, body)
	}
	if err := gone.Check(); err == nil || !strings.Contains(err.Error(), "gone.wasm: not found") {
		t.Errorf("Check of a missing named module: %v", err)
	}
}

// TestServe serves a site on a loopback port until its context ends, and
// URL names the page as a browser on this machine reaches it.
func TestServe(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "wasm/demo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "wasm/demo/index.html"), []byte("the page"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (Site{Root: root}).Serve(ctx, ln) }()
	url := URL(ln.Addr())
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Errorf("URL %q", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "the page" {
		t.Errorf("GET %s: %d %q", url, resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after its context ended: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve does not return after its context ended")
	}
	for addr, want := range map[net.Addr]string{
		&net.TCPAddr{Port: 8080}:                           "http://localhost:8080/",
		&net.TCPAddr{IP: net.IPv6unspecified, Port: 80}:    "http://localhost:80/",
		&net.TCPAddr{IP: net.ParseIP("::1"), Port: 8080}:   "http://[::1]:8080/",
		&net.UnixAddr{Name: "/tmp/demo.sock", Net: "unix"}: "http:///tmp/demo.sock/",
	} {
		if got := URL(addr); got != want {
			t.Errorf("URL(%v) = %q, want %q", addr, got, want)
		}
	}
}

// TestBadPaths: a path no file can have is a 400 that does not repeat the
// path (a NUL reached the file system and came back as a 500 naming it),
// and every answer, refusals too, carries the Content-Security-Policy.
func TestBadPaths(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "wasm/js"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "wasm/js/consent.mjs"), []byte("host"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := Site{Root: root}.Handler()
	for _, path := range []string{"/js/consent.mjs%00secret", "/%00secret", "/js/%00", "/js/secret%0a.mjs", "/js/secret%ff.mjs", "/js/secret%7f"} {
		code, hdr, body := get(t, h, http.MethodGet, path)
		if code != http.StatusBadRequest || strings.Contains(body, "secret") || strings.Contains(body, "consent.mjs") {
			t.Errorf("GET %s: %d %q, want 400 without the path", path, code, body)
		}
		if hdr.Get("Content-Security-Policy") != ContentSecurityPolicy {
			t.Errorf("GET %s: Content-Security-Policy %q", path, hdr.Get("Content-Security-Policy"))
		}
	}
	for _, c := range []struct {
		method, path string
		code         int
	}{{http.MethodGet, "/js/consent.mjs", 200}, {http.MethodGet, "/missing", 404}, {http.MethodPost, "/", 405}} {
		code, hdr, _ := get(t, h, c.method, c.path)
		if code != c.code || hdr.Get("Content-Security-Policy") != ContentSecurityPolicy {
			t.Errorf("%s %s: %d, Content-Security-Policy %q", c.method, c.path, code, hdr.Get("Content-Security-Policy"))
		}
	}
	// What the policy must allow for the page to work (TestDemoInChromium
	// runs it): compiling the module, and nothing from elsewhere.
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval';", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("the policy has no %q: %s", want, ContentSecurityPolicy)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "'unsafe-eval'") || strings.Contains(ContentSecurityPolicy, "'unsafe-inline'") {
		t.Errorf("the policy allows eval or inline code: %s", ContentSecurityPolicy)
	}
}

// TestServerTimeouts: the server has every deadline, and they act: a
// client that sends half a header, or leaves its connection idle after an
// answer, is disconnected.
func TestServerTimeouts(t *testing.T) {
	srv := Site{Root: t.TempDir()}.Server()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("deadlines: header %v, read %v, write %v, idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	// The same server with short deadlines, to see them act.
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout = 200*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, srv) }()
	defer func() { cancel(); <-done }()

	closedWithin := func(what, send string, d time.Duration) {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(d))
		_, err = io.ReadAll(c) // the answer, if any, then the end of the connection
		if err != nil {
			t.Errorf("%s: the connection is still open after %v: %v", what, d, err)
		}
	}
	closedWithin("half a header", "GET / HTTP/1.1\r\nHost: x\r\n", 5*time.Second)
	closedWithin("an idle connection", "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", 5*time.Second)
}

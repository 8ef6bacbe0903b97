// Package demo serves the demo page: a phone in a browser tab whose every
// consent decision is made by consent.wasm, loaded by the JavaScript host of
// wasm/js. The page, the host, the module and the bundle are read from disk
// at each request, so an edit or a `make wasm` shows on reload.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The files of the demo, by URL path, relative to the repository root.
var files = map[string]string{
	"/":             "wasm/demo/index.html",
	"/demo.mjs":     "wasm/demo/demo.mjs",
	"/demo.css":     "wasm/demo/demo.css",
	"/consent.wasm": defaultModule,
	"/bundle.json":  defaultBundle,
}

// Where `make wasm` leaves the module and its bundle, relative to the
// repository root.
const (
	defaultModule = "dist/consent.wasm"
	defaultBundle = "dist/bundle.json"
)

// jsDir is served under /js/: the JavaScript host, one level, no listing.
const jsDir = "wasm/js"

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".wasm": "application/wasm",
	".json": "application/json",
	".ts":   "text/plain; charset=utf-8",
	".md":   "text/markdown; charset=utf-8",
}

// Site is where the demo's files are: the page and the JavaScript host in
// the repository at Root, and the module and bundle it serves, by default
// those `make wasm` leaves in Root's dist/.
type Site struct {
	// Root is the repository root: wasm/demo and wasm/js are read from it.
	Root string
	// Module is the consent.wasm to serve ("": Root's dist/consent.wasm).
	Module string
	// Bundle is the bundle.json to serve ("": Root's dist/bundle.json).
	Bundle string
}

// file is the file on disk of a path relative to the repository root, and
// whether it is one the site names (its module or bundle) rather than the
// repository's.
func (s Site) file(rel string) (file string, named bool) {
	switch {
	case rel == defaultModule && s.Module != "":
		return s.Module, true
	case rel == defaultBundle && s.Bundle != "":
		return s.Bundle, true
	}
	return filepath.Join(s.Root, filepath.FromSlash(rel)), false
}

// ContentSecurityPolicy is the policy every answer of the demo carries:
// the page runs only its own scripts and styles, from this origin; the
// module is compiled by WebAssembly.instantiate, which a policy that names
// script-src allows only with 'wasm-unsafe-eval' (no JavaScript eval is
// allowed); fetch reaches only this origin (the module and the bundle);
// the favicon is the empty data: URL of index.html; nothing may frame the
// page, post a form or change its base URL.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the demo: "/" is the page, "/demo.mjs" and "/demo.css"
// its script and style, "/js/..." the files of wasm/js, "/consent.wasm"
// and "/bundle.json" the site's module and bundle. Any other path is 404;
// nothing lists a directory. A path that no file can have (a NUL or other
// control character, or bytes that are not UTF-8) is 400, and no answer
// repeats the path it was asked for. A missing module or bundle is a 503
// whose text names it (and, for those of dist/, says to run make wasm).
// Every answer carries ContentSecurityPolicy.
func (s Site) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if !validPath(r.URL.Path) {
			http.Error(w, "bad request: the path has a control character or is not UTF-8", http.StatusBadRequest)
			return
		}
		rel, ok := resolve(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		file, _ := s.file(rel)
		f, err := os.Open(file)
		var info fs.FileInfo
		if err == nil {
			defer f.Close()
			info, err = f.Stat()
			if err == nil && !info.Mode().IsRegular() {
				err = fs.ErrNotExist
			}
		}
		if err != nil {
			s.missing(w, r, rel, err)
			return
		}
		ct, ok := contentTypes[path.Ext(rel)]
		if !ok {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		h.Set("Cache-Control", "no-store")
		http.ServeContent(w, r, "", info.ModTime(), f)
	})
}

// The server's deadlines, so that a client that stalls or leaves its
// connection open does not hold it for ever: a request's header must
// arrive within ReadHeaderTimeout and the whole request within
// ReadTimeout, an answer (the largest is the module, a few MB, to a
// browser on this machine) must be written within WriteTimeout, and a
// connection waiting for its next request is closed after IdleTimeout.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 2 * time.Minute
	IdleTimeout       = 2 * time.Minute
)

// Server is the http.Server Serve runs: the site's Handler with the
// deadlines above.
func (s Site) Server() *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
	}
}

// Serve serves the site on a listener until ctx is done, then shuts the
// server down, giving requests in flight five seconds to end.
func (s Site) Serve(ctx context.Context, ln net.Listener) error {
	return serve(ctx, ln, s.Server())
}

func serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// URL is the address a browser on this machine opens for a listener: an
// unspecified address (":8080") is reached at localhost.
func URL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}

// validPath reports whether a URL path is one a file could have: UTF-8
// without control characters (a NUL reaches the file system as an
// invalid argument).
func validPath(p string) bool {
	return utf8.ValidString(p) && !strings.ContainsFunc(p, unicode.IsControl)
}

// resolve maps a URL path to a file of the repository, or reports that the
// demo has no such file.
func resolve(p string) (string, bool) {
	if rel, ok := files[p]; ok {
		return rel, true
	}
	name, ok := strings.CutPrefix(p, "/js/")
	if !ok || name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return "", false
	}
	return jsDir + "/" + name, true
}

func (s Site) missing(w http.ResponseWriter, r *http.Request, rel string, err error) {
	if !errors.Is(err, fs.ErrNotExist) {
		// The error names the file, which may come from the request's
		// path: the answer does not repeat it.
		http.Error(w, "the file cannot be read", http.StatusInternalServerError)
		return
	}
	switch file, named := s.file(rel); {
	case named:
		http.Error(w, fmt.Sprintf("%s is missing", file), http.StatusServiceUnavailable)
	case strings.HasPrefix(rel, "dist/"):
		abs, _ := filepath.Abs(s.Root)
		http.Error(w, fmt.Sprintf("%s is missing under %s: run make wasm (it builds dist/consent.wasm and dist/bundle.json)", rel, abs),
			http.StatusServiceUnavailable)
	default:
		http.NotFound(w, r)
	}
}

// Check reports what the site needs and does not find: the page and the
// JavaScript host in the repository, and the module and bundle.
func (s Site) Check() error {
	var errs []error
	for _, rel := range []string{"wasm/demo/index.html", jsDir + "/consent.mjs"} {
		if _, err := os.Stat(filepath.Join(s.Root, rel)); err != nil {
			errs = append(errs, fmt.Errorf("%s: not found: is %s the repository root?", rel, s.Root))
		}
	}
	for _, rel := range []string{defaultModule, defaultBundle} {
		file, named := s.file(rel)
		if _, err := os.Stat(file); err == nil {
			continue
		}
		if named {
			errs = append(errs, fmt.Errorf("%s: not found", file))
		} else {
			errs = append(errs, fmt.Errorf("%s: not found: run make wasm", rel))
		}
	}
	return errors.Join(errs...)
}

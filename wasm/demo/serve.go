// Package demo serves the demo page: a phone in a browser tab whose every
// consent decision is made by consent.wasm, loaded by the JavaScript host of
// wasm/js. The page, the host, the module and the bundle are read from the
// repository on disk at each request, so an edit or a `make wasm` shows on
// reload.
package demo

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The files of the demo, by URL path, relative to the repository root.
var files = map[string]string{
	"/":             "wasm/demo/index.html",
	"/demo.mjs":     "wasm/demo/demo.mjs",
	"/demo.css":     "wasm/demo/demo.css",
	"/consent.wasm": "dist/consent.wasm",
	"/bundle.json":  "dist/bundle.json",
}

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

// Handler serves the demo from the repository at root: "/" is the page,
// "/demo.mjs" and "/demo.css" its script and style, "/js/..." the files of
// wasm/js, "/consent.wasm" and "/bundle.json" what `make wasm` leaves in
// dist. Any other path is 404; nothing lists a directory. A missing dist
// file is a 503 whose text says to run make wasm.
func Handler(root string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rel, ok := resolve(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		full := filepath.Join(root, filepath.FromSlash(rel))
		f, err := os.Open(full)
		var info fs.FileInfo
		if err == nil {
			defer f.Close()
			info, err = f.Stat()
			if err == nil && !info.Mode().IsRegular() {
				err = fs.ErrNotExist
			}
		}
		if err != nil {
			missing(w, r, root, rel, err)
			return
		}
		ct, ok := contentTypes[path.Ext(rel)]
		if !ok {
			ct = "application/octet-stream"
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		http.ServeContent(w, r, "", info.ModTime(), f)
	})
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

func missing(w http.ResponseWriter, r *http.Request, root, rel string, err error) {
	if !errors.Is(err, fs.ErrNotExist) {
		http.Error(w, fmt.Sprintf("%s: %v", rel, err), http.StatusInternalServerError)
		return
	}
	if strings.HasPrefix(rel, "dist/") {
		abs, _ := filepath.Abs(root)
		http.Error(w, fmt.Sprintf("%s is missing under %s: run make wasm (it builds dist/consent.wasm and dist/bundle.json)", rel, abs),
			http.StatusServiceUnavailable)
		return
	}
	http.NotFound(w, r)
}

// Check reports what the demo needs from the repository at root and does
// not find: the page, the JavaScript host, and the files make wasm builds.
func Check(root string) error {
	var errs []error
	for _, rel := range []string{"wasm/demo/index.html", jsDir + "/consent.mjs"} {
		if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
			errs = append(errs, fmt.Errorf("%s: not found: is %s the repository root?", rel, root))
		}
	}
	for _, rel := range []string{"dist/consent.wasm", "dist/bundle.json"} {
		if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
			errs = append(errs, fmt.Errorf("%s: not found: run make wasm", rel))
		}
	}
	return errors.Join(errs...)
}

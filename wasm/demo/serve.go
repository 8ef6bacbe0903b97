// Package demo serves the demo page: the page, the JavaScript host
// (wasm/js) and the module and bundle that `make wasm` builds, from the
// repository on disk.
package demo

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Handler serves the demo from the repository at root.
func Handler(root string) http.Handler {
	files := map[string]string{
		"/":             "wasm/demo/index.html",
		"/demo.mjs":     "wasm/demo/demo.mjs",
		"/demo.css":     "wasm/demo/demo.css",
		"/consent.wasm": "dist/consent.wasm",
		"/bundle.json":  "dist/bundle.json",
	}
	types := map[string]string{
		".html": "text/html; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
		".wasm": "application/wasm", ".json": "application/json", ".ts": "text/plain; charset=utf-8",
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rel, ok := files[r.URL.Path]
		if !ok && strings.HasPrefix(r.URL.Path, "/js/") {
			name := strings.TrimPrefix(r.URL.Path, "/js/")
			if name != "" && !strings.Contains(name, "..") && !strings.Contains(name, "/") {
				rel, ok = "wasm/js/"+name, true
			}
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			msg := rel + " is missing"
			if strings.HasPrefix(rel, "dist/") {
				msg += ": run make wasm"
			}
			http.Error(w, msg, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", types[filepath.Ext(rel)])
		w.Header().Set("Cache-Control", "no-store")
		w.Write(data)
	})
}

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/wasm/demo"
)

// TestServe: serve listens on this machine only unless told otherwise,
// and the server it runs answers with the Content-Security-Policy and a
// 400 that does not repeat a path with a NUL.
func TestServe(t *testing.T) {
	if def := serveCmd().Flag("addr").DefValue; def != "127.0.0.1:8080" {
		t.Errorf("serve --addr defaults to %q, want 127.0.0.1:8080 (this machine only)", def)
	}
	cmd := serveCmd()
	r, w := io.Pipe()
	cmd.SetOut(w)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--addr", "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx); w.Close() }()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, r)
	url, ok := strings.CutPrefix(strings.Fields(line)[2], "http://127.0.0.1:")
	if !ok || !strings.HasPrefix(line, "demo on ") {
		t.Fatalf("serve printed %q", line)
	}
	url = "http://127.0.0.1:" + url
	for path, want := range map[string]int{"": http.StatusOK, "js/x%00secret": http.StatusBadRequest} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || strings.Contains(string(body), "secret") || resp.Header.Get("Content-Security-Policy") != demo.ContentSecurityPolicy {
			t.Errorf("GET /%s: %d, CSP %q, %.80q", path, resp.StatusCode, resp.Header.Get("Content-Security-Policy"), body)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after its context ended: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve does not stop when its context ends")
	}
}

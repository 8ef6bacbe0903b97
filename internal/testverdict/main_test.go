package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	for _, c := range []struct {
		name, stream string
		code         int
		want, not    []string
	}{
		{"all pass", `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Elapsed":0.5}
{"Action":"skip","Package":"q"}`, 0, []string{"ok  \tp\t0.500s", "?   \tq\t[no test files]"}, []string{"TestA"}},
		{"a failure shows its output", `{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: got 1, want 2\n"}
{"Action":"fail","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t1.000s\n"}
{"Action":"fail","Package":"p","Elapsed":1}`, 1, []string{"FAIL\tp", "--- FAIL: p TestA", "got 1, want 2", "1 test(s) failed"}, nil},
		{"a skip fails the run", `{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: no Chromium: apt-get install chromium\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"pass","Package":"p","Elapsed":1}`, 1, []string{"ok  \tp", "--- SKIP: p TestB", "apt-get install chromium", "1 test(s) skipped"}, nil},
		{"a build failure", `{"ImportPath":"p","Action":"build-output","Output":"p/x.go:1:1: syntax error\n"}
{"ImportPath":"p","Action":"build-fail"}
{"Action":"fail","Package":"p","Elapsed":0}`, 1, []string{"syntax error", "package(s) failed"}, nil},
		{"plain text from go test", "no Go files in /x\n", 0, []string{"no Go files"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(strings.NewReader(c.stream), &out); code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("no %q in\n%s", w, out.String())
				}
			}
			for _, n := range c.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("%q in\n%s", n, out.String())
				}
			}
		})
	}
}

// TestPackageLineOnce: go test's own FAIL line for a package is not
// printed beside testverdict's.
func TestPackageLineOnce(t *testing.T) {
	var out bytes.Buffer
	run(strings.NewReader(`{"Action":"output","Package":"p","Output":"FAIL\tp\t1.000s\n"}
{"Action":"fail","Package":"p","Elapsed":1}`), &out)
	if n := strings.Count(out.String(), "FAIL\tp"); n != 1 {
		t.Errorf("%d FAIL lines for p:\n%s", n, out.String())
	}
}

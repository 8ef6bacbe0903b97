// Command testverdict reads `go test -json` on standard input and prints
// what a person reads of `go test`: a line per package, and the output of
// every test that failed. It exits 1 if any test failed, any package did
// not build, or any test was skipped: `make test` runs everything, and a
// skip there means a part of the house went untested (a missing Chromium,
// a module that was not built), which must not pass for green.
//
//	go test -json ./... | go run ./internal/testverdict
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is a line of `go test -json` (go doc test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail
	Test       string
	Output     string
	Elapsed    float64
}

func main() { os.Exit(run(os.Stdin, os.Stdout)) }

func run(in io.Reader, out io.Writer) int {
	type key struct{ pkg, test string }
	outputs := map[key][]string{}
	var failed, skipped []key
	var failedPkgs []string
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			// go test writes build errors as plain text.
			fmt.Fprintln(out, string(line))
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
			continue
		case "build-fail":
			failedPkgs = append(failedPkgs, e.ImportPath)
			continue
		case "output":
			if e.Test != "" {
				outputs[k] = append(outputs[k], e.Output)
			} else if !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "PASS") &&
				!strings.HasPrefix(e.Output, "FAIL\n") && !strings.HasPrefix(e.Output, "FAIL\t") && !strings.HasPrefix(e.Output, "ok  ") && !strings.HasPrefix(e.Output, "---") {
				outputs[k] = append(outputs[k], e.Output)
			}
		case "fail":
			if e.Test != "" {
				failed = append(failed, k)
				continue
			}
			failedPkgs = append(failedPkgs, e.Package)
			fmt.Fprint(out, strings.Join(outputs[k], ""))
			fmt.Fprintf(out, "FAIL\t%s\t%.3fs\n", e.Package, e.Elapsed)
		case "skip":
			if e.Test != "" {
				skipped = append(skipped, k)
				continue
			}
			fmt.Fprintf(out, "?   \t%s\t[no test files]\n", e.Package)
		case "pass":
			if e.Test == "" {
				fmt.Fprintf(out, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
		default:
			continue
		}
		if e.Test == "" && e.Action != "output" {
			// The package is done: its tests' output is no longer needed.
			for kk := range outputs {
				if kk.pkg == e.Package && !contains(failed, kk) && !contains(skipped, kk) {
					delete(outputs, kk)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(out, "testverdict:", err)
		return 1
	}
	sortKeys := func(ks []key) {
		sort.Slice(ks, func(i, j int) bool { return ks[i].pkg+" "+ks[i].test < ks[j].pkg+" "+ks[j].test })
	}
	sortKeys(failed)
	sortKeys(skipped)
	for _, k := range failed {
		fmt.Fprintf(out, "\n--- FAIL: %s %s\n%s", k.pkg, k.test, strings.Join(outputs[k], ""))
	}
	for _, k := range skipped {
		fmt.Fprintf(out, "\n--- SKIP: %s %s\n%s", k.pkg, k.test, strings.Join(outputs[k], ""))
	}
	if len(failed)+len(failedPkgs)+len(skipped) > 0 {
		fmt.Fprintf(out, "\n%d test(s) failed, %d package(s) failed, %d test(s) skipped: make test runs everything, and a skip counts as a failure\n",
			len(failed), len(failedPkgs), len(skipped))
		return 1
	}
	return 0
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// Command wasmsize reports what a WebAssembly module built by Go is made
// of: its sections, its code by Go package, its largest functions and its
// data segments (`make size`). Function names come from the module's
// "name" section, which `go build -ldflags=-s` strips: build the module
// to report on without -s -w.
//
//	wasmsize [flags] module.wasm            the report
//	wasmsize [flags] old.wasm new.wasm      the two side by side
//	wasmsize -init module.wasm              what _initialize runs, by package
//
// Code sizes are the bytes of each function's body in the code section;
// a module's share is of all bodies. Data segments carry no names: Go
// writes its read-only data, type descriptors and initialised variables
// into a few large segments.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	var o options
	flag.IntVar(&o.top, "top", 40, "how many functions to list")
	flag.IntVar(&o.pkgs, "pkgs", 0, "how many packages to list (0: all)")
	flag.IntVar(&o.depth, "depth", 0, "group packages by their path's first `n` elements (0: by package)")
	flag.StringVar(&o.filter, "pkg", "", "list only functions of packages with this path `prefix`")
	flag.BoolVar(&o.compress, "z", false, "also print the module's size compressed (gzip, brotli) without its name section")
	flag.IntVar(&o.segs, "segs", 5, "how many of the largest data segments to list")
	paths := flag.String("paths", "", "a `file` of the import paths linked, one a line (GOOS=wasip1 GOARCH=wasm go list -deps ./wasm), to name packages by path")
	var find []string
	flag.Func("find", "a `file` to look for in the data segments (the embedded bundle), repeatable", func(s string) error {
		find = append(find, s)
		return nil
	})
	initRuns := flag.Int("init", 0, "measure _initialize instead: `n` timed runs in wazero, compiled and interpreted, and the calls of each package's init")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: wasmsize [flags] module.wasm [new.wasm]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || flag.NArg() > 2 || (*initRuns > 0 && flag.NArg() != 1) {
		flag.Usage()
		os.Exit(2)
	}
	o.pkgPaths = NewPackages(nil)
	if *paths != "" {
		b, err := os.ReadFile(*paths)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasmsize:", err)
			os.Exit(1)
		}
		o.pkgPaths = NewPackages(strings.Fields(string(b)))
	}
	o.find = map[string][]byte{}
	for _, f := range find {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasmsize:", err)
			os.Exit(1)
		}
		o.find[f] = b
	}
	if err := run(o, *initRuns, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "wasmsize:", err)
		os.Exit(1)
	}
}

func run(o options, initRuns int, files []string) error {
	var mods []*Module
	var bins [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		m, err := Parse(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		mods, bins = append(mods, m), append(bins, b)
	}
	switch {
	case initRuns > 0:
		return Init(os.Stdout, bins[0], initRuns, o.pkgPaths)
	case len(mods) == 2:
		Compare(os.Stdout, files[0], files[1], mods[0], mods[1], o)
	default:
		Report(os.Stdout, files[0], mods[0], o)
	}
	return nil
}

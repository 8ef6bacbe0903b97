package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/andybalholm/brotli"
)

// Packages maps the names Go's linker gives packages in a module's name
// section to their import paths. The linker replaces every character of a
// symbol but letters, digits, '_' and '.' with '_' ("github.com/x/y.(*T).M"
// becomes "github.com_x_y.__T_.M"), so a path is known only from the list
// of the packages linked (go list -deps); without it, Package guesses.
type Packages map[string]string

// NewPackages maps each import path of paths, and "main".
func NewPackages(paths []string) Packages {
	p := Packages{"main": "main"}
	for _, path := range paths {
		p[Sanitize(path)] = path
	}
	return p
}

// Sanitize is the linker's renaming of a symbol for the name section
// (cmd/link/internal/wasm: [^\w.] becomes '_').
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// Package returns the Go package a function of a Go-built module belongs
// to, from its name in the name section: "encoding_json.__decodeState_.object"
// is "encoding/json" when p knows it. The compiler's generated functions
// ("type_.eq.[2]string") are "type:", and the runtime's assembly without a
// package ("memeqbody", "wasm_pc_f_loop") is "(runtime asm)". A package p
// does not know keeps its sanitised name, up to its first '.' after a
// leading domain ("github.com_x_y").
func (p Packages) Package(name string) string {
	pkg, _ := p.split(name)
	return pkg
}

// Pretty returns a function's name with its package's import path in
// place of the linker's sanitised one, if p knows it.
func (p Packages) Pretty(name string) string {
	pkg, n := p.split(name)
	if _, ok := p[name[:n]]; ok {
		return pkg + name[n:]
	}
	return name
}

// split returns the package of a function and the length of its
// (sanitised) name's package prefix.
func (p Packages) split(name string) (string, int) {
	if strings.HasPrefix(name, "type_.") {
		return "type:", len("type_")
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			if path, ok := p[name[:i]]; ok {
				return path, i
			}
		}
	}
	rest := strings.TrimPrefix(name, "vendor_")
	skip := len(name) - len(rest)
	if u := strings.IndexByte(rest, '_'); u > 0 {
		if domain.MatchString(rest[:u]) {
			skip += u // github.com_...
		}
	}
	dot := strings.IndexByte(name[skip:], '.')
	if dot < 0 {
		return "(runtime asm)", 0
	}
	return name[:skip+dot], skip + dot
}

// domain matches a path's first element that is a domain name, as in
// "github.com" or "golang.org", but not "slices.SortFunc" in
// "slices.SortFunc_go.shape...".
var domain = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+$`)

// Group is an aggregate of functions: a package or a prefix of packages.
type Group struct {
	Name  string
	Size  int
	Funcs int
}

// ByPackage sums the functions' body sizes by package; with depth > 0, by
// the package path's first depth elements instead (depth 3 puts
// github.com/x/y/z and github.com/x/y/w under github.com/x/y).
func ByPackage(funcs []Func, pkgs Packages, depth int) []Group {
	sums := map[string]*Group{}
	for _, f := range funcs {
		p := pkgs.Package(f.Name)
		if depth > 0 {
			if parts := strings.Split(p, "/"); len(parts) > depth {
				p = strings.Join(parts[:depth], "/") + "/..."
			}
		}
		g := sums[p]
		if g == nil {
			g = &Group{Name: p}
			sums[p] = g
		}
		g.Size += f.Size
		g.Funcs++
	}
	var out []Group
	for _, g := range sums {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Size, a.Size), strings.Compare(a.Name, b.Name))
	})
	return out
}

func (m *Module) codeSize() int {
	n := 0
	for _, f := range m.Funcs {
		n += f.Size
	}
	return n
}

func (m *Module) dataSize() int {
	n := 0
	for _, d := range m.Data {
		n += len(d.Bytes)
	}
	return n
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(n)/float64(of))
}

// options say what the reports print.
type options struct {
	top    int               // symbols
	pkgs   int               // packages (0: all)
	depth  int               // see ByPackage
	filter string            // only symbols of packages with this prefix
	segs   int               // data segments
	find   map[string][]byte // files to find in the data, by name

	pkgPaths Packages
	compress bool // print the stripped module's gzip and brotli sizes
}

// compressed returns b's size compressed with gzip and brotli at their
// best, as BenchmarkModuleSize measures the shipped module.
func compressed(b []byte) (gz, br int) {
	var g, r bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&g, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	bw := brotli.NewWriterLevel(&r, brotli.BestCompression)
	bw.Write(b)
	bw.Close()
	return g.Len(), r.Len()
}

// Report prints a module's sections, its code by package, its largest
// functions and its data segments.
func Report(w io.Writer, name string, m *Module, o options) {
	code, data := m.codeSize(), m.dataSize()
	fmt.Fprintf(w, "%s: %d bytes, %d functions (%d imported), code bodies %d bytes (%s), data %d bytes in %d segments (%s)\n",
		name, m.Size, len(m.Funcs), m.Imports, code, strings.TrimSpace(pct(code, m.Size)), data, len(m.Data), strings.TrimSpace(pct(data, m.Size)))
	if !m.Named {
		fmt.Fprintln(w, "  (no name section: build without -ldflags=-s -w to see names)")
	} else {
		fmt.Fprintf(w, "  without its name section (as -ldflags=-s ships it): %d bytes\n", len(m.Strip()))
	}
	if o.compress {
		gz, br := compressed(m.Strip())
		fmt.Fprintf(w, "  compressed, without its name section: gzip -9 %d bytes, brotli -11 %d bytes\n", gz, br)
	}
	fmt.Fprintln(w, "\n== sections ==")
	for _, s := range m.Sections {
		fmt.Fprintf(w, "%10d  %s  %s\n", s.Size, pct(s.Size, m.Size), s.Name)
	}
	fmt.Fprintf(w, "\n== code by package (share of code bodies) ==\n")
	groups := ByPackage(m.Funcs, o.pkgPaths, o.depth)
	cum := 0
	for i, g := range groups {
		cum += g.Size
		if o.pkgs > 0 && i >= o.pkgs {
			fmt.Fprintf(w, "%10d  %s  ...  %d more packages\n", code-cum+g.Size, pct(code-cum+g.Size, code), len(groups)-i)
			break
		}
		fmt.Fprintf(w, "%10d  %s  cum %s  %5d funcs  %s\n", g.Size, pct(g.Size, code), pct(cum, code), g.Funcs, g.Name)
	}
	funcs := slices.Clone(m.Funcs)
	if o.filter != "" {
		funcs = slices.DeleteFunc(funcs, func(f Func) bool { return !strings.HasPrefix(o.pkgPaths.Package(f.Name), o.filter) })
	}
	slices.SortStableFunc(funcs, func(a, b Func) int { return cmp.Compare(b.Size, a.Size) })
	fmt.Fprintf(w, "\n== top %d functions", o.top)
	if o.filter != "" {
		fmt.Fprintf(w, " of %s*", o.filter)
	}
	fmt.Fprintln(w, " ==")
	for i, f := range funcs {
		if i >= o.top {
			break
		}
		fmt.Fprintf(w, "%10d  %s  %s\n", f.Size, pct(f.Size, code), o.pkgPaths.Pretty(f.Name))
	}
	reportData(w, m, o)
}

// reportData prints the data segments: how many, their bytes and the
// section's overhead, the largest, and where each file of o.find lies.
func reportData(w io.Writer, m *Module, o options) {
	data, section := m.dataSize(), 0
	for _, s := range m.Sections {
		if s.ID == 11 {
			section += s.Size
		}
	}
	fmt.Fprintf(w, "\n== data: %d segments, %d bytes of data, %d bytes of segment headers (the linker splits data at runs of zeros) ==\n",
		len(m.Data), data, section-data)
	for name, content := range o.find {
		at := "not found"
		for i, s := range m.Data {
			if j := bytes.Index(s.Bytes, content); j >= 0 && len(content) > 0 {
				at = fmt.Sprintf("in segment %d at address 0x%x", i, s.Offset+j)
				break
			}
		}
		fmt.Fprintf(w, "%10d  %s  %s (%s)\n", len(content), pct(len(content), m.Size), name, at)
	}
	idx := make([]int, len(m.Data))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(len(m.Data[b].Bytes), len(m.Data[a].Bytes)) })
	for n, i := range idx {
		if n >= o.segs {
			break
		}
		fmt.Fprintf(w, "%10d  %s  segment %d at 0x%x\n", len(m.Data[i].Bytes), pct(len(m.Data[i].Bytes), m.Size), i, m.Data[i].Offset)
	}
}

// Compare prints two modules' sizes side by side: sections, packages and
// the functions that changed most.
func Compare(w io.Writer, oldName, newName string, a, b *Module, o options) {
	fmt.Fprintf(w, "%10s %10s %10s\n", "old", "new", "delta")
	row := func(x, y int, what string) {
		fmt.Fprintf(w, "%10d %10d %+10d  %s\n", x, y, y-x, what)
	}
	row(a.Size, b.Size, "file ("+oldName+" -> "+newName+")")
	row(a.codeSize(), b.codeSize(), "code bodies")
	row(a.dataSize(), b.dataSize(), "data segments")
	row(len(a.Funcs), len(b.Funcs), "functions")
	if o.compress {
		ga, ba := compressed(a.Strip())
		gb, bb := compressed(b.Strip())
		row(ga, gb, "gzip -9, without the name section")
		row(ba, bb, "brotli -11, without the name section")
	}
	fmt.Fprintln(w, "\n== sections ==")
	secs := map[string][2]int{}
	var order []string
	for i, m := range []*Module{a, b} {
		for _, s := range m.Sections {
			v, ok := secs[s.Name]
			if !ok {
				order = append(order, s.Name)
			}
			v[i] += s.Size
			secs[s.Name] = v
		}
	}
	for _, n := range order {
		row(secs[n][0], secs[n][1], n)
	}
	fmt.Fprintln(w, "\n== code by package, largest change first ==")
	diff(w, func(m *Module) map[string]int {
		out := map[string]int{}
		for _, g := range ByPackage(m.Funcs, o.pkgPaths, o.depth) {
			out[g.Name] = g.Size
		}
		return out
	}, a, b, o.pkgs, row)
	if o.top == 0 {
		return
	}
	fmt.Fprintf(w, "\n== functions, largest change first (top %d) ==\n", o.top)
	diff(w, func(m *Module) map[string]int {
		out := map[string]int{}
		for _, f := range m.Funcs {
			out[o.pkgPaths.Pretty(f.Name)] += f.Size
		}
		return out
	}, a, b, o.top, row)
}

func diff(w io.Writer, sizes func(*Module) map[string]int, a, b *Module, limit int, row func(x, y int, what string)) {
	x, y := sizes(a), sizes(b)
	var keys []string
	for k := range x {
		keys = append(keys, k)
	}
	for k := range y {
		if _, ok := x[k]; !ok {
			keys = append(keys, k)
		}
	}
	abs := func(n int) int { return max(n, -n) }
	slices.SortFunc(keys, func(p, q string) int {
		return cmp.Or(cmp.Compare(abs(y[q]-x[q]), abs(y[p]-x[p])), strings.Compare(p, q))
	})
	for i, k := range keys {
		if (limit > 0 && i >= limit) || x[k] == y[k] {
			break
		}
		row(x[k], y[k], k)
	}
}

// uleb appends n as an unsigned LEB128.
func uleb(b []byte, n int) []byte {
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func section(id byte, payload []byte) []byte {
	return append(uleb([]byte{id}, len(payload)), payload...)
}

func str(b []byte, s string) []byte { return append(uleb(b, len(s)), s...) }

// tiny is a module built by hand: one imported function, two defined ones
// (bodies of 4 and 200 bytes, the second's size a two-byte LEB128), two
// data segments (3 bytes at 1024, 300 bytes at 70000) and names for both
// defined functions.
func tiny() []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, section(1, []byte{1, 0x60, 0, 0})...) // one type: () -> ()
	imp := str(str(uleb(nil, 1), "wasi_snapshot_preview1"), "sched_yield")
	b = append(b, section(2, append(imp, 0, 0))...)
	b = append(b, section(3, []byte{2, 0, 0})...)
	b = append(b, section(5, []byte{1, 0, 1})...) // memory: min 1
	code := uleb(nil, 2)
	code = append(uleb(code, 4), 0, 0x01, 0x01, 0x0b) // no locals, nop, nop, end
	body := append([]byte{0}, bytes.Repeat([]byte{0x01}, 198)...)
	code = append(uleb(code, len(body)+1), append(body, 0x0b)...)
	b = append(b, section(10, code)...)
	data := uleb(nil, 2)
	data = append(data, 0, 0x41)
	data = append(data, 0x80, 0x08, 0x0b) // i32.const 1024 (signed LEB128 0x80 0x08)
	data = append(uleb(data, 3), "abc"...)
	data = append(data, 0, 0x41, 0xf0, 0xa2, 0x04, 0x0b) // i32.const 70000
	data = append(uleb(data, 300), bytes.Repeat([]byte{'z'}, 300)...)
	b = append(b, section(11, data)...)
	names := str(nil, "name")
	fn := uleb(nil, 2)
	fn = str(uleb(fn, 1), "main.small")
	fn = str(uleb(fn, 2), "github.com_x_y_z.__T_.Big")
	names = append(names, section(1, fn)...)
	return append(b, section(0, names)...)
}

func TestParse(t *testing.T) {
	bin := tiny()
	m, err := Parse(bin)
	if err != nil {
		t.Fatal(err)
	}
	if m.Size != len(bin) || m.Imports != 1 || !m.Named {
		t.Errorf("size %d imports %d named %v", m.Size, m.Imports, m.Named)
	}
	want := []Func{{"main.small", 4}, {"github.com_x_y_z.__T_.Big", 200}}
	if len(m.Funcs) != 2 || m.Funcs[0] != want[0] || m.Funcs[1] != want[1] {
		t.Errorf("funcs %v, want %v", m.Funcs, want)
	}
	if len(m.Data) != 2 || m.Data[0].Offset != 1024 || string(m.Data[0].Bytes) != "abc" || m.Data[1].Offset != 70000 || len(m.Data[1].Bytes) != 300 {
		t.Errorf("data %+v", m.Data)
	}
	if m.codeSize() != 204 || m.dataSize() != 303 {
		t.Errorf("code %d data %d", m.codeSize(), m.dataSize())
	}
	var names []string
	for _, s := range m.Sections {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, " "); got != "type import function memory code data custom:name" {
		t.Errorf("sections %s", got)
	}
	ends := map[int]bool{8: true} // a module cut between sections is a module
	pos := 8
	for _, s := range m.Sections {
		pos += 1 + len(uleb(nil, s.Size)) + s.Size
		ends[pos] = true
	}
	for n := 1; n < len(bin); n++ {
		if _, err := Parse(bin[:n]); (err == nil) != ends[n] {
			t.Errorf("a module cut at %d of %d bytes: %v", n, len(bin), err)
		}
	}
	stripped, err := Parse(m.Strip())
	if err != nil || stripped.Named || len(stripped.Funcs) != 2 || stripped.Funcs[1].Name != "func[2]" || stripped.Size != len(bin)-nameSection(m.Sections) {
		t.Errorf("stripped: %v, %+v", err, stripped)
	}
	pkgs := NewPackages([]string{"github.com/x/y/z"})
	groups := ByPackage(m.Funcs, pkgs, 0)
	if len(groups) != 2 || groups[0] != (Group{"github.com/x/y/z", 200, 1}) || groups[1] != (Group{"main", 4, 1}) {
		t.Errorf("by package %v", groups)
	}
	if groups := ByPackage(m.Funcs, pkgs, 2); groups[0].Name != "github.com/x/..." {
		t.Errorf("by depth 2 %v", groups)
	}
	var out bytes.Buffer
	Report(&out, "tiny.wasm", m, options{top: 5, segs: 5, pkgPaths: pkgs, find: map[string][]byte{"abc": []byte("abc")}})
	for _, s := range []string{"github.com/x/y/z.__T_.Big", "abc (in segment 0 at address 0x400)", "2 segments, 303 bytes of data"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("the report lacks %q:\n%s", s, out.String())
		}
	}
}

// nameSection returns the size of the name section with its header.
func nameSection(secs []Section) int {
	for _, s := range secs {
		if s.Name == "custom:name" {
			return s.End - s.At
		}
	}
	return 0
}

func TestPackage(t *testing.T) {
	pkgs := NewPackages([]string{"encoding/json", "github.com/go-json-experiment/json", "github.com/jitconsent/jitconsent/engine", "github.com/jitconsent/jitconsent/engine/bundle"})
	for name, want := range map[string]string{
		"encoding_json.__decodeState_.object":                     "encoding/json",
		"github.com_go_json_experiment_json.Marshal":              "github.com/go-json-experiment/json",
		"github.com_jitconsent_jitconsent_engine_bundle.Open":     "github.com/jitconsent/jitconsent/engine/bundle",
		"github.com_jitconsent_jitconsent_engine.__Engine_.build": "github.com/jitconsent/jitconsent/engine",
		"slices.SortFunc_go.shape.struct___":                      "slices", // unknown: guessed
		"github.com_a_b.F":                                        "github.com_a_b",
		"vendor_golang.org_x_crypto_chacha20.New":                 "vendor_golang.org_x_crypto_chacha20",
		"type_.eq._2_string":                                      "type:",
		"memeqbody":                                               "(runtime asm)",
		"main.init.0":                                             "main",
	} {
		if got := pkgs.Package(name); got != want {
			t.Errorf("Package(%q) = %q, want %q", name, got, want)
		}
	}
	if got := Sanitize("github.com/x/y.(*T).M[go.shape.int]"); got != "github.com_x_y.__T_.M_go.shape.int_" {
		t.Errorf("Sanitize: %s", got)
	}
}

// TestGoModule builds a small Go reactor with a package init and reads it:
// the parser on the linker's real output, and the init measurement.
func TestGoModule(t *testing.T) {
	dir := t.TempDir()
	src := `package main

import "strings"

var table = map[string]int{}

func init() {
	for i, w := range strings.Fields("a b c d e f g h") {
		table[w] = i
	}
}

//go:wasmexport lookup
func lookup() int32 { return int32(table["c"]) }

func main() {}
`
	for name, s := range map[string]string{"go.mod": "module example.com/tiny\n\ngo 1.24\n", "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "tiny.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bin)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int{}
	for _, g := range ByPackage(m.Funcs, NewPackages([]string{"runtime", "strings"}), 0) {
		sizes[g.Name] = g.Size
	}
	if !m.Named || sizes["main"] == 0 || sizes["runtime"] < m.codeSize()/2 || sizes["strings"] == 0 {
		t.Errorf("named %v, by package %v of %d", m.Named, sizes, m.codeSize())
	}
	groups, err := countInit(context.Background(), bin, NewPackages(nil))
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for _, g := range groups {
		calls[g.name] = g.calls
	}
	if calls["main init"] < 8 || calls["runtime init"] == 0 {
		t.Errorf("calls by init: %v", calls)
	}
	var w bytes.Buffer
	if err := Init(&w, bin, 1, NewPackages(nil)); err != nil || !strings.Contains(w.String(), "main init") {
		t.Errorf("Init: %v\n%s", err, w.String())
	}
}

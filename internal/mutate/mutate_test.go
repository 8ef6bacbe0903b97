package mutate

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// parseOps parses testdata/ops.go.txt as p.go, with its types if typed.
func parseOps(t *testing.T, typed bool) ([]byte, []Mutant) {
	t.Helper()
	src, err := os.ReadFile("testdata/ops.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var info *types.Info
	if typed {
		info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
		conf := types.Config{Importer: importer.Default()}
		if _, err := conf.Check("p", fset, []*ast.File{f}, info); err != nil {
			t.Fatal(err)
		}
	}
	return src, File(fset, f, "p.go", src, info)
}

func listing(ms []Mutant) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", m.ID(), m.Func, m.Change(), m.Source)
	}
	return b.String()
}

// TestFile enumerates the mutants of a file that has one of each kind,
// and places where none belong: a constant declaration, string
// concatenation, float arithmetic.
func TestFile(t *testing.T) {
	_, ms := parseOps(t, true)
	want, err := os.ReadFile("testdata/ops.golden")
	if err != nil {
		t.Fatal(err)
	}
	if got := listing(ms); got != string(want) {
		t.Errorf("mutants of testdata/ops.go.txt:\n%s\nwant (testdata/ops.golden):\n%s", got, want)
	}
}

// TestFileWithoutTypes: without type information, + and - could be
// strings or floats, so there are no arithmetic mutants, and the rest is
// the same.
func TestFileWithoutTypes(t *testing.T) {
	_, typed := parseOps(t, true)
	_, untyped := parseOps(t, false)
	var want []Mutant
	for _, m := range typed {
		if m.Kind != Arith {
			want = append(want, m)
		}
	}
	if got := listing(untyped); got != listing(want) {
		t.Errorf("without types:\n%s\nwant:\n%s", got, listing(want))
	}
}

// TestApplyEveryMutant applies each mutant of the testdata: the result
// still parses, and differs from the source only in the mutant's line,
// which reads as the line with the change made.
func TestApplyEveryMutant(t *testing.T) {
	src, ms := parseOps(t, true)
	lines := strings.Split(string(src), "\n")
	for _, m := range ms {
		t.Run(m.ID(), func(t *testing.T) {
			out, err := Apply(src, m)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parser.ParseFile(token.NewFileSet(), "p.go", out, 0); err != nil {
				t.Errorf("the mutant does not parse: %v", err)
			}
			got := strings.Split(string(out), "\n")
			if len(got) != len(lines) {
				t.Fatalf("%d lines, want %d", len(got), len(lines))
			}
			for i := range lines {
				want := lines[i]
				if i == m.Line-1 {
					c := m.Col - 1
					want = want[:c] + m.Repl + want[c+len(m.Orig):]
				}
				if got[i] != want {
					t.Errorf("line %d: %q, want %q", i+1, got[i], want)
				}
			}
		})
	}
}

func TestApplyRefusesAChangedFile(t *testing.T) {
	src := []byte("package p\n\nvar b = 1 < 2\n")
	ok := Mutant{File: "p.go", Line: 3, Col: 11, Offset: 21, Kind: Negate, Orig: "<", Repl: ">="}
	for _, tc := range []struct {
		name string
		m    func(Mutant) Mutant
		want string
	}{
		{"applies", func(m Mutant) Mutant { return m }, "package p\n\nvar b = 1 >= 2\n"},
		{"other text there", func(m Mutant) Mutant { m.Offset = 18; return m }, ""},
		{"past the end", func(m Mutant) Mutant { m.Offset = len(src); return m }, ""},
		{"negative offset", func(m Mutant) Mutant { m.Offset = -1; return m }, ""},
		{"longer original", func(m Mutant) Mutant { m.Orig = "< 3"; return m }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Apply(src, tc.m(ok))
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), "no longer has") {
					t.Errorf("Apply: %q, %v; want an error saying the file changed", out, err)
				}
				return
			}
			if err != nil || string(out) != tc.want {
				t.Errorf("Apply: %q, %v; want %q", out, err, tc.want)
			}
		})
	}
}

func TestMutantNames(t *testing.T) {
	for _, tc := range []struct {
		m          Mutant
		id, change string
	}{
		{Mutant{File: "engine/a.go", Line: 3, Col: 9, Kind: Negate, Orig: ">=", Repl: "<"}, "engine/a.go:3:9:ge-lt", "`>=` → `<`"},
		{Mutant{File: "engine/a.go", Line: 3, Col: 9, Kind: Boundary, Orig: ">=", Repl: ">"}, "engine/a.go:3:9:ge-gt", "`>=` → `>`"},
		{Mutant{File: "a.go", Line: 1, Col: 2, Kind: Logical, Orig: "||", Repl: "&&"}, "a.go:1:2:or-and", "`||` → `&&`"},
		{Mutant{File: "a.go", Line: 1, Col: 2, Kind: DropNot, Orig: "!"}, "a.go:1:2:drop-not", "drop `!`"},
		{Mutant{File: "a.go", Line: 1, Col: 2, Kind: Const, Orig: "0x1F", Repl: "32"}, "a.go:1:2:const+1", "`0x1F` → `32`"},
		{Mutant{File: "a.go", Line: 1, Col: 2, Kind: Arith, Orig: "--", Repl: "++"}, "a.go:1:2:dec-inc", "`--` → `++`"},
	} {
		if got := tc.m.ID(); got != tc.id {
			t.Errorf("ID %q, want %q", got, tc.id)
		}
		if got := tc.m.Change(); got != tc.change {
			t.Errorf("Change %q, want %q", got, tc.change)
		}
	}
}

func TestFilter(t *testing.T) {
	_, ms := parseOps(t, true)
	if got := Filter(ms, nil); len(got) != len(ms) {
		t.Errorf("no kinds kept %d of %d", len(got), len(ms))
	}
	got := Filter(ms, []Kind{DropNot, Const})
	for _, m := range got {
		if m.Kind != DropNot && m.Kind != Const {
			t.Errorf("kept %s", m.ID())
		}
	}
	if len(got) != 3 {
		t.Errorf("kept %d mutants, want the 3 of those kinds", len(got))
	}
}

func TestSample(t *testing.T) {
	var ms []Mutant
	for i := range 50 {
		ms = append(ms, Mutant{File: "a.go", Line: i + 1, Col: 1, Offset: i, Kind: DropNot, Orig: "!"})
	}
	a, b := Sample(ms, 10, 1), Sample(ms, 10, 1)
	if listing(a) != listing(b) {
		t.Error("the same seed picked different mutants")
	}
	if len(a) != 10 {
		t.Fatalf("%d mutants, want 10", len(a))
	}
	if !slices.IsSortedFunc(a, func(x, y Mutant) int { return x.Offset - y.Offset }) {
		t.Error("the sample is not in source order")
	}
	if listing(Sample(ms, 10, 2)) == listing(a) {
		t.Error("seeds 1 and 2 picked the same mutants")
	}
	for _, n := range []int{0, -1, 50, 51} {
		if got := Sample(ms, n, 1); len(got) != len(ms) {
			t.Errorf("Sample(%d): %d mutants, want all %d", n, len(got), len(ms))
		}
	}
}

func TestReadEquivalents(t *testing.T) {
	f, err := os.Open("testdata/equivalent.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	eq, err := ReadEquivalents(f, "equivalent.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := Equivalents{
		"engine/platform.go:12:7:lt-le": "the loop stops at the same element either way",
		"engine/rules.go:1:2:drop-not":  "two spaces  and a tab\tinside the reason are kept",
	}
	if fmt.Sprint(eq) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", eq, want)
	}
	stale := eq.Stale([]Mutant{{File: "engine/rules.go", Line: 1, Col: 2, Kind: DropNot, Orig: "!"}})
	if !slices.Equal(stale, []string{"engine/platform.go:12:7:lt-le"}) {
		t.Errorf("stale: %q", stale)
	}
}

func TestReadEquivalentsErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a.go:1:2:eq-ne\n", "eq.txt:1: a.go:1:2:eq-ne has no reason"},
		{"# x\n\na.go:1:eq-ne why\n", `eq.txt:3: "a.go:1:eq-ne" is not a mutant ID`},
		{"a.go:1:2:eq-ne why\na.go:1:2:eq-ne why not\n", "eq.txt:2: a.go:1:2:eq-ne is listed twice"},
	} {
		_, err := ReadEquivalents(strings.NewReader(tc.in), "eq.txt")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %s", tc.in, err, tc.want)
		}
	}
}

// TestEnumerate lists this package's own mutants through go list: the
// export data types the + and - on integers, so some are arithmetic, and
// no test file is mutated.
func TestEnumerate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Enumerate(context.Background(), root, []string{"./internal/mutate"})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	for _, m := range ms {
		kinds[m.Kind]++
		if strings.HasSuffix(m.File, "_test.go") || !strings.HasPrefix(m.File, "internal/mutate/") {
			t.Errorf("mutant of %s", m.File)
		}
		src, err := os.ReadFile(filepath.Join(root, m.File))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Apply(src, m); err != nil {
			t.Error(err)
		}
	}
	for _, k := range []Kind{Negate, Logical, DropNot, Arith} {
		if kinds[k] == 0 {
			t.Errorf("no %s mutant in internal/mutate (%v)", k, kinds)
		}
	}
}

func TestVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name, out   string
		by          func([]byte) (string, string)
		by1, detail string
	}{
		{"one case", "--- FAIL: TestConformance (0.1s)\n    --- FAIL: TestConformance/010_android22 (0.0s)\nFAIL\n", conformanceBy, "1 case: 010_android22", "010_android22"},
		{"cases", "--- FAIL: TestConformance (0.1s)\n    --- FAIL: TestConformance/a (0.0s)\n    --- FAIL: TestConformance/b (0.0s)\n", conformanceBy, "2 cases", "a, b"},
		{"panic", "panic: runtime error: index out of range [-1]\ngoroutine 1\n", conformanceBy, "panic", "panic: runtime error: index out of range [-1]"},
		{"faults", "compliance faults by rule:\n  PRECONSENT  0\n  SEPARATE    2\n  CONTRACT    7\n\n80 run(s), 3 failed\n", checksBy("matrix"), "matrix: SEPARATE 2, CONTRACT 7", "SEPARATE 2, CONTRACT 7"},
		{"many faults", "  JIT 1\n  RATIONALE 2\n  COOLDOWN 3\n", checksBy("fuzz"), "fuzz: JIT 1, RATIONALE 2, …", "JIT 1, RATIONALE 2, COOLDOWN 3"},
		{"fuzz", "2000 journeys, 20730 decisions in 905ms\n19 journeys broke a rule; the first: seed 122 on ios-13: PLATFORM at request 5 (op 4): show_rationale ad_tracking, which ios 13.7 does not have\nshrunk to x.toml\n", checksBy("fuzz"),
			"fuzz: 19 journeys, first PLATFORM", "19 journeys broke a rule; the first: seed 122 on ios-13: PLATFORM at request 5 (op 4): show_rationale ad_tracking, which ios 13.7 does not have"},
		{"expectation", "FAIL loan application  android-33: step 3 wanted proceed\n  PRECONSENT 0\n", checksBy("matrix"), "matrix: failed", "FAIL loan application  android-33: step 3 wanted proceed; PRECONSENT 0"},
	} {
		by, detail := tc.by([]byte(tc.out))
		if by != tc.by1 || detail != tc.detail {
			t.Errorf("%s: %q, %q; want %q, %q", tc.name, by, detail, tc.by1, tc.detail)
		}
	}
}

func TestTally(t *testing.T) {
	killed := Outcome{Killed: true}
	rs := []Result{
		{Status: "run", Conformance: killed, Checks: killed},
		{Status: "run", Conformance: killed},
		{Status: "run", Checks: Outcome{Killed: true, Timeout: true}},
		{Status: "run"},
		{Status: "invalid"},
		{Status: "equivalent"},
		{Status: "equivalent", Conformance: killed},
		{Status: "error"},
	}
	s := Tally(rs)
	want := Score{Mutants: 8, Invalid: 1, Equivalent: 2, EquivalentKilled: 1, Errors: 1, Scored: 4, Conformance: 2, Checks: 2, Both: 1, Killed: 3, Survived: 1, Timeouts: 1}
	if s != want {
		t.Errorf("%+v\nwant %+v", s, want)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "score 75%: 3 of 4 mutants killed (conformance 2 = 50%, checks 2 = 50%, both 1), 1 survived; 1 invalid, 2 equivalent, 1 errors") {
		t.Errorf("no score line in\n%s", b.String())
	}
}

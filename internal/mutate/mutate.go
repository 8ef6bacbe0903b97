// Package mutate is a small source-level mutation tester for the engine:
// it enumerates mutants of Go files (one operator flipped, one negation
// dropped, one constant moved by one), applies one at a time without
// touching the source tree (the mutated file goes to a temporary folder
// and the go command sees it through -overlay), and runs kill suites
// against each. cmd/mutants is its command line.
//
// A mutant's ID, file:line:col:op, is stable as long as the code around it
// does not move; the equivalence list (see ReadEquivalents) is keyed by it.
package mutate

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
)

// Kind is a family of mutants, as the --ops flag of cmd/mutants names them.
type Kind string

const (
	// Negate flips a comparison to its negation: == and !=, < and >=,
	// > and <=.
	Negate Kind = "negate"
	// Boundary moves a comparison's boundary: < and <=, > and >=.
	Boundary Kind = "boundary"
	// Logical swaps && and ||.
	Logical Kind = "logical"
	// DropNot removes a boolean negation: !x becomes x.
	DropNot Kind = "not"
	// Arith swaps + and - (also += and -=, ++ and --) on integers.
	Arith Kind = "arith"
	// Const adds one to an integer literal compared with something: an
	// off-by-one in a bound.
	Const Kind = "const"
)

// Kinds are every kind, in the order the help text lists them.
var Kinds = []Kind{Negate, Boundary, Logical, DropNot, Arith, Const}

// Mutant is one change to one file: the bytes Orig at Offset replaced by
// Repl.
type Mutant struct {
	// File is the file's path relative to the module root, with slashes.
	File      string
	Line, Col int
	// Offset is the byte offset of Orig in the file.
	Offset int
	Kind   Kind
	// Orig and Repl are the text replaced and its replacement ("" to
	// delete it).
	Orig, Repl string
	// Func is the function the mutant is in ("" at package level).
	Func string
	// Source is the mutated line as it was, trimmed.
	Source string
}

// opNames name the tokens in IDs, which are typed in equivalence lists.
var opNames = map[string]string{
	"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
	"&&": "and", "||": "or", "+": "add", "-": "sub", "+=": "addeq", "-=": "subeq",
	"++": "inc", "--": "dec",
}

// Op names the change: eq-ne, lt-le, and-or, drop-not, const+1.
func (m Mutant) Op() string {
	switch m.Kind {
	case DropNot:
		return "drop-not"
	case Const:
		return "const+1"
	}
	return opNames[m.Orig] + "-" + opNames[m.Repl]
}

// ID is file:line:col:op, stable across runs and sampling.
func (m Mutant) ID() string {
	return fmt.Sprintf("%s:%d:%d:%s", m.File, m.Line, m.Col, m.Op())
}

// Place is file:line:col.
func (m Mutant) Place() string { return fmt.Sprintf("%s:%d:%d", m.File, m.Line, m.Col) }

// Change is the change as a reader writes it: `>=` → `>`.
func (m Mutant) Change() string {
	if m.Repl == "" {
		return fmt.Sprintf("drop `%s`", m.Orig)
	}
	return fmt.Sprintf("`%s` → `%s`", m.Orig, m.Repl)
}

// Apply returns src with the mutant applied. It fails if src does not hold
// Orig at Offset (the file changed since the mutants were enumerated).
func Apply(src []byte, m Mutant) ([]byte, error) {
	end := m.Offset + len(m.Orig)
	if m.Offset < 0 || end > len(src) || string(src[m.Offset:end]) != m.Orig {
		return nil, fmt.Errorf("%s: the file no longer has %q there", m.ID(), m.Orig)
	}
	out := make([]byte, 0, len(src)-len(m.Orig)+len(m.Repl))
	out = append(out, src[:m.Offset]...)
	out = append(out, m.Repl...)
	return append(out, src[end:]...), nil
}

var (
	negations  = map[token.Token]token.Token{token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR}
	boundaries = map[token.Token]token.Token{token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR}
	logicals   = map[token.Token]token.Token{token.LAND: token.LOR, token.LOR: token.LAND}
	ariths     = map[token.Token]token.Token{token.ADD: token.SUB, token.SUB: token.ADD, token.ADD_ASSIGN: token.SUB_ASSIGN, token.SUB_ASSIGN: token.ADD_ASSIGN, token.INC: token.DEC, token.DEC: token.INC}
)

// File enumerates the mutants of one parsed file, in source order. rel is
// the file's path as mutants name it, src its bytes. info, if not nil,
// holds the file's types: + and - are mutated only where it says the
// operands are integers, so without it there are no Arith mutants.
func File(fset *token.FileSet, f *ast.File, rel string, src []byte, info *types.Info) []Mutant {
	e := enumerator{fset: fset, rel: rel, src: src, info: info}
	for _, d := range f.Decls {
		e.fn = ""
		if fd, ok := d.(*ast.FuncDecl); ok {
			e.fn = fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				e.fn = recvName(fd.Recv.List[0].Type) + "." + e.fn
			}
		}
		ast.Inspect(d, e.visit)
	}
	// A node's mutants come before its operands': order them by place,
	// keeping the order of those at one place.
	slices.SortStableFunc(e.out, func(a, b Mutant) int { return a.Offset - b.Offset })
	return e.out
}

func recvName(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

type enumerator struct {
	fset *token.FileSet
	rel  string
	src  []byte
	info *types.Info
	fn   string
	out  []Mutant
}

func (e *enumerator) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.GenDecl:
		// Constants, types and variables at any level: a mutant there
		// changes a declaration, not a condition.
		return n.Tok == token.VAR
	case *ast.BinaryExpr:
		e.swap(n.OpPos, n.Op, negations, Negate)
		e.swap(n.OpPos, n.Op, boundaries, Boundary)
		e.swap(n.OpPos, n.Op, logicals, Logical)
		if e.integer(n) {
			e.swap(n.OpPos, n.Op, ariths, Arith)
		}
		if _, cmp := negations[n.Op]; cmp {
			e.constant(n.X)
			e.constant(n.Y)
		}
	case *ast.AssignStmt:
		if len(n.Lhs) == 1 && e.integer(n.Lhs[0]) {
			e.swap(n.TokPos, n.Tok, ariths, Arith)
		}
	case *ast.IncDecStmt:
		if e.integer(n.X) {
			e.swap(n.TokPos, n.Tok, ariths, Arith)
		}
	case *ast.UnaryExpr:
		if n.Op == token.NOT {
			e.add(n.OpPos, DropNot, "!", "")
		}
	}
	return true
}

// integer says whether x is of an integer type, as far as the type
// information knows.
func (e *enumerator) integer(x ast.Expr) bool {
	if e.info == nil {
		return false
	}
	t := e.info.TypeOf(x)
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

func (e *enumerator) swap(pos token.Pos, op token.Token, table map[token.Token]token.Token, k Kind) {
	if to, ok := table[op]; ok {
		e.add(pos, k, op.String(), to.String())
	}
}

// constant adds an off-by-one of x if it is an integer literal.
func (e *enumerator) constant(x ast.Expr) {
	lit, ok := x.(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return
	}
	v, err := strconv.ParseInt(lit.Value, 0, 64)
	if err != nil {
		return
	}
	e.add(lit.Pos(), Const, lit.Value, strconv.FormatInt(v+1, 10))
}

func (e *enumerator) add(pos token.Pos, k Kind, orig, repl string) {
	p := e.fset.Position(pos)
	e.out = append(e.out, Mutant{
		File: e.rel, Line: p.Line, Col: p.Column, Offset: p.Offset,
		Kind: k, Orig: orig, Repl: repl, Func: e.fn, Source: line(e.src, p.Offset),
	})
}

// line is the trimmed line of src around offset.
func line(src []byte, offset int) string {
	if offset > len(src) {
		return ""
	}
	start := bytes.LastIndexByte(src[:offset], '\n') + 1
	end := bytes.IndexByte(src[offset:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += offset
	}
	return string(bytes.TrimSpace(src[start:end]))
}

package mutate

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Enumerate lists the mutants of the non-test Go files of the packages
// that patterns (go list patterns, relative to the module root) match, in
// file and source order. It type-checks each package against the export
// data of its imports (go list -export), so that + and - are mutated only
// on integers; a package that does not type-check still yields its other
// mutants.
func Enumerate(ctx context.Context, root string, patterns []string) ([]Mutant, error) {
	pkgs, err := goList(ctx, root, append([]string{"-e", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \" \"}}"}, patterns...))
	if err != nil {
		return nil, err
	}
	exports, err := goList(ctx, root, append([]string{"-e", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, patterns...))
	if err != nil {
		return nil, err
	}
	export := map[string]string{}
	for _, l := range exports {
		if l[1] != "" {
			export[l[0]] = l[1]
		}
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		f, ok := export[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	var all []Mutant
	for _, p := range pkgs {
		if len(p) < 3 || p[2] == "" {
			continue
		}
		ms, err := packageMutants(root, p[0], p[1], strings.Fields(p[2]), imp)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
	}
	return all, nil
}

func packageMutants(root, path, dir string, names []string, imp types.Importer) ([]Mutant, error) {
	fset := token.NewFileSet()
	var files []*ast.File
	srcs := map[*ast.File][]byte{}
	sort.Strings(names)
	for _, n := range names {
		file := filepath.Join(dir, n)
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if ast.IsGenerated(f) {
			continue
		}
		files = append(files, f)
		srcs[f] = src
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: imp, Error: func(error) {}}
	_, _ = conf.Check(path, fset, files, info) // partial information is fine
	var out []Mutant
	for _, f := range files {
		rel, err := filepath.Rel(root, fset.Position(f.Package).Filename)
		if err != nil {
			return nil, err
		}
		out = append(out, File(fset, f, filepath.ToSlash(rel), srcs[f], info)...)
	}
	return out, nil
}

// goList runs go list in root and splits its lines at tabs.
func goList(ctx context.Context, root string, args []string) ([][]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"list"}, args...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if sc.Text() != "" {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	return rows, sc.Err()
}

package prompts

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// Project is what the compiler reads: every version of one policy and the
// message catalogs of its locales.
type Project struct {
	Versions []*Policy           // oldest first; the last is the active version
	Catalogs map[string]*Catalog // by locale

	i18n *i18n.Bundle
}

// Active returns the newest version.
func (p *Project) Active() *Policy { return p.Versions[len(p.Versions)-1] }

// Load reads policy versions and message files. Each path is a file or a
// folder whose *.toml files are read (not recursively). It reports every
// file that cannot be read, parsed or decoded, with positions; the checks
// that need the whole project are Lint's.
func Load(policyPaths, localePaths []string) (*Project, error) {
	var probs errcode.List
	p := &Project{Catalogs: map[string]*Catalog{}}
	policyFiles, err := expand(policyPaths)
	if err != nil {
		return nil, err
	}
	localeFiles, err := expand(localePaths)
	if err != nil {
		return nil, err
	}
	if len(policyFiles) == 0 {
		return nil, errcode.List{{Pos: errcode.Pos{File: strings.Join(policyPaths, ",")}, Code: CodeFile, Message: "no policy file (*.toml) found"}}
	}
	for _, f := range policyFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			probs = append(probs, errcode.Error{Pos: errcode.Pos{File: f}, Code: CodeFile, Message: err.Error()})
			continue
		}
		pol, ps := readPolicy(f, data)
		probs = append(probs, ps...)
		if pol != nil {
			p.Versions = append(p.Versions, pol)
		}
	}
	for _, f := range localeFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			probs = append(probs, errcode.Error{Pos: errcode.Pos{File: f}, Code: CodeFile, Message: err.Error()})
			continue
		}
		loc, err := localeOf(f)
		if err != nil {
			probs = append(probs, errcode.Error{Pos: errcode.Pos{File: f}, Code: CodeFile, Message: "a message file is named after its locale, like zh-CN.toml: " + err.Error()})
			continue
		}
		cat := p.Catalogs[loc]
		if cat == nil {
			cat = &Catalog{Locale: loc, Messages: map[string]*Message{}, raw: map[string][]byte{}}
			p.Catalogs[loc] = cat
		}
		probs = append(probs, readLocale(cat, f, data)...)
	}
	if len(probs) > 0 {
		probs.Sort()
		return nil, probs
	}
	sort.SliceStable(p.Versions, func(i, j int) bool {
		return versionLess(p.Versions[i].Meta.Version, p.Versions[j].Meta.Version)
	})
	if err := p.loadI18n(); err != nil {
		return nil, err
	}
	return p, nil
}

// loadI18n hands the message files, already checked, to go-i18n, which
// renders them.
func (p *Project) loadI18n() error {
	def := language.Make(p.Active().Meta.DefaultLocale)
	b := i18n.NewBundle(def)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var probs errcode.List
	for _, loc := range sortedKeys(p.Catalogs) {
		cat := p.Catalogs[loc]
		for _, f := range cat.Files {
			if _, err := b.ParseMessageFileBytes(cat.raw[f], f); err != nil {
				probs = append(probs, errcode.Error{Pos: errcode.Pos{File: f, Line: 1, Col: 1}, Code: CodeSyntax, Message: "go-i18n: " + err.Error()})
			}
		}
	}
	p.i18n = b
	return probs.Err()
}

// expand turns files and folders into a sorted list of .toml files.
func expand(paths []string) ([]string, error) {
	var files []string
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil {
			return nil, errcode.List{{Pos: errcode.Pos{File: path}, Code: CodeFile, Message: err.Error()}}
		}
		if !info.IsDir() {
			files = append(files, path)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(path, "*.toml"))
		if err != nil {
			return nil, err
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	return files, nil
}

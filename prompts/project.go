package prompts

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/internal/tomlguard"
)

// Project is what the compiler reads: every version of one policy and the
// message catalogs of its locales.
//
// A version's texts are the shared message files (Catalogs, from the
// --locales folders) with the version's own overlay on top: the message
// files of prompts/<policy>/<version>/locales/, whose messages replace the
// shared ones for that version only. Published versions are frozen
// (<version>.lock): a text a newer version says otherwise goes into the
// newer version's overlay, never over the shared text an older one shows.
type Project struct {
	Versions []*Policy           // oldest first; the last is the active version
	Catalogs map[string]*Catalog // the shared messages, by locale

	// missing, when set, makes rendering go on past a message a locale
	// lacks, as an empty text, and collects its id: the preview shows a
	// draft's gaps rather than refusing it. Nil everywhere else.
	missing map[string]bool
}

// Active returns the newest version.
func (p *Project) Active() *Policy { return p.Versions[len(p.Versions)-1] }

// catalog returns the messages a version has in a locale: the shared ones
// with its overlay on top; nil if it has none in that locale.
func (p *Project) catalog(pol *Policy, loc string) *Catalog { return pol.catalogs[loc] }

// OverlayDir returns the folder of a version's own message files:
// prompts/<policy>/<version>/locales beside prompts/<policy>/<version>.toml.
func OverlayDir(policyFile string) string {
	return filepath.Join(strings.TrimSuffix(policyFile, filepath.Ext(policyFile)), "locales")
}

// Load reads policy versions and message files. Each path is a file or a
// folder whose *.toml files are read (not recursively). Each version's
// overlay (OverlayDir) and lock (LockFile) are read with it. It reports
// every file that cannot be read, parsed or decoded, with positions; the
// checks that need the whole project are Lint's.
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
		data, err := tomlguard.ReadFile(f)
		if err != nil {
			probs = append(probs, readProblem(f, err))
			continue
		}
		pol, ps := readPolicy(f, data)
		probs = append(probs, ps...)
		if pol == nil {
			continue
		}
		p.Versions = append(p.Versions, pol)
		pol.overlay = map[string]*Catalog{}
		if dir := OverlayDir(f); isDir(dir) {
			files, err := expand([]string{dir})
			if err != nil {
				return nil, err
			}
			probs = append(probs, readCatalogs(pol.overlay, files)...)
		}
		lock, ps := readLock(LockFile(f))
		probs = append(probs, ps...)
		pol.lock = lock
	}
	probs = append(probs, readCatalogs(p.Catalogs, localeFiles)...)
	if len(probs) > 0 {
		probs.Sort()
		return nil, probs
	}
	sort.SliceStable(p.Versions, func(i, j int) bool {
		return versionLess(p.Versions[i].Meta.Version, p.Versions[j].Meta.Version)
	})
	for _, pol := range p.Versions {
		pol.proj = p
		if err := p.loadVersionTexts(pol); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// readCatalogs reads message files into catalogs by locale.
func readCatalogs(cats map[string]*Catalog, files []string) errcode.List {
	var probs errcode.List
	for _, f := range files {
		data, err := tomlguard.ReadFile(f)
		if err != nil {
			probs = append(probs, readProblem(f, err))
			continue
		}
		loc, err := localeOf(f)
		if err != nil {
			probs = append(probs, errcode.Error{Pos: errcode.Pos{File: f}, Code: CodeFile, Message: "a message file is named after its locale, like zh-CN.toml: " + err.Error()})
			continue
		}
		cat := cats[loc]
		if cat == nil {
			cat = &Catalog{Locale: loc, Messages: map[string]*Message{}, raw: map[string][]byte{}}
			cats[loc] = cat
		}
		probs = append(probs, readLocale(cat, f, data)...)
	}
	return probs
}

// loadVersionTexts merges the shared catalogs and a version's overlay,
// and hands their files, already checked, to go-i18n, which renders them:
// the overlay's files last, so that its messages replace the shared ones.
func (p *Project) loadVersionTexts(pol *Policy) error {
	pol.catalogs = map[string]*Catalog{}
	for _, loc := range unionKeys(p.Catalogs, pol.overlay) {
		merged := &Catalog{Locale: loc, Messages: map[string]*Message{}, raw: map[string][]byte{}}
		for _, cat := range []*Catalog{p.Catalogs[loc], pol.overlay[loc]} {
			if cat == nil {
				continue
			}
			merged.Files = append(merged.Files, cat.Files...)
			for id, m := range cat.Messages {
				merged.Messages[id] = m
			}
			for f, data := range cat.raw {
				merged.raw[f] = data
			}
		}
		pol.catalogs[loc] = merged
	}
	def := language.Make(p.Active().Meta.DefaultLocale)
	b := i18n.NewBundle(def)
	// Every file here passed readLocale, and with it the input limits
	// (tomlguard), before this decoder sees it.
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var probs errcode.List
	for _, loc := range sortedKeys(pol.catalogs) {
		cat := pol.catalogs[loc]
		for _, f := range cat.Files {
			if _, err := b.ParseMessageFileBytes(cat.raw[f], f); err != nil {
				probs = append(probs, errcode.Error{Pos: errcode.Pos{File: f, Line: 1, Col: 1}, Code: CodeSyntax, Message: "go-i18n: " + err.Error()})
			}
		}
	}
	pol.i18n = b
	return probs.Err()
}

// readProblem is the problem of a file that cannot be read, or that is
// over the size limit (tomlguard.ReadFile).
func readProblem(file string, err error) errcode.Error {
	if e := (*errcode.Error)(nil); errors.As(err, &e) {
		return *e
	}
	return errcode.Error{Pos: errcode.Pos{File: file}, Code: CodeFile, Message: err.Error()}
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
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

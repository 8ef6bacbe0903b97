package prompts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
)

// LockFormat is the version of the lock file layout.
const LockFormat = 1

// Lock is a published version's frozen texts: prompts/<policy>/<version>.lock,
// written by promptc freeze and checked in. For every locale of the
// version, every text it renders (the bundle's text keys, and the messages
// that go into other texts and the platform declarations: data types,
// SDKs, recipients, rights, permission usage strings, the controller's
// names; the lines of what changed are not the version's own texts) maps
// to the SHA-256 of the rendered text. A published version's texts are
// what its users read and what its receipts' hashes refer to, so changing
// one is an error: the fix is a new version.
type Lock struct {
	// Fields in alphabetical order: encoding/json writes them in this
	// order and map keys sorted, so the file has sorted keys throughout.
	Format  int                          `json:"format"`
	Policy  string                       `json:"policy"`
	Texts   map[string]map[string]string `json:"texts"` // locale -> text key -> "sha256:<hex>"
	Version string                       `json:"version"`

	file  string
	lines map[string]int // "<locale> <key>" -> line in file
}

// LockFile returns where a version's lock stands: beside its policy file.
func LockFile(policyFile string) string {
	return strings.TrimSuffix(policyFile, ".toml") + ".lock"
}

// readLock reads a lock file; no file is no lock.
func readLock(file string) (*Lock, errcode.List) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errcode.List{{Pos: errcode.Pos{File: file}, Code: CodeFile, Message: err.Error()}}
	}
	var l Lock
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, errcode.List{{Pos: errcode.Pos{File: file, Line: 1, Col: 1}, Code: CodeSyntax, Message: "not a lock file: " + err.Error()}}
	}
	if l.Format != LockFormat {
		return nil, errcode.List{{Pos: errcode.Pos{File: file, Line: 1, Col: 1}, Code: CodeBadValue, Field: "format",
			Message: "lock format " + strconv.Itoa(l.Format) + " is not " + strconv.Itoa(LockFormat)}}
	}
	l.file = file
	l.lines = lockLines(string(data))
	return &l, nil
}

// lockLines finds the line of each text key in a lock as Freeze writes it
// (two spaces of indent per level): locales at four spaces, keys at six.
func lockLines(src string) map[string]int {
	out := map[string]int{}
	loc := ""
	for i, line := range strings.Split(src, "\n") {
		switch {
		case strings.HasPrefix(line, `    "`) && !strings.HasPrefix(line, `     `):
			loc, _ = strconv.Unquote(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ": {")))
		case strings.HasPrefix(line, `      "`):
			rest := strings.TrimSpace(line)
			if end := strings.Index(rest, `": "`); end > 0 {
				if key, err := strconv.Unquote(rest[:end+1]); err == nil {
					out[loc+" "+key] = i + 1
				}
			}
		}
	}
	return out
}

// pos returns where a text key of a locale stands in the lock.
func (l *Lock) pos(loc, key string) errcode.Pos {
	line := l.lines[loc+" "+key]
	if line == 0 {
		return errcode.Pos{File: l.file, Line: 1, Col: 1}
	}
	return errcode.Pos{File: l.file, Line: line, Col: 7}
}

// Marshal writes the lock as Freeze does: indented JSON, keys sorted.
func (l *Lock) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// versionTexts renders every text of a version in a locale that its lock
// covers, by text key.
func (p *Project) versionTexts(pol *Policy, loc string) (map[string]string, error) {
	texts, err := p.renderAll(pol, loc, nil)
	if err != nil {
		return nil, err
	}
	r, err := p.renderer(pol, loc)
	if err != nil {
		return nil, err
	}
	for _, ref := range pol.references() {
		if ref.bundle {
			continue
		}
		var s string
		switch ref.kind {
		case kindRaw:
			s, err = r.render(ref.id, nil)
		case kindPlain:
			s, err = r.plain(ref.id)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		texts[ref.id] = s
	}
	return texts, nil
}

// textDigest is the digest of a rendered text, as a lock holds it.
func textDigest(s string) string { return bundle.Hash([]byte(s)) }

// Freeze returns the lock of a version: the digest of every text it
// renders in every locale. The project must lint clean.
func Freeze(p *Project, version string) (*Lock, error) {
	if probs := Lint(p); len(probs) > 0 {
		return nil, probs
	}
	var pol *Policy
	for _, v := range p.Versions {
		if v.Meta.Version == version {
			pol = v
		}
	}
	if pol == nil {
		return nil, fmt.Errorf("no version %s of policy %s is loaded", version, p.Active().Meta.ID)
	}
	l := &Lock{Format: LockFormat, Policy: pol.Meta.ID, Version: version, Texts: map[string]map[string]string{}}
	for _, loc := range pol.Meta.Locales {
		texts, err := p.versionTexts(pol, loc)
		if err != nil {
			return nil, err
		}
		digests := map[string]string{}
		for k, s := range texts {
			digests[k] = textDigest(s)
		}
		l.Texts[loc] = digests
	}
	l.file = LockFile(pol.File())
	return l, nil
}

// File returns where the lock is written: beside the version's file.
func (l *Lock) File() string { return l.file }

// messageOf returns the message id a text key renders: the key itself, or
// what comes before the ':' of a key rendered once per permission,
// category or consent ("rationale.title:camera").
func messageOf(key string) string {
	id, _, _ := strings.Cut(key, ":")
	return id
}

// lintFrozen checks every published version against its lock: a text that
// renders otherwise, or that the version no longer renders or newly
// renders, is frozen_text, reported once per message and locale where the
// locale file that now provides the message defines it.
func (p *Project) lintFrozen(probs *errcode.List) {
	for _, pol := range p.Versions {
		l := pol.lock
		if l == nil {
			continue
		}
		add := func(pos errcode.Pos, field, format string, args ...any) {
			*probs = append(*probs, errcode.Error{Pos: pos, Code: CodeFrozenText, Field: field, Message: fmt.Sprintf(format, args...)})
		}
		if l.Policy != pol.Meta.ID || l.Version != pol.Meta.Version {
			add(errcode.Pos{File: l.file, Line: 1, Col: 1}, "version", "the lock is of %s %s, not of %s %s", l.Policy, l.Version, pol.Meta.ID, pol.Meta.Version)
			continue
		}
		for _, loc := range lockLocales(l, pol) {
			frozen := l.Texts[loc]
			if frozen == nil {
				add(errcode.Pos{File: l.file, Line: 1, Col: 1}, loc, "frozen in %s: locale %s has no frozen texts: make a new version", pol.Meta.Version, loc)
				continue
			}
			if !slices.Contains(pol.Meta.Locales, loc) {
				add(errcode.Pos{File: l.file, Line: 1, Col: 1}, loc, "frozen in %s: locale %s is no longer among the version's locales: make a new version", pol.Meta.Version, loc)
				continue
			}
			texts, err := p.versionTexts(pol, loc)
			if err != nil {
				continue // lintMessages reports what fails to render
			}
			done := map[string]bool{}
			report := func(key string, pos errcode.Pos, what string) {
				id := messageOf(key)
				if done[id] {
					return
				}
				done[id] = true
				add(pos, id, "frozen in %s: the %s text of %s %s: make a new version", pol.Meta.Version, loc, id, what)
			}
			for _, key := range sortedKeys(texts) {
				digest, ok := frozen[key]
				switch {
				case !ok:
					report(key, p.messagePos(pol, loc, messageOf(key)), "is not among its frozen texts")
				case digest != textDigest(texts[key]):
					report(key, p.messagePos(pol, loc, messageOf(key)), "has changed")
				}
			}
			for _, key := range sortedKeys(frozen) {
				if _, ok := texts[key]; !ok {
					report(key, l.pos(loc, key), "is no longer rendered")
				}
			}
		}
	}
}

// messagePos returns where a message a version renders in a locale is
// defined: in its overlay or in the shared files.
func (p *Project) messagePos(pol *Policy, loc, id string) errcode.Pos {
	if cat := p.catalog(pol, loc); cat != nil && cat.Messages[id] != nil {
		return cat.Messages[id].Pos
	}
	return errcode.Pos{File: pol.File(), Line: 1, Col: 1}
}

// lockLocales lists the locales of a lock and of its version.
func lockLocales(l *Lock, pol *Policy) []string {
	out := sortedKeys(l.Texts)
	for _, loc := range pol.Meta.Locales {
		if l.Texts[loc] == nil {
			out = append(out, loc)
		}
	}
	return out
}

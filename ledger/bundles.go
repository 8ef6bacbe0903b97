package ledger

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// Bundles is a set of compiled policy bundles, by the hash their
// envelopes declare (the "bundle" of a receipt) and by policy and active
// version (the "policy" and "version" of a receipt: the bundle whose
// texts a receipt's text hash is checked against).
//
// # Notes
//
// Load it first (LoadBundles, Add, AddBundle); after that it is safe for
// concurrent use: the screens of each bundle and locale are computed once,
// on first use, under a lock.
type Bundles struct {
	keys    []ed25519.PublicKey
	entries []*bundleEntry
	byHash  map[string]*bundleEntry

	mu      sync.Mutex
	screens map[screensKey]*ScreenSet
}

type bundleEntry struct {
	hash   string // sha256:<hex>, the envelope's
	source string // the file it came from, or a name
	b      *bundle.Bundle
}

type screensKey struct {
	hash, locale string
}

// NewBundles returns an empty set. With keys, Add accepts only envelopes
// signed by one of them (bundle.Open); without, it checks only each
// envelope's hash (bundle.OpenUnsigned), and Signed reports false.
func NewBundles(keys []ed25519.PublicKey) *Bundles {
	return &Bundles{keys: keys, byHash: map[string]*bundleEntry{}, screens: map[screensKey]*ScreenSet{}}
}

// LoadBundles reads every bundle envelope (*.json) in paths, each a file
// or a folder (searched recursively), as Add reads them.
func LoadBundles(keys []ed25519.PublicKey, paths ...string) (*Bundles, error) {
	bs := NewBundles(keys)
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			if err := bs.addFile(p); err != nil {
				return nil, err
			}
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no bundle (*.json) in the folder", p)
		}
		sort.Strings(files)
		for _, f := range files {
			if err := bs.addFile(f); err != nil {
				return nil, err
			}
		}
	}
	return bs, nil
}

func (bs *Bundles) addFile(path string) error {
	env, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return bs.Add(path, env)
}

// Signed reports whether the bundles were checked against trusted keys.
func (bs *Bundles) Signed() bool { return len(bs.keys) > 0 }

// Add reads a bundle envelope; source names it in errors. A bundle added
// twice (the same hash) is kept once.
func (bs *Bundles) Add(source string, env []byte) error {
	var b *bundle.Bundle
	var err error
	if len(bs.keys) > 0 {
		b, err = bundle.Open(env, bs.keys)
	} else {
		b, err = bundle.OpenUnsigned(env)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	payload, err := bundle.Payload(env)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	bs.AddBundle(source, bundle.Hash(payload), b)
	return nil
}

// AddBundle adds a bundle already opened, under the hash of its envelope.
func (bs *Bundles) AddBundle(source, hash string, b *bundle.Bundle) {
	if bs.byHash[hash] != nil {
		return
	}
	e := &bundleEntry{hash: hash, source: source, b: b}
	bs.entries = append(bs.entries, e)
	bs.byHash[hash] = e
}

// Len returns the number of bundles.
func (bs *Bundles) Len() int { return len(bs.entries) }

// ByHash returns the bundle whose envelope has hash (sha256:<hex>), or nil.
func (bs *Bundles) ByHash(hash string) *bundle.Bundle {
	if e := bs.byHash[hash]; e != nil {
		return e.b
	}
	return nil
}

// forVersion returns the bundles whose active version is version of
// policy; the one of hash alone if it is one of them.
func (bs *Bundles) forVersion(policy, version, hash string) []*bundleEntry {
	if e := bs.byHash[hash]; e != nil && e.b.Policy.ID == policy && e.b.Policy.Version == version {
		return []*bundleEntry{e}
	}
	var out []*bundleEntry
	for _, e := range bs.entries {
		if e.b.Policy.ID == policy && e.b.Policy.Version == version {
			out = append(out, e)
		}
	}
	return out
}

// ForVersion returns a bundle whose active version is version of policy,
// or nil.
func (bs *Bundles) ForVersion(policy, version string) *bundle.Bundle {
	if es := bs.forVersion(policy, version, ""); len(es) > 0 {
		return es[0].b
	}
	return nil
}

// Versions lists the policy versions the bundles hold, as "policy
// version", sorted.
func (bs *Bundles) Versions() []string {
	var out []string
	for _, e := range bs.entries {
		v := e.b.Policy.ID + " " + e.b.Policy.Version
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Screens returns the screens the bundle of hash can show in locale.
func (bs *Bundles) screensOf(e *bundleEntry, locale string) (*ScreenSet, error) {
	key := screensKey{e.hash, locale}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if s := bs.screens[key]; s != nil {
		return s, nil
	}
	if !slices.Contains(e.b.Policy.Locales, locale) {
		return nil, fmt.Errorf("locale %s is not one of the bundle's (%s)", locale, strings.Join(e.b.Policy.Locales, ", "))
	}
	s, err := Screens(e.b, locale)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.source, err)
	}
	bs.screens[key] = s
	return s, nil
}

// errNoBundle says that no bundle of a receipt's version was given.
var errNoBundle = errors.New("no bundle of that version")

// Shown returns the screen a receipt's text hash names, found among the
// screens the bundle of its policy version can show in its locale for
// what it records (the popup of a policy receipt; the rationale,
// pre-permission or consent screen of its step's permission or consent).
// A withdrawal shows nothing: nil, nil.
func (bs *Bundles) Shown(r *Receipt) (*Screen, error) {
	if r.Kind == "withdraw" {
		if r.Text != "" {
			return nil, errors.New("a withdrawal shows no text, but the receipt names one")
		}
		return nil, nil
	}
	if r.Text == "" {
		return nil, errors.New("the receipt names no text, though a " + r.Kind + " receipt records what was shown")
	}
	cands := bs.forVersion(r.Policy, r.Version, r.Bundle)
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w: none of the bundles given is %s %s", errNoBundle, r.Policy, r.Version)
	}
	var firstErr error
	for _, e := range cands {
		set, err := bs.screensOf(e, r.Locale)
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		sc, err := set.Match(r)
		if err == nil {
			return sc, nil
		}
		firstErr = cmpErr(firstErr, err)
	}
	return nil, firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

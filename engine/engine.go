// Package engine decides, for one event, what a finance app shows next:
// the privacy-policy popup, a permission's rationale, the system dialog, a
// settings hint, or whether a business step proceeds or is blocked. It is
// a pure reducer over JSON:
//
//	response = Decide(bundle, request{now, locale, device, os, state, event})
//
// The request carries the time, what the OS reports and the state that the
// previous response returned; the response carries the actions, the SDKs
// allowed to run, the next state, the consent receipts created and a trace
// of the rules (docs/RULES.md) that decided. The engine reads no clock, no
// randomness and no environment, and keeps nothing between calls, so the
// same request gives the same response natively and in WebAssembly.
//
// The wire contract is in CONTRACT.md beside this file. The package is
// cut by concern: this file holds the entry points; model.go the tables
// New builds from a bundle (package gotables writes them as Go, for a
// program that compiles its bundle in: Embedded in tables.go); request.go reads a request and statecodec.go
// its state; rules.go applies the rules to the event, sdk.go decides which
// SDKs run, receipt.go makes the receipts; render.go writes the response.
//
// # Notes
//
// An Engine is safe for concurrent use: after New it changes only to
// remember the hashes of texts it has put in receipts, and the last list
// of SDKs it wrote. Decide allocates
// nothing on the common path: it parses with a reflection-free scanner
// and appends its response to the caller's buffer.
package engine

import (
	"crypto/ed25519"
	"strconv"
	"sync/atomic"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// MaxRequest is the largest request the engine reads, in bytes. A real
// request is under 2 KiB; the bound keeps a hostile host from making the
// module grow.
const MaxRequest = 256 << 10

// Engine decides for one compiled bundle.
type Engine struct {
	// tables are what New makes of the bundle, or what Embedded finds
	// compiled into the program; engines may share them.
	*tables
	// serviceKeys are the consent-record service's keys that may sign a
	// checkpoint; checkpointSeen is the last checkpoint that verified.
	serviceKeys    []serviceKey
	checkpointSeen atomic.Pointer[verifiedCheckpoint]
	// listing is the last SDK listing a response carried (render.go).
	listing atomic.Pointer[sdkListing]
}

// tables are the engine's model of a bundle: everything a decision looks
// up, by index, with its texts quoted once. They depend on the bundle
// and its hash alone, so they can be built by New at run time or written
// as Go data at build time (package gotables) and used as they are.
type tables struct {
	b          *bundle.Bundle // nil for tables compiled into the program
	bundleHash string         // "sha256:<hex>" of the bundle's payload, or ""
	id         string
	idHash     uint64
	version    string
	cooldown   int64
	locales    []localeTexts
	def        int // index of the default locale
	history    []history
	perms      [vocab.NumPermissions]permModel
	scens      []scenarioModel
	sdks       []sdkModel
	consents   []consentModel
	// permConsents are, per permission, the consents its rationales ask
	// (a bit per consent): withdrawing the permission withdraws them.
	permConsents [vocab.NumPermissions]uint32
	// sdkPerms are the permissions any SDK's basis or optional data
	// names, a bit each: what deciding which SDKs run looks at.
	sdkPerms uint16
	// popupHashes are the SHA-256 of each policy popup as shown, per
	// locale, version the changes start after (-1 too) and popup,
	// computed at their first use (policyHash).
	popupHashes []hashOnce
}

// New prepares an engine for a bundle, which it validates first, with no
// options: its receipts name no bundle hash and it takes no checkpoint.
// Hosts that keep a record use NewWith.
func New(b *bundle.Bundle) (*Engine, error) { return NewWith(b, Options{}) }

// Options are what an engine knows beyond its bundle.
type Options struct {
	// BundleHash is the content hash of the bundle as its envelope
	// declares it, "sha256:<64 hex>" (bundle.Hash of the payload): every
	// receipt names it, so that an auditor finds the texts it records.
	// Empty, receipts have no "bundle" member.
	BundleHash string
	// ServiceKeys are the consent-record service's ed25519 public keys: a
	// request's checkpoint must be signed by one of them. None: every
	// checkpoint is refused (bad_checkpoint).
	ServiceKeys []ed25519.PublicKey
}

// NewWith prepares an engine for a bundle, which it validates first. The
// engine keeps the bundle and never changes it. A bundle it cannot use,
// or a malformed option, is an *errcode.Error with code
// errcode.BadBundle.
func NewWith(b *bundle.Bundle, o Options) (*Engine, error) {
	if b == nil {
		return nil, badBundle("no bundle")
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	if o.BundleHash != "" && !validBundleHash(o.BundleHash) {
		return nil, badBundle("the bundle hash must be sha256: and 64 lowercase hex digits, not " + strconv.Quote(o.BundleHash))
	}
	e := &Engine{tables: &tables{b: b, bundleHash: o.BundleHash}}
	if err := e.setServiceKeys(o.ServiceKeys); err != nil {
		return nil, err
	}
	if err := e.build(b); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) setServiceKeys(keys []ed25519.PublicKey) error {
	for _, k := range keys {
		if len(k) != ed25519.PublicKeySize {
			return badBundle("a service key must be an ed25519 public key of 32 bytes")
		}
		e.serviceKeys = append(e.serviceKeys, newServiceKey(k))
	}
	return nil
}

func validBundleHash(h string) bool {
	const prefix = "sha256:"
	if len(h) != len(prefix)+64 || h[:len(prefix)] != prefix {
		return false
	}
	for _, c := range h[len(prefix):] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// BundleHash returns the bundle hash the engine's receipts name, or "".
func (e *Engine) BundleHash() string { return e.bundleHash }

// Policy returns the id and version of the policy the engine decides for.
func (e *Engine) Policy() (id, version string) { return e.id, e.version }

// Bundle returns the bundle the engine decides for, or nil for the engine
// Embedded returns, which has its tables and not the bundle they were
// made of. It must not be changed.
func (e *Engine) Bundle() *bundle.Bundle { return e.b }

// Locales returns the locales the engine's texts are in, the policy's
// order.
func (e *Engine) Locales() []string {
	out := make([]string, len(e.locales))
	for i := range e.locales {
		out[i] = e.locales[i].tag
	}
	return out
}

// Decide answers one request: it appends the response JSON, or an error
// object {"error": {...}}, to dst and returns the extended slice. It
// never panics on any input; a state it cannot trust is replaced by a
// fresh one, with a STATE entry in the trace saying why.
func (e *Engine) Decide(dst, request []byte) []byte { return e.decide(dst, request, nil) }

// StateCache keeps the last state an engine returned, read, so that a
// host that sends it back unchanged, as hosts do, spares the engine
// reading it again: in wasm that is a fifth of a decision. It also keeps
// the last state a request carried that the engine read and used as it
// was, for a host that sends one state more than once (state.go,
// keepRead), and how it read the last request's device, locale and OS
// states, which a host sends alike nearly every time (request.go,
// hostMembers). It changes no answer; a state or member that differs by
// a byte is read as usual.
//
// # Notes
//
// A StateCache is for one host and not safe for concurrent use.
type StateCache struct {
	e           *Engine
	wrote, read cachedState
	host        hostMembers
}

// DecideCached is Decide with a state cache.
func (e *Engine) DecideCached(dst, request []byte, c *StateCache) []byte {
	return e.decide(dst, request, c)
}

func (e *Engine) decide(dst, request []byte, c *StateCache) []byte {
	var d decision
	d.e = e
	d.scratch = dst[len(dst):]
	if c != nil && c.e != e {
		c.e, c.wrote.raw, c.read.raw = e, c.wrote.raw[:0], c.read.raw[:0]
		c.host.device, c.host.locale, c.host.os = c.host.device[:0], c.host.locale[:0], c.host.os[:0]
	}
	if err := e.parse(&d.r, request, c); err != nil {
		return appendError(dst, err)
	}
	d.st = d.useState()
	if c != nil {
		c.keepRead(&d, request)
	}
	var before uint64 // the SDKs that ran, when the event may stop some
	if t := d.r.ev.typ; t != vocab.EventLaunch && t != vocab.EventEnter && t != vocab.EventRestore {
		before, _ = d.sdks()
	}
	d.run()
	if d.fail != nil {
		return appendError(dst, d.fail)
	}
	d.runs, d.avail = d.sdks()
	d.noteStopped(before)
	out, stateAt, stateEnd := d.render(dst)
	if c != nil {
		c.wrote.raw = append(c.wrote.raw[:0], out[stateAt:stateEnd]...)
		c.wrote.st, c.wrote.key = d.st, d.r.key
	}
	return out
}

// Decide is a convenience for one-off calls: it prepares an engine for
// the bundle and decides one request. Hosts that decide more than once
// keep an Engine from New instead.
func Decide(b *bundle.Bundle, request []byte) ([]byte, error) {
	e, err := New(b)
	if err != nil {
		return nil, err
	}
	return e.Decide(nil, request), nil
}

// AppendError appends an error response, {"error": {"code", "message",
// "field"}}, so that hosts and the wasm module answer their own errors
// (a bad pointer, a rejected bundle) in the engine's form.
func AppendError(dst []byte, err *errcode.Error) []byte { return appendError(dst, err) }

func badBundle(msg string) error { return errcode.New(errcode.BadBundle, "engine: "+msg) }

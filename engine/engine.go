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
// of the rules (DESIGN.md) that decided. The engine reads no clock, no
// randomness and no environment, and keeps nothing between calls, so the
// same request gives the same response natively and in WebAssembly.
//
// The wire contract is in CONTRACT.md beside this file.
//
// # Notes
//
// An Engine is safe for concurrent use: after New it changes only to
// remember the hashes of texts it has put in receipts. Decide
// allocates nothing on the common path: it parses with a reflection-free
// scanner and appends its response to the caller's buffer.
package engine

import (
	"errors"
	"strconv"
	"sync"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// nPerm and nPlat are the sizes of the shared vocabulary (bundle.Permissions
// and bundle.Platforms); state and requests index fixed arrays by them.
const (
	nPerm = 12
	nPlat = 6
)

// Platform indexes into bundle.Platforms.
const (
	android = iota
	ios
	harmonyos
	wechat
	alipay
	web
)

// Permission indexes into bundle.Permissions used by platform facts.
const (
	permLocation      = 0
	permPhotos        = 5
	permCallLog       = 3
	permPhoneState    = 7
	permNotifications = 8
	permAdTracking    = 10
	permFaceID        = 11
)

// Consequences.
const (
	blocking = iota
	degraded
	fallback
)

// Engine decides for one compiled bundle.
type Engine struct {
	b        *bundle.Bundle
	id       string
	idHash   uint64
	version  string
	cooldown int64
	locales  []localeTexts
	def      int // index of the default locale
	history  []history
	perms    [nPerm]permModel
	scens    []scenarioModel
	sdks     []sdkModel
	// sdkBase is, per platform, the SDKs that run on consent alone (no
	// scenario, no permission) and their JSON list, which most responses
	// carry as it is.
	sdkBase     [nPlat]uint64
	sdkBaseJSON [nPlat]string
}

type history struct {
	version string
	hash    uint64 // of version, for the state's digest
	major   bool
	changes []change
}

type change struct {
	sdk  int    // index of an SDK this change added, or -1
	text []text // the "what changed" line per locale
}

// text is a user-facing text and its JSON form, quoted once at New so
// that rendering a response only copies bytes.
type text struct {
	raw, json string
}

func newText(s string) text { return text{s, string(appendString(nil, s))} }

type permModel struct {
	inPolicy bool
	declare  []declModel
}

type declModel struct {
	platform int
	min, max bound
	ids      []string
}

type scenarioModel struct {
	id    string
	steps []stepModel
}

type stepModel struct {
	id   string
	name string // scenario/step
	hash uint64 // of name, for the state's digest
	list string // its permissions, "location, call_log"
	// jitNote is the detail of its JIT trace entry, made once.
	jitNote string
	perms   []stepPermModel
}

type stepPermModel struct {
	perm      int
	conseq    int
	separate  bool
	sensitive int // index into bundle.Sensitive, -1 if none
	platforms []constraint
	texts     []stepTexts // per locale
	// The details of its RATIONALE and SEPARATE trace entries, made once.
	rationaleNote, separateNote string
}

type stepTexts struct {
	body, refusal, fallback text // body: the purpose, and the notice of separate consent
	// shown is the SHA-256 of the rationale as shown, computed by the
	// first receipt that needs it: SHA-256 is slow in wasm (17 us for a
	// rationale) and the same text is hashed again and again.
	shown *hashOnce
}

type hashOnce struct {
	once sync.Once
	sum  [32]byte
}

type constraint struct {
	platform int
	min, max bound
}

type sdkModel struct {
	id        string
	platforms uint8 // bit per platform
	start     int
	steps     []stepRef
	requires  uint16 // bit per permission
}

type stepRef struct{ sc, st int } // st < 0: any step of the scenario

const (
	startAfterConsent = iota
	startInScenario
	startWithPermission
)

type localeTexts struct {
	tag                                               string
	policyTitle, policyBody, policyAccept, policyDecl text
	updTitle, updMajor, updMinor                      text
	updAccept, updDecline, updAck                     text
	basicMode, ratAccept, ratDecline                  text
	perm                                              [nPerm]permTexts
}

type permTexts struct {
	rationaleTitle, settingsTitle, blockTitle text
	settings                                  [nPlat]text
}

// New prepares an engine for a bundle, which it validates first. The
// engine keeps the bundle and never changes it.
func New(b *bundle.Bundle) (*Engine, error) {
	if b == nil {
		return nil, errors.New("engine: no bundle")
	}
	if len(bundle.Permissions) != nPerm || len(bundle.Platforms) != nPlat {
		return nil, errors.New("engine: vocabulary sizes changed; update nPerm and nPlat")
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	if err := checkPlain(b); err != nil {
		return nil, err
	}
	e := &Engine{b: b, id: b.Policy.ID, idHash: hashString(b.Policy.ID), version: b.Policy.Version, cooldown: b.Policy.CooldownSeconds}
	for i, loc := range b.Policy.Locales {
		if loc == b.Policy.DefaultLocale {
			e.def = i
		}
		e.locales = append(e.locales, e.localeTexts(loc))
	}
	for _, p := range b.Permissions {
		pi := index(bundle.Permissions, p.ID)
		m := &e.perms[pi]
		m.inPolicy = true
		for _, d := range p.Declare {
			min, max, err := parseBounds(d.Min, d.Max)
			if err != nil {
				return nil, errors.New("engine: permission " + p.ID + ": " + err.Error())
			}
			m.declare = append(m.declare, declModel{platform: index(bundle.Platforms, d.Platform), min: min, max: max, ids: d.IDs})
		}
	}
	for _, sc := range b.Scenarios {
		sm := scenarioModel{id: sc.ID}
		for _, st := range sc.Steps {
			stm := stepModel{id: st.ID, name: sc.ID + "/" + st.ID, hash: hashString(sc.ID + "/" + st.ID)}
			if len(st.Permissions) > 16 {
				return nil, errors.New("engine: step " + sc.ID + "/" + st.ID + " asks for more than 16 permissions")
			}
			for _, sp := range st.Permissions {
				m, err := e.stepPerm(b, sp)
				if err != nil {
					return nil, errors.New("engine: step " + sc.ID + "/" + st.ID + ": " + err.Error())
				}
				stm.perms = append(stm.perms, m)
				if stm.list != "" {
					stm.list += ", "
				}
				stm.list += sp.ID
				pm := &stm.perms[len(stm.perms)-1]
				pm.rationaleNote = sp.ID + ": explained before any system dialog, in " + stm.name
				if pm.separate {
					pm.separateNote = sp.ID + " here is " + sp.Sensitive + ": the rationale asks for separate consent"
				}
			}
			stm.jitNote = stm.name + " declares " + stm.list + "; each is asked alone, in this order, only here"
			sm.steps = append(sm.steps, stm)
		}
		e.scens = append(e.scens, sm)
	}
	for _, s := range b.SDKs {
		m := sdkModel{id: s.ID, start: index(bundle.SDKStarts, s.Start)}
		for _, p := range s.Platforms {
			if i := index(bundle.Platforms, p); i >= 0 {
				m.platforms |= 1 << i
			}
		}
		for _, ref := range s.Scenarios {
			r, ok := e.stepRefBytes([]byte(ref))
			if !ok {
				return nil, errors.New("engine: sdk " + s.ID + ": unknown scenario " + strconv.Quote(ref))
			}
			m.steps = append(m.steps, r)
		}
		for _, p := range s.Requires {
			i := index(bundle.Permissions, p)
			if i < 0 {
				return nil, errors.New("engine: sdk " + s.ID + ": unknown permission " + strconv.Quote(p))
			}
			m.requires |= 1 << i
		}
		e.sdks = append(e.sdks, m)
	}
	if len(e.sdks) > 64 {
		return nil, errors.New("engine: more than 64 SDKs")
	}
	for pl := range nPlat {
		w := jsonWriter{}
		for i, s := range e.sdks {
			if s.platforms&(1<<pl) != 0 && s.start == startAfterConsent {
				w.comma(len(w.b))
				w.id(s.id)
				e.sdkBase[pl] |= 1 << i
			}
		}
		e.sdkBaseJSON[pl] = string(w.b)
	}
	for _, v := range b.History {
		h := history{version: v.Version, hash: hashString(v.Version), major: v.Change == bundle.ChangeMajor}
		for _, c := range v.Changes {
			ch := change{sdk: -1}
			if c.Kind == "sdk_added" {
				ch.sdk = e.sdkIndex(c.Subject)
			}
			for _, lt := range e.locales {
				ch.text = append(ch.text, newText(b.Text(lt.tag, c.Text)))
			}
			h.changes = append(h.changes, ch)
		}
		e.history = append(e.history, h)
	}
	return e, nil
}

func (e *Engine) localeTexts(loc string) localeTexts {
	t := func(key string) text { return newText(e.b.Text(loc, key)) }
	lt := localeTexts{
		tag:          loc,
		policyTitle:  t("policy.title"),
		policyBody:   t("policy.body"),
		policyAccept: t("policy.accept"),
		policyDecl:   t("policy.decline"),
		updTitle:     t("policy.update.title"),
		updMajor:     t("policy.update.major"),
		updMinor:     t("policy.update.minor"),
		updAccept:    t("policy.update.accept"),
		updDecline:   t("policy.update.decline"),
		updAck:       t("policy.update.ack"),
		basicMode:    t("basic_mode.body"),
		ratAccept:    t("rationale.accept"),
		ratDecline:   t("rationale.decline"),
	}
	for i, p := range bundle.Permissions {
		pt := &lt.perm[i]
		pt.rationaleTitle = t("rationale.title:" + p)
		pt.settingsTitle = t("settings.title:" + p)
		pt.blockTitle = t("block.title:" + p)
		for j, pl := range bundle.Platforms {
			pt.settings[j] = t(bundle.SettingsText(pl, p))
		}
	}
	return lt
}

func (e *Engine) stepPerm(b *bundle.Bundle, sp bundle.StepPermission) (stepPermModel, error) {
	m := stepPermModel{
		perm:      index(bundle.Permissions, sp.ID),
		conseq:    index(bundle.Consequences, sp.Consequence),
		separate:  sp.SeparateConsent,
		sensitive: index(bundle.Sensitive, sp.Sensitive),
	}
	if !e.perms[m.perm].inPolicy {
		return m, errors.New("permission " + sp.ID + " has no declarations")
	}
	if m.separate && m.sensitive < 0 {
		return m, errors.New(sp.ID + " needs separate consent but names no sensitive category")
	}
	for _, c := range sp.Platforms {
		min, max, err := parseBounds(c.Min, c.Max)
		if err != nil {
			return m, err
		}
		m.platforms = append(m.platforms, constraint{platform: index(bundle.Platforms, c.Platform), min: min, max: max})
	}
	for li := range e.locales {
		loc := b.Policy.Locales[li]
		// The body is the purpose, and for sensitive data the notice that
		// asks for separate consent on a line of its own.
		body := b.Text(loc, sp.Purpose)
		if m.separate {
			body += "\n" + b.Text(loc, bundle.SeparateText(sp.Sensitive))
		}
		st := stepTexts{
			shown:    new(hashOnce),
			body:     newText(body),
			refusal:  newText(b.Text(loc, sp.Refusal)),
			fallback: newText(b.Text(loc, sp.Fallback)),
		}
		m.texts = append(m.texts, st)
	}
	return m, nil
}

func (e *Engine) sdkIndex(id string) int {
	for i, s := range e.sdks {
		if s.id == id {
			return i
		}
	}
	return -1
}

// Policy returns the id and version of the policy the engine decides for.
func (e *Engine) Policy() (id, version string) { return e.id, e.version }

// Bundle returns the bundle the engine decides for. It must not be changed.
func (e *Engine) Bundle() *bundle.Bundle { return e.b }

// checkPlain checks that the ids and versions the engine writes into
// responses, states, receipts and traces are plain printable ASCII, so
// that it can write them without escaping.
func checkPlain(b *bundle.Bundle) error {
	bad := func(what, s string) error {
		return errors.New("engine: " + what + " " + strconv.Quote(s) + " must be printable ASCII without quotes or backslashes")
	}
	if !plain(b.Policy.ID) {
		return bad("policy id", b.Policy.ID)
	}
	for _, v := range b.History {
		if !plain(v.Version) {
			return bad("version", v.Version)
		}
	}
	for _, sc := range b.Scenarios {
		if !plain(sc.ID) {
			return bad("scenario", sc.ID)
		}
		for _, st := range sc.Steps {
			if !plain(st.ID) {
				return bad("step", st.ID)
			}
		}
	}
	for _, s := range b.SDKs {
		if !plain(s.ID) {
			return bad("sdk", s.ID)
		}
	}
	for _, p := range b.Permissions {
		for _, d := range p.Declare {
			for _, id := range d.IDs {
				if !plain(id) {
					return bad("platform id", id)
				}
			}
		}
	}
	return nil
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

package engine

import (
	"errors"
	"strconv"
	"sync"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// The engine's model of a bundle: what New turns the bundle into, once, so
// that a decision looks things up by index and copies pre-quoted texts.

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
	platform vocab.Platform
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
	perm      vocab.Permission
	conseq    vocab.Consequence
	separate  bool
	sensitive vocab.Sensitive // what separate consent is for, if separate
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
	platform vocab.Platform
	min, max bound
}

type sdkModel struct {
	id        string
	platforms uint8 // bit per platform
	start     vocab.SDKStart
	steps     []stepRef
	requires  uint16 // bit per permission
}

type stepRef struct{ sc, st int } // st < 0: any step of the scenario

var noStep = stepRef{-1, -1}

type localeTexts struct {
	tag                                               string
	policyTitle, policyBody, policyAccept, policyDecl text
	updTitle, updMajor, updMinor                      text
	updAccept, updDecline, updAck                     text
	basicMode, ratAccept, ratDecline                  text
	perm                                              [vocab.NumPermissions]permTexts
}

type permTexts struct {
	rationaleTitle, settingsTitle, blockTitle text
	settings                                  [vocab.NumPlatforms]text
}

// build makes the model of a validated bundle.
func (e *Engine) build(b *bundle.Bundle) error {
	if err := checkPlain(b); err != nil {
		return err
	}
	e.id, e.idHash, e.version, e.cooldown = b.Policy.ID, hashString(b.Policy.ID), b.Policy.Version, b.Policy.CooldownSeconds
	for i, loc := range b.Policy.Locales {
		if loc == b.Policy.DefaultLocale {
			e.def = i
		}
		e.locales = append(e.locales, e.localeTexts(loc))
	}
	for _, p := range b.Permissions {
		pi, _ := vocab.ParsePermission(p.ID) // Validate checked it
		m := &e.perms[pi]
		m.inPolicy = true
		for _, d := range p.Declare {
			min, max, err := parseBounds(d.Min, d.Max)
			if err != nil {
				return badBundle("permission " + p.ID + ": " + err.Error())
			}
			pl, _ := vocab.ParsePlatform(d.Platform)
			m.declare = append(m.declare, declModel{platform: pl, min: min, max: max, ids: d.IDs})
		}
	}
	for _, sc := range b.Scenarios {
		sm := scenarioModel{id: sc.ID}
		for _, st := range sc.Steps {
			stm := stepModel{id: st.ID, name: sc.ID + "/" + st.ID, hash: hashString(sc.ID + "/" + st.ID)}
			if len(st.Permissions) > 16 {
				return badBundle("step " + stm.name + " asks for more than 16 permissions")
			}
			for _, sp := range st.Permissions {
				m, err := e.stepPerm(b, sp)
				if err != nil {
					return badBundle("step " + stm.name + ": " + err.Error())
				}
				if stm.list != "" {
					stm.list += ", "
				}
				stm.list += sp.ID
				m.rationaleNote = sp.ID + ": explained before any system dialog, in " + stm.name
				if m.separate {
					m.separateNote = sp.ID + " here is " + sp.Sensitive + ": the rationale asks for separate consent"
				}
				stm.perms = append(stm.perms, m)
			}
			stm.jitNote = stm.name + " declares " + stm.list + "; each is asked alone, in this order, only here"
			sm.steps = append(sm.steps, stm)
		}
		e.scens = append(e.scens, sm)
	}
	if len(b.SDKs) > 64 {
		return badBundle("more than 64 SDKs")
	}
	for _, s := range b.SDKs {
		start, _ := vocab.ParseSDKStart(s.Start) // Validate checked it
		m := sdkModel{id: s.ID, start: start}
		for _, p := range s.Platforms {
			pl, _ := vocab.ParsePlatform(p) // Validate checked it
			m.platforms |= 1 << pl
		}
		for _, ref := range s.Scenarios {
			r, ok := e.stepRefBytes([]byte(ref))
			if !ok {
				return badBundle("sdk " + s.ID + ": unknown scenario " + strconv.Quote(ref))
			}
			m.steps = append(m.steps, r)
		}
		for _, p := range s.Requires {
			pi, ok := vocab.ParsePermission(p)
			if !ok {
				return badBundle("sdk " + s.ID + ": unknown permission " + strconv.Quote(p))
			}
			m.requires |= 1 << pi
		}
		e.sdks = append(e.sdks, m)
	}
	for pl := range vocab.NumPlatforms {
		w := jsonWriter{}
		for i, s := range e.sdks {
			if s.platforms&(1<<pl) != 0 && s.start == vocab.StartAfterConsent {
				w.comma(len(w.b))
				w.id(s.id)
				e.sdkBase[pl] |= 1 << i
			}
		}
		e.sdkBaseJSON[pl] = string(w.b)
	}
	for _, v := range b.History {
		h := history{version: v.Version, hash: hashString(v.Version), major: v.Change == vocab.ChangeMajor.String()}
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
	return nil
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
	for p := range vocab.NumPermissions {
		pt := &lt.perm[p]
		pt.rationaleTitle = t(bundle.PermissionText(bundle.RationaleTitle, p.String()))
		pt.settingsTitle = t(bundle.PermissionText(bundle.SettingsTitle, p.String()))
		pt.blockTitle = t(bundle.PermissionText(bundle.BlockTitle, p.String()))
		for pl := range vocab.NumPlatforms {
			pt.settings[pl] = t(bundle.SettingsText(pl.String(), p.String()))
		}
	}
	return lt
}

func (e *Engine) stepPerm(b *bundle.Bundle, sp bundle.StepPermission) (stepPermModel, error) {
	perm, _ := vocab.ParsePermission(sp.ID)             // Validate checked it
	conseq, _ := vocab.ParseConsequence(sp.Consequence) // and this
	m := stepPermModel{perm: perm, conseq: conseq, separate: sp.SeparateConsent}
	if !e.perms[m.perm].inPolicy {
		return m, errors.New("permission " + sp.ID + " has no declarations")
	}
	if m.separate {
		var ok bool
		if m.sensitive, ok = vocab.ParseSensitive(sp.Sensitive); !ok {
			return m, errors.New(sp.ID + " needs separate consent but names no sensitive category")
		}
	}
	for _, c := range sp.Platforms {
		min, max, err := parseBounds(c.Min, c.Max)
		if err != nil {
			return m, err
		}
		pl, _ := vocab.ParsePlatform(c.Platform) // Validate checked it
		m.platforms = append(m.platforms, constraint{platform: pl, min: min, max: max})
	}
	for li := range e.locales {
		loc := b.Policy.Locales[li]
		// The body is the purpose, and for sensitive data the notice that
		// asks for separate consent on a line of its own.
		body := b.Text(loc, sp.Purpose)
		if m.separate {
			body += "\n" + b.Text(loc, bundle.SeparateText(sp.Sensitive))
		}
		m.texts = append(m.texts, stepTexts{
			shown:    new(hashOnce),
			body:     newText(body),
			refusal:  newText(b.Text(loc, sp.Refusal)),
			fallback: newText(b.Text(loc, sp.Fallback)),
		})
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

// checkPlain checks that the ids and versions the engine writes into
// responses, states, receipts and traces are plain printable ASCII, so
// that it can write them without escaping.
func checkPlain(b *bundle.Bundle) error {
	bad := func(what, s string) error {
		return badBundle(what + " " + strconv.Quote(s) + " must be printable ASCII without quotes or backslashes")
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

// Lookups by name, for requests and states.

func (e *Engine) scenarioIndex(name []byte) int {
	for i := range e.scens {
		if e.scens[i].id == string(name) {
			return i
		}
	}
	return -1
}

// anyStepIndex numbers the steps of all scenarios in order and returns the
// number of the first step with this name.
func (e *Engine) anyStepIndex(name []byte) int {
	n := 0
	for i := range e.scens {
		for j := range e.scens[i].steps {
			if e.scens[i].steps[j].id == string(name) {
				return n
			}
			n++
		}
	}
	return -1
}

// stepID returns the id of the step anyStepIndex numbered n.
func (e *Engine) stepID(n int) string {
	for i := range e.scens {
		if n < len(e.scens[i].steps) {
			return e.scens[i].steps[n].id
		}
		n -= len(e.scens[i].steps)
	}
	return ""
}

func (e *Engine) versionIndex(v []byte) int {
	for i := range e.history {
		if e.history[i].version == string(v) {
			return i
		}
	}
	return -1
}

// stepRefBytes resolves "scenario/step" or "scenario".
func (e *Engine) stepRefBytes(ref []byte) (stepRef, bool) {
	sc, st := ref, ref[len(ref):]
	hasStep := false
	for i, c := range ref {
		if c == '/' {
			sc, st, hasStep = ref[:i], ref[i+1:], true
			break
		}
	}
	i := e.scenarioIndex(sc)
	if i < 0 {
		return stepRef{}, false
	}
	if !hasStep {
		return stepRef{i, -1}, true
	}
	for j := range e.scens[i].steps {
		if e.scens[i].steps[j].id == string(st) {
			return stepRef{i, j}, true
		}
	}
	return stepRef{}, false
}

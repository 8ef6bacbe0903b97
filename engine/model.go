package engine

import (
	"bytes"
	"errors"
	"math/bits"
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
	access   vocab.Access
	grant    vocab.Grant
	ids      []string
	api      string // grant none: the call that needs no permission
	settings string // grant special: where the user grants it
}

type scenarioModel struct {
	id    string
	steps []stepModel
}

type stepModel struct {
	id   string
	name string // scenario/step
	hash uint64 // of name, for the state's digest
	list string // what it asks, "financial_account/card_binding, camera"
	// jitNote is the detail of its JIT trace entry, made once.
	jitNote string
	// asks are its separate consents with no permission, then its
	// permissions, in the policy's order: what the flow asks one by one.
	asks []stepPermModel
	// prompts are the platform's own prompts the step uses (biometric
	// login); a step that has some is unavailable where none admits the
	// device, and then shows unavailable (per locale).
	prompts     []promptModel
	unavailable []text
}

// stepPermModel is one ask of a step: a permission, with or without a
// separate consent, or a separate consent alone (perm is noPerm).
type stepPermModel struct {
	perm      vocab.Permission // noPerm for a consent with no permission
	access    vocab.Access     // what the step needs of perm
	conseq    vocab.Consequence
	separate  bool
	consent   int             // index into Engine.consents if separate, else -1
	sensitive vocab.Sensitive // what separate consent is for, if separate
	platforms []constraint
	texts     []stepTexts // per locale
	// The details of its RATIONALE and SEPARATE trace entries, made once.
	rationaleNote, separateNote string
}

// consentOrNone is the index of the separate consent the ask records,
// or -1.
func (sp *stepPermModel) consentOrNone() int {
	if !sp.separate {
		return -1
	}
	return sp.consent
}

// name is what the ask is called in traces: the permission, or the
// consent as "sensitive/purpose".
func (sp *stepPermModel) name(e *Engine) string {
	if sp.perm == noPerm {
		return e.consents[sp.consent].id
	}
	return sp.perm.String()
}

type promptModel struct {
	platform vocab.Platform
	min, max bound
	api      string
}

// consentModel is a separate consent the policy can ask: a sensitive
// category for one of its purposes. The state records each by this
// index; separate consent never carries over from one to another.
type consentModel struct {
	sensitive vocab.Sensitive
	purpose   string
	id        string // "sensitive/purpose", as states, lists and traces write it
	hash      uint64 // of id, for the state's digest
}

type stepTexts struct {
	body, refusal, fallback text // body: the purpose, and the notice of separate consent
	// purpose is the body without that notice: an iOS pre-permission
	// screen's, whose consent was asked on a screen of its own.
	purpose text
	// shown is the SHA-256 of each screen the ask may show, as shown,
	// computed by the first receipt that needs it: SHA-256 is slow in
	// wasm (17 us for a rationale) and the same text is hashed again and
	// again.
	shown *[numScreens]hashOnce
}

// screen is a screen an ask shows, for the hash of its text.
type screen uint8

const (
	screenRationale     screen = iota // a rationale, with its separate consent if any
	screenConsent                     // a consent screen: alone, or before an iOS pre-permission screen
	screenPrePermission               // iOS: one button on to the system dialog, no consent
	numScreens
)

type hashOnce struct {
	once sync.Once
	sum  [32]byte
}

type constraint struct {
	platform vocab.Platform
	min, max bound
}

// sdkModel is an SDK and its basis: where it may run (steps; none: the
// whole app), the permissions and separate consents it needs, and the
// data it collects only when available.
type sdkModel struct {
	id        string
	platforms uint8 // bit per platform
	steps     []stepRef
	requires  uint16 // bit per permission
	consents  uint32 // bit per Engine.consents
	optional  []optionalModel
}

type optionalModel struct {
	data    string
	perm    vocab.Permission // noPerm if it needs none
	consent int              // index into Engine.consents, or -1
}

type stepRef struct{ sc, st int } // st < 0: any step of the scenario

var noStep = stepRef{-1, -1}

type localeTexts struct {
	tag string
	// links is the JSON of show_policy's links in this locale, made at
	// New: [{"kind","title","url"}].
	links string
	// linkTexts are each link's title and URL in this locale, the texts
	// the policy popup's hash covers.
	linkTexts                                         []string
	policyTitle, policyBody, policyAccept, policyDecl text
	updTitle, updMajor, updMinor                      text
	updAccept, updDecline                             text
	basicMode, ratAccept, ratDecline                  text
	consAccept, consDecline                           text
	consentTitle, consentBlock                        [vocab.NumSensitive]text
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
			m.declare = append(m.declare, declModel{platform: pl, min: min, max: max,
				access: d.AccessLevel(), grant: d.GrantKind(), ids: d.IDs, api: d.API, settings: d.Settings})
		}
	}
	for _, sc := range b.Scenarios {
		sm := scenarioModel{id: sc.ID}
		for _, st := range sc.Steps {
			stm := stepModel{id: st.ID, name: sc.ID + "/" + st.ID, hash: hashString(sc.ID + "/" + st.ID)}
			if len(st.Consents)+len(st.Permissions) > 16 {
				return badBundle("step " + stm.name + " asks for more than 16 permissions and consents")
			}
			asks := append(append([]bundle.StepPermission(nil), st.Consents...), st.Permissions...)
			for _, sp := range asks {
				m, err := e.stepPerm(b, sp)
				if err != nil {
					return badBundle("step " + stm.name + ": " + err.Error())
				}
				name := m.name(e)
				if stm.list != "" {
					stm.list += ", "
				}
				stm.list += name
				m.rationaleNote = name + ": explained before any system dialog, in " + stm.name
				if m.separate {
					c := &e.consents[m.consent]
					if m.perm == noPerm {
						m.rationaleNote = name + ": asked on a screen of its own, in " + stm.name
						m.separateNote = c.sensitive.String() + " for " + c.purpose + ": separate consent, asked whatever the OS reports"
					} else {
						m.separateNote = sp.ID + " here is " + c.sensitive.String() + " for " + c.purpose + ": the rationale asks for separate consent, whatever the OS reports"
					}
				}
				stm.asks = append(stm.asks, m)
			}
			for _, sp := range st.SystemPrompts {
				min, max, err := parseBounds(sp.Min, sp.Max)
				if err != nil {
					return badBundle("step " + stm.name + ": system prompt: " + err.Error())
				}
				pl, _ := vocab.ParsePlatform(sp.Platform) // Validate checked it
				stm.prompts = append(stm.prompts, promptModel{platform: pl, min: min, max: max, api: sp.API})
			}
			if len(stm.prompts) > 0 {
				for _, loc := range b.Policy.Locales {
					stm.unavailable = append(stm.unavailable, newText(b.Text(loc, st.Unavailable)))
				}
			}
			stm.jitNote = stm.name + " asks " + stm.list + "; each alone, in this order, only here"
			if stm.list == "" {
				stm.jitNote = stm.name + " asks for no permission"
			}
			sm.steps = append(sm.steps, stm)
		}
		e.scens = append(e.scens, sm)
	}
	for p, cs := range e.permConsents {
		// A withdrawal's receipts must fit a decision's (decision.rcpts).
		if bits.OnesCount32(cs) > maxReceipts-1 {
			return badBundle("permission " + vocab.Permission(p).String() + " carries more than " + strconv.Itoa(maxReceipts-1) + " separate consents")
		}
	}
	if len(b.SDKs) > 64 {
		return badBundle("more than 64 SDKs")
	}
	for _, s := range b.SDKs {
		m := sdkModel{id: s.ID}
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
		for _, c := range s.Consents {
			ci, err := e.consentIndex(c.Sensitive, c.Purpose)
			if err != nil {
				return badBundle("sdk " + s.ID + ": " + err.Error())
			}
			m.consents |= 1 << ci
		}
		for _, o := range s.Optional {
			om := optionalModel{data: o.Data, perm: noPerm, consent: -1}
			if o.Permission != "" {
				pi, ok := vocab.ParsePermission(o.Permission)
				if !ok {
					return badBundle("sdk " + s.ID + ": unknown permission " + strconv.Quote(o.Permission))
				}
				om.perm = pi
			}
			if o.Sensitive != "" || o.Purpose != "" {
				ci, err := e.consentIndex(o.Sensitive, o.Purpose)
				if err != nil {
					return badBundle("sdk " + s.ID + ": " + err.Error())
				}
				om.consent = ci
			}
			m.optional = append(m.optional, om)
		}
		e.sdkPerms |= m.requires
		for _, o := range m.optional {
			if o.perm != noPerm {
				e.sdkPerms |= 1 << o.perm
			}
		}
		e.sdks = append(e.sdks, m)
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
	e.popupHashes = make([]hashOnce, len(e.locales)*(len(e.history)+1)*numPopups)
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
		basicMode:    t("basic_mode.body"),
		ratAccept:    t("rationale.accept"),
		ratDecline:   t("rationale.decline"),
		consAccept:   t("consent.accept"),
		consDecline:  t("consent.decline"),
	}
	w := jsonWriter{[]byte{'['}}
	for i, l := range e.b.Policy.Links {
		w.comma(i)
		w.raw(`{"kind":`)
		w.str(l.Kind)
		w.raw(`,"title":`)
		w.str(e.b.Text(loc, l.Title))
		w.raw(`,"url":`)
		w.str(l.URLs[loc])
		w.byte('}')
		lt.linkTexts = append(lt.linkTexts, e.b.Text(loc, l.Title), l.URLs[loc])
	}
	w.byte(']')
	lt.links = string(w.b)
	for c := range vocab.NumSensitive {
		lt.consentTitle[c] = t(bundle.ConsentText(bundle.ConsentTitle, c.String()))
		lt.consentBlock[c] = t(bundle.ConsentText(bundle.ConsentBlock, c.String()))
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
	conseq, _ := vocab.ParseConsequence(sp.Consequence) // Validate checked it
	access, _ := vocab.ParseAccess(sp.Access)           // Validate checked it; "" is full
	m := stepPermModel{perm: noPerm, access: access, conseq: conseq, separate: sp.Separate(), consent: -1}
	if sp.ID != "" {
		m.perm, _ = vocab.ParsePermission(sp.ID) // and this
		if !e.perms[m.perm].inPolicy {
			return m, errors.New("permission " + sp.ID + " has no declarations")
		}
	} else if !m.separate {
		return m, errors.New("a consent names no sensitive category and purpose")
	}
	if m.separate {
		ci, err := e.consentIndex(sp.Sensitive, sp.ConsentPurpose)
		if err != nil {
			return m, err
		}
		m.consent, m.sensitive = ci, e.consents[ci].sensitive
		if m.perm != noPerm {
			e.permConsents[m.perm] |= 1 << ci
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
		purpose := b.Text(loc, sp.Purpose)
		body := purpose
		if m.separate {
			body += "\n" + b.Text(loc, bundle.SeparateText(sp.Sensitive, sp.ConsentPurpose))
		}
		m.texts = append(m.texts, stepTexts{
			shown:    new([numScreens]hashOnce),
			body:     newText(body),
			purpose:  newText(purpose),
			refusal:  newText(b.Text(loc, sp.Refusal)),
			fallback: newText(b.Text(loc, sp.Fallback)),
		})
	}
	return m, nil
}

// consentIndex returns the index of the consent to a sensitive category
// for a purpose, adding it the first time. Validate checked that both
// are known.
func (e *Engine) consentIndex(sensitive, purpose string) (int, error) {
	if i := e.consentByName([]byte(sensitive), []byte(purpose)); i >= 0 {
		return i, nil
	}
	if len(e.consents) == 32 {
		return 0, errors.New("more than 32 separate consents")
	}
	sens, _ := vocab.ParseSensitive(sensitive)
	id := sensitive + "/" + purpose
	e.consents = append(e.consents, consentModel{sensitive: sens, purpose: purpose, id: id, hash: hashString(id)})
	return len(e.consents) - 1, nil
}

// consentByName returns the index of the consent "sensitive/purpose" given
// as its two parts, or -1.
func (e *Engine) consentByName(sensitive, purpose []byte) int {
	for i := range e.consents {
		c := &e.consents[i]
		if c.sensitive.String() == string(sensitive) && c.purpose == string(purpose) {
			return i
		}
	}
	return -1
}

// consentByID returns the index of the consent "sensitive/purpose", or -1.
func (e *Engine) consentByID(id []byte) int {
	sensitive, purpose, ok := bytes.Cut(id, []byte("/"))
	if !ok {
		return -1
	}
	return e.consentByName(sensitive, purpose)
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
	var badWhat, badValue string // the first value that is not plain
	check := func(what, s string) {
		if badWhat == "" && !plain(s) {
			badWhat, badValue = what, s
		}
	}
	check("policy id", b.Policy.ID)
	for _, v := range b.History {
		check("version", v.Version)
	}
	for _, sc := range b.Scenarios {
		check("scenario", sc.ID)
		for _, st := range sc.Steps {
			check("step", st.ID)
			for _, sp := range st.SystemPrompts {
				check("system prompt", sp.API)
			}
		}
	}
	for _, s := range b.SDKs {
		check("sdk", s.ID)
		for _, o := range s.Optional {
			check("sdk data", o.Data)
		}
	}
	for _, p := range b.Purposes {
		check("purpose", p.ID)
	}
	for _, p := range b.Permissions {
		for _, d := range p.Declare {
			for _, id := range d.IDs {
				check("platform id", id)
			}
		}
	}
	if badWhat != "" {
		return badBundle(badWhat + " " + strconv.Quote(badValue) + " must be printable ASCII without quotes or backslashes")
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

// localeIndex returns the index of the bundle's locale tagged exactly v,
// or -1.
func (e *Engine) localeIndex(v []byte) int {
	for i := range e.locales {
		if e.locales[i].tag == string(v) {
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

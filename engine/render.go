package engine

import (
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Writing the response (CONTRACT.md, "Response"): the decision's actions
// with their texts in the request's locale, the SDKs that run, the state,
// the receipts and the trace, appended to the caller's buffer.

// render appends the response and returns it with the offsets of its
// state. It and the functions it calls append to a local slice, with
// constant parts joined, rather than through a jsonWriter: in wasm every
// append through a pointer loads and stores the slice in memory, and
// every string appended is a call to memmove.
func (d *decision) render(dst []byte) ([]byte, int, int) {
	e := d.e
	lt := &e.locales[d.r.locale]
	b := append(dst, `{"policy":{"id":"`...)
	b = append(b, e.id...)
	b = append(b, `","version":"`...)
	b = append(b, e.version...)
	b = append(b, `"},"actions":[`...)
	for i := range d.nActs {
		if i > 0 {
			b = append(b, ',')
		}
		b = d.renderAction(b, lt, &d.acts[i])
	}
	b = append(b, `],"sdks":`...)
	b = append(b, d.sdkListing()...)
	b = append(b, `,"state":`...)
	stateAt := len(b)
	b = e.encodeState(b, &d.st, &d.r.key)
	stateEnd := len(b)
	b = append(b, `,"receipts":[`...)
	for i := range d.nRcpts {
		if i > 0 {
			b = append(b, ',')
		}
		b = d.appendReceipt(b, &d.rcpts[i], true)
	}
	b = append(b, `],"trace":[`...)
	for i := range d.nTrace {
		t := &d.trace[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"rule":"`...)
		b = append(b, t.rule.String()...)
		if t.rule == vocab.RuleState { // may quote what the host sent
			b = append(b, `","detail":`...)
			b = appendBytes(b, d.detail(t))
		} else { // vocabulary, ids and the engine's words: plain (see checkPlain)
			b = append(b, `","detail":"`...)
			b = append(b, d.detail(t)...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), stateAt, stateEnd
}

// appendField appends a member whose value is a pre-quoted text; key is
// its name between the comma and quote before and the quote and colon
// after, `,"title":`.
func appendField(b []byte, key string, t text) []byte {
	return append(append(b, key...), t.json...)
}

// appendID appends a string that needs no escaping (see jsonWriter.id).
func appendID(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func (d *decision) renderAction(b []byte, lt *localeTexts, a *action) []byte {
	e := d.e
	b = append(b, `{"type":"`...)
	b = append(b, a.kind.String()...)
	b = append(b, '"')
	switch a.kind {
	case vocab.ActionShowPolicy:
		title, body, accept, decline := lt.popupTexts(a.pop)
		b = append(b, `,"version":"`...)
		b = append(b, e.version...)
		b = append(b, `","change":"`...)
		b = append(b, a.pop.String()...)
		if a.pop != popMinor {
			b = append(b, `","blocking":true`...)
		} else {
			b = append(b, `","blocking":false`...)
		}
		b = appendField(b, `,"title":`, title)
		b = appendField(b, `,"body":`, body)
		b = append(b, `,"changes":[`...)
		if a.pop != popFirst {
			b = e.appendChanges(b, a.from, d.r.locale)
		}
		b = append(b, `],"links":`...)
		b = append(b, lt.links...)
		b = appendField(b, `,"accept":`, accept)
		b = appendField(b, `,"decline":`, decline)
	case vocab.ActionBasicMode:
		b = appendField(b, `,"body":`, lt.basicMode)
	case vocab.ActionShowRationale:
		sp := &e.scens[a.step.sc].steps[a.step.st].asks[a.sp]
		t := &sp.texts[d.r.locale]
		b = d.permStep(b, a)
		b = appendField(b, `,"title":`, lt.perm[a.perm].rationaleTitle)
		// iOS: one button on to the system dialog, and no consent: it
		// was asked on a screen of its own.
		one := d.r.dev.onePrePermissionButton()
		if one {
			b = appendField(b, `,"body":`, t.purpose)
		} else {
			b = appendField(b, `,"body":`, t.body)
		}
		b = appendField(b, `,"consequence":`, t.refusal)
		if d.carriesConsent(sp) {
			b = append(b, `,"separate_consent":true`...)
			b = d.consentFields(b, sp.consent)
		} else {
			b = append(b, `,"separate_consent":false`...)
		}
		b = appendField(b, `,"accept":`, lt.ratAccept)
		if one {
			b = append(b, `,"decline":""`...)
		} else {
			b = appendField(b, `,"decline":`, lt.ratDecline)
		}
	case vocab.ActionShowConsent:
		sp := &e.scens[a.step.sc].steps[a.step.st].asks[a.sp]
		t := &sp.texts[d.r.locale]
		b = d.consentFields(b, sp.consent)
		b = d.stepFields(b, a.step)
		if sp.perm != noPerm {
			b = append(b, `,"permission":`...)
			b = appendID(b, sp.perm.String())
		}
		b = appendField(b, `,"title":`, lt.consentTitle[sp.sensitive])
		b = appendField(b, `,"body":`, t.body)
		b = appendField(b, `,"consequence":`, t.refusal)
		b = appendField(b, `,"accept":`, lt.consAccept)
		b = appendField(b, `,"decline":`, lt.consDecline)
	case vocab.ActionUnavailable:
		b = d.stepFields(b, a.step)
		b = appendField(b, `,"body":`, e.scens[a.step.sc].steps[a.step.st].unavailable[d.r.locale])
	case vocab.ActionRequestPermission:
		b = append(b, `,"permission":`...)
		b = appendID(b, a.perm.String())
		b = append(b, `,"platform_ids":[`...)
		var ids []string
		if row := d.row(a); row != nil {
			ids = row.ids
		}
		for i, id := range ids {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendID(b, id)
		}
		b = append(b, ']')
	case vocab.ActionOpenSettings:
		b = append(b, `,"permission":`...)
		b = appendID(b, a.perm.String())
		b = appendField(b, `,"title":`, lt.perm[a.perm].settingsTitle)
		b = appendField(b, `,"body":`, lt.perm[a.perm].settings[d.r.dev.platform])
		if row := d.row(a); row != nil && row.grant == vocab.GrantSpecial {
			b = append(b, `,"settings":`...)
			b = appendString(b, row.settings)
			b = append(b, `,"special":true`...)
		}
	case vocab.ActionProceed:
		step := &e.scens[a.step.sc].steps[a.step.st]
		b = append(b, `,"scenario":`...)
		b = appendID(b, e.scens[a.step.sc].id)
		b = append(b, `,"step":`...)
		b = appendID(b, step.id)
		b = append(b, `,"missing":[`...)
		n := 0
		for i := range step.asks {
			if a.missing&(1<<i) != 0 && step.asks[i].perm != noPerm {
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = appendID(b, step.asks[i].perm.String())
			}
		}
		b = append(b, `],"missing_consents":[`...)
		n = 0
		for i := range step.asks {
			if a.missing&(1<<i) != 0 && step.asks[i].perm == noPerm {
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = appendID(b, e.consents[step.asks[i].consent].id)
			}
		}
		b = append(b, `],"fallbacks":[`...)
		n = 0
		for i := range step.asks {
			if t := step.asks[i].texts[d.r.locale].fallback; a.missing&(1<<i) != 0 && t.raw != "" {
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = append(b, t.json...)
			}
		}
		b = append(b, ']')
		if api := d.systemPrompt(step); api != "" {
			b = append(b, `,"system_prompt":`...)
			b = appendID(b, api)
		}
		n = 0
		for i := range step.asks {
			sp := &step.asks[i]
			if sp.perm == noPerm || a.missing&(1<<i) != 0 || !sp.applies(&d.r.dev) || d.r.dev.platformLacks(sp.perm) != "" {
				continue
			}
			row := e.row(sp.perm, sp.access, &d.r.dev)
			if row == nil || row.grant != vocab.GrantNone {
				continue
			}
			if n == 0 {
				b = append(b, `,"system_apis":[`...)
			} else {
				b = append(b, ',')
			}
			n++
			b = append(b, `{"permission":`...)
			b = appendID(b, sp.perm.String())
			b = append(b, `,"access":`...)
			b = appendID(b, sp.access.String())
			b = append(b, `,"api":`...)
			b = appendString(b, row.api)
			b = append(b, '}')
		}
		if n > 0 {
			b = append(b, ']')
		}
	case vocab.ActionBlock:
		sp := &e.scens[a.step.sc].steps[a.step.st].asks[a.sp]
		if sp.perm == noPerm {
			b = d.consentFields(b, sp.consent)
			b = d.stepFields(b, a.step)
			b = appendField(b, `,"title":`, lt.consentBlock[sp.sensitive])
		} else {
			b = d.permStep(b, a)
			b = appendField(b, `,"title":`, lt.perm[a.perm].blockTitle)
		}
		b = appendField(b, `,"body":`, sp.texts[d.r.locale].refusal)
	}
	return append(b, '}')
}

// appendChanges appends the lines of what changed since version from,
// as changeLines gives them, separated by commas. It loops itself rather
// than through changeLines's closure, which would capture b and so keep
// renderAction's slice in memory.
func (e *Engine) appendChanges(b []byte, from, locale int) []byte {
	n := 0
	for i := from + 1; i < len(e.history); i++ {
		for _, c := range e.history[i].changes {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = append(b, c.text[locale].json...)
		}
	}
	return b
}

// row is the declaration an action about a step's permission concerns
// on the device.
func (d *decision) row(a *action) *declModel {
	if a.step.sc < 0 {
		return nil
	}
	sp := &d.e.scens[a.step.sc].steps[a.step.st].asks[a.sp]
	return d.e.row(sp.perm, sp.access, &d.r.dev)
}

func (d *decision) permStep(b []byte, a *action) []byte {
	b = append(b, `,"permission":"`...)
	b = append(b, a.perm.String()...)
	b = append(b, '"')
	return d.stepFields(b, a.step)
}

func (d *decision) stepFields(b []byte, r stepRef) []byte {
	sc := &d.e.scens[r.sc]
	b = append(b, `,"scenario":"`...)
	b = append(b, sc.id...)
	b = append(b, `","step":"`...)
	b = append(b, sc.steps[r.st].id...)
	return append(b, '"')
}

// consentFields writes the sensitive category and purpose of a consent.
func (d *decision) consentFields(b []byte, c int) []byte {
	cm := &d.e.consents[c]
	b = append(b, `,"sensitive":"`...)
	b = append(b, cm.sensitive.String()...)
	b = append(b, `","purpose":"`...)
	b = append(b, cm.purpose...)
	return append(b, '"')
}

func appendError(dst []byte, err *errcode.Error) []byte {
	w := jsonWriter{dst}
	w.raw(`{"error":{"code":`)
	w.str(string(err.Code))
	w.raw(`,"message":`)
	w.str(err.Message)
	if err.Field != "" {
		w.raw(`,"field":`)
		w.str(err.Field)
	}
	w.raw("}}")
	return w.b
}

// sdkListing returns the JSON of the response's "sdks" and "sdk_data"
// values, joined as `[...],"sdk_data":{...}`. Consecutive responses
// nearly always carry the same listing, so the engine keeps the last one
// it wrote and reuses it when what it depends on is the same.
func (d *decision) sdkListing() string {
	e := d.e
	given := d.st.consents.given
	if c := e.listing.Load(); c != nil && c.runs == d.runs && c.avail == d.avail && c.given == given {
		return c.json
	}
	w := jsonWriter{make([]byte, 0, 512)}
	w.byte('[')
	n := 0
	for i := range e.sdks {
		if d.runs&(1<<i) != 0 {
			w.comma(n)
			n++
			w.id(e.sdks[i].id)
		}
	}
	// Per running SDK with data it collects only when available, which of
	// that data it may collect now: the host switches the rest off.
	w.raw(`],"sdk_data":{`)
	n = 0
	for i := range e.sdks {
		s := &e.sdks[i]
		if d.runs&(1<<i) == 0 || len(s.optional) == 0 {
			continue
		}
		w.comma(n)
		n++
		w.key(s.id)
		w.byte('[')
		m := 0
		for j := range s.optional {
			if o := &s.optional[j]; d.optionalAllowed(o, d.avail) {
				w.comma(m)
				m++
				w.id(o.data)
			}
		}
		w.byte(']')
	}
	w.byte('}')
	l := &sdkListing{runs: d.runs, avail: d.avail, given: given, json: string(w.b)}
	e.listing.Store(l)
	return l.json
}

// sdkListing is a listing of SDKs as sdkListing wrote it, with what it
// depends on: the SDKs that run, the permissions available to them and
// the separate consents given.
type sdkListing struct {
	runs  uint64
	avail uint16
	given uint32
	json  string
}

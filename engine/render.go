package engine

import (
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Writing the response (CONTRACT.md, "Response"): the decision's actions
// with their texts in the request's locale, the SDKs that run, the state,
// the receipts and the trace, appended to the caller's buffer.

// render appends the response and returns it with the offsets of its
// state.
func (d *decision) render(dst []byte) ([]byte, int, int) {
	e := d.e
	lt := &e.locales[d.r.locale]
	w := jsonWriter{dst}
	w.raw(`{"policy":{"id":`)
	w.id(e.id)
	w.raw(`,"version":`)
	w.id(e.version)
	w.raw(`},"actions":[`)
	for i := range d.nActs {
		w.comma(i)
		d.renderAction(&w, lt, &d.acts[i])
	}
	w.raw(`],"sdks":`)
	w.raw(d.sdkListing())
	w.raw(`,"state":`)
	stateAt := len(w.b)
	w.b = e.encodeState(w.b, &d.st, &d.r.key)
	stateEnd := len(w.b)
	w.raw(`,"receipts":[`)
	for i := range d.nRcpts {
		rc := &d.rcpts[i]
		w.comma(i)
		w.b = d.appendReceipt(w.b, rc, true)
	}
	w.raw(`],"trace":[`)
	for i := range d.nTrace {
		t := &d.trace[i]
		w.comma(i)
		w.raw(`{"rule":`)
		w.id(t.rule.String())
		w.raw(`,"detail":`)
		if t.rule == vocab.RuleState { // may quote what the host sent
			w.b = appendBytes(w.b, d.detail(t))
		} else { // vocabulary, ids and the engine's words: plain (see checkPlain)
			w.byte('"')
			w.b = append(w.b, d.detail(t)...)
			w.byte('"')
		}
		w.byte('}')
	}
	w.raw("]}")
	return w.b, stateAt, stateEnd
}

func (d *decision) renderAction(w *jsonWriter, lt *localeTexts, a *action) {
	e := d.e
	w.raw(`{"type":`)
	w.id(a.kind.String())
	switch a.kind {
	case vocab.ActionShowPolicy:
		title, body, accept, decline := lt.popupTexts(a.pop)
		w.raw(`,"version":`)
		w.id(e.version)
		w.raw(`,"change":`)
		w.id(a.pop.String())
		w.raw(`,"blocking":`)
		w.bool(a.pop != popMinor)
		w.field("title", title)
		w.field("body", body)
		w.raw(`,"changes":[`)
		if a.pop != popFirst {
			n := 0
			e.changeLines(a.from, d.r.locale, func(line text) {
				w.comma(n)
				n++
				w.raw(line.json)
			})
		}
		w.byte(']')
		w.raw(`,"links":`)
		w.raw(lt.links)
		w.field("accept", accept)
		w.field("decline", decline)
	case vocab.ActionBasicMode:
		w.field("body", lt.basicMode)
	case vocab.ActionShowRationale:
		sp := &e.scens[a.step.sc].steps[a.step.st].asks[a.sp]
		t := &sp.texts[d.r.locale]
		d.permStep(w, a)
		w.field("title", lt.perm[a.perm].rationaleTitle)
		// iOS: one button on to the system dialog, and no consent: it
		// was asked on a screen of its own.
		one := d.r.dev.onePrePermissionButton()
		if one {
			w.field("body", t.purpose)
		} else {
			w.field("body", t.body)
		}
		w.field("consequence", t.refusal)
		carries := d.carriesConsent(sp)
		w.raw(`,"separate_consent":`)
		w.bool(carries)
		if carries {
			d.consentFields(w, sp.consent)
		}
		w.field("accept", lt.ratAccept)
		if one {
			w.raw(`,"decline":""`)
		} else {
			w.field("decline", lt.ratDecline)
		}
	case vocab.ActionShowConsent:
		sp := &e.scens[a.step.sc].steps[a.step.st].asks[a.sp]
		t := &sp.texts[d.r.locale]
		d.consentFields(w, sp.consent)
		d.stepFields(w, a.step)
		if sp.perm != noPerm {
			w.raw(`,"permission":`)
			w.id(sp.perm.String())
		}
		w.field("title", lt.consentTitle[sp.sensitive])
		w.field("body", t.body)
		w.field("consequence", t.refusal)
		w.field("accept", lt.consAccept)
		w.field("decline", lt.consDecline)
	case vocab.ActionUnavailable:
		d.stepFields(w, a.step)
		w.field("body", e.scens[a.step.sc].steps[a.step.st].unavailable[d.r.locale])
	case vocab.ActionRequestPermission:
		w.raw(`,"permission":`)
		w.id(a.perm.String())
		w.raw(`,"platform_ids":[`)
		var ids []string
		if row := d.row(a); row != nil {
			ids = row.ids
		}
		for i, id := range ids {
			w.comma(i)
			w.id(id)
		}
		w.byte(']')
	case vocab.ActionOpenSettings:
		w.raw(`,"permission":`)
		w.id(a.perm.String())
		w.field("title", lt.perm[a.perm].settingsTitle)
		w.field("body", lt.perm[a.perm].settings[d.r.dev.platform])
		if row := d.row(a); row != nil && row.grant == vocab.GrantSpecial {
			w.raw(`,"settings":`)
			w.str(row.settings)
			w.raw(`,"special":true`)
		}
	case vocab.ActionProceed:
		step := &e.scens[a.step.sc].steps[a.step.st]
		w.raw(`,"scenario":`)
		w.id(e.scens[a.step.sc].id)
		w.raw(`,"step":`)
		w.id(step.id)
		w.raw(`,"missing":[`)
		n := 0
		for i := range step.asks {
			if a.missing&(1<<i) != 0 && step.asks[i].perm != noPerm {
				w.comma(n)
				n++
				w.id(step.asks[i].perm.String())
			}
		}
		w.raw(`],"missing_consents":[`)
		n = 0
		for i := range step.asks {
			if a.missing&(1<<i) != 0 && step.asks[i].perm == noPerm {
				w.comma(n)
				n++
				w.id(e.consents[step.asks[i].consent].id)
			}
		}
		w.raw(`],"fallbacks":[`)
		n = 0
		for i := range step.asks {
			if t := step.asks[i].texts[d.r.locale].fallback; a.missing&(1<<i) != 0 && t.raw != "" {
				w.comma(n)
				n++
				w.raw(t.json)
			}
		}
		w.byte(']')
		if api := d.systemPrompt(step); api != "" {
			w.raw(`,"system_prompt":`)
			w.id(api)
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
				w.raw(`,"system_apis":[`)
			}
			w.comma(n)
			n++
			w.raw(`{"permission":`)
			w.id(sp.perm.String())
			w.raw(`,"access":`)
			w.id(sp.access.String())
			w.raw(`,"api":`)
			w.str(row.api)
			w.byte('}')
		}
		if n > 0 {
			w.byte(']')
		}
	case vocab.ActionBlock:
		sp := &e.scens[a.step.sc].steps[a.step.st].asks[a.sp]
		if sp.perm == noPerm {
			d.consentFields(w, sp.consent)
			d.stepFields(w, a.step)
			w.field("title", lt.consentBlock[sp.sensitive])
		} else {
			d.permStep(w, a)
			w.field("title", lt.perm[a.perm].blockTitle)
		}
		w.field("body", sp.texts[d.r.locale].refusal)
	}
	w.byte('}')
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

func (d *decision) permStep(w *jsonWriter, a *action) {
	w.raw(`,"permission":`)
	w.id(a.perm.String())
	d.stepFields(w, a.step)
}

func (d *decision) stepFields(w *jsonWriter, r stepRef) {
	w.raw(`,"scenario":`)
	w.id(d.e.scens[r.sc].id)
	w.raw(`,"step":`)
	w.id(d.e.scens[r.sc].steps[r.st].id)
}

// consentFields writes the sensitive category and purpose of a consent.
func (d *decision) consentFields(w *jsonWriter, c int) {
	cm := &d.e.consents[c]
	w.raw(`,"sensitive":`)
	w.id(cm.sensitive.String())
	w.raw(`,"purpose":`)
	w.id(cm.purpose)
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

package engine

import (
	"encoding/hex"

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
	w.raw(`],"sdks":[`)
	if runs, pl := d.sdks(), d.r.dev.platform; runs != 0 && runs == e.sdkBase[pl] {
		w.raw(e.sdkBaseJSON[pl]) // the list most responses carry, written once at New
	} else {
		n := 0
		for i := range e.sdks {
			if runs&(1<<i) != 0 {
				w.comma(n)
				n++
				w.id(e.sdks[i].id)
			}
		}
	}
	w.raw(`],"state":`)
	stateAt := len(w.b)
	w.b = e.encodeState(w.b, &d.st)
	stateEnd := len(w.b)
	w.raw(`,"receipts":[`)
	for i := range d.nRcpts {
		rc := &d.rcpts[i]
		w.comma(i)
		w.b = d.appendReceipt(w.b, rc)
		w.b = w.b[:len(w.b)-1]
		w.raw(`,"hash":"`)
		w.b = hex.AppendEncode(w.b, rc.hash[:])
		w.raw(`"}`)
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
		w.field("accept", accept)
		w.field("decline", decline)
	case vocab.ActionBasicMode:
		w.field("body", lt.basicMode)
	case vocab.ActionShowRationale:
		sp := &e.scens[a.step.sc].steps[a.step.st].perms[a.sp]
		t := &sp.texts[d.r.locale]
		d.permStep(w, a)
		w.field("title", lt.perm[a.perm].rationaleTitle)
		w.field("body", t.body)
		w.field("consequence", t.refusal)
		w.raw(`,"separate_consent":`)
		w.bool(sp.separate)
		w.field("accept", lt.ratAccept)
		w.field("decline", lt.ratDecline)
	case vocab.ActionRequestPermission:
		w.raw(`,"permission":`)
		w.id(a.perm.String())
		w.raw(`,"platform_ids":[`)
		for i, id := range e.ids(a.perm, &d.r.dev) {
			w.comma(i)
			w.id(id)
		}
		w.byte(']')
	case vocab.ActionOpenSettings:
		w.raw(`,"permission":`)
		w.id(a.perm.String())
		w.field("title", lt.perm[a.perm].settingsTitle)
		w.field("body", lt.perm[a.perm].settings[d.r.dev.platform])
	case vocab.ActionProceed:
		step := &e.scens[a.step.sc].steps[a.step.st]
		w.raw(`,"scenario":`)
		w.id(e.scens[a.step.sc].id)
		w.raw(`,"step":`)
		w.id(step.id)
		w.raw(`,"missing":[`)
		n := 0
		for i := range step.perms {
			if a.missing&(1<<i) != 0 {
				w.comma(n)
				n++
				w.id(step.perms[i].perm.String())
			}
		}
		w.raw(`],"fallbacks":[`)
		n = 0
		for i := range step.perms {
			if t := step.perms[i].texts[d.r.locale].fallback; a.missing&(1<<i) != 0 && t.raw != "" {
				w.comma(n)
				n++
				w.raw(t.json)
			}
		}
		w.byte(']')
	case vocab.ActionBlock:
		sp := &e.scens[a.step.sc].steps[a.step.st].perms[a.sp]
		d.permStep(w, a)
		w.field("title", lt.perm[a.perm].blockTitle)
		w.field("body", sp.texts[d.r.locale].refusal)
	}
	w.byte('}')
}

func (d *decision) permStep(w *jsonWriter, a *action) {
	w.raw(`,"permission":`)
	w.id(a.perm.String())
	w.raw(`,"scenario":`)
	w.id(d.e.scens[a.step.sc].id)
	w.raw(`,"step":`)
	w.id(d.e.scens[a.step.sc].steps[a.step.st].id)
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

package engine

import (
	"github.com/jitconsent/jitconsent/engine/bundle"
)

// Decide answers one request: it appends the response JSON, or an error
// object {"error": {...}}, to dst and returns the extended slice. It
// never panics on any input; a state it cannot trust is replaced by a
// fresh one, with a STATE entry in the trace saying why.
func (e *Engine) Decide(dst, request []byte) []byte {
	var d decision
	d.e = e
	d.acts, d.trace, d.arena, d.rcpts = d.actBuf[:0], d.trBuf[:0], d.arBuf[:0], d.rcBuf[:0]
	if err := e.parse(&d.r, request); err != nil {
		return appendError(dst, err)
	}
	d.st = freshState()
	if d.r.state != nil {
		st, why := e.decodeState(d.r.state, &dst)
		if why != "" {
			d.note(ruleState, why, ": the engine starts as on a fresh install")
		} else {
			d.st = st
		}
		if f := &d.st.flow; f.step.sc >= 0 && f.i >= len(e.scens[f.step.sc].steps[f.step.st].perms) {
			d.st.flow = flow{step: noStep}
			d.note(ruleState, "the step in progress no longer matches the policy: it is dropped")
		}
	}
	d.run()
	if d.fail != nil {
		return appendError(dst, d.fail)
	}
	return d.render(dst)
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

// appendError appends {"error": {"code", "message", "field"}}.
func appendError(dst []byte, err *Error) []byte {
	w := jsonWriter{dst}
	w.raw(`{"error":{"code":`)
	w.str(err.Code)
	w.raw(`,"message":`)
	w.str(err.Message)
	if err.Field != "" {
		w.raw(`,"field":`)
		w.str(err.Field)
	}
	w.raw("}}")
	return w.b
}

func (d *decision) render(dst []byte) []byte {
	e := d.e
	lt := &e.locales[d.r.locale]
	w := jsonWriter{dst}
	w.raw(`{"policy":{"id":`)
	w.str(e.id)
	w.raw(`,"version":`)
	w.str(e.version)
	w.raw(`},"actions":[`)
	for i := range d.acts {
		w.comma(i)
		d.renderAction(&w, lt, &d.acts[i])
	}
	w.raw(`],"sdks":[`)
	n := 0
	for i := range e.sdks {
		if d.sdkRuns(i) {
			w.comma(n)
			n++
			w.str(e.sdks[i].id)
		}
	}
	w.raw(`],"state":`)
	w.b = e.encodeState(w.b, &d.st)
	w.raw(`,"receipts":[`)
	w.b = append(w.b, d.rcpts...)
	w.raw(`],"trace":[`)
	for i, t := range d.trace {
		w.comma(i)
		w.raw(`{"rule":`)
		w.str(t.rule)
		w.raw(`,"detail":`)
		w.b = appendString(w.b, d.arena[t.start:t.end])
		w.byte('}')
	}
	w.raw("]}")
	return w.b
}

func (d *decision) renderAction(w *jsonWriter, lt *localeTexts, a *action) {
	e := d.e
	w.raw(`{"type":`)
	w.str(actionNames[a.kind])
	switch a.kind {
	case actShowPolicy:
		title, body, accept, decline := e.popupTexts(lt, a.pop)
		w.raw(`,"version":`)
		w.str(e.version)
		w.raw(`,"change":`)
		w.str(popNames[a.pop])
		w.raw(`,"blocking":`)
		w.bool(a.pop != popMinor)
		w.raw(`,"title":`)
		w.str(title)
		w.raw(`,"body":`)
		w.str(body)
		w.raw(`,"changes":[`)
		if a.pop != popFirst {
			n := 0
			e.changeLines(a.from, d.r.locale, func(line string) {
				w.comma(n)
				n++
				w.str(line)
			})
		}
		w.raw(`],"accept":`)
		w.str(accept)
		w.raw(`,"decline":`)
		w.str(decline)
	case actBasicMode:
		w.raw(`,"body":`)
		w.str(lt.basicMode)
	case actShowRationale:
		sp := &e.scens[a.step.sc].steps[a.step.st].perms[a.sp]
		t := &sp.texts[d.r.locale]
		d.permStep(w, a)
		w.raw(`,"title":`)
		w.str(lt.perm[a.perm].rationaleTitle)
		w.raw(`,"body":`)
		w.str(t.purpose)
		if t.separate != "" { // the body is purpose + "\n" + notice, as hashed
			w.b = w.b[:len(w.b)-1]
			w.raw(`\n`)
			mark := len(w.b)
			w.str(t.separate)
			w.b = append(w.b[:mark], w.b[mark+1:]...)
		}
		w.raw(`,"consequence":`)
		w.str(t.refusal)
		w.raw(`,"separate_consent":`)
		w.bool(sp.separate)
		w.raw(`,"accept":`)
		w.str(lt.ratAccept)
		w.raw(`,"decline":`)
		w.str(lt.ratDecline)
	case actRequestPermission:
		w.raw(`,"permission":`)
		w.str(bundle.Permissions[a.perm])
		w.raw(`,"platform_ids":[`)
		for i, id := range e.ids(a.perm, &d.r.dev) {
			w.comma(i)
			w.str(id)
		}
		w.byte(']')
	case actOpenSettings:
		w.raw(`,"permission":`)
		w.str(bundle.Permissions[a.perm])
		w.raw(`,"title":`)
		w.str(lt.perm[a.perm].settingsTitle)
		w.raw(`,"body":`)
		w.str(lt.perm[a.perm].settings[d.r.dev.platform])
	case actProceed:
		step := &e.scens[a.step.sc].steps[a.step.st]
		w.raw(`,"scenario":`)
		w.str(e.scens[a.step.sc].id)
		w.raw(`,"step":`)
		w.str(step.id)
		w.raw(`,"missing":[`)
		n := 0
		for i := range step.perms {
			if a.missing&(1<<i) != 0 {
				w.comma(n)
				n++
				w.str(bundle.Permissions[step.perms[i].perm])
			}
		}
		w.raw(`],"fallbacks":[`)
		n = 0
		for i := range step.perms {
			if t := step.perms[i].texts[d.r.locale].fallback; a.missing&(1<<i) != 0 && t != "" {
				w.comma(n)
				n++
				w.str(t)
			}
		}
		w.byte(']')
	case actBlock:
		sp := &e.scens[a.step.sc].steps[a.step.st].perms[a.sp]
		d.permStep(w, a)
		w.raw(`,"title":`)
		w.str(lt.perm[a.perm].blockTitle)
		w.raw(`,"body":`)
		w.str(sp.texts[d.r.locale].refusal)
	}
	w.byte('}')
}

func (d *decision) permStep(w *jsonWriter, a *action) {
	w.raw(`,"permission":`)
	w.str(bundle.Permissions[a.perm])
	w.raw(`,"scenario":`)
	w.str(d.e.scens[a.step.sc].id)
	w.raw(`,"step":`)
	w.str(d.e.scens[a.step.sc].steps[a.step.st].id)
}

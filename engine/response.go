package engine

import (
	"encoding/hex"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// Decide answers one request: it appends the response JSON, or an error
// object {"error": {...}}, to dst and returns the extended slice. It
// never panics on any input; a state it cannot trust is replaced by a
// fresh one, with a STATE entry in the trace saying why.
func (e *Engine) Decide(dst, request []byte) []byte { return e.decide(dst, request, nil) }

// StateCache keeps the last state an engine returned, read, so that a
// host that sends it back unchanged, as hosts do, spares the engine
// reading it again: in wasm that is a fifth of a decision. It changes no
// answer; a state that differs by a byte is read as usual.
//
// # Notes
//
// A StateCache is for one host and not safe for concurrent use.
type StateCache struct {
	e   *Engine
	raw []byte
	st  state
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
		c.e, c.raw = e, c.raw[:0]
	}
	if err := e.parse(&d.r, request, c); err != nil {
		return appendError(dst, err)
	}
	d.st = freshState()
	if d.r.hasState {
		why := d.r.stateWhy
		if why == "" && !d.r.cached && !e.verifyState(&d.r.state, d.r.stateHash) {
			why = "state integrity hash does not match: the state was changed outside the engine"
		}
		if why != "" {
			d.note(ruleState, why, ": the engine starts as on a fresh install")
		} else {
			d.st = d.r.state
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
	out, stateAt, stateEnd := d.render(dst)
	if c != nil {
		c.raw = append(c.raw[:0], out[stateAt:stateEnd]...)
		c.st = d.st
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
func AppendError(dst []byte, err *Error) []byte { return appendError(dst, err) }

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
	if d.consented() { // no SDK before consent or after its withdrawal
		var runs uint64
		for i := range e.sdks {
			if d.sdkRuns(i) {
				runs |= 1 << i
			}
		}
		if pl := d.r.dev.platform; runs == e.sdkBase[pl] {
			w.raw(e.sdkBaseJSON[pl])
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
		w.id(t.rule)
		w.raw(`,"detail":`)
		if t.rule == ruleState { // may quote what the host sent
			w.b = appendBytes(w.b, d.detail(t))
		} else { // vocabulary, ids and the engine's words: plain (see New)
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
	w.id(actionNames[a.kind])
	switch a.kind {
	case actShowPolicy:
		title, body, accept, decline := e.popupTexts(lt, a.pop)
		w.raw(`,"version":`)
		w.id(e.version)
		w.raw(`,"change":`)
		w.id(popNames[a.pop])
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
	case actBasicMode:
		w.field("body", lt.basicMode)
	case actShowRationale:
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
	case actRequestPermission:
		w.raw(`,"permission":`)
		w.id(bundle.Permissions[a.perm])
		w.raw(`,"platform_ids":[`)
		for i, id := range e.ids(a.perm, &d.r.dev) {
			w.comma(i)
			w.id(id)
		}
		w.byte(']')
	case actOpenSettings:
		w.raw(`,"permission":`)
		w.id(bundle.Permissions[a.perm])
		w.field("title", lt.perm[a.perm].settingsTitle)
		w.field("body", lt.perm[a.perm].settings[d.r.dev.platform])
	case actProceed:
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
				w.id(bundle.Permissions[step.perms[i].perm])
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
	case actBlock:
		sp := &e.scens[a.step.sc].steps[a.step.st].perms[a.sp]
		d.permStep(w, a)
		w.field("title", lt.perm[a.perm].blockTitle)
		w.field("body", sp.texts[d.r.locale].refusal)
	}
	w.byte('}')
}

func (d *decision) permStep(w *jsonWriter, a *action) {
	w.raw(`,"permission":`)
	w.id(bundle.Permissions[a.perm])
	w.raw(`,"scenario":`)
	w.id(d.e.scens[a.step.sc].id)
	w.raw(`,"step":`)
	w.id(d.e.scens[a.step.sc].steps[a.step.st].id)
}

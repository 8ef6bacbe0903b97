package engine

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Consent receipts (CONTRACT.md, "Receipts"): one for each policy answer,
// rationale answer, permission result and withdrawal, each naming the
// SHA-256 of the texts shown and chained to the one before by its hash.

// receiptKind is what a receipt records.
type receiptKind uint8

const (
	rcptPolicy receiptKind = iota
	rcptRationale
	rcptPermission
	rcptWithdraw
	rcptConsent
	numReceiptKinds
)

var receiptKinds = [numReceiptKinds]string{
	rcptPolicy: "policy", rcptRationale: "rationale", rcptPermission: "permission", rcptWithdraw: "withdraw",
	rcptConsent: "consent",
}

// noPerm is the permission of what concerns no permission: the policy
// itself, or a separate consent asked on its own.
const noPerm = vocab.NumPermissions

// receipt is a consent receipt created by this call.
type receipt struct {
	kind    receiptKind
	ver     int              // index into history of the version whose texts it records
	perm    vocab.Permission // noPerm for the policy
	step    stepRef
	text    [32]byte
	answer  string
	consent int // index into Engine.consents of the separate consent it records, or -1
	prev    [32]byte
	hasPrev bool
	hash    [32]byte
}

// receipt records a consent receipt and chains it to the one before: its
// hash is the SHA-256 of its own JSON without the hash member, and its
// "prev" is the hash of the receipt before it.
func (d *decision) receipt(kind receiptKind, ver int, perm vocab.Permission, step stepRef, text [32]byte, ans string, consent int) {
	if d.nRcpts == len(d.rcpts) {
		return
	}
	st := &d.st
	rc := receipt{kind: kind, ver: ver, perm: perm, step: step, text: text, answer: ans, consent: consent, prev: st.last, hasPrev: st.hasLast}
	body := d.appendReceipt(d.scratch[:0], &rc)
	d.scratch = body[:0]
	rc.hash = sha256.Sum256(body)
	st.last, st.hasLast = rc.hash, true
	d.rcpts[d.nRcpts] = rc
	d.nRcpts++
}

// appendReceipt appends a receipt's JSON without its hash member.
func (d *decision) appendReceipt(b []byte, rc *receipt) []byte {
	w := jsonWriter{b}
	w.raw(`{"kind":`)
	w.id(receiptKinds[rc.kind])
	w.raw(`,"policy":`)
	w.id(d.e.id)
	w.raw(`,"version":`)
	w.id(d.e.history[rc.ver].version)
	if rc.perm != noPerm {
		w.raw(`,"permission":`)
		w.id(rc.perm.String())
	}
	if rc.consent >= 0 {
		c := &d.e.consents[rc.consent]
		w.raw(`,"sensitive":`)
		w.id(c.sensitive.String())
		w.raw(`,"purpose":`)
		w.id(c.purpose)
	}
	if rc.step.sc >= 0 {
		w.raw(`,"scenario":`)
		w.id(d.e.scens[rc.step.sc].id)
		w.raw(`,"step":`)
		w.id(d.e.scens[rc.step.sc].steps[rc.step.st].id)
	}
	if rc.text != ([32]byte{}) {
		w.raw(`,"text":"`)
		w.b = hex.AppendEncode(w.b, rc.text[:])
		w.byte('"')
	}
	w.raw(`,"answer":`)
	w.id(rc.answer)
	if rc.consent >= 0 {
		w.raw(`,"separate_consent":true`)
	}
	w.raw(`,"time":`)
	w.b = appendBytes(w.b, d.r.nowRaw)
	w.raw(`,"prev":"`)
	if rc.hasPrev {
		w.b = hex.AppendEncode(w.b, rc.prev[:])
	}
	w.raw(`"}`)
	return w.b
}

// screenHash is the hash of a screen an ask shows (a rationale, a consent
// screen, an iOS pre-permission screen) as shown in the request's locale:
// title, body, consequence and buttons. It is computed by the first
// receipt that needs it rather than at New, which keeps the module's
// start-up short, and then remembered.
func (d *decision) screenHash(sp *stepPermModel, sc screen) [32]byte {
	lt := &d.e.locales[d.r.locale]
	t := &sp.texts[d.r.locale]
	h := &t.shown[sc]
	h.once.Do(func() {
		switch sc {
		case screenConsent:
			h.sum = d.textHash(lt.consentTitle[sp.sensitive].raw, t.body.raw, t.refusal.raw, lt.consAccept.raw, lt.consDecline.raw)
		case screenPrePermission:
			h.sum = d.textHash(lt.perm[sp.perm].rationaleTitle.raw, t.purpose.raw, t.refusal.raw, lt.ratAccept.raw, "")
		default:
			h.sum = d.textHash(lt.perm[sp.perm].rationaleTitle.raw, t.body.raw, t.refusal.raw, lt.ratAccept.raw, lt.ratDecline.raw)
		}
	})
	return h.sum
}

// rationaleHash is the hash of the screen that asks for sp when it is
// not waiting for a consent of its own: the consent screen of a consent
// with no permission, or the permission's rationale as the device shows it.
func (d *decision) rationaleHash(sp *stepPermModel) [32]byte {
	switch {
	case sp.perm == noPerm:
		return d.screenHash(sp, screenConsent)
	case d.r.dev.onePrePermissionButton():
		return d.screenHash(sp, screenPrePermission)
	}
	return d.screenHash(sp, screenRationale)
}

// policyHash is the hash of the policy popup as shown in the request's
// locale: its title, body, lines of change, links (each link's title
// and URL) and buttons. It depends on the popup, the version the changes
// start after and the locale, and is remembered per each at its first use:
// the state keeps it from the moment the popup is shown.
func (d *decision) policyHash(pop popup, from int) [32]byte {
	e := d.e
	h := &e.popupHashes[(d.r.locale*(len(e.history)+1)+from+1)*numPopups+int(pop-popFirst)]
	h.once.Do(func() {
		lt := &e.locales[d.r.locale]
		title, body, accept, decline := lt.popupTexts(pop)
		texts := []string{title.raw, body.raw}
		if pop != popFirst {
			e.changeLines(from, d.r.locale, func(t text) { texts = append(texts, t.raw) })
		}
		for _, l := range e.b.Policy.Links {
			texts = append(texts, e.b.Text(lt.tag, l.Title), l.URLs[lt.tag])
		}
		h.sum = d.textHash(append(texts, accept.raw, decline.raw)...)
	})
	return h.sum
}

// textHash is the SHA-256 of texts shown together, each ended by a
// newline. It joins them in the scratch space of the caller's buffer.
func (d *decision) textHash(texts ...string) [32]byte {
	b := d.scratch[:0]
	for _, t := range texts {
		b = append(append(b, t...), '\n')
	}
	d.scratch = b[:0]
	return sha256.Sum256(b)
}

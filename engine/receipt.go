package engine

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Consent receipts (CONTRACT.md, "Receipts"): one for each policy answer,
// rationale answer, permission result and withdrawal, each naming the
// SHA-256 of the texts shown, numbered within the installation and chained
// to the one before by its hash. A receipt is written in its canonical
// JSON form (RFC 8785: members sorted, no white space), so that the bytes
// the engine emits are the bytes its hash covers, less "hash" and "id".

// ReceiptVersion is the layout version of a receipt, its "v" member.
const ReceiptVersion = 2

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
	locale  int              // index into Engine.locales of the locale they were shown in
	perm    vocab.Permission // noPerm for the policy
	step    stepRef
	text    [32]byte
	answer  string
	consent int // index into Engine.consents of the separate consent it records, or -1
	seq     int64
	prev    [32]byte
	hasPrev bool
	behind  bool // its time is an earlier instant than the previous receipt's
	hash    [32]byte
}

// shownIn says in which version and locale the texts a receipt records
// were shown: 1 + their index into history and Engine.locales; 0 for
// the active version and the request's locale.
type shownIn struct{ ver, locale int }

// receipt records a consent receipt and chains it to the one before: it
// takes the next number of the state's head, "prev" is the head's hash,
// and its own hash, the SHA-256 of its canonical JSON without "hash" and
// "id", becomes the head.
func (d *decision) receipt(kind receiptKind, in shownIn, perm vocab.Permission, step stepRef, text [32]byte, ans string, consent int) {
	if d.nRcpts == len(d.rcpts) {
		return
	}
	h := &d.st.head
	rc := receipt{kind: kind, ver: len(d.e.history) - 1, locale: d.r.locale, perm: perm, step: step, text: text, answer: ans, consent: consent,
		seq: h.seq + 1, prev: h.hash, hasPrev: h.has}
	if in.ver > 0 {
		rc.ver = in.ver - 1
	}
	if in.locale > 0 {
		rc.locale = in.locale - 1
	}
	if h.nTime > 0 {
		rc.behind = earlier(d.r.nowRaw, h.time[:h.nTime])
	}
	body := d.appendReceipt(d.scratch[:0], &rc, false)
	d.scratch = body[:0]
	rc.hash = sha256.Sum256(body)
	h.seq, h.hash, h.has = rc.seq, rc.hash, true
	h.nTime = uint8(copy(h.time[:], d.r.nowRaw))
	d.rcpts[d.nRcpts] = rc
	d.nRcpts++
}

// appendReceipt appends a receipt's canonical JSON: its members in the
// order of their names, the optional ones only when they apply. Without
// full it leaves out "hash" and "id", which is what the hash covers.
func (d *decision) appendReceipt(b []byte, rc *receipt, full bool) []byte {
	e := d.e
	w := jsonWriter{b}
	w.raw(`{"answer":`)
	w.id(rc.answer)
	if e.bundleHash != "" {
		w.raw(`,"bundle":`)
		w.id(e.bundleHash)
	}
	if full {
		w.raw(`,"hash":"`)
		w.b = hex.AppendEncode(w.b, rc.hash[:])
		w.raw(`","id":"`)
		w.b = appendUUID(w.b, &rc.hash)
		w.byte('"')
	}
	if len(d.r.installation) > 0 {
		w.raw(`,"installation":`)
		w.b = appendPlain(w.b, d.r.installation)
	}
	w.raw(`,"kind":`)
	w.id(receiptKinds[rc.kind])
	w.raw(`,"locale":`)
	w.b = appendCanonical(w.b, e.locales[rc.locale].tag)
	if rc.perm != noPerm {
		w.raw(`,"permission":`)
		w.id(rc.perm.String())
	}
	w.raw(`,"platform":`)
	w.id(d.r.dev.platform.String())
	if len(d.r.devVersion) > 0 {
		w.raw(`,"platform_version":`)
		w.b = appendCanonical(w.b, string(d.r.devVersion))
	}
	w.raw(`,"policy":`)
	w.id(e.id)
	w.raw(`,"prev":"`)
	if rc.hasPrev {
		w.b = hex.AppendEncode(w.b, rc.prev[:])
	}
	w.byte('"')
	var c *consentModel
	if rc.consent >= 0 {
		c = &e.consents[rc.consent]
		w.raw(`,"purpose":`)
		w.id(c.purpose)
	}
	if rc.step.sc >= 0 {
		w.raw(`,"scenario":`)
		w.id(e.scens[rc.step.sc].id)
	}
	if c != nil {
		w.raw(`,"sensitive":`)
		w.id(c.sensitive.String())
		w.raw(`,"separate_consent":true`)
	}
	w.raw(`,"seq":`)
	w.int(rc.seq)
	if rc.step.sc >= 0 {
		w.raw(`,"step":`)
		w.id(e.scens[rc.step.sc].steps[rc.step.st].id)
	}
	if rc.text != ([32]byte{}) {
		w.raw(`,"text":"`)
		w.b = hex.AppendEncode(w.b, rc.text[:])
		w.byte('"')
	}
	w.raw(`,"time":`)
	w.b = appendPlain(w.b, d.r.nowRaw)
	if rc.behind {
		w.raw(`,"time_behind":true`)
	}
	w.raw(`,"v":2,"version":`)
	w.id(e.history[rc.ver].version)
	w.byte('}')
	return w.b
}

// appendUUID appends the receipt id derived from its hash: an RFC 9562
// UUID version 8 made of the hash's first 16 bytes, with the version and
// variant bits set, lowercase 8-4-4-4-12.
func appendUUID(b []byte, sum *[32]byte) []byte {
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = 0x80 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	b = hex.AppendEncode(b, u[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, u[10:16])
}

// appendPlain appends a string the request's reader checked is plain
// ASCII that needs no escaping (an installation id, an RFC 3339 time).
func appendPlain(b, s []byte) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendCanonical appends s as RFC 8785 writes a string: the quote, the
// backslash and control characters escaped (\b \f \n \r \t, others as
// \u00xx in lowercase hex), everything else as it is, in UTF-8. It differs
// from appendString, which also escapes U+2028 and U+2029.
func appendCanonical(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
		texts = append(texts, lt.linkTexts...)
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

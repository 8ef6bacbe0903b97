package engine

import (
	"crypto/sha256"
	"strconv"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/internal/jsontext"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// The chain is the record; the state is its cache (CONTRACT.md, "The
// record"). rebuild folds a chain of receipts into the lasting part of a
// state, the part an answer changes: the policy accepted and seen, basic
// mode, the separate consents given and refused, the permissions' denials,
// refusals and withdrawals, and the head. What a screen waiting for an
// answer needs (pending, flow, resume, at) is not lasting: a restored
// state starts with none. Each receipt is checked first, as a verifier
// would: its canonical JSON hashes to its hash, the id is the one its
// hash gives, and it follows the one before (number, prev).

// The members of a receipt, in canonical order.
const (
	rmAnswer = iota
	rmBundle
	rmHash
	rmID
	rmInstallation
	rmKind
	rmLocale
	rmPermission
	rmPlatform
	rmPlatformVersion
	rmPolicy
	rmPrev
	rmPurpose
	rmScenario
	rmSensitive
	rmSeparateConsent
	rmSeq
	rmStep
	rmText
	rmTime
	rmTimeBehind
	rmV
	rmVersion
	numReceiptMembers
)

var receiptMemberNames = [numReceiptMembers]string{
	"answer", "bundle", "hash", "id", "installation", "kind", "locale", "permission", "platform",
	"platform_version", "policy", "prev", "purpose", "scenario", "sensitive", "separate_consent",
	"seq", "step", "text", "time", "time_behind", "v", "version",
}

// The members every receipt has.
const receiptRequired = 1<<rmAnswer | 1<<rmHash | 1<<rmID | 1<<rmKind | 1<<rmLocale | 1<<rmPlatform |
	1<<rmPolicy | 1<<rmPrev | 1<<rmSeq | 1<<rmTime | 1<<rmV | 1<<rmVersion

// receiptIn is a receipt as read: its string members, its numbers, its
// flags, and a bit per member it has.
type receiptIn struct {
	str    [numReceiptMembers][]byte
	seq, v int64
	has    uint32
}

func (r *receiptIn) is(m int) bool { return r.has&(1<<m) != 0 }

// canonical appends the receipt's canonical JSON without hash and id.
func (r *receiptIn) canonical(b []byte) []byte {
	b = append(b, '{')
	n := 0
	for m := range numReceiptMembers {
		if !r.is(m) || m == rmHash || m == rmID {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(append(append(b, '"'), receiptMemberNames[m]...), '"', ':')
		switch m {
		case rmSeq:
			b = strconv.AppendInt(b, r.seq, 10)
		case rmV:
			b = strconv.AppendInt(b, r.v, 10)
		case rmSeparateConsent, rmTimeBehind:
			b = append(b, "true"...)
		default:
			b = appendCanonical(b, string(r.str[m]))
		}
	}
	return append(b, '}')
}

// chainRead reads the receipts of a chain, one at a time, and checks each
// and its link to the one before.
type chainRead struct {
	e            *Engine
	s            jsontext.Scanner
	i            int      // the receipt read last, from 0
	buf          []byte   // scratch for the canonical JSON
	seq          int64    // the last receipt's number, 0 before the first
	hash         [32]byte // its hash
	time         []byte   // its time
	inst         []byte   // the installation of the chain, from its first receipt
	installation []byte   // the request's, which the chain must have if given
	first        bool
}

func (c *chainRead) fail(code errcode.Code, msg string) *errcode.Error {
	return &errcode.Error{Code: code, Field: "receipts[" + strconv.Itoa(c.i) + "]", Message: "receipts[" + strconv.Itoa(c.i) + "] " + msg}
}

// next reads the next receipt of the array into r; it reports false at
// the end of the array or on an error (then err says what).
func (c *chainRead) next(r *receiptIn) (bool, *errcode.Error) {
	s := &c.s
	if !s.More(&c.first, "receipts") {
		if s.Err != nil {
			return false, s.Err
		}
		return false, nil
	}
	c.i++
	*r = receiptIn{}
	if !s.Object("receipts") {
		return false, c.fail(errcode.BadReceipt, "is not an object")
	}
	first := true
	for {
		key, ok := s.Next(&first, "receipts")
		if !ok {
			break
		}
		m := -1
		for j := range receiptMemberNames {
			if receiptMemberNames[j] == string(key) {
				m = j
				break
			}
		}
		if m < 0 {
			return false, c.fail(errcode.BadReceipt, "has a member a receipt of version 2 does not have, "+quote(key))
		}
		switch m {
		case rmSeq, rmV:
			n, ok := s.Int("receipts")
			if !ok || n < 1 {
				return false, c.fail(errcode.BadReceipt, receiptMemberNames[m]+" is not a number from 1")
			}
			if m == rmSeq {
				r.seq = n
			} else {
				r.v = n
			}
		case rmSeparateConsent, rmTimeBehind:
			v, ok := s.Bool("receipts")
			if !ok || !v {
				return false, c.fail(errcode.BadReceipt, receiptMemberNames[m]+" is not true")
			}
		default:
			v, ok := s.Str("receipts")
			if !ok {
				return false, c.fail(errcode.BadReceipt, receiptMemberNames[m]+" is not a string")
			}
			r.str[m] = v
		}
		r.has |= 1 << m
	}
	if s.Err != nil {
		return false, s.Err
	}
	return true, nil
}

// check checks one receipt as CONTRACT.md's verification says, and its
// link to the one before.
func (c *chainRead) check(r *receiptIn) *errcode.Error {
	for m := range numReceiptMembers {
		if receiptRequired&(1<<m) != 0 && !r.is(m) {
			return c.fail(errcode.BadReceipt, "has no "+receiptMemberNames[m])
		}
	}
	if r.v != ReceiptVersion {
		return c.fail(errcode.BadReceipt, "is not a receipt of version 2")
	}
	var hash [32]byte
	if h := r.str[rmHash]; len(h) != 64 || !decodeHex(hash[:], h) {
		return c.fail(errcode.BadReceipt, "has a hash that is not 64 hex digits")
	}
	c.buf = r.canonical(c.buf[:0])
	if sha256.Sum256(c.buf) != hash {
		return c.fail(errcode.BadReceipt, "does not hash to its hash: it was changed")
	}
	if id := appendUUID(c.buf[:0], &hash); string(id) != string(r.str[rmID]) {
		return c.fail(errcode.BadReceipt, "has an id that its hash does not give")
	}
	if string(r.str[rmPolicy]) != c.e.id {
		return c.fail(errcode.BadReceipt, "is a receipt of policy "+quote(r.str[rmPolicy])+", not "+c.e.id)
	}
	inst := r.str[rmInstallation]
	switch {
	case c.i == 0 && len(c.installation) > 0 && string(inst) != string(c.installation):
		return c.fail(errcode.BadReceipt, "is of installation "+quote(inst)+", not the request's")
	case c.i > 0 && string(inst) != string(c.inst):
		return c.fail(errcode.BadReceipt, "is of installation "+quote(inst)+", not that of the chain, "+quote(c.inst))
	}
	c.inst = inst
	var prev [32]byte
	if p := r.str[rmPrev]; len(p) > 0 && (len(p) != 64 || !decodeHex(prev[:], p)) {
		return c.fail(errcode.BadReceipt, "has a prev that is not 64 hex digits or empty")
	}
	switch {
	case r.seq != c.seq+1:
		return c.fail(errcode.BadReceipt, "is numbered "+strconv.FormatInt(r.seq, 10)+" after "+strconv.FormatInt(c.seq, 10)+": the chain has a gap or a repeat")
	case c.seq > 0 && prev != c.hash:
		return c.fail(errcode.BadReceipt, "does not point to the receipt before it (prev)")
	}
	if _, _, ok := parseInstant(r.str[rmTime]); !ok {
		return c.fail(errcode.BadReceipt, "has a time that is not RFC 3339")
	}
	if behind := c.seq > 0 && earlier(r.str[rmTime], c.time); behind != r.is(rmTimeBehind) {
		return c.fail(errcode.BadReceipt, "has time_behind where its time does not go back, or none where it does")
	}
	c.seq, c.hash, c.time = r.seq, hash, r.str[rmTime]
	return nil
}

func decodeHex(dst, src []byte) bool {
	if len(src)%2 != 0 || len(dst) < len(src)/2 {
		return false
	}
	for i := 0; i < len(src); i += 2 {
		hi, ok1 := fromHex(src[i])
		lo, ok2 := fromHex(src[i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i/2] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// rebuild folds the receipts (a JSON array at data[start:end]) into st:
// the whole chain, from its receipt numbered 1, into a fresh state; or
// the receipts after the head of st, the lasting part of a state, into it
// (a chain too long for one request restored in parts). installation, if
// given, is the request's: the chain must be its.
func (e *Engine) rebuild(st *state, data []byte, start, end int, installation []byte, cp *checkpoint) *errcode.Error {
	c := chainRead{e: e, s: jsontext.Scanner{Data: data[:end], Pos: start}, i: -1, first: true, installation: installation,
		seq: st.head.seq, hash: st.head.hash, time: st.head.time[:st.head.nTime]}
	if !c.s.Array("receipts") {
		return c.s.Err
	}
	var r receiptIn
	n := 0
	for {
		ok, err := c.next(&r)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if n == 0 && r.seq == 1 && st.head.has {
			// The whole chain: the state sent is not part of it.
			*st = freshState()
			c.seq, c.time = 0, nil
		}
		if err := c.check(&r); err != nil {
			return err
		}
		if cp != nil && r.seq == cp.seq && c.hash != cp.head {
			return c.fail(errcode.BadReceipt, "is not the receipt the record's checkpoint signs for its number: the chain was changed or forked")
		}
		n++
		if err := e.apply(st, &r, &c); err != nil {
			return err
		}
	}
	if n == 0 {
		return &errcode.Error{Code: errcode.BadReceipt, Field: "receipts", Message: "receipts is empty: a restore needs the installation's chain"}
	}
	if cp != nil && c.seq < cp.seq {
		return &errcode.Error{Code: errcode.BadReceipt, Field: "receipts", Message: "the chain ends at receipt " + strconv.FormatInt(c.seq, 10) + ", before the record's checkpoint (receipt " + strconv.FormatInt(cp.seq, 10) + "): it was cut"}
	}
	return nil
}

// apply moves the lasting part of a state on by one receipt, as the
// answer it records moved the state that made it (rules.go).
func (e *Engine) apply(st *state, r *receiptIn, c *chainRead) *errcode.Error {
	ver := e.versionIndex(r.str[rmVersion])
	if ver < 0 {
		if e.newerVersion(r.str[rmVersion]) {
			return &errcode.Error{Code: errcode.StaleBundle, Field: "receipts[" + strconv.Itoa(c.i) + "].version",
				Message: "the chain records policy version " + quote(r.str[rmVersion]) + ", newer than this bundle's " + e.version + ": load the newer bundle first"}
		}
		return c.fail(errcode.BadReceipt, "records policy version "+quote(r.str[rmVersion])+", which this bundle does not have")
	}
	now, _ := parseTime(r.str[rmTime])
	consent := -1
	if r.is(rmSensitive) || r.is(rmPurpose) {
		if consent = e.consentByName(r.str[rmSensitive], r.str[rmPurpose]); consent < 0 {
			return c.fail(errcode.BadReceipt, "names a separate consent this policy does not ask, "+quote(r.str[rmSensitive])+"/"+quote(r.str[rmPurpose]))
		}
	}
	perm := noPerm
	if r.is(rmPermission) {
		p, ok := vocab.ParsePermission(string(r.str[rmPermission]))
		if !ok || !e.perms[p].inPolicy {
			return c.fail(errcode.BadReceipt, "names a permission this policy does not ask, "+quote(r.str[rmPermission]))
		}
		perm = p
	}
	answer := string(r.str[rmAnswer])
	h := &st.head
	defer func() {
		h.seq, h.hash, h.has = r.seq, c.hash, true
		h.nTime = uint8(copy(h.time[:], r.str[rmTime]))
	}()
	switch kind := string(r.str[rmKind]); kind {
	case "policy":
		if answer != "accepted" && answer != "declined" {
			break
		}
		e.applyPolicy(st, ver, answer == "accepted")
	case "consent":
		switch {
		case consent < 0:
			return c.fail(errcode.BadReceipt, "is a consent receipt that names no separate consent")
		case answer == "accepted":
			st.consents.give(consent)
		case answer == "declined":
			st.consents.decline(consent, now)
		}
	case "rationale", "permission":
		if perm == noPerm {
			return c.fail(errcode.BadReceipt, "is a "+kind+" receipt that names no permission")
		}
		sp := e.askOf(r.str[rmScenario], r.str[rmStep], perm)
		optional := sp != nil && sp.conseq != vocab.Blocking
		ps := &st.perms[perm]
		if kind == "rationale" {
			switch answer {
			case "accepted":
				if consent >= 0 {
					st.consents.give(consent)
				}
				ps.withdrawn = false
			case "declined":
				if consent >= 0 {
					st.consents.decline(consent, now)
				}
				if optional {
					ps.refused = now
				}
			}
			break
		}
		switch answer {
		case "granted", "limited":
			ps.withdrawn, ps.refused = false, 0
			return nil
		case "denied":
			ps.denials = min(ps.denials+1, maxDenials)
		case "denied_forever":
			ps.denials = max(ps.denials, 2)
		}
		if optional {
			ps.refused = now
		}
	case "withdraw":
		switch {
		case perm != noPerm:
			st.perms[perm].withdrawn = true
		case consent >= 0:
			st.consents.withdraw(consent)
		default:
			st.accepted, st.basic = -1, true
			st.consents.given = 0
			for p := range st.perms {
				st.perms[p].withdrawn = e.perms[p].inPolicy
			}
		}
	default:
		return c.fail(errcode.BadReceipt, "is of kind "+quote(r.str[rmKind])+", which receipts do not have")
	}
	return nil
}

// applyPolicy applies a policy answer for version ver, as policyAnswer
// does: the popup it answered was the first (no version accepted), a
// major one (a version after the accepted one is major) or a minor one.
func (e *Engine) applyPolicy(st *state, ver int, accepted bool) {
	st.seen = max(st.seen, ver)
	minor := st.accepted >= 0
	for i := st.accepted + 1; minor && i <= ver; i++ {
		minor = !e.history[i].major
	}
	switch {
	case minor && accepted:
		st.accepted = max(st.accepted, ver)
	case minor:
	case accepted:
		if st.accepted >= 0 {
			st.consents.given = 0 // a major update asks the separate consents again
		}
		st.accepted, st.basic = ver, false
	default:
		st.basic = true
	}
}

// askOf returns the ask of a step for a permission, or nil where the
// bundle has no such step or it does not ask the permission.
func (e *Engine) askOf(scenario, step []byte, perm vocab.Permission) *stepPermModel {
	sc := e.scenarioIndex(scenario)
	if sc < 0 {
		return nil
	}
	for i := range e.scens[sc].steps {
		stm := &e.scens[sc].steps[i]
		if stm.id != string(step) {
			continue
		}
		for j := range stm.asks {
			if stm.asks[j].perm == perm {
				return &stm.asks[j]
			}
		}
	}
	return nil
}

// Rebuild returns the lasting part of the state that a chain of receipts
// (a JSON array, an installation's whole chain from its first receipt)
// records, as the event restore does: an error names the receipt at
// fault (receipts[i]). The state's integrity hash is unkeyed.
func (e *Engine) Rebuild(receipts []byte) ([]byte, error) {
	if err := jsontext.Validate(receipts); err != nil {
		return nil, err
	}
	st := freshState()
	if err := e.rebuild(&st, receipts, 0, len(receipts), nil, nil); err != nil {
		return nil, err
	}
	return e.encodeState(nil, &st, nil), nil
}

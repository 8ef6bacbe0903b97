package engine

import (
	"encoding/binary"
	"strconv"

	"github.com/jitconsent/jitconsent/engine/internal/jsontext"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// The state's JSON form (CONTRACT.md, "State"): compact, with the fields
// in a fixed order and its integrity hash (digest.go) last. Reading is
// strict: a state with a field unknown, repeated (the scanner rejects a
// repeated name) or out of range cannot be used, which is no error:
// useState starts afresh and traces why.

// decodeState reads the state object at data[start:] and returns it with
// its integrity hash and the offset after it. A state that cannot be used
// is not an error: decodeState returns why, and the caller starts afresh.
// The hash is checked by verifyState.
func (e *Engine) decodeState(data []byte, start int, x *stateExtra) (st state, hash uint64, end int, why string) {
	st = freshState()
	*x = stateExtra{}
	s := jsontext.Scanner{Data: data, Pos: start}
	version := int64(-1)
	var policy []byte
	if !s.Object("state") {
		return st, 0, 0, "state is not an object"
	}
	reset := func(why string) (state, uint64, int, string) {
		return freshState(), 0, 0, why
	}
	bad := func(field string) (state, uint64, int, string) {
		return reset("state." + field + " is not valid")
	}
	hasHash := false
	first := true
	for {
		key, ok := s.Next(&first, "state")
		if !ok {
			break
		}
		switch string(key) {
		case "v":
			version, ok = s.Int("v")
		case "policy":
			policy, ok = s.Str("policy")
			if ok && string(policy) != e.id {
				return reset("state is for policy " + quote(policy) + ", not " + e.id)
			}
		case "accepted", "seen":
			var v []byte
			if v, ok = s.Str("state"); ok {
				i := e.versionIndex(v)
				if i < 0 {
					if e.newerVersion(v) {
						x.stale = v // an error: the host keeps the state
					}
					return reset("state." + string(key) + " names version " + quote(v) + ", which this bundle does not have")
				}
				if key[0] == 'a' {
					st.accepted = i
				} else {
					st.seen = i
				}
			}
		case "basic":
			st.basic, ok = s.Bool("basic")
		case "pending":
			var v []byte
			if v, ok = s.Str("pending"); ok {
				if st.pending, ok = parsePopup(v); !ok {
					return bad("pending")
				}
			}
		case "popup_text":
			if !decodeSum(&s, "popup_text", &st.popupText) {
				return bad("popup_text")
			}
		case "resume", "at":
			var v []byte
			if v, ok = s.Str("state"); ok {
				r, found := e.stepRefBytes(v)
				if !found || r.st < 0 {
					return reset("state." + string(key) + " names step " + quote(v) + ", which this bundle does not have")
				}
				if key[0] == 'r' {
					st.resume = r
				} else {
					st.at = r
				}
			}
		case "flow":
			if reason := e.decodeFlow(&s, &st.flow, x); reason != "" {
				return reset(reason)
			}
		case "perms":
			if reason := decodePerms(&s, &st.perms, x); reason != "" {
				return reset(reason)
			}
		case "consents":
			if reason := e.decodeConsents(&s, &st.consents, x); reason != "" {
				return reset(reason)
			}
		case "last":
			if st.head.has {
				return reset("state has both last and head")
			}
			var v []byte
			if v, ok = s.Str("last"); ok {
				if len(v) != 64 {
					return bad("last")
				}
				if !decodeHex(st.head.hash[:], v) {
					return bad("last")
				}
				st.head.has = true
			}
		case "head":
			if st.head.has {
				return reset("state has both last and head")
			}
			if reason := decodeHead(&s, &st.head); reason != "" {
				return reset(reason)
			}
		case "popup_locale":
			var v []byte
			if v, ok = s.Str("popup_locale"); ok {
				if st.popupLocale = e.localeIndex(v) + 1; st.popupLocale == 0 {
					return reset("state.popup_locale names locale " + quote(v) + ", which this bundle does not have")
				}
			}
		case "hash":
			var v []byte
			if v, ok = s.Str("hash"); ok {
				var raw [8]byte
				if len(v) != 16 {
					return bad("hash")
				}
				if !decodeHex(raw[:], v) {
					return bad("hash")
				}
				hash, hasHash = binary.BigEndian.Uint64(raw[:]), true
			}
		default:
			return reset("state has an unknown field " + quote(key))
		}
		if !ok || s.Err != nil {
			return bad(string(key))
		}
	}
	switch {
	case s.Err != nil:
		return reset("state is not valid: " + s.Err.Message)
	case version < 0:
		return reset("state has no version")
	case version != StateVersion && version != 1:
		return reset("state version " + strconv.FormatInt(version, 10) + " is not " + strconv.Itoa(StateVersion))
	case version == 1 && x.consents:
		return reset("state version 1 has no consents")
	case version == StateVersion && x.v1separate:
		return reset("state.perms.separate belongs to state version 1")
	case policy == nil:
		return reset("state names no policy")
	case st.pending == popNone && st.popupText != [32]byte{}:
		return reset("state.popup_text belongs to no popup waiting")
	case st.popupLocale > 0 && st.popupText == [32]byte{}:
		return reset("state.popup_locale belongs to no popup_text")
	case !hasHash:
		return reset("state has no integrity hash")
	}
	x.v1 = version == 1
	return st, hash, s.Pos, ""
}

// stateExtra is what a state carried beyond the state the engine decides
// on: a version 1 state's separate consents, recorded by permission and
// category, to upgrade; and the consents this policy does not know, which
// the integrity hash covers and the state then drops.
type stateExtra struct {
	v1         bool
	v1separate bool                        // a perms member carried "separate"
	separate   [vocab.NumPermissions]uint8 // v1: bit per sensitive category
	consents   bool                        // the state carried "consents"
	stale      []byte                      // a policy version newer than the bundle's it names
	// The consents this policy does not know, which the integrity hash
	// covers: the first names, for the trace, and each's hash and values.
	names    [4][]byte
	unknown  [maxUnknown]unknownConsent
	nUnknown int
}

// maxUnknown bounds the consents a state may carry that the policy does
// not know (a policy asks a few).
const maxUnknown = 8

type unknownConsent struct {
	id      uint64 // hashString of "sensitive/purpose"
	given   bool
	refused int64
}

// verifyState checks a state's integrity hash, keyed if key is on.
func (e *Engine) verifyState(st *state, x *stateExtra, hash uint64, key *stateKey) bool {
	if x.v1 {
		return e.digestV1(st, x, key) == hash
	}
	return e.digestWith(st, key, x) == hash
}

func (e *Engine) decodeFlow(s *jsontext.Scanner, f *flow, x *stateExtra) string {
	if !s.Object("flow") {
		return "state.flow is not an object"
	}
	first := true
	for {
		key, ok := s.Next(&first, "flow")
		if !ok {
			break
		}
		switch string(key) {
		case "step":
			var v []byte
			if v, ok = s.Str("flow.step"); ok {
				r, found := e.stepRefBytes(v)
				if !found || r.st < 0 {
					return "state.flow.step names step " + quote(v) + ", which this bundle does not have"
				}
				f.step = r
			}
		case "i":
			var n int64
			if n, ok = s.Int("flow.i"); ok {
				if n < 0 || n > 15 {
					return "state.flow.i is out of range"
				}
				f.i = int(n)
			}
		case "wait":
			var v []byte
			if v, ok = s.Str("flow.wait"); ok {
				if f.wait, ok = parseWait(v); !ok {
					return "state.flow.wait is not valid"
				}
			}
		case "missing":
			var n int64
			if n, ok = s.Int("flow.missing"); ok {
				if n < 0 || n > 0xFFFF {
					return "state.flow.missing is out of range"
				}
				f.missing = uint16(n)
			}
		case "version":
			var v []byte
			if v, ok = s.Str("flow.version"); ok {
				i := e.versionIndex(v)
				if i < 0 {
					if e.newerVersion(v) {
						x.stale = v
					}
					return "state.flow.version names version " + quote(v) + ", which this bundle does not have"
				}
				f.shownV = i + 1
			}
		case "text":
			if !decodeSum(s, "flow.text", &f.shown) {
				return "state.flow.text is not valid"
			}
		case "locale":
			var v []byte
			if v, ok = s.Str("flow.locale"); ok {
				if f.shownL = e.localeIndex(v) + 1; f.shownL == 0 {
					return "state.flow.locale names locale " + quote(v) + ", which this bundle does not have"
				}
			}
		default:
			return "state.flow has an unknown field " + quote(key)
		}
		if !ok {
			return "state.flow." + string(key) + " is not valid"
		}
	}
	if s.Err != nil {
		return "state.flow is not valid: " + s.Err.Message
	}
	if f.step.sc < 0 || f.wait == waitNone {
		return "state.flow needs a step and what it waits for"
	}
	if (f.shownV > 0) != (f.shown != [32]byte{}) {
		return "state.flow needs both the version and the text of the screen shown, or neither"
	}
	if f.shownL > 0 && f.shownV == 0 {
		return "state.flow.locale belongs to no text shown"
	}
	return ""
}

func decodePerms(s *jsontext.Scanner, perms *[vocab.NumPermissions]permState, x *stateExtra) string {
	if !s.Object("perms") {
		return "state.perms is not an object"
	}
	first := true
	for {
		key, ok := s.Next(&first, "perms")
		if !ok {
			break
		}
		p, ok := vocab.ParsePermission(string(key))
		if !ok {
			return "state.perms has an unknown permission " + quote(key)
		}
		if reason := decodePerm(s, &perms[p], &x.separate[p]); reason != "" {
			return reason
		}
	}
	if s.Err != nil {
		return "state.perms is not valid: " + s.Err.Message
	}
	return ""
}

// decodePerm reads one permission's member of state.perms.
func decodePerm(s *jsontext.Scanner, ps *permState, separate *uint8) string {
	if !s.Object("perms") {
		return "state.perms is not valid"
	}
	first := true
	for {
		k, ok := s.Next(&first, "perms")
		if !ok {
			return ""
		}
		var n int64
		switch string(k) {
		case "denials":
			if n, ok = s.Int("denials"); ok && n >= 0 && n <= maxDenials {
				ps.denials = int(n)
			} else {
				ok = false
			}
		case "refused":
			if n, ok = s.Int("refused"); ok && n > 0 {
				ps.refused = n
			} else {
				ok = false
			}
		case "withdrawn":
			ps.withdrawn, ok = s.Bool("withdrawn")
		case "separate":
			if !s.Array("separate") {
				return "state.perms.separate is not an array"
			}
			afirst := true
			for s.More(&afirst, "separate") {
				v, ok := s.Str("separate")
				c, known := vocab.ParseSensitive(string(v))
				if !ok || !known {
					return "state.perms.separate is not valid"
				}
				*separate |= 1 << c
			}
			ok = s.Err == nil
		default:
			return "state.perms has an unknown field " + quote(k)
		}
		if !ok {
			return "state.perms." + string(k) + " is not valid"
		}
	}
}

// decodeSum reads a SHA-256 in hex; a zero one is not valid (it means
// none).
func decodeSum(s *jsontext.Scanner, field string, sum *[32]byte) bool {
	v, ok := s.Str(field)
	if !ok || len(v) != 64 {
		return false
	}
	if !decodeHex(sum[:], v) {
		return false
	}
	return *sum != [32]byte{}
}

// encodeState appends the state, its integrity hash (keyed if key is on)
// last. It appends to a local slice, with the constant parts joined, not
// through a jsonWriter: in wasm every append through a pointer loads and
// stores the slice in memory, and every append of a string is a call.
func (e *Engine) encodeState(b []byte, st *state, key *stateKey) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, StateVersion, 10)
	b = append(b, `,"policy":"`...)
	b = append(b, e.id...)
	if st.accepted >= 0 {
		b = append(b, `","accepted":"`...)
		b = append(b, e.history[st.accepted].version...)
	}
	if st.seen >= 0 {
		b = append(b, `","seen":"`...)
		b = append(b, e.history[st.seen].version...)
	}
	b = append(b, '"')
	if st.basic {
		b = append(b, `,"basic":true`...)
	}
	if st.pending != popNone {
		b = append(b, `,"pending":"`...)
		b = append(b, st.pending.String()...)
		b = append(b, '"')
	}
	if st.popupText != ([32]byte{}) {
		b = append(b, `,"popup_text":"`...)
		b = appendHex(b, st.popupText[:])
		b = append(b, '"')
		if st.popupLocale > 0 {
			b = append(b, `,"popup_locale":"`...)
			b = append(b, e.locales[st.popupLocale-1].tag...)
			b = append(b, '"')
		}
	}
	if st.resume.sc >= 0 {
		b = e.appendStep(append(b, `,"resume":"`...), st.resume)
	}
	if st.at.sc >= 0 {
		b = e.appendStep(append(b, `,"at":"`...), st.at)
	}
	if f := &st.flow; f.step.sc >= 0 {
		b = e.appendStep(append(b, `,"flow":{"step":"`...), f.step)
		b = append(b, `,"i":`...)
		b = strconv.AppendInt(b, int64(f.i), 10)
		b = append(b, `,"wait":"`...)
		b = append(b, f.wait.String()...)
		b = append(b, '"')
		if f.missing != 0 {
			b = append(b, `,"missing":`...)
			b = strconv.AppendInt(b, int64(f.missing), 10)
		}
		if f.shownV > 0 {
			b = append(b, `,"version":"`...)
			b = append(b, e.history[f.shownV-1].version...)
			b = append(b, `","text":"`...)
			b = appendHex(b, f.shown[:])
			b = append(b, '"')
			if f.shownL > 0 {
				b = append(b, `,"locale":"`...)
				b = append(b, e.locales[f.shownL-1].tag...)
				b = append(b, '"')
			}
		}
		b = append(b, '}')
	}
	n := 0
	for p := range vocab.NumPermissions {
		ps := &st.perms[p]
		if *ps == (permState{}) {
			continue
		}
		if n == 0 {
			b = append(b, `,"perms":{"`...)
		} else {
			b = append(b, `,"`...)
		}
		n++
		b = append(b, p.String()...)
		b = append(b, `":{`...)
		comma := false
		if ps.denials > 0 {
			b = append(b, `"denials":`...)
			b = strconv.AppendInt(b, int64(ps.denials), 10)
			comma = true
		}
		if ps.refused != 0 {
			if comma {
				b = append(b, ',')
			}
			b = append(b, `"refused":`...)
			b = strconv.AppendInt(b, ps.refused, 10)
			comma = true
		}
		if ps.withdrawn {
			if comma {
				b = append(b, ',')
			}
			b = append(b, `"withdrawn":true`...)
		}
		b = append(b, '}')
	}
	if n > 0 {
		b = append(b, '}')
	}
	n = 0
	cs := &st.consents
	for i := range e.consents {
		if !cs.has(i) && cs.refused[i] == 0 {
			continue
		}
		if n == 0 {
			b = append(b, `,"consents":{"`...)
		} else {
			b = append(b, `,"`...)
		}
		n++
		b = append(b, e.consents[i].id...)
		if cs.has(i) {
			b = append(b, `":{"given":true}`...)
		} else {
			b = append(b, `":{"refused":`...)
			b = strconv.AppendInt(b, cs.refused[i], 10)
			b = append(b, '}')
		}
	}
	if n > 0 {
		b = append(b, '}')
	}
	if h := &st.head; h.seq > 0 {
		b = append(b, `,"head":{"seq":`...)
		b = strconv.AppendInt(b, h.seq, 10)
		b = append(b, `,"hash":"`...)
		b = appendHex(b, h.hash[:])
		b = append(b, '"')
		if h.nTime > 0 {
			b = append(b, `,"time":"`...)
			b = append(b, h.time[:h.nTime]...)
			b = append(b, '"')
		}
		b = append(b, '}')
	} else if h.has {
		b = append(b, `,"last":"`...)
		b = appendHex(b, h.hash[:])
		b = append(b, '"')
	}
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], e.digest(st, key))
	b = append(b, `,"hash":"`...)
	b = appendHex(b, sum[:])
	return append(b, `"}`...)
}

// appendStep appends a step's "scenario/step" and the closing quote.
func (e *Engine) appendStep(b []byte, r stepRef) []byte {
	sc := &e.scens[r.sc]
	b = append(b, sc.id...)
	b = append(b, '/')
	b = append(b, sc.steps[r.st].id...)
	return append(b, '"')
}

// appendHex appends src in lowercase hex, as hex.AppendEncode does, four
// bytes at a time (hex8): the state's hashes are most of its length, and
// in wasm, where Go turns every jump back to a loop's start into a jump
// through the function's branch table, a turn per byte was a seventh of
// writing the state (a profile of the module).
func appendHex(b, src []byte) []byte {
	for len(src) >= 4 {
		b = binary.BigEndian.AppendUint64(b, hex8(binary.BigEndian.Uint32(src)))
		src = src[4:]
	}
	for _, c := range src {
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

// hex8 returns the eight hex digits of v, most significant first, as the
// bytes of a big-endian word: each nibble is spread into a byte of its
// own, then offset to '0'..'9' or, if above 9 (adding 6 carries into the
// byte's bit 4), to 'a'..'f'.
func hex8(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	above9 := (x + 0x0606060606060606) >> 4 & 0x0101010101010101
	return x + 0x3030303030303030 + above9*('a'-'0'-10)
}

// decodeConsents reads state.consents: per "sensitive/purpose", given or
// when it was last declined. A consent this policy does not know is
// dropped (useState traces it); the integrity hash still covers it.
func (e *Engine) decodeConsents(s *jsontext.Scanner, cs *consentSet, x *stateExtra) string {
	x.consents = true
	if !s.Object("consents") {
		return "state.consents is not an object"
	}
	first := true
	for {
		key, ok := s.Next(&first, "consents")
		if !ok {
			break
		}
		var given bool
		var refused int64
		if !s.Object("consents") {
			return "state.consents is not valid"
		}
		kfirst := true
		for {
			k, ok := s.Next(&kfirst, "consents")
			if !ok {
				break
			}
			switch string(k) {
			case "given":
				if given, ok = s.Bool("given"); ok && !given {
					ok = false
				}
			case "refused":
				if refused, ok = s.Int("refused"); ok && refused <= 0 {
					ok = false
				}
			default:
				return "state.consents has an unknown field " + quote(k)
			}
			if !ok {
				return "state.consents." + string(k) + " is not valid"
			}
		}
		if s.Err != nil {
			break
		}
		if given == (refused != 0) {
			return "state.consents " + quote(key) + " must be either given or refused"
		}
		i := e.consentByID(key)
		if i < 0 {
			if x.nUnknown == len(x.unknown) {
				return "state.consents records more consents this policy does not ask than any policy asks"
			}
			if x.nUnknown < len(x.names) {
				x.names[x.nUnknown] = key
			}
			x.unknown[x.nUnknown] = unknownConsent{hashString(string(key)), given, refused}
			x.nUnknown++
			continue
		}
		if given {
			cs.given |= 1 << i
		} else {
			cs.refused[i] = refused
		}
	}
	if s.Err != nil {
		return "state.consents is not valid: " + s.Err.Message
	}
	return ""
}

// decodeHead reads state.head: the newest receipt's number, hash and
// time; the time is unknown (absent) in a head taken from a checkpoint.
func decodeHead(s *jsontext.Scanner, h *head) string {
	if !s.Object("head") {
		return "state.head is not an object"
	}
	first := true
	for {
		key, ok := s.Next(&first, "head")
		if !ok {
			break
		}
		switch string(key) {
		case "seq":
			if h.seq, ok = s.Int("head.seq"); ok && h.seq < 1 {
				ok = false
			}
		case "hash":
			ok = decodeSum(s, "head.hash", &h.hash)
		case "time":
			var v []byte
			if v, ok = s.Str("head.time"); ok {
				_, _, ok = parseInstant(v)
				h.nTime = uint8(copy(h.time[:], v))
			}
		default:
			return "state.head has an unknown field " + quote(key)
		}
		if !ok {
			return "state.head." + string(key) + " is not valid"
		}
	}
	if s.Err != nil {
		return "state.head is not valid: " + s.Err.Message
	}
	if h.seq == 0 || h.hash == ([32]byte{}) {
		return "state.head needs seq and hash"
	}
	h.has = true
	return ""
}

package engine

import (
	"github.com/jitconsent/jitconsent/engine/internal/jsontext"

	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// StateVersion is the layout version of the state, its "v" field. A state
// with another version is treated as a fresh install.
const StateVersion = 1

// Popups a state can be waiting on an answer for.
const (
	popNone = iota
	popFirst
	popMajor
	popMinor
)

var popNames = []string{"", bundle.ChangeFirst, bundle.ChangeMajor, bundle.ChangeMinor}

// What a step in progress waits for.
const (
	waitNone = iota
	waitRationale
	waitRequest
	waitSettings
)

var waitNames = []string{"", "rationale", "request", "settings"}

// state is what the engine remembers between calls, carried by the host.
// Its JSON form (see encode) is canonical: the integrity hash covers the
// re-encoded fields, so a host that parses and re-serialises the object
// keeps it valid, and one that edits it loses it.
type state struct {
	accepted int     // index into history of the accepted version, -1 if none
	seen     int     // index of the newest version whose popup was shown, -1 if none
	basic    bool    // the user declined or withdrew: basic browsing only
	pending  int     // the popup waiting for an answer
	resume   stepRef // the step to go on with once the policy is accepted; sc < 0 if none
	at       stepRef // the step the user is in, for SDKs that run in a scenario
	flow     flow
	perms    [nPerm]permState
	last     [32]byte // hash of the newest receipt, the next one's "prev"
	hasLast  bool
}

// flow is a step in progress.
type flow struct {
	step    stepRef // sc < 0 if none
	i       int     // the step permission being asked
	wait    int
	missing uint16 // bit per step permission refused or unavailable
}

type permState struct {
	denials   int   // system dialogs denied (Android 11+ stops after two)
	refused   int64 // Unix seconds of the last refusal, 0 if none
	withdrawn bool  // withdrawn in the app; never restored silently
	separate  uint8 // bit per sensitive category with separate consent
}

func freshState() state {
	return state{accepted: -1, seen: -1, resume: noStep, at: noStep, flow: flow{step: noStep}}
}

var noStep = stepRef{-1, -1}

// decodeState reads the state object at data[start:] and returns it with
// its integrity hash and the offset after it. A state that cannot be used
// is not an error: decodeState returns why, and the caller starts afresh.
// The hash is checked by verifyState.
func (e *Engine) decodeState(data []byte, start int) (st state, hash uint64, end int, why string) {
	st = freshState()
	s := jsontext.Scanner{Data: data, Pos: start}
	hasHash := false
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
				if st.pending = index(popNames[1:], string(v)) + 1; st.pending == 0 {
					return bad("pending")
				}
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
			if reason := e.decodeFlow(&s, &st.flow); reason != "" {
				return reset(reason)
			}
		case "perms":
			if reason := decodePerms(&s, &st.perms); reason != "" {
				return reset(reason)
			}
		case "last":
			var v []byte
			if v, ok = s.Str("last"); ok {
				if len(v) != 64 {
					return bad("last")
				}
				if _, err := hex.Decode(st.last[:], v); err != nil {
					return bad("last")
				}
				st.hasLast = true
			}
		case "hash":
			var v []byte
			if v, ok = s.Str("hash"); ok {
				var raw [8]byte
				if len(v) != 16 {
					return bad("hash")
				}
				if _, err := hex.Decode(raw[:], v); err != nil {
					return bad("hash")
				}
				hash = binary.BigEndian.Uint64(raw[:])
				hasHash = true
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
	case version != StateVersion:
		return reset("state version " + strconv.FormatInt(version, 10) + " is not " + strconv.Itoa(StateVersion))
	case policy == nil:
		return reset("state names no policy")
	case !hasHash:
		return reset("state has no integrity hash")
	}
	return st, hash, s.Pos, ""
}

// verifyState checks a state's integrity hash.
func (e *Engine) verifyState(st *state, hash uint64) bool { return e.digest(st) == hash }

func (e *Engine) decodeFlow(s *jsontext.Scanner, f *flow) string {
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
				if f.wait = index(waitNames[1:], string(v)) + 1; f.wait == 0 {
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
		default:
			return "state.flow has an unknown field " + quote(key)
		}
		if !ok {
			return "state.flow." + string(key) + " is not valid"
		}
	}
	if s.Err != nil {
		return "state.flow is not valid"
	}
	if f.step.sc < 0 || f.wait == waitNone {
		return "state.flow needs a step and what it waits for"
	}
	return ""
}

func decodePerms(s *jsontext.Scanner, perms *[nPerm]permState) string {
	if !s.Object("perms") {
		return "state.perms is not an object"
	}
	first := true
	for {
		key, ok := s.Next(&first, "perms")
		if !ok {
			break
		}
		p := index(bundle.Permissions, string(key))
		if p < 0 {
			return "state.perms has an unknown permission " + quote(key)
		}
		ps := &perms[p]
		if !s.Object("perms") {
			break
		}
		pfirst := true
		for {
			k, ok := s.Next(&pfirst, "perms")
			if !ok {
				break
			}
			var n int64
			switch string(k) {
			case "denials":
				if n, ok = s.Int("denials"); ok && n >= 0 && n <= 100 {
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
					c := index(bundle.Sensitive, string(v))
					if !ok || c < 0 {
						return "state.perms.separate is not valid"
					}
					ps.separate |= 1 << c
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
	if s.Err != nil {
		return "state.perms is not valid"
	}
	return ""
}

// encodeState appends the state, its integrity hash last.
func (e *Engine) encodeState(b []byte, st *state) []byte {
	w := jsonWriter{b}
	w.raw(`{"v":`)
	w.int(StateVersion)
	w.raw(`,"policy":`)
	w.id(e.id)
	if st.accepted >= 0 {
		w.raw(`,"accepted":`)
		w.id(e.history[st.accepted].version)
	}
	if st.seen >= 0 {
		w.raw(`,"seen":`)
		w.id(e.history[st.seen].version)
	}
	if st.basic {
		w.raw(`,"basic":true`)
	}
	if st.pending != popNone {
		w.raw(`,"pending":`)
		w.id(popNames[st.pending])
	}
	if st.resume.sc >= 0 {
		w.raw(`,"resume":`)
		e.writeStep(&w, st.resume)
	}
	if st.at.sc >= 0 {
		w.raw(`,"at":`)
		e.writeStep(&w, st.at)
	}
	if f := &st.flow; f.step.sc >= 0 {
		w.raw(`,"flow":{"step":`)
		e.writeStep(&w, f.step)
		w.raw(`,"i":`)
		w.int(int64(f.i))
		w.raw(`,"wait":`)
		w.id(waitNames[f.wait])
		if f.missing != 0 {
			w.raw(`,"missing":`)
			w.int(int64(f.missing))
		}
		w.byte('}')
	}
	n := 0
	for p := range st.perms {
		ps := &st.perms[p]
		if *ps == (permState{}) {
			continue
		}
		if n == 0 {
			w.raw(`,"perms":{`)
		} else {
			w.byte(',')
		}
		n++
		w.key(bundle.Permissions[p])
		w.byte('{')
		m := 0
		field := func(k string) {
			w.comma(m)
			m++
			w.key(k)
		}
		if ps.denials > 0 {
			field("denials")
			w.int(int64(ps.denials))
		}
		if ps.refused != 0 {
			field("refused")
			w.int(ps.refused)
		}
		if ps.withdrawn {
			field("withdrawn")
			w.raw("true")
		}
		if ps.separate != 0 {
			field("separate")
			w.byte('[')
			k := 0
			for c, name := range bundle.Sensitive {
				if ps.separate&(1<<c) != 0 {
					w.comma(k)
					k++
					w.id(name)
				}
			}
			w.byte(']')
		}
		w.byte('}')
	}
	if n > 0 {
		w.byte('}')
	}
	if st.hasLast {
		w.raw(`,"last":"`)
		w.b = hex.AppendEncode(w.b, st.last[:])
		w.byte('"')
	}
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], e.digest(st))
	w.raw(`,"hash":"`)
	w.b = hex.AppendEncode(w.b, sum[:])
	w.raw(`"}`)
	return w.b
}

func (e *Engine) writeStep(w *jsonWriter, r stepRef) {
	sc := &e.scens[r.sc]
	w.b = append(w.b, '"')
	w.b = append(w.b, sc.id...)
	w.b = append(w.b, '/')
	w.b = append(w.b, sc.steps[r.st].id...)
	w.b = append(w.b, '"')
}

func (e *Engine) versionIndex(v []byte) int {
	for i := range e.history {
		if e.history[i].version == string(v) {
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

// digest is the state's integrity hash: a 64-bit hash of its values
// (names by their hashes, not by the bundle's order, so that a newer
// bundle keeps the states of the one before). It guards against a state
// corrupted, merged or edited by hand; it is no signature, since the
// state lives with the host, which could recompute any unkeyed hash,
// SHA-256 included. Hashing values rather than the JSON lets a host
// re-serialise the state and spares re-encoding it to check it; and the
// hash is no SHA-256 because Go's costs about 28 ns a byte in wasm, which
// was most of the 20 us budget of a decision (hostsim's BenchmarkDecide).
func (e *Engine) digest(st *state) uint64 {
	h := newMix(e.idHash)
	h.add(StateVersion)
	h.add(e.versionHash(st.accepted))
	h.add(e.versionHash(st.seen))
	h.add(b2u(st.basic)<<8 | uint64(st.pending))
	h.add(e.stepHash(st.resume))
	h.add(e.stepHash(st.at))
	f := &st.flow
	h.add(e.stepHash(f.step))
	h.add(uint64(f.i)<<32 | uint64(f.wait)<<16 | uint64(f.missing))
	for p := range st.perms {
		ps := &st.perms[p]
		if *ps == (permState{}) {
			continue
		}
		h.add(uint64(p)<<48 | uint64(ps.denials)<<16 | b2u(ps.withdrawn)<<8 | uint64(ps.separate))
		h.add(uint64(ps.refused))
	}
	if st.hasLast {
		for i := 0; i < len(st.last); i += 8 {
			h.add(binary.LittleEndian.Uint64(st.last[i:]))
		}
	}
	return h.sum()
}

func (e *Engine) versionHash(i int) uint64 {
	if i < 0 {
		return 0
	}
	return e.history[i].hash
}

func (e *Engine) stepHash(r stepRef) uint64 {
	if r.sc < 0 {
		return 0
	}
	return e.scens[r.sc].steps[r.st].hash
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// mix is a 64-bit multiply-xorshift hash over words.
type mix struct{ h uint64 }

const (
	mixK0 = 0x9E3779B97F4A7C15
	mixK1 = 0xBF58476D1CE4E5B9
	mixK2 = 0x94D049BB133111EB
)

func newMix(seed uint64) mix { return mix{seed ^ mixK0} }

func (m *mix) add(x uint64) {
	m.h = (m.h ^ x) * mixK1
	m.h ^= m.h >> 31
}

// sum finishes with SplitMix64's finaliser: every input bit reaches every
// output bit.
func (m *mix) sum() uint64 {
	h := m.h
	h ^= h >> 30
	h *= mixK1
	h ^= h >> 27
	h *= mixK2
	h ^= h >> 31
	return h
}

// hashString hashes a name for digest, at New.
func hashString(s string) uint64 {
	h := newMix(uint64(len(s)))
	for len(s) >= 8 {
		h.add(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
		s = s[8:]
	}
	var tail uint64
	for i := 0; i < len(s); i++ {
		tail |= uint64(s[i]) << (8 * i)
	}
	h.add(tail)
	return h.sum()
}

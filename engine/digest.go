package engine

import (
	"encoding/binary"
	"math/bits"
)

// digest is the state's integrity hash: a 64-bit hash of its values
// (names by their hashes, not by the bundle's order, so that a newer
// bundle keeps the states of the one before). Unkeyed, it guards against
// a state corrupted, merged or edited by hand; it is no signature, since
// the state lives with the host, which could recompute any unkeyed hash,
// SHA-256 included. Keyed with the request's state_key (SipHash-2-4, a
// pseudorandom function of the key), it also detects a state made or
// edited by anyone who does not hold the key: the app derives it from its
// keystore, so a state edited outside the app no longer verifies.
// Hashing values rather than the JSON lets a host re-serialise the state
// and spares re-encoding it to check it; and the hash is no SHA-256, nor
// an HMAC of one, because Go's SHA-256 costs about 28 ns a byte in wasm,
// which was most of the 20 us budget of a decision (hostsim's
// BenchmarkDecide).
func (e *Engine) digest(st *state, key *stateKey) uint64 { return e.digestWith(st, key, nil) }

// digestWith is digest with the consents the state carried that this
// policy does not know, which the hash covers although the state read
// drops them. The consents' terms are summed, so the hash does not depend
// on the order the policy lists them in; keyed, each term is keyed too,
// so that no one without the key can trade one consent for another at
// the same sum.
func (e *Engine) digestWith(st *state, key *stateKey, x *stateExtra) uint64 {
	h := e.digestHead(st, StateVersion, key)
	for p := range st.perms {
		ps := &st.perms[p]
		if *ps == (permState{}) {
			continue
		}
		h.add(uint64(p)<<48 | uint64(ps.denials)<<16 | b2u(ps.withdrawn)<<8)
		h.add(uint64(ps.refused))
	}
	var sum uint64
	if x != nil {
		for _, u := range x.unknown[:min(x.nUnknown, len(x.unknown))] {
			sum += consentTerm(key, u.id, u.given, u.refused)
		}
	}
	for i := range e.consents {
		if g, r := st.consents.has(i), st.consents.refused[i]; g || r != 0 {
			sum += consentTerm(key, e.consents[i].hash, g, r)
		}
	}
	h.add(sum)
	return digestTail(&h, st)
}

// digestHead mixes what every layout version hashes alike, up to the
// permissions: the version, the popups, the steps and the flow.
func (e *Engine) digestHead(st *state, version uint64, key *stateKey) mix {
	h := newMix(key, e.idHash)
	h.add(version)
	h.add(e.versionHash(st.accepted))
	h.add(e.versionHash(st.seen))
	h.add(b2u(st.basic)<<8 | uint64(st.pending))
	h.add(e.stepHash(st.resume))
	h.add(e.stepHash(st.at))
	f := &st.flow
	h.add(e.stepHash(f.step))
	h.add(uint64(f.i)<<32 | uint64(f.wait)<<16 | uint64(f.missing))
	// The texts shown that wait for an answer: mixed only when recorded,
	// so that a state from before they were keeps its hash.
	if f.shownV > 0 {
		h.add(0x73686f776e) // "shown"
		h.add(e.versionHash(f.shownV - 1))
		addSum(&h, &f.shown)
		if f.shownL > 0 {
			h.add(0x6c6f63616c65) // "locale"
			h.add(hashString(e.locales[f.shownL-1].tag))
		}
	}
	if st.popupText != ([32]byte{}) {
		h.add(0x706f707570) // "popup"
		addSum(&h, &st.popupText)
		if st.popupLocale > 0 {
			h.add(0x6c6f63616c65) // "locale"
			h.add(hashString(e.locales[st.popupLocale-1].tag))
		}
	}
	return h
}

// addSum mixes a SHA-256.
func addSum(h *mix, sum *[32]byte) {
	for i := 0; i < len(sum); i += 8 {
		h.add(binary.LittleEndian.Uint64(sum[i:]))
	}
}

// digestTail mixes the receipt chain's head and returns the hash: a
// numbered head with its number and time, the hash alone of a head from
// before receipts had numbers (the state's "last"), as it was then.
func digestTail(h *mix, st *state) uint64 {
	if hd := &st.head; hd.seq > 0 {
		h.add(0x68656164) // "head"
		h.add(uint64(hd.seq))
		addSum(h, &hd.hash)
		addBytes(h, hd.time[:hd.nTime])
	} else if hd.has {
		addSum(h, &hd.hash)
	}
	return h.sum()
}

// addBytes mixes a short string and its length.
func addBytes(h *mix, b []byte) {
	h.add(uint64(len(b)))
	for len(b) >= 8 {
		h.add(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	var tail uint64
	for i := range b {
		tail |= uint64(b[i]) << (8 * i)
	}
	h.add(tail)
}

// consentTerm is one recorded consent's part of the integrity hash.
func consentTerm(key *stateKey, id uint64, given bool, refused int64) uint64 {
	m := newMix(key, id)
	m.add(b2u(given))
	m.add(uint64(refused))
	return m.sum()
}

// digestV1 is the integrity hash of a version 1 state, which recorded
// separate consents per permission as a bit per sensitive category.
func (e *Engine) digestV1(st *state, x *stateExtra, key *stateKey) uint64 {
	h := e.digestHead(st, 1, key)
	for p := range st.perms {
		ps := &st.perms[p]
		if *ps == (permState{}) && x.separate[p] == 0 {
			continue
		}
		h.add(uint64(p)<<48 | uint64(ps.denials)<<16 | b2u(ps.withdrawn)<<8 | uint64(x.separate[p]))
		h.add(uint64(ps.refused))
	}
	return digestTail(&h, st)
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

// stateKey is the key of the state's integrity hash, the request's
// state_key: 128 bits, read as two little-endian words. Without one (on
// false) the hash is unkeyed.
type stateKey struct {
	k0, k1 uint64
	on     bool
}

// mix is the integrity hash over words: unkeyed, a 64-bit
// multiply-xorshift hash; keyed, SipHash-2-4 of the words' little-endian
// bytes, which a test checks against the reference's vectors.
type mix struct {
	h              uint64
	keyed          bool
	v0, v1, v2, v3 uint64
	n              uint64 // words added, keyed
}

const (
	mixK0 = 0x9E3779B97F4A7C15
	mixK1 = 0xBF58476D1CE4E5B9
	mixK2 = 0x94D049BB133111EB
)

// newMix starts a hash seeded with a word: keyed if key is on.
func newMix(key *stateKey, seed uint64) mix {
	if key == nil || !key.on {
		return mix{h: seed ^ mixK0}
	}
	m := mix{keyed: true,
		v0: key.k0 ^ 0x736f6d6570736575, v1: key.k1 ^ 0x646f72616e646f6d,
		v2: key.k0 ^ 0x6c7967656e657261, v3: key.k1 ^ 0x7465646279746573}
	m.add(seed)
	return m
}

// add mixes a word in. It is small enough to be inlined, so that the
// unkeyed hash costs no call per word.
func (m *mix) add(x uint64) {
	if m.keyed {
		m.addKeyed(x)
		return
	}
	m.h = (m.h ^ x) * mixK1
	m.h ^= m.h >> 31
}

// addKeyed is add for SipHash: a message word and two SipRounds.
func (m *mix) addKeyed(x uint64) {
	v0, v1, v2, v3 := sipRound(sipRound(m.v0, m.v1, m.v2, m.v3^x))
	m.v0, m.v1, m.v2, m.v3 = v0^x, v1, v2, v3
	m.n++
}

// sipRound is SipHash's SipRound, on values rather than fields so that
// the compiler inlines it and keeps the state in registers (in wasm,
// locals).
func sipRound(v0, v1, v2, v3 uint64) (uint64, uint64, uint64, uint64) {
	v0 += v1
	v1 = bits.RotateLeft64(v1, 13) ^ v0
	v0 = bits.RotateLeft64(v0, 32)
	v2 += v3
	v3 = bits.RotateLeft64(v3, 16) ^ v2
	v0 += v3
	v3 = bits.RotateLeft64(v3, 21) ^ v0
	v2 += v1
	v1 = bits.RotateLeft64(v1, 17) ^ v2
	v2 = bits.RotateLeft64(v2, 32)
	return v0, v1, v2, v3
}

// sum finishes the hash: unkeyed, with SplitMix64's finaliser, so that
// every input bit reaches every output bit; keyed, as SipHash-2-4 ends a
// message of 8n bytes.
func (m *mix) sum() uint64 {
	if m.keyed {
		b := (m.n * 8 & 0xff) << 56
		v0, v1, v2, v3 := sipRound(sipRound(m.v0, m.v1, m.v2, m.v3^b))
		v0, v1, v2, v3 = sipRound(sipRound(sipRound(sipRound(v0^b, v1, v2^0xff, v3))))
		return v0 ^ v1 ^ v2 ^ v3
	}
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
	h := newMix(nil, uint64(len(s)))
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

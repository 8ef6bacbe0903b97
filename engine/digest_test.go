package engine

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// sipHash is SipHash-2-4 of a byte string, written from the paper
// (Aumasson and Bernstein, 2012) byte by byte, as the reference to hold
// the engine's word-at-a-time mix to.
func sipHash(k0, k1 uint64, msg []byte) uint64 {
	v0, v1, v2, v3 := k0^0x736f6d6570736575, k1^0x646f72616e646f6d, k0^0x6c7967656e657261, k1^0x7465646279746573
	round := func() {
		v0 += v1
		v1 = v1<<13 | v1>>51
		v1 ^= v0
		v0 = v0<<32 | v0>>32
		v2 += v3
		v3 = v3<<16 | v3>>48
		v3 ^= v2
		v0 += v3
		v3 = v3<<21 | v3>>43
		v3 ^= v0
		v2 += v1
		v1 = v1<<17 | v1>>47
		v1 ^= v2
		v2 = v2<<32 | v2>>32
	}
	n := len(msg)
	for len(msg) >= 8 {
		m := binary.LittleEndian.Uint64(msg)
		v3 ^= m
		round()
		round()
		v0 ^= m
		msg = msg[8:]
	}
	b := uint64(n) << 56
	for i, c := range msg {
		b |= uint64(c) << (8 * i)
	}
	v3 ^= b
	round()
	round()
	v0 ^= b
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}

// TestSipHash: the reference gives the paper's vectors (key 00..0f,
// message 00..n-1), and the keyed mix gives the reference's hash of its
// words' little-endian bytes, the seed first.
func TestSipHash(t *testing.T) {
	var key [16]byte
	for i := range key {
		key[i] = byte(i)
	}
	k0, k1 := binary.LittleEndian.Uint64(key[:8]), binary.LittleEndian.Uint64(key[8:])
	msg := make([]byte, 64)
	for i := range msg {
		msg[i] = byte(i)
	}
	for n, want := range map[int]uint64{0: 0x726fdb47dd0e0e31, 15: 0xa129ca6149be45e5} {
		if got := sipHash(k0, k1, msg[:n]); got != want {
			t.Errorf("SipHash-2-4 of %d bytes: %016x, want %016x", n, got, want)
		}
	}
	sk := stateKey{k0, k1, true}
	for words := 1; words <= 8; words++ {
		m := newMix(&sk, binary.LittleEndian.Uint64(msg))
		for i := 1; i < words; i++ {
			m.add(binary.LittleEndian.Uint64(msg[8*i:]))
		}
		if got, want := m.sum(), sipHash(k0, k1, msg[:8*words]); got != want {
			t.Errorf("%d words: mix %016x, SipHash %016x", words, got, want)
		}
	}
}

// TestKeyedDigestForgery: a state edited to claim a consent and given
// the integrity hash anyone can compute (unkeyed) is trusted without a
// key, which is the attack; with the app's key it is not used, and the
// engine's own keyed state is.
func TestKeyedDigestForgery(t *testing.T) {
	e, err := New(prompttest.Must(t).Bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	const key = "00112233445566778899aabbccddeeff"
	decide := func(state, withKey string) (out struct {
		State json.RawMessage
		SDKs  []string
		Trace []struct{ Rule, Detail string }
	}) {
		req := `{"now":"2026-03-01T10:00:00+08:00","device":{"platform":"android","version":"33"},"event":{"type":"launch"}`
		if withKey != "" {
			req += `,"state_key":"` + withKey + `"`
		}
		if state != "" {
			req += `,"state":` + state
		}
		raw := e.Decide(nil, []byte(req+"}"))
		if err := json.Unmarshal(raw, &out); err != nil || out.State == nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return out
	}
	// What a forger writes: consent to the policy and to biometrics for
	// the loan, hashed as the engine hashes states without a key.
	st := freshState()
	st.accepted, st.seen = 0, 0
	st.consents.give(e.consentByID([]byte("biometrics/loan_identity")))
	forged := string(e.encodeState(nil, &st, nil))
	if r := decide(forged, ""); len(r.SDKs) == 0 {
		t.Fatalf("without a key the forged state is not trusted (the attack this key is for): %s", r.State)
	}
	r := decide(forged, key)
	if len(r.SDKs) != 0 || len(r.Trace) == 0 || r.Trace[0].Rule != "STATE" || !strings.Contains(r.Trace[0].Detail, "state_key") {
		t.Errorf("with the key the forged state is used: sdks %v, trace %v", r.SDKs, r.Trace)
	}
	var k [16]byte
	hex.Decode(k[:], []byte(key))
	sk := stateKey{binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:]), true}
	own := string(e.encodeState(nil, &st, &sk))
	if r := decide(own, key); len(r.SDKs) == 0 || len(r.Trace) != 0 {
		t.Errorf("a state made under the key is not trusted: sdks %v, trace %v", r.SDKs, r.Trace)
	}
	if r := decide(own, "ffeeddccbbaa99887766554433221100"); len(r.SDKs) != 0 {
		t.Errorf("a state made under another key is trusted")
	}
}

// TestNewerVersion: versions are ordered as bundle.PolicyVersionLess
// orders them: by date, then revision, the date alone first.
func TestNewerVersion(t *testing.T) {
	e, err := New(prompttest.Must(t).Bundles["reference"]) // 2022-03-29
	if err != nil {
		t.Fatal(err)
	}
	for v, newer := range map[string]bool{
		"2022-03-29": false, "2022-03-28": false, "2021-12-31.9": false, "2022-03-29.0": true, "2022-03-29.1": true,
		"2022-03-30": true, "2099-01-01": true, "2023-09-01.2": true, "latest": false, "2022-3-30": false, "2022-03-30.x": false,
	} {
		if got := e.newerVersion([]byte(v)); got != newer {
			t.Errorf("%s: newer %v, want %v", v, got, newer)
		}
	}
}

// BenchmarkDigest is the state's integrity hash of a consented state with
// a withdrawal and a refusal on record, unkeyed and keyed (SipHash-2-4):
// a decision computes it twice, to check the state sent and to hash the
// state returned.
func BenchmarkDigest(b *testing.B) {
	e, err := New(prompttest.Must(b).Bundles["reference"])
	if err != nil {
		b.Fatal(err)
	}
	st := freshState()
	st.accepted, st.seen = 0, 0
	st.consents.give(e.consentByID([]byte("biometrics/loan_identity")))
	st.perms[1].withdrawn, st.perms[2].refused = true, 1772330400
	st.head = head{seq: 7, hash: [32]byte{1, 2, 3}, has: true, nTime: 25}
	copy(st.head.time[:], "2026-03-01T10:00:00+08:00")
	for _, c := range []struct {
		name string
		key  *stateKey
	}{{"unkeyed", nil}, {"keyed", &stateKey{1, 2, true}}} {
		b.Run(c.name, func(b *testing.B) {
			var sink uint64
			for b.Loop() {
				sink += e.digest(&st, c.key)
			}
			_ = sink
		})
	}
}

// TestAppendHex: appendHex writes what encoding/hex writes, for every
// length up to 40 and bytes with every nibble.
func TestAppendHex(t *testing.T) {
	src := make([]byte, 40)
	for i := range src {
		src[i] = byte(i*37 + i>>1)
	}
	src[0], src[1], src[2] = 0x00, 0xff, 0x9a
	for n := 0; n <= len(src); n++ {
		if got, want := string(appendHex([]byte("x"), src[:n])), "x"+hex.EncodeToString(src[:n]); got != want {
			t.Errorf("%d bytes: %s, want %s", n, got, want)
		}
	}
	for v := range 1 << 16 {
		w := uint32(v)*0x10001 ^ 0x5a5a0000
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], w)
		if got, want := string(appendHex(nil, b[:])), hex.EncodeToString(b[:]); got != want {
			t.Fatalf("%08x: %s, want %s", w, got, want)
		}
	}
}

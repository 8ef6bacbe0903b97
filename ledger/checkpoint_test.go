package ledger

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// testKey is a fixed service key, so that tests are reproducible.
func testKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func TestCheckpointSignVerify(t *testing.T) {
	key := testKey(1)
	c := Checkpoint{Installation: "inst-1", Seq: 42, Head: strings.Repeat("0a", 32), Time: "2026-03-01T02:00:00Z"}
	if err := c.Sign(key); err != nil {
		t.Fatal(err)
	}
	if c.V != 1 || c.Key != bundle.KeyID(pub(key)) {
		t.Errorf("signed: %+v", c)
	}
	// The signed bytes are the canonical JSON without sig.
	want := `{"head":"` + c.Head + `","installation":"inst-1","key":"` + c.Key + `","seq":42,"time":"2026-03-01T02:00:00Z","v":1}`
	if string(c.SignedBytes()) != want {
		t.Errorf("signed bytes %s", c.SignedBytes())
	}
	if !ed25519.Verify(pub(key), []byte(want), mustSig(t, c.Sig)) {
		t.Error("the signature is not of the canonical JSON without sig")
	}
	if err := c.Verify([]ed25519.PublicKey{pub(testKey(2)), pub(key)}); err != nil {
		t.Errorf("verify: %v", err)
	}
	// It travels as canonical JSON and reads back.
	raw, _ := json.Marshal(c)
	if canon, _ := Canonical(raw); string(canon) != string(raw) {
		t.Errorf("not canonical: %s", raw)
	}
	back, err := ParseCheckpoints(raw)
	if err != nil || len(back) != 1 || back[0] != c {
		t.Errorf("read back %+v (%v)", back, err)
	}
	// An anchor is the same object with kind anchor, signed as such.
	a := c
	a.Kind = KindAnchor
	if err := a.Sign(key); err != nil || a.Sig == c.Sig || !a.IsAnchor() {
		t.Fatalf("anchor: %+v (%v)", a, err)
	}
	raw, _ = json.Marshal(a)
	if !strings.Contains(string(raw), `"key":"`+a.Key+`","kind":"anchor","seq":42`) {
		t.Errorf("anchor JSON %s", raw)
	}
	// A checkpoint turned into an anchor by hand no longer verifies.
	forged := c
	forged.Kind = KindAnchor
	if err := forged.Verify([]ed25519.PublicKey{pub(key)}); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("forged anchor: %v", err)
	}
}

func mustSig(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	if err := json.Unmarshal([]byte(`"`+s+`"`), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckpointRefused(t *testing.T) {
	key := testKey(1)
	good := Checkpoint{Installation: "inst-1", Seq: 42, Head: strings.Repeat("0a", 32), Time: "2026-03-01T02:00:00Z"}
	if err := good.Sign(key); err != nil {
		t.Fatal(err)
	}
	keys := []ed25519.PublicKey{pub(key)}
	for _, c := range []struct {
		name string
		edit func(c *Checkpoint)
		want string
	}{
		{"another seq", func(c *Checkpoint) { c.Seq = 41 }, "does not verify"},
		{"another head", func(c *Checkpoint) { c.Head = strings.Repeat("0b", 32) }, "does not verify"},
		{"another installation", func(c *Checkpoint) { c.Installation = "inst-2" }, "does not verify"},
		{"untrusted key", func(c *Checkpoint) { _ = c.Sign(testKey(3)) }, "is not one of the service keys"},
		{"garbled sig", func(c *Checkpoint) { c.Sig = "!!" }, "not a base64 ed25519 signature"},
		{"bad head", func(c *Checkpoint) { c.Head = "x" }, "head \"x\" is not 64"},
		{"bad time", func(c *Checkpoint) { c.Time = "yesterday" }, "not an RFC 3339 time"},
		{"other kind", func(c *Checkpoint) { c.Kind = "purge" }, "is not \"anchor\""},
	} {
		cp := good
		c.edit(&cp)
		if err := cp.Verify(keys); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	raw, _ := json.Marshal(good)
	for _, c := range []struct{ name, in, want string }{
		{"unknown member", strings.Replace(string(raw), `"v":1`, `"v":1,"x":1`, 1), "checkpoint.x: is not a member"},
		{"missing sig", strings.Replace(string(raw), `"sig":"`+good.Sig+`",`, ``, 1), "checkpoint.sig: is missing"},
		{"seq as string", strings.Replace(string(raw), `"seq":42`, `"seq":"42"`, 1), "checkpoint.seq: must be an integer"},
		{"array element", "[" + string(raw) + ",1]", "checkpoints[1]: a checkpoint is a JSON object"},
		{"second line", string(raw) + "\n{\"v\":1}\n", "line 2.installation: is missing"},
		{"empty", "", "no checkpoint"},
	} {
		if _, err := ParseCheckpoints([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if err := good.Sign(ed25519.PrivateKey{1, 2}); err == nil {
		t.Error("signs with a short key")
	}
}

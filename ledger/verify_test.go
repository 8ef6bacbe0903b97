package ledger_test

import (
	"crypto/ed25519"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/ledger/ledgertest"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// chain makes a valid chain of n receipts on the reference bundle.
func chain(t testing.TB, inst string, n int) []ledger.Receipt {
	t.Helper()
	_, hashes := testBundles(t)
	c, err := ledgertest.Chain(ledgertest.Journey{
		Bundle: prompttest.Must(t).Bundles["reference"], BundleHash: hashes["reference"],
		Installation: inst, Locale: "zh-CN", Platform: "android", Version: "33", Start: start,
	}, n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func serviceKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(slices.Repeat([]byte{seed}, ed25519.SeedSize))
}

// checkpoint signs the service's checkpoint of a receipt.
func checkpoint(t testing.TB, r ledger.Receipt, key ed25519.PrivateKey) ledger.Checkpoint {
	t.Helper()
	c := ledger.Checkpoint{Installation: r.Installation, Seq: r.Seq, Head: r.RecordedHash, Time: "2026-03-02T00:00:00Z"}
	if err := c.Sign(key); err != nil {
		t.Fatal(err)
	}
	return c
}

// codes lists the faults as "code@seq".
func codes(rep *ledger.Report) []string {
	var out []string
	for _, f := range rep.Faults {
		out = append(out, string(f.Code)+"@"+itoa(f.Seq))
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestVerifyValid(t *testing.T) {
	bs, _ := testBundles(t)
	c := chain(t, "inst-1", 60)
	key := serviceKey(7)
	rep := ledger.Verify(c, ledger.Options{Bundles: bs, Checkpoints: []ledger.Checkpoint{checkpoint(t, c[39], key), checkpoint(t, c[59], key)},
		ServiceKeys: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}})
	if !rep.OK() {
		t.Fatalf("faults: %v", rep.Faults)
	}
	withdrawals := 0
	for _, r := range c {
		if r.Kind == "withdraw" {
			withdrawals++
		}
	}
	if rep.TextsChecked != 60-withdrawals || withdrawals == 0 || rep.Checkpoints != 2 || !rep.BundlesSigned {
		t.Errorf("report: %+v (%d withdrawals)", rep, withdrawals)
	}
	ir := rep.Installations[0]
	if ir.Installation != "inst-1" || ir.Receipts != 60 || ir.FirstSeq != 1 || ir.LastSeq != 60 || ir.Head != c[59].RecordedHash ||
		ir.Checkpoints != 2 || ir.CheckpointSeq != 60 || ir.Policy != "msxf" {
		t.Errorf("installation: %+v", ir)
	}
}

// TestVerifyFaults: each fault a chain can have, made as someone would
// make it, and the code Verify gives it, naming the receipt.
func TestVerifyFaults(t *testing.T) {
	bs, hashes := testBundles(t)
	key := serviceKey(7)
	keys := []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}
	set, err := ledger.Screens(prompttest.Must(t).Bundles["reference"], "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	firstOf := func(kind string) string {
		for _, s := range set.Screens {
			if s.Kind == kind {
				return s.Hash
			}
		}
		t.Fatalf("no %s screen", kind)
		return ""
	}
	// index of the first receipt of a kind at or after i.
	find := func(c []ledger.Receipt, kind string, i int) int {
		for ; i < len(c); i++ {
			if c[i].Kind == kind {
				return i
			}
		}
		t.Fatalf("no %s receipt", kind)
		return -1
	}
	type result struct {
		chain []ledger.Receipt
		cps   []ledger.Checkpoint
	}
	cases := []struct {
		name string
		make func(c []ledger.Receipt) result
		want []string
	}{
		{"an edited receipt", func(c []ledger.Receipt) result {
			i := find(c, "rationale", 3)
			c[i].Answer = "declined"
			return result{chain: c}
		}, []string{"bad_hash@" + "X"}},
		{"an edited receipt, later hashes recomputed, no checkpoint", func(c []ledger.Receipt) result {
			i := find(c, "rationale", 3)
			c[i].Answer = "declined"
			ledgertest.Relink(c, i)
			return result{chain: c}
		}, nil},
		{"an edited receipt, later hashes recomputed, a checkpoint from before", func(c []ledger.Receipt) result {
			cp := checkpoint(t, c[29], key)
			i := find(c, "rationale", 3)
			c[i].Answer = "declined"
			ledgertest.Relink(c, i)
			return result{chain: c, cps: []ledger.Checkpoint{cp}}
		}, []string{"fork@30"}},
		{"a truncated chain", func(c []ledger.Receipt) result {
			cp := checkpoint(t, c[29], key)
			return result{chain: c[:25], cps: []ledger.Checkpoint{cp}}
		}, []string{"truncated@25"}},
		{"time going backwards, unflagged", func(c []ledger.Receipt) result {
			c[10].Time = "2020-01-01T00:00:00Z"
			ledgertest.Relink(c, 10)
			return result{chain: c}
		}, []string{"time_unflagged@11"}},
		{"time going backwards, flagged", func(c []ledger.Receipt) result {
			c[10].Time = "2020-01-01T00:00:00Z"
			c[10].TimeBehind = true
			ledgertest.Relink(c, 10)
			return result{chain: c}
		}, nil},
		{"a flag where time does not go back", func(c []ledger.Receipt) result {
			c[10].TimeBehind = true
			ledgertest.Relink(c, 10)
			return result{chain: c}
		}, []string{"time_flag@11"}},
		{"a gap", func(c []ledger.Receipt) result {
			return result{chain: append(c[:10:10], c[11:]...)}
		}, []string{"gap@12"}},
		{"a chain that starts late", func(c []ledger.Receipt) result {
			return result{chain: c[5:]}
		}, []string{"gap@6"}},
		{"a repeat", func(c []ledger.Receipt) result {
			return result{chain: slices.Insert(c, 11, c[10])}
		}, []string{"repeat@11"}},
		{"a fork: seq 11 twice, the chain going on from the second", func(c []ledger.Receipt) result {
			fork := c[10]
			fork.PlatformVersion = "34"
			fork.Seal()
			c = slices.Insert(c, 11, fork)
			ledgertest.Relink(c, 12) // seq 12 on links to the fork
			if c[12].Prev != fork.RecordedHash {
				t.Fatal("not linked to the fork")
			}
			return result{chain: c}
		}, []string{"repeat@11", "broken_link@12"}},
		{"out of order", func(c []ledger.Receipt) result {
			c[10], c[11] = c[11], c[10]
			return result{chain: c}
		}, []string{"gap@12", "out_of_order@11"}},
		{"a broken link", func(c []ledger.Receipt) result {
			c[10].Prev = strings.Repeat("0", 64)
			c[10].Seal()
			return result{chain: c}
		}, []string{"broken_link@11", "broken_link@12"}},
		{"a wrong text hash: another screen", func(c []ledger.Receipt) result {
			i := find(c, "rationale", 1)
			c[i].Text = firstOf(ledger.ScreenConsent)
			ledgertest.Relink(c, i)
			return result{chain: c}
		}, []string{"bad_text@X"}},
		{"a wrong text hash: no screen", func(c []ledger.Receipt) result {
			c[0].Text = strings.Repeat("e", 64)
			ledgertest.Relink(c, 0)
			return result{chain: c}
		}, []string{"bad_text@1"}},
		{"a rationale hashed as the iOS pre-permission screen on Android", func(c []ledger.Receipt) result {
			i := find(c, "rationale", 1)
			for _, s := range set.Screens {
				if s.Kind == ledger.ScreenPrePermission && s.Permission == c[i].Permission && s.Step == c[i].Step {
					c[i].Text = s.Hash
				}
			}
			ledgertest.Relink(c, i)
			return result{chain: c}
		}, []string{"bad_text@X"}},
		{"a wrong id", func(c []ledger.Receipt) result {
			c[4].RecordedID = c[5].RecordedID
			return result{chain: c}
		}, []string{"bad_id@5"}},
		{"another policy", func(c []ledger.Receipt) result {
			c[8].Policy = "other"
			ledgertest.Relink(c, 8)
			return result{chain: c}
		}, []string{"policy_mismatch@9", "bad_bundle@9", "no_bundle@9"}},
		{"a version no bundle has", func(c []ledger.Receipt) result {
			c[8].Version = "2099-01-01"
			ledgertest.Relink(c, 8)
			return result{chain: c}
		}, []string{"bad_bundle@9", "no_bundle@9"}},
		{"a bundle older than the version", func(c []ledger.Receipt) result {
			c[0].Version = "2023-09-01"
			c[0].Text = firstOf(ledger.ScreenPolicyFirst)
			ledgertest.Relink(c, 0)
			return result{chain: c}
		}, []string{"bad_bundle@1", "bad_text@1"}},
		{"members that do not go together", func(c []ledger.Receipt) result {
			i := find(c, "permission", 1)
			c[i].Answer = "accepted"
			ledgertest.Relink(c, i)
			return result{chain: c}
		}, []string{"bad_receipt@X"}},
		{"a checkpoint by another key", func(c []ledger.Receipt) result {
			return result{chain: c, cps: []ledger.Checkpoint{checkpoint(t, c[29], serviceKey(9))}}
		}, []string{"bad_checkpoint@30"}},
		{"a checkpoint of an installation the chain lacks", func(c []ledger.Receipt) result {
			cp := c[29]
			cp.Installation = "inst-2"
			return result{chain: c, cps: []ledger.Checkpoint{checkpoint(t, cp, key)}}
		}, []string{"truncated@30"}},
	}
	_ = hashes
	for _, tc := range cases {
		c := chain(t, "inst-1", 40)
		res := tc.make(c)
		rep := ledger.Verify(res.chain, ledger.Options{Bundles: bs, Checkpoints: res.cps, ServiceKeys: keys})
		got := codes(rep)
		want := tc.want
		// "X" stands for the seq of the receipt edited, found from the
		// fault itself: check the code and that a receipt is named.
		if len(want) == 1 && strings.HasSuffix(want[0], "@X") && len(got) == 1 && strings.HasPrefix(got[0], strings.TrimSuffix(want[0], "X")) {
			got = want
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: faults %v, want %v", tc.name, rep.Faults, want)
			continue
		}
		for _, f := range rep.Faults {
			names := f.Index >= 0 && f.ID != "" || f.Code == ledger.FaultCheckpoint || f.Code == ledger.FaultTruncated && f.Installation == "inst-2"
			if f.Installation == "" || f.Message == "" || !names {
				t.Errorf("%s: a fault that names no receipt: %+v", tc.name, f)
			}
			if !strings.Contains(f.String(), string(f.Code)) {
				t.Errorf("%s: %s", tc.name, f)
			}
		}
		if tc.name == "time going backwards, flagged" && rep.Installations[0].TimeBehind != 1 {
			t.Errorf("flagged receipts counted: %d", rep.Installations[0].TimeBehind)
		}
	}
}

// TestVerifyAnchor: after a purge, the rest of the chain verifies from
// the anchor, and only from the true one.
func TestVerifyAnchor(t *testing.T) {
	c := chain(t, "inst-1", 30)
	key := serviceKey(7)
	keys := []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}
	anchor := checkpoint(t, c[9], key)
	anchor.Kind = ledger.KindAnchor
	if err := anchor.Sign(key); err != nil {
		t.Fatal(err)
	}
	old := checkpoint(t, c[4], key) // a checkpoint from before the purge
	rest := c[10:]
	rep := ledger.Verify(rest, ledger.Options{Checkpoints: []ledger.Checkpoint{anchor, old}, ServiceKeys: keys})
	if !rep.OK() || rep.Installations[0].Anchor != 10 {
		t.Errorf("from the anchor: %v %+v", rep.Faults, rep.Installations)
	}
	// The whole chain still verifies against the anchor too.
	if rep := ledger.Verify(c, ledger.Options{Checkpoints: []ledger.Checkpoint{anchor}, ServiceKeys: keys}); !rep.OK() {
		t.Errorf("whole chain: %v", rep.Faults)
	}
	if got := codes(ledger.Verify(rest, ledger.Options{})); !slices.Equal(got, []string{"gap@11"}) {
		t.Errorf("without the anchor: %v", got)
	}
	if got := codes(ledger.Verify(c[12:], ledger.Options{Checkpoints: []ledger.Checkpoint{anchor}, ServiceKeys: keys})); !slices.Equal(got, []string{"gap@13"}) {
		t.Errorf("more cut than purged: %v", got)
	}
	// Receipts before the cut edited and re-linked: the anchor tells.
	edited := slices.Clone(c)
	edited[3].Answer = "declined"
	ledgertest.Relink(edited, 3)
	if got := codes(ledger.Verify(edited[10:], ledger.Options{Checkpoints: []ledger.Checkpoint{anchor}, ServiceKeys: keys})); !slices.Equal(got, []string{"fork@11"}) {
		t.Errorf("edited before the cut: %v", got)
	}
	if got := codes(ledger.Verify(edited, ledger.Options{Checkpoints: []ledger.Checkpoint{anchor}, ServiceKeys: keys})); !slices.Equal(got, []string{"fork@10"}) {
		t.Errorf("edited, whole: %v", got)
	}
}

// TestVerifyInstallations: a file of several installations, interleaved,
// verifies each on its own.
func TestVerifyInstallations(t *testing.T) {
	a, b := chain(t, "inst-a", 12), chain(t, "inst-b", 9)
	var mixed []ledger.Receipt
	for i := range 12 {
		mixed = append(mixed, a[i])
		if i < 9 {
			mixed = append(mixed, b[i])
		}
	}
	rep := ledger.Verify(mixed, ledger.Options{})
	if !rep.OK() || len(rep.Installations) != 2 || rep.Installations[1].Receipts != 9 {
		t.Errorf("%v %+v", rep.Faults, rep.Installations)
	}
	mixed[5].Seal() // still its own hash
	mixed[6].Answer = "declined"
	rep = ledger.Verify(mixed, ledger.Options{})
	if len(rep.Faults) != 1 || rep.Faults[0].Index != 6 || rep.Faults[0].Installation != mixed[6].Installation {
		t.Errorf("%v", rep.Faults)
	}
}

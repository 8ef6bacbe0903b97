package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/ledger/ledgertest"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// ledgerCmd runs the command in-process from the repository root.
func ledgerCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// fixture is a folder with the test bundles (signed with the test key), a
// service key pair and a valid chain of 40 receipts.
type fixture struct {
	dir, bundles, servicePub string
	key                      ed25519.PrivateKey
	chain                    []ledger.Receipt
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := prompttest.Must(t)
	fx := &fixture{dir: t.TempDir()}
	fx.bundles = filepath.Join(fx.dir, "bundles")
	os.Mkdir(fx.bundles, 0o755)
	for _, name := range []string{"reference", "revision"} {
		if err := os.WriteFile(filepath.Join(fx.bundles, name+".json"), c.Envelopes[name], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := prompts.WriteKeyPair(filepath.Join(fx.dir, "service")); err != nil {
		t.Fatal(err)
	}
	fx.servicePub = filepath.Join(fx.dir, "service.pub")
	var err error
	if fx.key, err = prompts.ReadPrivateKey(filepath.Join(fx.dir, "service.key")); err != nil {
		t.Fatal(err)
	}
	payload, _ := bundle.Payload(c.Envelopes["reference"])
	fx.chain, err = ledgertest.Chain(ledgertest.Journey{Bundle: c.Bundles["reference"], BundleHash: bundle.Hash(payload),
		Installation: "inst-1", Locale: "en", Platform: "ios", Version: "17.2",
		Start: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}, 40)
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// write writes receipts as JSON Lines and returns the file.
func (fx *fixture) write(t *testing.T, name string, rs []ledger.Receipt) string {
	t.Helper()
	var b bytes.Buffer
	for _, r := range rs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	file := filepath.Join(fx.dir, name)
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// checkpoint writes the service's signed checkpoint of a receipt.
func (fx *fixture) checkpoint(t *testing.T, r ledger.Receipt) string {
	t.Helper()
	c := ledger.Checkpoint{Installation: r.Installation, Seq: r.Seq, Head: r.RecordedHash, Time: "2026-03-02T00:00:00Z"}
	if err := c.Sign(fx.key); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(c)
	file := filepath.Join(fx.dir, "checkpoint.json")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func (fx *fixture) verify(t *testing.T, file string, extra ...string) (int, string, string) {
	t.Helper()
	args := append([]string{"verify", file, "--bundles", fx.bundles, "--bundle-key", "hostsim/testdata/keys/test.pub"}, extra...)
	return ledgerCmd(t, "", args...)
}

func TestVerifyValid(t *testing.T) {
	fx := newFixture(t)
	file := fx.write(t, "receipts.jsonl", fx.chain)
	code, out, stderr := fx.verify(t, file, "--checkpoint", fx.checkpoint(t, fx.chain[39]), "--service-key", fx.servicePub)
	if code != 0 || !strings.HasPrefix(out, "ok: 40 receipt(s) of 1 installation(s); ") || !strings.Contains(out, "(signatures checked); 1 checkpoint(s)") ||
		!strings.Contains(out, "inst-1: policy msxf, seq 1 to 40, head "+fx.chain[39].RecordedHash+", checkpoint seq 40") {
		t.Errorf("%d\n%s\n%s", code, out, stderr)
	}
	// A JSON array on standard input, the service key in base64 as
	// GET /v1/keys gives it, and --json.
	array, _ := json.Marshal(fx.chain)
	b64 := base64.StdEncoding.EncodeToString(fx.key.Public().(ed25519.PublicKey))
	code, out, stderr = ledgerCmd(t, string(array), "verify", "-", "--json", "--checkpoint", fx.checkpoint(t, fx.chain[20]), "--service-key", b64)
	var rep ledger.Report
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Receipts != 40 || rep.Checkpoints != 1 || len(rep.Faults) != 0 {
		t.Errorf("stdin, --json: %d %s %s", code, out, stderr)
	}
}

// TestVerifyFaults: each fault the issue names, made as someone would,
// exits 1 naming the file, the receipt and the code.
func TestVerifyFaults(t *testing.T) {
	fx := newFixture(t)
	find := func(c []ledger.Receipt, kind string) int {
		for i, r := range c {
			if i > 2 && r.Kind == kind {
				return i
			}
		}
		t.Fatalf("no %s", kind)
		return 0
	}
	for _, tc := range []struct {
		name string
		make func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) // the chain, and the receipt to checkpoint
		want []string
	}{
		{"an edited receipt with its later hashes recomputed, caught by a checkpoint", func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) {
			cp := c[30]
			i := find(c, "consent")
			c[i].Answer = "declined"
			ledgertest.Relink(c, i)
			return c, &cp
		}, []string{`receipts.jsonl: installation "inst-1" seq 31 (receipts[30], id ` + "", "): fork: the service's checkpoint of 2026-03-02T00:00:00Z says receipt seq 31 has hash"}},
		{"a truncated chain: the checkpoint beyond its end", func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) {
			cp := c[39]
			return c[:33], &cp
		}, []string{`seq 33 (receipts[32], id ` + "", "): truncated: ", "says the chain reached seq 40", "it ends at seq 33: 7 receipt(s) cut off"}},
		{"time going backwards, unflagged", func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) {
			c[20].Time = "2020-01-01T08:00:00+08:00"
			ledgertest.Relink(c, 20)
			return c, nil
		}, []string{`seq 21 (receipts[20]`, "time_unflagged: time 2020-01-01T08:00:00+08:00 is before the time 2026-03-01T10:19:00Z of seq 20"}},
		{"a gap", func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) {
			return slices.Delete(c, 15, 17), nil
		}, []string{`seq 18 (receipts[15]`, "gap: seq 18 after seq 15: 2 receipt(s) missing"}},
		{"a repeat", func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) {
			return slices.Insert(c, 9, c[8]), nil
		}, []string{`seq 9 (receipts[9]`, "repeat: seq 9 again"}},
		{"a wrong text hash", func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) {
			i := find(c, "rationale")
			c[i].Text = c[0].Text // the policy popup's
			ledgertest.Relink(c, i)
			return c, nil
		}, []string{"bad_text: text ", "is the first-run policy popup, not a screen of what the receipt records (rationale "}},
		{"a wrong id", func(c []ledger.Receipt) ([]ledger.Receipt, *ledger.Receipt) {
			c[5].RecordedID = strings.Replace(c[5].RecordedID, c[5].RecordedID[:1], "f", 1)
			if c[5].RecordedID == c[5].ID() {
				c[5].RecordedID = "00000000" + c[5].RecordedID[8:]
			}
			return c, nil
		}, []string{`seq 6 (receipts[5]`, "bad_id: the id of hash "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, cp := tc.make(slices.Clone(fx.chain))
			file := fx.write(t, "receipts.jsonl", c)
			var extra []string
			if cp != nil {
				extra = []string{"--checkpoint", fx.checkpoint(t, *cp), "--service-key", fx.servicePub}
			}
			code, out, stderr := fx.verify(t, file, extra...)
			if code != 1 || !strings.Contains(out, "FAIL: ") || stderr != "" {
				t.Errorf("exit %d, stderr %q:\n%s", code, stderr, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("the report lacks %q:\n%s", w, out)
				}
			}
		})
	}
	// Time going backwards and flagged is recorded, counted, no fault.
	c := slices.Clone(fx.chain)
	c[20].Time, c[20].TimeBehind = "2020-01-01T08:00:00+08:00", true
	ledgertest.Relink(c, 20)
	if code, out, _ := fx.verify(t, fx.write(t, "flagged.jsonl", c)); code != 0 || !strings.Contains(out, ", 1 time_behind") {
		t.Errorf("flagged: %d\n%s", code, out)
	}
	// Two files: a fault names the file and the index there.
	a, b := fx.write(t, "a.jsonl", fx.chain[:10]), fx.write(t, "b.jsonl", fx.chain[10:])
	if code, out, _ := fx.verify(t, a, b); code != 0 {
		t.Errorf("two files: %d %s", code, out)
	}
	c = slices.Clone(fx.chain)
	c[12].Answer = "declined"
	b = fx.write(t, "b.jsonl", c[10:])
	if code, out, _ := fx.verify(t, a, b); code != 1 || !strings.Contains(out, `b.jsonl: installation "inst-1" seq 13 (receipts[2], id `) {
		t.Errorf("two files, a fault in the second: %d %s", code, out)
	}
}

func TestBadInput(t *testing.T) {
	fx := newFixture(t)
	good := fx.write(t, "good.jsonl", fx.chain[:3])
	raw, _ := os.ReadFile(good)
	broken := filepath.Join(fx.dir, "broken.jsonl")
	os.WriteFile(broken, bytes.Replace(raw, []byte(`"seq":2,`), []byte(`"seq":"2",`), 1), 0o644)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a mistyped member", []string{"verify", broken}, 1, "broken.jsonl: line 2: receipts[1].seq: must be an integer, not a string"},
		{"no such file", []string{"verify", filepath.Join(fx.dir, "none.jsonl")}, 1, "no such file"},
		{"no receipts named", []string{"verify"}, 2, "requires at least 1 arg"},
		{"a checkpoint without a key", []string{"verify", good, "--checkpoint", good}, 2, "--checkpoint needs --service-key"},
		{"a bundle key without bundles", []string{"verify", good, "--bundle-key", fx.servicePub}, 2, "--bundle-key without --bundles"},
		{"a broken service key", []string{"verify", good, "--checkpoint", good, "--service-key", "AAAA"}, 1, "--service-key AAAA: no such file, and not a base64 ed25519 public key"},
		{"not a checkpoint", []string{"verify", good, "--checkpoint", good, "--service-key", fx.servicePub}, 1, "good.jsonl: line 1.answer: is not a member of a checkpoint"},
		{"bundles signed by another key", []string{"verify", good, "--bundles", fx.bundles, "--bundle-key", fx.servicePub}, 1, "bad_signature"},
		{"export without bundles", []string{"export", good}, 2, "export needs --bundles"},
		{"an unknown installation", []string{"timeline", good, "--installation", "inst-9"}, 1, `no receipt of installation "inst-9"`},
	} {
		code, out, stderr := ledgerCmd(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d (want %d)\nstdout %s\nstderr %s", c.name, code, c.code, out, stderr)
		}
	}
}

func TestTimelineCommand(t *testing.T) {
	fx := newFixture(t)
	file := fx.write(t, "receipts.jsonl", fx.chain[:12])
	code, out, stderr := ledgerCmd(t, "", "timeline", file, "--bundles", fx.bundles)
	if code != 0 || !strings.Contains(out, "installation inst-1: policy msxf, 12 receipt(s)") || !strings.Contains(out, "shown: Privacy Policy") ||
		!strings.Contains(out, "bundle signatures not checked") {
		t.Errorf("%d %s %s", code, out, stderr)
	}
	code, out, _ = ledgerCmd(t, "", "timeline", file, "--bundles", fx.bundles, "--json", "--installation", "inst-1")
	var tl ledger.Timeline
	if code != 0 || json.Unmarshal([]byte(out), &tl) != nil || len(tl.Installations[0].Entries) != 12 || tl.Installations[0].Entries[0].Shown == nil {
		t.Errorf("--json: %d %s", code, out)
	}
	c := slices.Clone(fx.chain[:12])
	c[4].Answer = "declined"
	code, out, _ = ledgerCmd(t, "", "timeline", fx.write(t, "edited.jsonl", c))
	if code != 1 || !strings.Contains(out, "! bad_hash: ") {
		t.Errorf("a fault: %d %s", code, out)
	}
}

func TestExportCommand(t *testing.T) {
	fx := newFixture(t)
	file := fx.write(t, "receipts.jsonl", fx.chain[:8])
	code, out, stderr := ledgerCmd(t, "", "export", file, "--bundles", fx.bundles, "--json")
	var crs []ledger.ConsentReceipt
	if code != 0 || json.Unmarshal([]byte(out), &crs) != nil || len(crs) != 8 || crs[0].PIIControllers[0].PIIController != "Mashang Consumer Finance Co., Ltd." ||
		crs[0].Language != "en" || crs[0].ConsentReceiptID != fx.chain[0].RecordedID {
		t.Fatalf("%d %s %s", code, out, stderr)
	}
	// On iOS the SDKs embedded on Android only rely on nothing.
	if p := crs[0].Services[0].Purposes[0]; !p.ThirdPartyDisclosure || strings.Contains(p.ThirdPartyName, "xiaomi_push") || !strings.Contains(p.ThirdPartyName, "jpush") {
		t.Errorf("SDKs on iOS: %q", p.ThirdPartyName)
	}
	code, out, _ = ledgerCmd(t, "", "export", file, "--bundles", fx.bundles)
	if code != 0 || !strings.Contains(out, "consent receipt "+fx.chain[0].RecordedID+" (KI-CR-v1.1.0)") || !strings.Contains(out, "method:       the app's pre-permission screen") {
		t.Errorf("text: %d %s", code, out)
	}
	// A chain with a fault is not exported, unless asked.
	c := slices.Clone(fx.chain[:8])
	c[2].PlatformVersion = "16.0"
	edited := fx.write(t, "edited.jsonl", c)
	if code, out, stderr := ledgerCmd(t, "", "export", edited, "--bundles", fx.bundles, "--json"); code != 1 || out != "" || !strings.Contains(stderr, "bad_hash") ||
		!strings.Contains(stderr, "not exported: 1 fault(s)") {
		t.Errorf("a fault: %d %q %s", code, out, stderr)
	}
	if code, _, _ := ledgerCmd(t, "", "export", edited, "--bundles", fx.bundles, "--unverified"); code != 0 {
		t.Errorf("--unverified: %d", code)
	}
}

func TestGenerate(t *testing.T) {
	fx := newFixture(t)
	out, cp := filepath.Join(fx.dir, "chain.jsonl"), filepath.Join(fx.dir, "cp.json")
	if code, _, stderr := ledgerCmd(t, "", "generate", "--bundle", filepath.Join(fx.bundles, "reference.json"), "-n", "50", "--installations", "2",
		"-o", out, "--checkpoint-out", cp, "--key-out", filepath.Join(fx.dir, "gen")); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	code, stdout, _ := fx.verify(t, out, "--checkpoint", cp, "--service-key", filepath.Join(fx.dir, "gen.pub"))
	if code != 0 || !strings.Contains(stdout, "ok: 100 receipt(s) of 2 installation(s)") || !strings.Contains(stdout, "2 checkpoint(s)") {
		t.Errorf("%d %s", code, stdout)
	}
}

package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// specReceipt is the example receipt of SPEC.md section 1, with its
// hashes filled in.
func specReceipt() Receipt {
	return Receipt{
		V: 2, Kind: "rationale", Answer: "accepted", Installation: "inst-7f3a", Seq: 7,
		Time: "2026-03-01T10:00:00+08:00", Policy: "msxf", Version: "2022-03-29",
		Bundle: "sha256:" + strings.Repeat("4f", 32), Locale: "zh-CN", Platform: "android", PlatformVersion: "33",
		Scenario: "loan_apply", Step: "apply", Permission: "location", Sensitive: "precise_location",
		Purpose: "loan_risk", SeparateConsent: true, Text: strings.Repeat("ab", 32), Prev: strings.Repeat("cd", 32),
	}
}

// TestReceiptCanonical: a receipt writes itself in canonical form, which
// is what Canonical makes of it, and its hash is the SHA-256 of that form
// without hash and id.
func TestReceiptCanonical(t *testing.T) {
	r := specReceipt()
	r.Seal()
	body := `{"answer":"accepted","bundle":"sha256:` + strings.Repeat("4f", 32) + `","installation":"inst-7f3a","kind":"rationale",` +
		`"locale":"zh-CN","permission":"location","platform":"android","platform_version":"33","policy":"msxf",` +
		`"prev":"` + strings.Repeat("cd", 32) + `","purpose":"loan_risk","scenario":"loan_apply","sensitive":"precise_location",` +
		`"separate_consent":true,"seq":7,"step":"apply","text":"` + strings.Repeat("ab", 32) + `","time":"2026-03-01T10:00:00+08:00",` +
		`"v":2,"version":"2022-03-29"}`
	if got := string(r.Body()); got != body {
		t.Fatalf("body\n got %s\nwant %s", got, body)
	}
	sum := sha256.Sum256([]byte(body))
	if r.Hash() != hex.EncodeToString(sum[:]) || r.RecordedHash != r.Hash() {
		t.Errorf("hash %s, want %x", r.Hash(), sum)
	}
	full, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	canon, err := Canonical(full)
	if err != nil || string(canon) != string(full) {
		t.Errorf("the receipt's JSON is not canonical:\n%s\n%s (%v)", full, canon, err)
	}
	// Canonical of the Go value, through encoding/json, is the same.
	if viaAny, err := Canonical(r); err != nil || string(viaAny) != string(full) {
		t.Errorf("Canonical(receipt) = %s (%v)", viaAny, err)
	}
	back, err := Parse(full)
	if err != nil || len(back) != 1 || back[0] != r {
		t.Errorf("parsed back: %+v (%v)", back, err)
	}
}

// TestReceiptID: the id is a UUIDv8 of the hash's first 16 bytes with the
// version and variant bits set.
func TestReceiptID(t *testing.T) {
	id, err := IDFromHash("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	if err != nil {
		t.Fatal(err)
	}
	// byte 6: 0x80 | 0x66&0x0f = 0x86; byte 8: 0x80 | 0x88&0x3f = 0x88.
	if want := "00112233-4455-8677-8899-aabbccddeeff"; id != want {
		t.Errorf("got %s, want %s", id, want)
	}
	id, _ = IDFromHash(strings.Repeat("ff", 32))
	if want := "ffffffff-ffff-8fff-bfff-ffffffffffff"; id != want {
		t.Errorf("got %s, want %s", id, want)
	}
	r := specReceipt()
	r.Seal()
	if want, _ := IDFromHash(r.RecordedHash); r.RecordedID != want || r.ID() != want {
		t.Errorf("id %s, from hash %s", r.RecordedID, want)
	}
	if _, err := IDFromHash("ABCD"); err == nil {
		t.Error("IDFromHash takes a short hash")
	}
}

// TestParseForms: a JSON array and JSON Lines read alike.
func TestParseForms(t *testing.T) {
	a, b := specReceipt(), specReceipt()
	a.Seq, a.Prev = 1, ""
	a.Seal()
	b.Prev = a.RecordedHash
	b.Seq = 2
	b.Seal()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	array := "[\n " + string(ja) + ",\n " + string(jb) + "\n]\n"
	lines := string(ja) + "\n\n" + string(jb) + "\r\n"
	for name, in := range map[string]string{"array": array, "lines": lines} {
		got, err := Parse([]byte(in))
		if err != nil || len(got) != 2 || got[0] != a || got[1] != b {
			t.Errorf("%s: %+v (%v)", name, got, err)
		}
	}
	if got, err := Parse([]byte("[]")); err != nil || len(got) != 0 {
		t.Errorf("an empty array: %v (%v)", got, err)
	}
	// Without the optional members: a web browser with no version, an
	// engine given no bundle hash, no installation, the policy.
	min := Receipt{V: 2, Kind: "policy", Answer: "declined", Seq: 1, Time: "2026-03-01T10:00:00Z", Policy: "msxf",
		Version: "2022-03-29", Locale: "en", Platform: "web", Text: strings.Repeat("1", 64)}
	min.Seal()
	raw, _ := json.Marshal(min)
	if want := `{"answer":"declined","hash":"`; !strings.HasPrefix(string(raw), want) || strings.Contains(string(raw), "platform_version") {
		t.Errorf("minimal receipt %s", raw)
	}
	if got, err := Parse(raw); err != nil || got[0] != min {
		t.Errorf("minimal receipt read back: %+v (%v)", got, err)
	}
}

// TestParseErrors: each error names the receipt (and line) and member.
func TestParseErrors(t *testing.T) {
	good := specReceipt()
	good.Seal()
	raw, _ := json.Marshal(good)
	edit := func(old, new string) string {
		s := strings.Replace(string(raw), old, new, 1)
		if s == string(raw) {
			t.Fatalf("edit %q: not found", old)
		}
		return s
	}
	cases := []struct {
		name, in, want string
	}{
		{"unknown member", edit(`"v":2`, `"v":2,"device":"x"`), `receipts[0].device: is not a member of a receipt`},
		{"repeated member", edit(`"v":2`, `"v":2,"seq":8`), `member "seq" is given twice`},
		{"wrong type", edit(`"seq":7`, `"seq":"7"`), `receipts[0].seq: must be an integer, not a string`},
		{"fraction", edit(`"seq":7`, `"seq":7.0`), `receipts[0].seq: is 7.0: an integer`},
		{"zero seq", edit(`"seq":7`, `"seq":0`), `receipts[0].seq: is 0: a sequence number starts at 1`},
		{"huge seq", edit(`"seq":7`, `"seq":9007199254740992`), `receipts[0].seq: is 9007199254740992: beyond 2^53-1`},
		{"other format", edit(`"v":2`, `"v":1`), `receipts[0].v: is 1: this reads receipts of format 2`},
		{"missing member", edit(`"locale":"zh-CN",`, ``), `receipts[0].locale: is missing`},
		{"empty optional", edit(`"installation":"inst-7f3a"`, `"installation":""`), `receipts[0].installation: is empty`},
		{"empty platform version", edit(`"platform_version":"33"`, `"platform_version":""`), `receipts[0].platform_version: is empty: an absent value is left out`},
		{"empty bundle", edit(`"bundle":"sha256:`+strings.Repeat("4f", 32)+`"`, `"bundle":""`), `receipts[0].bundle: is empty`},
		{"false flag", edit(`"separate_consent":true`, `"separate_consent":false`), `receipts[0].separate_consent: is false`},
		{"null", edit(`"scenario":"loan_apply"`, `"scenario":null`), `receipts[0].scenario: must be a string, not null`},
		{"unknown kind", edit(`"kind":"rationale"`, `"kind":"popup"`), `receipts[0].kind: "popup" is not a kind of receipt`},
		{"unknown answer", edit(`"answer":"accepted"`, `"answer":"yes"`), `receipts[0].answer: "yes" is not an answer`},
		{"bad time", edit(`"time":"2026-03-01T10:00:00+08:00"`, `"time":"2026-03-01 10:00"`), `receipts[0].time: "2026-03-01 10:00" is not an RFC 3339 time`},
		{"upper-case hash", edit(`"hash":"`+good.RecordedHash, `"hash":"`+strings.ToUpper(good.RecordedHash)), `receipts[0].hash: `},
		{"bad id", edit(`"id":"`+good.RecordedID, `"id":"`+strings.ReplaceAll(good.RecordedID, "-", "")), `receipts[0].id: `},
		{"bad bundle", edit(`"bundle":"sha256:`, `"bundle":"md5:`), `receipts[0].bundle: `},
		{"bad installation", edit(`"installation":"inst-7f3a"`, `"installation":"inst 7f3a"`), `receipts[0].installation: "inst 7f3a" is not an installation id`},
		{"unknown platform", edit(`"platform":"android"`, `"platform":"symbian"`), `receipts[0].platform: "symbian" is not a platform`},
		{"unknown permission", edit(`"permission":"location"`, `"permission":"gps"`), `receipts[0].permission: "gps" is not a permission`},
		{"not an object", `[1]`, `receipts[0]: a receipt is a JSON object, not a number`},
		{"neither array nor object", `"x"`, `line 1: receipts[0]: a receipt is a JSON object, not a string`},
		{"broken array", `[{"v":2}`, `receipts: not a JSON array of receipts: byte 8: `},
		{"empty", ``, `receipts: no receipts: the input is empty`},
		{"blank lines", "\n\n", `no receipts`},
		{"second line broken", string(raw) + "\n{\"v\":\n", `line 2: receipts[1]: not JSON: `},
		{"second line wrong", string(raw) + "\n" + edit(`"seq":7`, `"seq":true`), `line 2: receipts[1].seq: must be an integer, not a boolean`},
		{"second of an array", "[" + string(raw) + "," + edit(`"policy":"msxf"`, `"policy":7`) + "]", `receipts[1].policy: must be a string, not a number`},
		{"invalid UTF-8", edit(`"step":"apply"`, "\"step\":\"ap\xffply\""), `not valid UTF-8`},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.in))
		var pe *ParseErrors
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// Every broken receipt is reported, not only the first.
	in := edit(`"seq":7`, `"seq":-1`) + "\n" + string(raw) + "\n" + edit(`"v":2`, `"v":3`)
	_, err := Parse([]byte(in))
	var pe *ParseErrors
	if !errors.As(err, &pe) || pe.Total != 2 || pe.Errs[0].Line != 1 || pe.Errs[1].Line != 3 || pe.Errs[1].Member != "v" {
		t.Errorf("two broken receipts: %#v", err)
	}
}

// TestParseNeverPanics feeds Parse prefixes of a valid chain.
func TestParseNeverPanics(t *testing.T) {
	r := specReceipt()
	r.Seal()
	raw, _ := json.Marshal([]Receipt{r, r})
	for i := range raw {
		Parse(raw[:i])
	}
}

func FuzzParse(f *testing.F) {
	r := specReceipt()
	r.Seal()
	raw, _ := json.Marshal(r)
	f.Add(raw)
	f.Add([]byte("[" + string(raw) + "]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse(data)
		if err != nil {
			if rs != nil {
				t.Fatal("receipts and an error")
			}
			return
		}
		// What Parse reads writes back canonically and reads again alike.
		for _, r := range rs {
			out, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(out)
			if err != nil || len(back) != 1 || back[0] != r {
				t.Fatalf("%s read back: %v", out, err)
			}
		}
	})
}

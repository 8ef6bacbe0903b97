package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/ledger/ledgertest"
)

func TestTimeline(t *testing.T) {
	bs, _ := testBundles(t)
	c := chain(t, "inst-1", 20)
	c[12].Time = "2020-01-01T00:00:00Z"
	c[12].TimeBehind = true
	ledgertest.Relink(c, 12)
	c[15].PlatformVersion = "34" // edited, not re-sealed: bad_hash
	key := serviceKey(7)
	tl := ledger.NewTimeline(c, ledger.Options{Bundles: bs, Checkpoints: []ledger.Checkpoint{checkpoint(t, c[19], key)},
		ServiceKeys: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}})
	if len(tl.Installations) != 1 || len(tl.Installations[0].Entries) != 20 || !tl.TextsChecked || !tl.BundlesSigned {
		t.Fatalf("timeline %+v", tl)
	}
	it := tl.Installations[0]
	if it.TimeBehind != 1 || it.Checkpoints != 1 {
		t.Errorf("summary %+v", it.InstallationReport)
	}
	first := it.Entries[0]
	if first.Kind != "policy" || first.Shown == nil || first.Shown.Kind != ledger.ScreenPolicyFirst || first.Shown.Title() != "隐私政策" {
		t.Errorf("first entry %+v", first)
	}

	var text bytes.Buffer
	if err := tl.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{
		"installation inst-1: policy msxf, 20 receipt(s), seq 1 to 20",
		"1 checkpoint(s), the newest of seq 20",
		"      1  2026-03-01T10:00:00+08:00  policy 2022-03-29",
		"shown: 隐私政策",
		"2020-01-01T00:00:00Z",
		"[time behind]",
		"1 receipt(s) dated before the one before them (time_behind)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
	// The edited receipt's fault is shown under it.
	if len(tl.Faults) != 1 || tl.Faults[0].Code != ledger.FaultHash || it.Entries[15].Faults[0] != ledger.FaultHash ||
		!strings.Contains(out, "! bad_hash: ") {
		t.Errorf("faults %v not in:\n%s", tl.Faults, out)
	}

	raw, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Installations []struct {
			Installation string `json:"installation"`
			TimeBehind   int    `json:"time_behind"`
			Entries      []struct {
				Seq   int64 `json:"seq"`
				Shown *struct {
					Kind  string   `json:"kind"`
					Texts []string `json:"texts"`
				} `json:"shown"`
				Faults []string `json:"faults"`
			} `json:"entries"`
		} `json:"installations"`
	}
	if err := json.Unmarshal(raw, &back); err != nil || len(back.Installations) != 1 || back.Installations[0].Installation != "inst-1" ||
		back.Installations[0].TimeBehind != 1 || back.Installations[0].Entries[1].Shown == nil || len(back.Installations[0].Entries[1].Shown.Texts) != 5 {
		t.Errorf("JSON %s (%v)", raw, err)
	}
}

func TestTimelineWithoutBundles(t *testing.T) {
	tl := ledger.NewTimeline(chain(t, "", 3), ledger.Options{})
	var text bytes.Buffer
	tl.WriteText(&text)
	if !strings.Contains(text.String(), "installation (none)") || !strings.Contains(text.String(), "texts not checked: no bundles given") {
		t.Errorf("%s", text.String())
	}
}

func TestExport(t *testing.T) {
	bs, hashes := testBundles(t)
	c := chain(t, "inst-1", 30)
	crs, err := ledger.Export(c, bs)
	if err != nil {
		t.Fatal(err)
	}
	if len(crs) != 30 {
		t.Fatalf("%d receipts", len(crs))
	}
	pol := crs[0]
	if pol.Version != "KI-CR-v1.1.0" || pol.Jurisdiction != "CN" || pol.ConsentReceiptID != c[0].RecordedID || pol.Language != "zh-CN" ||
		pol.PIIPrincipalID != "inst-1" || pol.ConsentTimestamp != start.Unix() || pol.PolicyURL != "https://www.msxf.com/privacy/2022-03-29?lang=zh-CN" {
		t.Errorf("policy receipt %+v", pol)
	}
	ctl := pol.PIIControllers[0]
	if ctl.PIIController != "马上消费金融股份有限公司" || ctl.Contact != "个人信息保护专职部门" || ctl.Phone != "952251" || ctl.Email != "kf@msxf.com" ||
		ctl.Address.AddressCountry != "CN" || !strings.Contains(ctl.Address.StreetAddress, "重庆市") {
		t.Errorf("controller %+v", ctl)
	}
	if pol.Record.State != "given" || pol.Record.Bundle != hashes["reference"] || len(pol.Record.NoticeTexts) == 0 || pol.Record.NoticeTexts[0] != "隐私政策" ||
		!pol.Services[0].Purposes[0].PrimaryPurpose || !pol.Services[0].Purposes[0].ThirdPartyDisclosure {
		t.Errorf("policy record %+v %+v", pol.Record, pol.Services)
	}
	// A rationale that asks separate consent: sensitive, its category, the
	// step's purpose text, and the SDKs that rely on it.
	var sep *ledger.ConsentReceipt
	for i := range c {
		if c[i].Kind == "rationale" && c[i].Sensitive == "precise_location" {
			sep = &crs[i]
			break
		}
	}
	if sep == nil {
		t.Fatal("no rationale asking precise location")
	}
	p := sep.Services[0].Purposes[0]
	if !sep.Sensitive || len(sep.SPICat) != 1 || sep.SPICat[0] != "precise_location" || p.Purpose == "" || p.ConsentType != "EXPLICIT" ||
		!strings.Contains(strings.Join(p.PIICategory, ","), "location") || sep.Services[0].Service == "" || sep.Record.ConsentPurpose == "" {
		t.Errorf("separate consent %+v", sep)
	}
	// The JSON has Kantara's member names.
	raw, _ := json.Marshal(crs[0])
	for _, name := range []string{`"version"`, `"jurisdiction"`, `"consentTimestamp"`, `"collectionMethod"`, `"consentReceiptID"`, `"language"`,
		`"piiPrincipalId"`, `"piiControllers"`, `"piiController"`, `"policyUrl"`, `"services"`, `"purposes"`, `"purposeCategory"`, `"consentType"`,
		`"piiCategory"`, `"primaryPurpose"`, `"termination"`, `"thirdPartyDisclosure"`, `"sensitive"`, `"spiCat"`} {
		if !strings.Contains(string(raw), name+":") {
			t.Errorf("no member %s in %s", name, raw)
		}
	}
	var text bytes.Buffer
	if err := ledger.WriteExportText(&text, crs[:2]); err != nil || !strings.Contains(text.String(), "consent receipt "+c[0].RecordedID) ||
		!strings.Contains(text.String(), "controller:   马上消费金融股份有限公司") {
		t.Errorf("text %s (%v)", text.String(), err)
	}
	// A receipt of a version no bundle has cannot be described.
	c[3].Version = "2099-01-01"
	if _, err := ledger.Export(c, bs); err == nil || !strings.Contains(err.Error(), "receipts[3] (installation \"inst-1\" seq 4): no bundle of msxf 2099-01-01") {
		t.Errorf("no bundle: %v", err)
	}
}

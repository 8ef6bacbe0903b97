package prompts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// newReferenceVersion writes, under a temporary prompts/msxf, the
// reference policy and a later version of it (2023-09-01, declared
// change) that differs only by extra (appended to its file) and by the
// overlay texts given per locale; it returns the project.
func newReferenceVersion(t *testing.T, change, extra string, overlay map[string]string) *Project {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "msxf")
	src, err := os.ReadFile(referencePolicy)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "2022-03-29.toml"), string(src))
	next := string(src)
	for _, r := range [][2]string{
		{`version = "2022-03-29"`, `version = "2023-09-01"`},
		{"updated = 2022-03-24", "updated = 2023-08-25"},
		{"published = 2022-03-29", "published = 2023-09-01"},
		{"effective = 2022-03-29", "effective = 2023-09-08"},
		{`change = "first"`, `change = "` + change + `"`},
	} {
		if strings.Count(next, r[0]) != 1 {
			t.Fatalf("the reference policy has %q %d times", r[0], strings.Count(next, r[0]))
		}
		next = strings.Replace(next, r[0], r[1], 1)
	}
	next = strings.ReplaceAll(next, "/privacy/2022-03-29", "/privacy/2023-09-01")
	writeTestFile(t, filepath.Join(dir, "2023-09-01.toml"), next+extra)
	for loc, text := range overlay {
		writeTestFile(t, filepath.Join(dir, "2023-09-01", "locales", loc+".toml"), text)
	}
	p, err := Load([]string{dir}, []string{shippedLocales})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// locationOverlay rewords the location purpose of loan_apply/apply in
// every locale: the reference policy's own example of a purpose change
// (sharing location with marketing partners).
var locationOverlay = map[string]string{
	"zh-CN": "[purpose.loan_apply.apply]\nlocation = \"用于核实借款申请与您所在的实际场景是否相符，并提供给营销合作伙伴向您推荐附近的优惠。\"\n",
	"en":    "[purpose.loan_apply.apply]\nlocation = \"To check that your application matches where you are, and shared with marketing partners to show you offers nearby.\"\n",
	"zh-TW": "[purpose.loan_apply.apply]\nlocation = \"用於核實借款申請與您所在的實際場景是否相符，並提供給行銷合作夥伴向您推薦附近的優惠。\"\n",
}

// TestTextOnlyPurposeChangeIsMajor: a new version that changes nothing
// but the location purpose's text, in its own overlay, is a purpose
// change (section 9.1): major, with its line in the update popup in every
// locale, naming the permission and the step; the older version keeps its
// own text.
func TestTextOnlyPurposeChangeIsMajor(t *testing.T) {
	p := newReferenceVersion(t, "major", "", locationOverlay)
	if probs := Lint(p); len(probs) > 0 {
		t.Fatal(probs)
	}
	changes := Diff(p.Versions[0], p.Versions[1])
	if len(changes) != 1 {
		t.Fatalf("changes %v", changes)
	}
	c := changes[0]
	if c.Kind != "text_changed" || c.Class != "purpose" || !c.Major || c.Subject != "purpose.loan_apply.apply.location" || c.Step != "loan_apply/apply" {
		t.Errorf("change %+v", c)
	}
	b, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	last := b.History[len(b.History)-1]
	if last.Change != vocab.ChangeMajor.String() || len(last.Changes) != 1 || !last.Changes[0].Major {
		t.Fatalf("history %+v", last)
	}
	want := map[string][]string{
		"zh-CN": {"贷款申请 · 提交申请", "位置信息", "说明有调整"},
		"en":    {"ocation", "has changed"},
		"zh-TW": {"貸款申請 · 提交申請", "位置資訊", "說明有調整"},
	}
	for _, loc := range b.Policy.Locales {
		line := b.Text(loc, last.Changes[0].Text)
		for _, w := range want[loc] {
			if !strings.Contains(line, w) {
				t.Errorf("%s: the popup line %q does not say %q", loc, line, w)
			}
		}
		if strings.Contains(line, "{{") || strings.Contains(line, "<no value>") {
			t.Errorf("%s: %q", loc, line)
		}
		if got := b.Text(loc, "purpose.loan_apply.apply.location"); got == "" || !strings.Contains(locationOverlay[loc], got) {
			t.Errorf("%s: the new version shows %q, not its overlay's text", loc, got)
		}
	}
	old, err := p.versionTexts(p.Versions[0], "en")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(old["purpose.loan_apply.apply.location"], "marketing") {
		t.Error("the overlay of 2023-09-01 changed what 2022-03-29 says")
	}

	// Declared minor, it is unmarked_major; marked editorial with a
	// reason, it is minor and still listed.
	minor := newReferenceVersion(t, "minor", "", locationOverlay)
	probs := Lint(minor)
	if len(probs) != 1 || probs[0].Code != CodeUnmarkedMajor || !strings.Contains(probs[0].Message, "text_changed purpose.loan_apply.apply.location") {
		t.Errorf("declared minor: %v", probs)
	}
	editorial := newReferenceVersion(t, "minor", "\n[[editorial]]\nmessage = \"purpose.loan_apply.apply.location\"\nreason = \"a test: the reason is what reviewers read\"\n", locationOverlay)
	if probs := Lint(editorial); len(probs) > 0 {
		t.Fatalf("marked editorial: %v", probs)
	}
	ch := Diff(editorial.Versions[0], editorial.Versions[1])
	if len(ch) != 1 || ch[0].Major || ch[0].Class != "experience" || !strings.Contains(ch[0].Detail, "editorial: a test") {
		t.Errorf("marked editorial: %v", ch)
	}
	eb, err := Compile(editorial)
	if err != nil {
		t.Fatal(err)
	}
	el := eb.History[len(eb.History)-1]
	for _, loc := range eb.Policy.Locales {
		if el.Change != vocab.ChangeMinor.String() || len(el.Changes) != 1 || eb.Text(loc, el.Changes[0].Text) == "" {
			t.Errorf("%s: the editorial change is not a listed minor change: %+v", loc, el)
		}
	}
}

// TestTextChangeClasses: a changed text is classed by what the message
// is, in every locale alike.
func TestTextChangeClasses(t *testing.T) {
	cases := []struct {
		id, old, new string // new replaces old in the message's zh-CN text
		want         string // class major
	}{
		{"data.location", "", "（含行踪轨迹）", "data_type true"},
		{"sdk.jpush.purpose", "", "，并用于营销", "sharing true"},
		{"recipient.insurance.purpose", "", "，并用于营销", "sharing true"},
		{"right.access", "", "（仅限工作日）", "rights true"},
		{"policy.body", "{{.ResponseDays}}个工作日", "{{.ResponseDays}}个自然日", "rights true"},
		{"policy.body", "您仍可以浏览页面内容", "您仍可以浏览页面", "experience false"},
		{"org.address", "", "（新址）", "contact true"},
		{"permission.camera.usage", "", "，并用于营销", "purpose true"},
		{"rationale.accept", "去授权", "好的", "experience false"},
		{"consent_purpose.loan_identity", "", "及营销", "purpose true"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			old := loadReference(t).Active()
			next := loadReference(t).Active()
			m := next.catalogs["zh-CN"].Messages[c.id]
			if m == nil {
				t.Fatalf("no message %s", c.id)
			}
			changed := *m
			if c.old == "" {
				changed.Text += c.new
			} else if strings.Contains(m.Text, c.old) {
				changed.Text = strings.Replace(m.Text, c.old, c.new, 1)
			} else {
				t.Fatalf("%s does not say %q", c.id, c.old)
			}
			next.catalogs["zh-CN"].Messages[c.id] = &changed
			changes := Diff(old, next)
			if len(changes) != 1 || changes[0].Kind != "text_changed" || changes[0].Subject != c.id {
				t.Fatalf("changes %v", changes)
			}
			got := changes[0].Class + " " + map[bool]string{true: "true", false: "false"}[changes[0].Major]
			if got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
			r, err := next.proj.renderer(next, "en")
			if err != nil {
				t.Fatal(err)
			}
			if line, err := r.change(changes[0], next); err != nil || line == "" {
				t.Errorf("the popup line: %q %v", line, err)
			}
		})
	}
}

// TestConsentMadeBlocking: a separate consent whose refusal becomes
// blocking narrows the user's rights like a permission's (major); the
// reverse stays minor.
func TestConsentMadeBlocking(t *testing.T) {
	optional := loadReference(t).Active()
	c := &step(optional, "loan_apply/bind_card").Consents[0]
	c.Consequence = "degraded"
	blocking := loadReference(t).Active()
	for _, tc := range []struct {
		old, new *Policy
		want     string
	}{{optional, blocking, "consent_changed rights true"}, {blocking, optional, "consent_changed experience false"}} {
		changes := Diff(tc.old, tc.new)
		if len(changes) != 1 {
			t.Fatalf("changes %v", changes)
		}
		got := changes[0].Kind + " " + changes[0].Class + " " + map[bool]string{true: "true", false: "false"}[changes[0].Major]
		if got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}

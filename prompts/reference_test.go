package prompts

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

const (
	referencePolicy = "msxf/2022-03-29.toml"
	revisionPolicy  = "testdata/revision/msxf/2023-09-01.toml"
	revisionLocales = "testdata/revision/locales"
	shippedLocales  = "../locales"
)

func loadReference(t testing.TB) *Project {
	t.Helper()
	p, err := Load([]string{"msxf"}, []string{shippedLocales})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func compileReference(t testing.TB) *bundle.Bundle {
	t.Helper()
	b, err := Compile(loadReference(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReferenceBundle checks the compiled reference policy against the
// facts of the seed policy that other code relies on.
func TestReferenceBundle(t *testing.T) {
	b := compileReference(t)
	if b.Policy.ID != "msxf" || b.Policy.Version != "2022-03-29" || b.Policy.Effective != "2022-03-29" {
		t.Errorf("policy %+v", b.Policy)
	}
	if b.Policy.CooldownSeconds != 48*3600 || b.Policy.DefaultLocale != "zh-CN" {
		t.Errorf("cooldown %d s, default locale %s", b.Policy.CooldownSeconds, b.Policy.DefaultLocale)
	}
	if len(b.History) != 1 || b.History[0].Change != vocab.ChangeFirst.String() {
		t.Errorf("the shipped bundle carries the reference version alone: %+v", b.History)
	}
	// Section 10 and the policy's header: who the controller is, rendered
	// in every locale, for consent records.
	c := b.Policy.Controller
	if c == nil || c.Phone != "952251" || c.Email != "kf@msxf.com" || c.Jurisdiction != "CN" {
		t.Fatalf("controller %+v", c)
	}
	for loc, want := range map[string][2]string{
		"zh-CN": {"马上消费金融股份有限公司", "个人信息保护专职部门"},
		"zh-TW": {"馬上消費金融股份有限公司", "個人資料保護專職部門"},
		"en":    {"Mashang Consumer Finance Co., Ltd.", "Personal Information Protection Department"},
	} {
		if b.Text(loc, c.Name) != want[0] || b.Text(loc, c.Contact) != want[1] || !strings.Contains(b.Text(loc, c.Address), "52") || b.Text(loc, c.Short) == "" {
			t.Errorf("%s: controller %q, contact %q, address %q", loc, b.Text(loc, c.Name), b.Text(loc, c.Contact), b.Text(loc, c.Address))
		}
	}

	// What each step asks, in order: its consents ("" permission), then
	// its permissions, each with the separate consent it needs, if any.
	type ask struct {
		perm, consequence, consent string
	}
	required := map[string][]ask{
		"register_login/register":              {{"phone_state", "degraded", ""}, {"bluetooth", "degraded", ""}, {"storage", "degraded", ""}, {"ad_tracking", "degraded", ""}},
		"register_login/face_login":            {{"", "blocking", "biometrics/biometric_login"}, {"face_id", "blocking", ""}},
		"loan_apply/apply":                     {{"location", "degraded", "precise_location/loan_risk"}, {"call_log", "degraded", ""}, {"installed_apps", "degraded", ""}},
		"loan_apply/id_verify":                 {{"camera", "blocking", ""}},
		"loan_apply/liveness":                  {{"camera", "blocking", "biometrics/loan_identity"}},
		"loan_apply/bind_card":                 {{"", "blocking", "financial_account/card_binding"}, {"camera", "fallback", ""}},
		"loan_apply/emergency_contacts":        {{"contacts", "fallback", ""}},
		"loan_apply/supplement_upload":         {{"camera", "degraded", ""}, {"photos", "degraded", ""}},
		"account_security/liveness_supplement": {{"camera", "blocking", "biometrics/account_security"}},
		"account_security/change_card":         {{"", "blocking", "financial_account/card_binding"}},
		"mall/return_voucher":                  {{"camera", "degraded", ""}, {"photos", "degraded", ""}},
		"marketing/notifications":              {{"notifications", "degraded", ""}},
		"customer_service/voice":               {{"microphone", "blocking", ""}},
		"calendar/reminder":                    {{"calendar", "blocking", ""}},
		"browse/save_image":                    {{"storage", "blocking", ""}, {"photos", "blocking", ""}},
		"app_update/install":                   {{"install_packages", "fallback", ""}},
	}
	for id, want := range required {
		sc, st, _ := strings.Cut(id, "/")
		step := b.Step(sc, st)
		if step == nil {
			t.Errorf("step %s is missing", id)
			continue
		}
		var got []ask
		for _, sp := range append(slices.Clone(step.Consents), step.Permissions...) {
			consent := ""
			if sp.Separate() {
				consent = sp.Sensitive + "/" + sp.ConsentPurpose
			}
			got = append(got, ask{sp.ID, sp.Consequence, consent})
			if sp.Consequence == vocab.Fallback.String() && sp.Fallback == "" {
				t.Errorf("%s: %s falls back without a fallback text", id, sp.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("step %s asks %v, want %v", id, got, want)
		}
	}
	// Every purpose the policy names, each used, with its name.
	var purposes []string
	for _, pu := range b.Purposes {
		purposes = append(purposes, pu.ID)
		for _, loc := range b.Policy.Locales {
			if b.Text(loc, pu.Name) == "" {
				t.Errorf("%s: purpose %s has no name", loc, pu.ID)
			}
		}
	}
	wantPurposes := []string{"loan_risk", "loan_identity", "account_security", "biometric_login", "card_binding", "push_delivery", "analytics"}
	if !slices.Equal(purposes, wantPurposes) {
		t.Errorf("purposes %v, want %v", purposes, wantPurposes)
	}
	// Card binding: the financial-account consent stands on its own and
	// the camera only scans the card (issue 10, point 4).
	if bc := b.Step("loan_apply", "bind_card"); bc != nil {
		for _, sp := range bc.Permissions {
			if sp.Sensitive != "" || sp.Separate() {
				t.Errorf("bind_card: %s carries separate consent %s/%s", sp.ID, sp.Sensitive, sp.ConsentPurpose)
			}
		}
	}
	// Biometric login: the platform's own prompt, and a text where none.
	fl := b.Step("register_login", "face_login")
	if fl == nil {
		t.Fatal("no face_login step")
	}
	var prompts []string
	for _, p := range fl.SystemPrompts {
		prompts = append(prompts, p.Platform+p.Min+" "+p.API)
	}
	wantPrompts := []string{"android23 androidx.biometric.BiometricPrompt", "ios LocalAuthentication.LAContext",
		"harmonyos @ohos.userIAM.userAuth", "wechat wx.startSoterAuthentication"}
	if !slices.Equal(prompts, wantPrompts) {
		t.Errorf("face_login system prompts %v, want %v", prompts, wantPrompts)
	}
	if fl.Unavailable == "" || b.Text("zh-CN", fl.Unavailable) == "" {
		t.Errorf("face_login says nothing where biometric login is unavailable: %q", fl.Unavailable)
	}
	for _, key := range []string{
		bundle.SeparateText("biometrics", "biometric_login"), bundle.SeparateText("financial_account", "card_binding"),
		bundle.SeparateText("precise_location", "loan_risk"), bundle.ConsentText(bundle.ConsentTitle, "financial_account"),
		bundle.ConsentText(bundle.ConsentBlock, "biometrics"), "consent.accept", "consent.decline",
	} {
		for _, loc := range b.Policy.Locales {
			if b.Text(loc, key) == "" {
				t.Errorf("%s: no text %s", loc, key)
			}
		}
	}
	if a, l := b.Text("zh-CN", bundle.SeparateText("biometrics", "account_security")), b.Text("zh-CN", bundle.SeparateText("biometrics", "loan_identity")); a == l {
		t.Errorf("the separate consents of two purposes read alike: %q", a)
	}

	// Every permission of section 8 and the platforms that have it.
	var perms []string
	for _, p := range b.Permissions {
		perms = append(perms, p.ID)
	}
	if !slices.Equal(perms, vocab.Names(vocab.NumPermissions)) {
		t.Errorf("permissions %v, want %v", perms, vocab.Names(vocab.NumPermissions))
	}
	ids := []struct {
		perm, platform, version string
		want                    []string
	}{
		{"photos", "android", "34", nil}, // the photo picker: no full-access row
		{"bluetooth", "android", "30", []string{"android.permission.BLUETOOTH"}},
		{"bluetooth", "android", "31", []string{"android.permission.BLUETOOTH_CONNECT"}},
		{"installed_apps", "android", "29", nil},
		{"installed_apps", "android", "30", []string{"com.android.permission.GET_INSTALLED_APPS"}},
		{"install_packages", "android", "25", nil},
		{"install_packages", "android", "26", []string{"android.permission.REQUEST_INSTALL_PACKAGES"}},
		{"notifications", "android", "32", nil},
		{"notifications", "android", "33", []string{"android.permission.POST_NOTIFICATIONS"}},
		{"location", "android", "31", []string{"android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_COARSE_LOCATION"}},
		{"call_log", "ios", "17.2", nil},
		{"phone_state", "ios", "17.2", nil},
		{"ad_tracking", "android", "34", nil},
		{"ad_tracking", "ios", "13.7", nil},
		{"ad_tracking", "ios", "14.0", []string{"NSUserTrackingUsageDescription"}},
		{"face_id", "ios", "17.2", []string{"NSFaceIDUsageDescription"}},
		{"face_id", "harmonyos", "12", nil},
		{"calendar", "ios", "16.7", []string{"NSCalendarsUsageDescription"}},
		{"calendar", "ios", "17.0", []string{"NSCalendarsFullAccessUsageDescription"}},
		{"camera", "harmonyos", "12", []string{"ohos.permission.CAMERA"}},
		{"camera", "wechat", "3.3.0", []string{"scope.camera"}},
		{"microphone", "web", "", []string{"microphone"}},
		{"storage", "android", "33", nil},
	}
	for _, c := range ids {
		if got := b.PlatformIDs(c.perm, "", c.platform, c.version); !slices.Equal(got, c.want) {
			t.Errorf("%s on %s %s: %v, want %v", c.perm, c.platform, c.version, got, c.want)
		}
	}

	// Every SDK of section 8.
	wantSDKs := map[string]string{
		"xiaomi_push": "push", "huawei_push": "push", "vivo_push": "push", "jpush": "push",
		"umeng_share": "login_share_pay", "umeng_share_wechat": "login_share_pay", "umeng_share_qq": "login_share_pay",
		"wechat_sdk": "login_share_pay", "alipay_sdk": "login_share_pay",
		"tencent_captcha": "analytics", "umeng_analytics": "analytics", "sensors": "analytics",
		"yueying": "analytics", "jiguang_analytics": "analytics", "bugly": "analytics",
		"baidu_map": "map", "geetest_onelogin": "one_click_login", "cmcc_auth": "one_click_login",
		"ctcc_auth": "one_click_login", "cucc_auth": "one_click_login",
		"chromium_webview": "browser", "utdid": "development", "okhttp": "development",
	}
	got := map[string]string{}
	for _, s := range b.SDKs {
		got[s.ID] = s.Category
	}
	if len(got) != len(wantSDKs) {
		t.Errorf("%d SDKs, want %d", len(got), len(wantSDKs))
	}
	for id, cat := range wantSDKs {
		if got[id] != cat {
			t.Errorf("SDK %s: category %q, want %q", id, got[id], cat)
		}
	}
	// Each SDK's basis (section 8's SDK list): where it runs, what it
	// needs to run, and what it collects only when available.
	type basis struct {
		scenarios, requires, consents, optional string
	}
	push := basis{requires: "notifications", optional: "location(location,precise_location/push_delivery)"}
	analytics := basis{optional: "location(location,precise_location/analytics)"}
	oneClick := basis{scenarios: "register_login/one_click"}
	wantBasis := map[string]basis{
		"xiaomi_push": push, "huawei_push": push, "vivo_push": push, "jpush": push,
		"umeng_analytics": analytics, "sensors": analytics, "jiguang_analytics": analytics,
		"yueying": analytics, "bugly": analytics,
		"baidu_map":        {scenarios: "loan_apply", requires: "location", consents: "precise_location/loan_risk"},
		"tencent_captcha":  {scenarios: "register_login", optional: analytics.optional},
		"geetest_onelogin": oneClick, "cmcc_auth": oneClick, "ctcc_auth": oneClick, "cucc_auth": oneClick,
	}
	for _, s := range b.SDKs {
		var consents, optional []string
		for _, c := range s.Consents {
			consents = append(consents, c.Sensitive+"/"+c.Purpose)
		}
		for _, o := range s.Optional {
			optional = append(optional, o.Data+"("+o.Permission+","+o.Sensitive+"/"+o.Purpose+")")
		}
		got := basis{strings.Join(s.Scenarios, " "), strings.Join(s.Requires, " "), strings.Join(consents, " "), strings.Join(optional, " ")}
		if got != wantBasis[s.ID] { // the others run in the whole app, on consent to the policy alone
			t.Errorf("SDK %s runs on %+v, want %+v", s.ID, got, wantBasis[s.ID])
		}
	}

	// All three locales complete: the same keys, none empty.
	if !slices.Equal(b.Policy.Locales, []string{"zh-CN", "en", "zh-TW"}) {
		t.Errorf("locales %v", b.Policy.Locales)
	}
	ref := b.Texts["zh-CN"]
	for _, loc := range b.Policy.Locales {
		texts := b.Texts[loc]
		if len(texts) != len(ref) {
			t.Errorf("%s has %d texts, zh-CN %d", loc, len(texts), len(ref))
		}
		for k := range ref {
			if strings.TrimSpace(texts[k]) == "" {
				t.Errorf("%s: text %s is empty or missing", loc, k)
			}
			if strings.Contains(texts[k], "<no value>") || strings.Contains(texts[k], "{{") {
				t.Errorf("%s: text %s is not fully rendered: %q", loc, k, texts[k])
			}
		}
	}
	if b.Text("zh-CN", "settings.body.ios:camera") == b.Text("zh-CN", "settings.body.android:camera") {
		t.Error("settings guidance is the same on iOS and Android")
	}
	if strings.Contains(b.Text("zh-CN", "purpose.loan_apply.apply.call_log"), "{{") {
		t.Error("purpose not rendered")
	}
}

// TestReferenceSourcesAreComplete checks the catalogs, not the bundle:
// every locale defines exactly the same messages.
func TestReferenceSourcesAreComplete(t *testing.T) {
	p := loadReference(t)
	if probs := Lint(p); len(probs) > 0 {
		t.Fatal(probs)
	}
	zh := p.Catalogs["zh-CN"]
	for _, loc := range []string{"en", "zh-TW"} {
		c := p.Catalogs[loc]
		if c == nil {
			t.Fatalf("no %s catalog", loc)
		}
		if !slices.Equal(sortedKeys(c.Messages), sortedKeys(zh.Messages)) {
			t.Errorf("%s defines other messages than zh-CN", loc)
		}
	}
}

func loadRevision(t testing.TB) *Project {
	t.Helper()
	p, err := Load([]string{referencePolicy, revisionPolicy}, []string{shippedLocales, revisionLocales})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRevisionDiff checks the example revision: a changed purpose and a
// new SDK, both major by the policy's section 9.
func TestRevisionDiff(t *testing.T) {
	p := loadRevision(t)
	changes := Diff(p.Versions[0], p.Versions[1])
	var kinds []string
	for _, c := range changes {
		kinds = append(kinds, c.Kind+" "+c.Class+" "+c.Subject+" "+c.Step)
		if !c.Major {
			t.Errorf("change %s is not major", c)
		}
	}
	want := []string{
		"purpose_changed purpose location loan_apply/apply",
		"sdk_added sharing getui_push ",
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("changes %q, want %q", kinds, want)
	}
	if Classify(changes) != vocab.ChangeMajor.String() {
		t.Error("the revision is not major")
	}
	b, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	last := b.History[len(b.History)-1]
	if b.Policy.Version != "2023-09-01" || last.Change != vocab.ChangeMajor.String() || len(last.Changes) != 2 {
		t.Fatalf("history %+v", b.History)
	}
	for _, loc := range b.Policy.Locales {
		purpose := b.Text(loc, last.Changes[0].Text)
		sdk := b.Text(loc, last.Changes[1].Text)
		name := map[string]string{"zh-CN": "个推", "zh-TW": "個推", "en": "Getui"}[loc]
		if !strings.Contains(sdk, name) {
			t.Errorf("%s: the SDK line %q does not name %s", loc, sdk, name)
		}
		if purpose == "" || purpose == sdk {
			t.Errorf("%s: purpose line %q", loc, purpose)
		}
	}
	// Declared minor, the same change is a lint error.
	p.Versions[1].Meta.Change = vocab.ChangeMinor.String()
	var probs errcode.List
	p.lintVersions(&probs)
	if len(probs) != 1 || probs[0].Code != CodeUnmarkedMajor || !strings.HasSuffix(probs[0].Pos.File, "2023-09-01.toml") {
		t.Errorf("declared minor: %v", probs)
	}
}

func TestDiffClasses(t *testing.T) {
	old := loadReference(t).Active()
	cases := []struct {
		name   string
		mutate func(p *Policy)
		want   string // kind class major
	}{
		{"right removed", func(p *Policy) { p.Meta.Rights = p.Meta.Rights[1:] }, "right_removed rights true"},
		{"contact phone", func(p *Policy) { p.Controller.Phone = "95000" }, "contact_changed contact true"},
		{"contact department", func(p *Policy) { p.Controller.Contact = "org.name" }, "contact_changed contact true"},
		{"jurisdiction", func(p *Policy) { p.Controller.Jurisdiction = "HK" }, "controller_changed ownership true"},
		{"cooldown", func(p *Policy) { p.Meta.Cooldown.Duration /= 2 }, "cooldown_changed experience false"},
		{"sdk removed", func(p *Policy) { p.SDKs = p.SDKs[1:] }, "sdk_removed reduction false"},
		{"recipient gets more", func(p *Policy) { p.Recipients[0].Data = append(p.Recipients[0].Data, "location") }, "recipient_changed sharing true"},
		{"scenario data added", func(p *Policy) { p.Scenarios[0].Data = append(p.Scenarios[0].Data, "location") }, "data_added data_type true"},
		{"consequence", func(p *Policy) { p.Scenarios[0].Steps[0].Permissions[0].Consequence = "degraded" }, "consequence_changed experience false"},
		// Refusing now costs the step: the user's rights narrow (section 9).
		{"consequence made blocking", func(p *Policy) { firstAsk(p, "degraded").Consequence = "blocking" }, "consequence_changed rights true"},
		{"permission dropped", func(p *Policy) { p.Scenarios[0].Steps[0].Permissions = p.Scenarios[0].Steps[0].Permissions[1:] }, "permission_removed reduction false"},
		// An SDK's basis is how the data it collects is used (9.1).
		{"sdk basis: scenarios", func(p *Policy) { sdk(p, "baidu_map").Scenarios = nil }, "sdk_changed usage true"},
		{"sdk basis: requires", func(p *Policy) { sdk(p, "jpush").Requires = nil }, "sdk_changed usage true"},
		{"sdk basis: consents", func(p *Policy) { sdk(p, "baidu_map").Consents[0].Purpose = "analytics" }, "sdk_changed usage true"},
		{"sdk basis: optional", func(p *Policy) { sdk(p, "sensors").Optional[0].Purpose = "push_delivery" }, "sdk_changed usage true"},
		// A separate consent for another purpose, or a new one, is a new
		// purpose of processing (9.1).
		{"separate consent's purpose", func(p *Policy) { step(p, "loan_apply/liveness").Permissions[0].SeparateConsent = "account_security" }, "separate_consent_changed purpose true"},
		{"consent added", func(p *Policy) {
			st := step(p, "loan_apply/emergency_contacts")
			st.Consents = append(st.Consents, step(p, "loan_apply/bind_card").Consents[0])
		}, "consent_added purpose true"},
		{"consent's body", func(p *Policy) {
			step(p, "loan_apply/bind_card").Consents[0].Purpose = "purpose.account_security.change_card.financial_account"
		}, "consent_changed purpose true"},
		{"consent dropped", func(p *Policy) { step(p, "account_security/change_card").Consents = nil }, "consent_removed reduction false"},
		{"purpose renamed", func(p *Policy) { p.Purposes[0].Name = "consent_purpose.analytics" }, "consent_purpose_changed purpose true"},
		{"system prompt", func(p *Policy) {
			st := step(p, "register_login/face_login")
			st.SystemPrompts = st.SystemPrompts[1:]
		}, "system_prompt_changed experience false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := loadReference(t).Active()
			c.mutate(p)
			changes := Diff(old, p)
			if len(changes) != 1 {
				t.Fatalf("changes %v", changes)
			}
			ch := changes[0]
			if got := strings.Join([]string{ch.Kind, ch.Class, map[bool]string{true: "true", false: "false"}[ch.Major]}, " "); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

// firstAsk returns the first step permission of a policy with a
// consequence, for tests that change it.
func firstAsk(p *Policy, consequence string) *StepPermission {
	for i := range p.Scenarios {
		for j := range p.Scenarios[i].Steps {
			for k, sp := range p.Scenarios[i].Steps[j].Permissions {
				if sp.Consequence == consequence {
					return &p.Scenarios[i].Steps[j].Permissions[k]
				}
			}
		}
	}
	panic("no step permission is " + consequence)
}

// sdk returns an SDK of a policy, for tests that change it.
func sdk(p *Policy, id string) *SDK {
	for i := range p.SDKs {
		if p.SDKs[i].ID == id {
			return &p.SDKs[i]
		}
	}
	panic("no SDK " + id)
}

// step returns a step of a policy by "scenario/step", for tests that
// change it.
func step(p *Policy, id string) *Step {
	st, _ := p.Step(id)
	if st == nil {
		panic("no step " + id)
	}
	return st
}

// TestChangeLinesNameTheConsent: a change of a separate consent names
// the category and the purpose in every locale.
func TestChangeLinesNameTheConsent(t *testing.T) {
	p := loadReference(t)
	pol := p.Active()
	next := loadReference(t).Active()
	st := step(next, "loan_apply/emergency_contacts")
	st.Consents = append(st.Consents, step(next, "loan_apply/bind_card").Consents[0])
	changes := Diff(pol, next)
	if len(changes) != 1 {
		t.Fatalf("changes %v", changes)
	}
	for loc, want := range map[string][]string{"zh-CN": {"金融账户信息", "银行卡鉴权"}, "en": {"Financial account", "bank card"}, "zh-TW": {"金融帳戶", "銀行卡驗證"}} {
		r, err := p.renderer(next, loc)
		if err != nil {
			t.Fatal(err)
		}
		line, err := r.change(changes[0], next)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: %q does not say %q", loc, line, w)
			}
		}
	}
}

// TestCompileIsDeterministic: the same sources give the same bytes.
func TestCompileIsDeterministic(t *testing.T) {
	var first []byte
	for i := 0; i < 3; i++ {
		env, err := Marshal(compileReference(t))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = env
		} else if !bytes.Equal(env, first) {
			t.Fatal("two compilations of the same sources differ")
		}
	}
}

// TestMiniBundleUpToDate keeps engine/bundle/testdata/mini.json, the
// bundle the reader's tests use, equal to what the compiler makes of
// testdata/mini (go test -run MiniBundle -update rewrites it).
func TestMiniBundleUpToDate(t *testing.T) {
	p, err := Load([]string{"testdata/mini/prompts/mini"}, []string{"testdata/mini/locales"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	env, err := Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	const path = "../engine/bundle/testdata/mini.json"
	if *update {
		if err := os.WriteFile(path, env, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, env) {
		t.Errorf("%s is stale: run go test ./prompts -run MiniBundle -update", path)
	}
}

func BenchmarkCompileReference(b *testing.B) {
	var env []byte
	for b.Loop() {
		p, err := Load([]string{"msxf"}, []string{shippedLocales})
		if err != nil {
			b.Fatal(err)
		}
		bd, err := Compile(p)
		if err != nil {
			b.Fatal(err)
		}
		if env, err = Marshal(bd); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(env)), "bundle-bytes")
	b.ReportMetric(float64(gzipSize(env)), "bundle-gzip-bytes")
}

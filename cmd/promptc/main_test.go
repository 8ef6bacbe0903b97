package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/internal/cli"
)

// promptc runs the command in-process from the repository root, as make does.
func promptc(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func TestSignAndVerify(t *testing.T) {
	dir := t.TempDir()
	key, other := filepath.Join(dir, "release"), filepath.Join(dir, "other")
	for _, k := range []string{key, other} {
		if code, _, stderr := promptc(t, "keygen", "--out", k); code != 0 {
			t.Fatalf("keygen: %s", stderr)
		}
	}
	if code, _, _ := promptc(t, "keygen", "--out", key); code != 1 {
		t.Error("keygen overwrote a key")
	}
	signed := filepath.Join(dir, "bundle.json")
	if code, _, stderr := promptc(t, "compile", "-q", "--sign", key+".key", "-o", signed); code != 0 {
		t.Fatalf("compile --sign: %s", stderr)
	}
	if code, out, stderr := promptc(t, "verify", "--pub", key+".pub", signed); code != 0 || !strings.Contains(out, "ok: ") {
		t.Fatalf("verify: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := promptc(t, "verify", "--pub", other+".pub", signed); code != 1 || !strings.Contains(stderr, "bad_signature") {
		t.Errorf("verified with another key: %d %s", code, stderr)
	}
	data, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.json")
	if err := os.WriteFile(tampered, bytes.Replace(data, []byte(`"cooldown_seconds":172800`), []byte(`"cooldown_seconds":1`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := promptc(t, "verify", "--pub", key+".pub", tampered); code != 1 || !strings.Contains(stderr, "bad_bundle") {
		t.Errorf("verified a tampered bundle: %d %s", code, stderr)
	}
	unsigned := filepath.Join(dir, "unsigned.json")
	if code, _, _ := promptc(t, "compile", "-q", "-o", unsigned); code != 0 {
		t.Fatal("compile")
	}
	if code, _, stderr := promptc(t, "verify", "--pub", key+".pub", unsigned); code != 1 || !strings.Contains(stderr, "not signed") {
		t.Errorf("verified an unsigned bundle: %d %s", code, stderr)
	}
	if code, _, _ := promptc(t, "sign", "--key", key+".key", unsigned); code != 0 {
		t.Fatal("sign")
	}
	if code, _, stderr := promptc(t, "verify", "--pub", key+".pub", unsigned); code != 0 {
		t.Errorf("verify after sign: %s", stderr)
	}
	if code, out, _ := promptc(t, "show", unsigned); code != 0 || !strings.Contains(out, "signed by ") {
		t.Errorf("show: %s", out)
	}
}

func TestDiffCommand(t *testing.T) {
	code, out, stderr := promptc(t, "diff", "prompts/msxf/2022-03-29.toml", "prompts/testdata/revision/msxf/2023-09-01.toml",
		"--locales", "locales", "--locales", "prompts/testdata/revision/locales")
	if code != 0 {
		t.Fatalf("diff: %s", stderr)
	}
	for _, want := range []string{"MAJOR", "purpose_changed", "sdk_added", "getui_push", "个推", "Getui", "個推"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	for _, doubled := range []string{"：:", ".:", "。:"} {
		if strings.Contains(out, doubled) {
			t.Errorf("diff output has doubled punctuation %q:\n%s", doubled, out)
		}
	}
}

// TestDiffTextOnly: promptc diff of a version that only rewords a purpose
// in its overlay says MAJOR and prints the line in every locale.
func TestDiffTextOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "msxf")
	src, err := os.ReadFile("prompts/msxf/2022-03-29.toml")
	if err != nil {
		t.Fatal(err)
	}
	next := strings.NewReplacer(`version = "2022-03-29"`, `version = "2023-09-01"`, "published = 2022-03-29", "published = 2023-09-01",
		"effective = 2022-03-29", "effective = 2023-09-08", "updated = 2022-03-24", "updated = 2023-08-25", `change = "first"`, `change = "major"`).Replace(string(src))
	files := map[string]string{
		"2022-03-29.toml":               string(src),
		"2023-09-01.toml":               next,
		"2023-09-01/locales/zh-CN.toml": "[purpose.loan_apply.apply]\nlocation = \"用于核实借款申请与您所在的实际场景是否相符，并提供给营销合作伙伴。\"\n",
		"2023-09-01/locales/en.toml":    "[purpose.loan_apply.apply]\nlocation = \"To check your application against where you are, and shared with marketing partners.\"\n",
		"2023-09-01/locales/zh-TW.toml": "[purpose.loan_apply.apply]\nlocation = \"用於核實借款申請與您所在的實際場景是否相符，並提供給行銷合作夥伴。\"\n",
	}
	for name, text := range files {
		if err := writeFile(filepath.Join(dir, name), []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := promptc(t, "diff", filepath.Join(dir, "2022-03-29.toml"), filepath.Join(dir, "2023-09-01.toml"))
	if code != 0 {
		t.Fatalf("diff: %s", stderr)
	}
	for _, want := range []string{"MAJOR (1 change)", "MAJOR purpose    text_changed", "text of purpose.loan_apply.apply.location changed in zh-CN, en, zh-TW",
		"贷款申请 · 提交申请：关于“位置信息”的说明有调整", "貸款申請 · 提交申請：關於「位置資訊」的說明有調整", "has changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
}

func TestLintReportsPositions(t *testing.T) {
	code, _, stderr := promptc(t, "lint", "--policy", "prompts/testdata/mini/prompts/mini", "--locales", "prompts/testdata/revision/locales")
	if code != 1 {
		t.Fatalf("lint of mismatched sources exited %d", code)
	}
	if !strings.Contains(stderr, "prompts/testdata/revision/locales/en.toml:3:1: unused_message: purpose.loan_apply.apply.location_2023") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if code, _, _ := promptc(t, "lint", "--bogus"); code != 2 {
		t.Errorf("a bad flag exits %d, want 2", code)
	}
}

func TestExportWritesFiles(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := promptc(t, "export", "-o", dir); code != 1 || !strings.Contains(stderr, "--harmonyos-ability") {
		t.Errorf("export without an ability: %d %s", code, stderr)
	}
	if code, _, stderr := promptc(t, "export", "-o", dir, "--harmonyos-ability", "EntryAbility", "--harmonyos-ability", "FormAbility"); code != 0 {
		t.Fatal(stderr)
	}
	for _, f := range []string{"android/AndroidManifest.permissions.xml", "android/res/values/strings.xml", "android/res/values-zh-rTW/strings.xml",
		"wechat/app.permission.json", "ios/Info.zh-CN.plist", "ios/en.lproj/InfoPlist.strings", "ios/zh-Hans.lproj/InfoPlist.strings",
		"ios/zh-Hant.lproj/InfoPlist.strings", "harmonyos/module.json5", "harmonyos/resources/base/element/string.json",
		"harmonyos/resources/zh_TW/element/string.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := promptc(t, "export", "-o", dir, "--harmonyos-ability", "EntryAbility"); code != 0 {
		t.Fatal(stderr)
	}
	manifest := filepath.Join(dir, "android/AndroidManifest.permissions.xml")
	plist := filepath.Join(dir, "ios/Info.zh-CN.plist")
	app := filepath.Join(dir, "wechat/app.permission.json")
	if code, out, stderr := promptc(t, "check", "--android", manifest, "--ios", plist, "--wechat", app); code != 0 {
		t.Fatalf("the exported declarations disagree with the policy: %s %s", out, stderr)
	}
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(`    <uses-permission android:name="android.permission.CAMERA" />`+"\n"), nil, 1)
	data = bytes.Replace(data, []byte("</manifest>"), []byte(`<uses-permission android:name="android.permission.READ_SMS" /></manifest>`), 1)
	if err := os.WriteFile(manifest, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := promptc(t, "check", "--android", manifest)
	if code != 1 {
		t.Fatalf("check exited %d", code)
	}
	for _, want := range []string{
		"android: android.permission.CAMERA: asked for by the policy but not declared by the app",
		"android: android.permission.READ_SMS: declared by the app but not disclosed by the policy",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := promptc(t, "check"); code != 2 {
		t.Error("check without a file is a usage error")
	}
}

// TestFreezeCommand: freeze writes the lock beside the version, leaves a
// lock of the same texts alone, refuses to overwrite one of other texts,
// and lint then rejects a frozen text edited in place.
func TestFreezeCommand(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"prompts/mini/2024-01-01.toml", "locales/en.toml"} {
		data, err := os.ReadFile(filepath.Join("prompts/testdata/mini", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := writeFile(filepath.Join(dir, f), data); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"--policy", filepath.Join(dir, "prompts/mini"), "--locales", filepath.Join(dir, "locales")}
	lock := filepath.Join(dir, "prompts/mini/2024-01-01.lock")
	if code, out, stderr := promptc(t, append([]string{"freeze", "--version", "2024-01-01"}, args...)...); code != 0 || !strings.Contains(out, "froze mini 2024-01-01") {
		t.Fatalf("freeze: %d %s %s", code, out, stderr)
	}
	if _, err := os.Stat(lock); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := promptc(t, append([]string{"freeze", "--version", "2024-01-01"}, args...)...); code != 0 || !strings.Contains(out, "frozen already") {
		t.Errorf("freezing again: %d %s", code, out)
	}
	if code, _, stderr := promptc(t, append([]string{"freeze", "--version", "2030-01-01"}, args...)...); code != 1 || !strings.Contains(stderr, "no version 2030-01-01") {
		t.Errorf("freezing a version that does not exist: %d %s", code, stderr)
	}
	en := filepath.Join(dir, "locales/en.toml")
	data, _ := os.ReadFile(en)
	if err := os.WriteFile(en, bytes.Replace(data, []byte(`title = "Privacy policy"`), []byte(`title = "Privacy notice"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := promptc(t, append([]string{"lint"}, args...)...)
	if code != 1 || !strings.Contains(stderr, en+":8:1: frozen_text: policy.title: frozen in 2024-01-01") {
		t.Errorf("lint of an edited frozen text: %d %s", code, stderr)
	}
	if code, _, _ := promptc(t, append([]string{"freeze", "--version", "2024-01-01"}, args...)...); code != 1 {
		t.Error("freeze overwrote a lock of other texts")
	}
}

// TestVersion: the build, and the formats the compiler writes; the
// root's --version is not freeze's.
func TestVersion(t *testing.T) {
	code, out, stderr := promptc(t, "--version")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "promptc ") || !strings.Contains(lines[0], "go1.") ||
		lines[1] != "bundle format 1, lock format 1 (policy files: prompts/FORMAT.md)" {
		t.Errorf("exit %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr := promptc(t, "freeze", "--version"); code != 2 || !strings.Contains(stderr, "flag needs an argument: --version") {
		t.Errorf("freeze --version without a value: exit %d, %s", code, stderr)
	}
}

// TestSuggestions: a misspelt command or flag gets the one meant.
func TestSuggestions(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compiel"}, "unknown command \"compiel\" for \"promptc\"\n\nDid you mean this?\n\tcompile\n"},
		{[]string{"compile", "--sgin", "k"}, "unknown flag: --sgin (did you mean --sign?)"},
		{[]string{"diff", "--local", "en", "a", "b"}, "unknown flag: --local (did you mean --locale or --locales?)"},
		{[]string{"lint", "--polcy", "p"}, "unknown flag: --polcy (did you mean --policy?)"},
	} {
		if code, _, stderr := promptc(t, c.args...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestExamples: every command's help has examples, and each is a command
// line promptc accepts, on files that exist.
func TestExamples(t *testing.T) {
	for _, err := range cli.CheckExamples(rootCmd()) {
		t.Error(err)
	}
}

// TestPreviewCommand: promptc preview writes the page of the shipped
// version and of a comparison, says how many texts and marks, and names
// an unknown version.
func TestPreviewCommand(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "preview.html")
	code, out, stderr := promptc(t, "preview", "-o", page)
	if code != 0 {
		t.Fatalf("preview: %s", stderr)
	}
	data, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(data), "隐私政策") || !strings.Contains(out, "marked: 0 missing, 0 empty, 0 overlong") {
		t.Fatalf("%v; output %q", err, out)
	}
	changes := filepath.Join(dir, "changes.html")
	code, out, stderr = promptc(t, "preview", "--policy", "prompts/msxf", "--policy", "prompts/testdata/revision/msxf/2023-09-01.toml",
		"--locales", "locales", "--locales", "prompts/testdata/revision/locales", "--against", "2022-03-29", "-o", changes)
	if code != 0 || !strings.Contains(out, "the texts changed from 2022-03-29") {
		t.Fatalf("preview --against: %d %s %s", code, out, stderr)
	}
	if data, _ := os.ReadFile(changes); !strings.Contains(string(data), "个推") {
		t.Error("the comparison does not show the added SDK")
	}
	if code, _, stderr := promptc(t, "preview", "--version", "1999-01-01", "-o", page); code != 1 || !strings.Contains(stderr, "no version 1999-01-01") {
		t.Errorf("an unknown version: %d %s", code, stderr)
	}
}

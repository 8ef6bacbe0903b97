package prompts

import (
	"bytes"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rowsOf returns a preview's rows by key.
func rowsOf(pv *Preview) map[string]PreviewRow {
	out := map[string]PreviewRow{}
	for _, s := range pv.Sections {
		for _, g := range s.Groups {
			for _, r := range g.Rows {
				out[r.Key] = r
			}
		}
	}
	return out
}

// TestPreviewEveryText: the preview of the shipped version shows every
// text the version renders, in every locale, in the page a reviewer reads,
// and marks none (the shipped texts lint clean and fit).
func TestPreviewEveryText(t *testing.T) {
	p, err := Load([]string{"msxf"}, []string{shippedLocales})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := NewPreview(p, "")
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := pv.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(pv)
	for i, loc := range pv.Locales {
		texts, err := p.versionTexts(p.Active(), loc)
		if err != nil {
			t.Fatal(err)
		}
		for k, s := range texts {
			r, ok := rows[k]
			if !ok {
				t.Errorf("%s: not in the preview", k)
				continue
			}
			if r.Cells[i].Text != s {
				t.Errorf("%s in %s: %q, want %q", k, loc, r.Cells[i].Text, s)
			}
			if !strings.Contains(page.String(), html.EscapeString(s)) {
				t.Errorf("%s in %s: the page does not show %q", k, loc, s)
			}
		}
	}
	if pv.Marks["missing"]+pv.Marks["empty"]+pv.Marks["overlong"] != 0 {
		t.Errorf("marks on the shipped texts: %v", pv.Marks)
	}
	if pv.Sections[0].ID != "popup" || !strings.Contains(page.String(), `id="steps"`) || !strings.Contains(page.String(), `<h3>loan_apply/apply</h3>`) {
		t.Errorf("sections: first %q; the page lacks the steps section or loan_apply/apply", pv.Sections[0].ID)
	}
	if strings.Contains(page.String(), "<script") || strings.Contains(page.String(), "http://") || strings.Contains(page.String(), `src="`) {
		t.Error("the page is not self-contained: it has a script or loads something")
	}
}

// TestPreviewMarks: a draft with a message missing in one locale and a
// button too wide is previewed, not refused, with both marked in their
// cells only.
func TestPreviewMarks(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "msxf"), os.DirFS("msxf")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "locales"), os.DirFS(shippedLocales)); err != nil {
		t.Fatal(err)
	}
	en := filepath.Join(dir, "locales", "en.toml")
	data, err := os.ReadFile(en)
	if err != nil {
		t.Fatal(err)
	}
	draft := strings.Replace(string(data), `title = "Privacy Policy"`, ``, 1)
	draft = strings.Replace(draft, `decline = "Not now"`, `decline = "Not now, and please do not ask me again"`, 1)
	if draft == string(data) {
		t.Fatal("en.toml changed: the edits found nothing")
	}
	if err := os.WriteFile(en, []byte(draft), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load([]string{filepath.Join(dir, "msxf")}, []string{filepath.Join(dir, "locales")})
	if err != nil {
		t.Fatal(err)
	}
	if len(Lint(p)) == 0 {
		t.Fatal("lint took a draft with a missing message")
	}
	pv, err := NewPreview(p, "")
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(pv)
	col := map[string]int{}
	for i, loc := range pv.Locales {
		col[loc] = i
	}
	for _, c := range []struct{ key, loc, mark string }{
		{"policy.title", "en", "missing"},
		{"policy.title", "zh-CN", ""},
		{"rationale.decline", "en", "overlong"},
		{"rationale.decline", "zh-TW", ""},
	} {
		got := strings.Join(rows[c.key].Cells[col[c.loc]].Marks, ",")
		if got != c.mark {
			t.Errorf("%s in %s: marks %q, want %q", c.key, c.loc, got, c.mark)
		}
	}
	if pv.Marks["missing"] != 1 || pv.Marks["overlong"] != 1 {
		t.Errorf("marks %v, want one missing and one overlong", pv.Marks)
	}
}

// TestPreviewDiff: the comparison of two versions lists exactly the texts
// that differ in some locale, with the older text, the update's own lines
// as added, and nothing that stayed the same.
func TestPreviewDiff(t *testing.T) {
	p, err := Load([]string{referencePolicy, revisionPolicy}, []string{shippedLocales, revisionLocales})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := NewPreviewDiff(p, "2022-03-29", "2023-09-01")
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := p.allTexts(p.Versions[0])
	if err != nil {
		t.Fatal(err)
	}
	cur, _, err := p.allTexts(p.Versions[1])
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(pv)
	for _, loc := range pv.Locales {
		for k, s := range cur[loc] {
			_, listed := rows[k]
			if differs := old[loc][k] != s; differs && !listed {
				t.Errorf("%s differs in %s but is not listed", k, loc)
			}
		}
	}
	for k, r := range rows {
		same := true
		for _, c := range r.Cells {
			same = same && c.Old == c.Text
		}
		if same {
			t.Errorf("%s is listed but the same in every locale", k)
		}
	}
	if r := rows["change:2023-09-01:0"]; r.Change != "added" {
		t.Errorf("the update's first line: %q, want added", r.Change)
	}
	if _, ok := rows["policy.title"]; ok {
		t.Error("policy.title did not change but is listed")
	}
	if _, err := NewPreviewDiff(p, "2021-01-01", "2023-09-01"); err == nil || !strings.Contains(err.Error(), "no version 2021-01-01") {
		t.Errorf("an unknown version: %v", err)
	}
}

package prompts

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"unicode"
)

// A Preview is every text a policy version shows, rendered as the app
// shows it, in each of its locales side by side: what legal reviewers
// sign off and policy authors check before a release, without building
// the module or clicking through the demo. Rows are grouped the way a user
// meets the texts: the policy popup, its updates, each step's screens, the
// consent screens, the settings guidance per platform, blocks and basic
// mode, the platforms' own dialogs, the SDK list, the controller.
type Preview struct {
	Policy, Version string
	Against         string // the older version, for a comparison; "" otherwise
	Locales         []string
	Sections        []PreviewSection
	// Marks counts the texts marked, by mark.
	Marks map[string]int
}

// A PreviewSection is one group of texts, such as one step's screens.
type PreviewSection struct {
	ID, Title string
	Groups    []PreviewGroup
}

// A PreviewGroup is the texts of one thing within a section: a step, a
// permission's settings guidance, an SDK.
type PreviewGroup struct {
	Title string
	Rows  []PreviewRow
}

// A PreviewRow is one text in every locale.
type PreviewRow struct {
	Key   string
	Cells []PreviewCell // in Preview.Locales' order
	// Change, in a comparison: "added", "removed" or "changed".
	Change string
}

// A PreviewCell is a text in one locale, with its marks: "missing" (the
// locale has no such text where another has), "empty" (nothing but white
// space), "overlong" (wider than MaxWidth allows for its kind). In a
// comparison Old is the older version's text.
type PreviewCell struct {
	Text, Old string
	Marks     []string
	Width     int // display width: East Asian wide characters count two
}

// MaxWidth is the widest a text may be, in display columns (an East Asian
// wide character is two), before the preview marks it overlong, by kind
// of text: a button, a title or name, or any other text. A phone shows a
// button in about a third of its width and a title on one or two lines;
// past these a translation usually needs shortening.
var MaxWidth = map[string]int{"button": 24, "title": 64, "text": 1600}

// textKind is the kind of text a key renders, for MaxWidth.
func textKind(key string) string {
	id := messageOf(key)
	switch {
	case strings.HasSuffix(id, ".accept") || strings.HasSuffix(id, ".decline"):
		return "button"
	case strings.HasSuffix(id, ".title") || strings.HasSuffix(id, ".name") || strings.HasPrefix(id, "link.") ||
		strings.HasPrefix(id, "sdk_category.") || strings.HasPrefix(id, "sensitive."):
		return "title"
	}
	return "text"
}

// displayWidth is the columns s takes in a monospaced rendering: two for
// an East Asian wide or fullwidth character, one otherwise.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if wide(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) ||
		r >= 0x3000 && r <= 0x303F || // CJK punctuation
		r >= 0xFF01 && r <= 0xFF60 || r >= 0xFFE0 && r <= 0xFFE6 // fullwidth forms
}

// NewPreview renders every text of a version in each of its locales.
// It is for drafts too: a message a locale lacks is shown as missing
// rather than refused (promptc lint refuses it, at file:line:col); a text
// that does not render is an error naming it.
func NewPreview(p *Project, version string) (*Preview, error) {
	pol, err := findVersion(p, version)
	if err != nil {
		return nil, err
	}
	texts, missing, err := p.allTexts(pol)
	if err != nil {
		return nil, err
	}
	return buildPreview(pol, "", texts, nil, missing), nil
}

// NewPreviewDiff is the preview of what changed from version old to
// version new: only the texts that differ in some locale, each with the
// older text beside it, and those added or removed.
func NewPreviewDiff(p *Project, old, new string) (*Preview, error) {
	newPol, err := findVersion(p, new)
	if err != nil {
		return nil, err
	}
	oldPol, err := findVersion(p, old)
	if err != nil {
		return nil, err
	}
	newTexts, missing, err := p.allTexts(newPol)
	if err != nil {
		return nil, err
	}
	oldTexts, _, err := p.allTexts(oldPol)
	if err != nil {
		return nil, err
	}
	return buildPreview(newPol, old, newTexts, oldTexts, missing), nil
}

func findVersion(p *Project, version string) (*Policy, error) {
	if version == "" {
		return p.Active(), nil
	}
	var have []string
	for _, v := range p.Versions {
		if v.Meta.Version == version {
			return v, nil
		}
		have = append(have, v.Meta.Version)
	}
	return nil, fmt.Errorf("no version %s of policy %s is loaded (loaded: %s)", version, p.Active().Meta.ID, strings.Join(have, ", "))
}

// allTexts renders a version's texts per locale, as its lock covers them,
// and the lines its update popup shows: its changes from the version
// before it. missing holds, per locale, the messages it lacks.
func (p *Project) allTexts(pol *Policy) (texts map[string]map[string]string, missing map[string]map[string]bool, err error) {
	texts, missing = map[string]map[string]string{}, map[string]map[string]bool{}
	changes := p.changesOf(pol)
	for _, loc := range pol.Meta.Locales {
		q := *p
		q.missing = map[string]bool{}
		t, err := q.versionTexts(pol, loc)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", loc, err)
		}
		if len(changes) > 0 {
			all, err := q.renderAll(pol, loc, changes)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", loc, err)
			}
			for i := range changes {
				k := changeKey(pol.Meta.Version, i)
				t[k] = all[k]
			}
		}
		texts[loc], missing[loc] = t, q.missing
	}
	return texts, missing, nil
}

// buildPreview lays texts out; with old, only the keys whose text differs
// in some locale.
func buildPreview(pol *Policy, against string, texts, old map[string]map[string]string, missing map[string]map[string]bool) *Preview {
	pv := &Preview{Policy: pol.Meta.ID, Version: pol.Meta.Version, Against: against, Locales: pol.Meta.Locales, Marks: map[string]int{}}
	keys := map[string]bool{}
	for _, m := range texts {
		for k := range m {
			keys[k] = true
		}
	}
	for _, m := range old {
		for k := range m {
			keys[k] = true
		}
	}
	order := stepOrder(pol)
	type placed struct {
		sec, grp string
		row      PreviewRow
	}
	var rows []placed
	for k := range keys {
		row := PreviewRow{Key: k}
		inNew, inOld, differs := false, false, false
		for _, loc := range pv.Locales {
			s, ok := texts[loc][k]
			inNew = inNew || ok
			c := PreviewCell{Text: s, Width: displayWidth(s)}
			if old != nil {
				o, had := old[loc][k]
				inOld = inOld || had
				c.Old = o
				differs = differs || o != s || had != ok
			}
			switch {
			case ok && missing[loc][messageOf(k)] || !ok && inNewAnywhere(texts, k):
				c.Marks = append(c.Marks, "missing")
			case ok && strings.TrimSpace(s) == "":
				c.Marks = append(c.Marks, "empty")
			case ok && c.Width > MaxWidth[textKind(k)]:
				c.Marks = append(c.Marks, "overlong")
			}
			for _, m := range c.Marks {
				pv.Marks[m]++
			}
			row.Cells = append(row.Cells, c)
		}
		if old != nil {
			switch {
			case !differs:
				continue
			case !inOld:
				row.Change = "added"
			case !inNew:
				row.Change = "removed"
			default:
				row.Change = "changed"
			}
		}
		sec, grp := placeKey(k)
		rows = append(rows, placed{sec, grp, row})
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if sa, sb := sectionRank(a.sec), sectionRank(b.sec); sa != sb {
			return sa < sb
		}
		if a.grp != b.grp {
			ra, oka := order[a.grp]
			rb, okb := order[b.grp]
			if oka && okb {
				return ra < rb
			}
			return a.grp < b.grp
		}
		return rowRank(a.row.Key) < rowRank(b.row.Key) || rowRank(a.row.Key) == rowRank(b.row.Key) && a.row.Key < b.row.Key
	})
	for _, r := range rows {
		if n := len(pv.Sections); n == 0 || pv.Sections[n-1].ID != r.sec {
			pv.Sections = append(pv.Sections, PreviewSection{ID: r.sec, Title: sectionTitles[r.sec]})
		}
		s := &pv.Sections[len(pv.Sections)-1]
		if n := len(s.Groups); n == 0 || s.Groups[n-1].Title != r.grp {
			s.Groups = append(s.Groups, PreviewGroup{Title: r.grp})
		}
		g := &s.Groups[len(s.Groups)-1]
		g.Rows = append(g.Rows, r.row)
	}
	return pv
}

func inNewAnywhere(texts map[string]map[string]string, k string) bool {
	for _, m := range texts {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// The sections, in the order a user meets their texts.
var sectionIDs = []string{"popup", "update", "steps", "screens", "settings", "blocks", "dialogs", "sdks", "controller", "other"}

var sectionTitles = map[string]string{
	"popup":      "The privacy-policy popup",
	"update":     "Policy updates",
	"steps":      "Each step's screens: purpose, refusal, fallback",
	"screens":    "Rationale and consent screens",
	"settings":   "Settings guidance, per platform",
	"blocks":     "Blocks and basic mode",
	"dialogs":    "The platforms' own dialogs (usage strings)",
	"sdks":       "SDKs, data and recipients",
	"controller": "The controller",
	"other":      "Other texts",
}

func sectionRank(id string) int {
	for i, s := range sectionIDs {
		if s == id {
			return i
		}
	}
	return len(sectionIDs)
}

// placeKey puts a text key in its section and group.
func placeKey(k string) (section, group string) {
	id, arg, _ := strings.Cut(k, ":")
	parts := strings.Split(id, ".")
	switch parts[0] {
	case "policy":
		if len(parts) > 1 && parts[1] == "update" {
			return "update", ""
		}
		return "popup", ""
	case "link":
		return "popup", ""
	case "change", "text_subject":
		return "update", ""
	case "purpose", "refusal", "fallback", "step", "unavailable":
		if len(parts) >= 3 {
			return "steps", parts[1] + "/" + parts[2]
		}
		return "steps", ""
	case "rationale", "consent", "consent_purpose", "sensitive":
		return "screens", ""
	case "settings":
		return "settings", arg
	case "block", "basic_mode":
		return "blocks", ""
	case "permission":
		return "dialogs", ""
	case "sdk":
		if len(parts) >= 2 {
			return "sdks", "SDK " + parts[1]
		}
		return "sdks", ""
	case "sdk_category", "data", "recipient":
		return "sdks", parts[0]
	case "org", "controller":
		return "controller", ""
	}
	return "other", ""
}

// rowRank orders the texts of a group as a screen shows them.
func rowRank(k string) int {
	id := messageOf(k)
	for i, p := range []string{"step.", "policy.title", "policy.body", "link.", "policy.accept", "policy.decline", "purpose.", "refusal.", "fallback.", "unavailable.", "settings.title"} {
		if strings.HasPrefix(id, p) {
			return i
		}
	}
	return 100
}

// stepOrder ranks "scenario/step" groups in the policy's order.
func stepOrder(pol *Policy) map[string]int {
	out := map[string]int{}
	for _, sc := range pol.Scenarios {
		for _, st := range sc.Steps {
			out[sc.ID+"/"+st.ID] = len(out)
		}
	}
	return out
}

// Rows returns how many texts the preview shows.
func (pv *Preview) Rows() int {
	n := 0
	for _, s := range pv.Sections {
		for _, g := range s.Groups {
			n += len(g.Rows)
		}
	}
	return n
}

// WriteHTML writes the preview as one self-contained HTML page: no
// script, no request, readable offline and printable.
func (pv *Preview) WriteHTML(w io.Writer) error {
	return previewPage.Execute(w, pv)
}

var previewPage = template.Must(template.New("preview").Funcs(template.FuncMap{
	"has": func(marks []string, m string) bool {
		for _, x := range marks {
			if x == m {
				return true
			}
		}
		return false
	},
	"join": strings.Join,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Policy}} {{.Version}}{{if .Against}} against {{.Against}}{{end}}: every text, per locale</title>
<style>
body{font:14px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin-bottom:1em}
th,td{border:1px solid #ccc;padding:.4em .5em;vertical-align:top;text-align:left;white-space:pre-wrap;overflow-wrap:anywhere}
th.key,td.key{width:16em;font:12px ui-monospace,monospace;color:#555}
h2{margin-top:2em;border-bottom:2px solid #333}
h3{margin:1.2em 0 .3em;font-size:1em}
.missing{background:#fdd}.empty{background:#fed}.overlong{background:#ffc}
.mark{font:bold 11px sans-serif;text-transform:uppercase;color:#a00;display:block}
del{color:#a00;background:#fee}ins{color:#060;background:#efe;text-decoration:none}
.legend span{padding:0 .4em;margin-right:.5em}
nav a{margin-right:1em}
</style></head>
<body>
<h1>{{.Policy}} {{.Version}}{{if .Against}}: what changed from {{.Against}}{{end}}</h1>
<p>Every text the version shows{{if .Against}} that differs from version {{.Against}} (older text struck through, newer underlined){{end}}, rendered as the app shows it, in {{join .Locales ", "}}.
Written by <code>promptc preview</code>: the texts are those the compiled bundle carries.</p>
<p class="legend">Marked:
<span class="missing">missing: {{index .Marks "missing"}}</span>
<span class="empty">empty: {{index .Marks "empty"}}</span>
<span class="overlong">overlong: {{index .Marks "overlong"}}</span></p>
<nav>{{range .Sections}}<a href="#{{.ID}}">{{.Title}}</a> {{end}}</nav>
{{$locales := .Locales}}{{$diff := .Against}}
{{range .Sections}}<h2 id="{{.ID}}">{{.Title}}</h2>
{{range .Groups}}{{if .Title}}<h3>{{.Title}}</h3>{{end}}
<table><tr><th class="key">text</th>{{range $locales}}<th lang="{{.}}">{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr id="t-{{.Key}}"><td class="key">{{.Key}}{{if .Change}}<span class="mark">{{.Change}}</span>{{end}}</td>{{range .Cells}}<td class="{{join .Marks " "}}">{{range .Marks}}<span class="mark">{{.}}</span>{{end}}{{if $diff}}{{if ne .Old .Text}}{{if .Old}}<del>{{.Old}}</del>
{{end}}<ins>{{.Text}}</ins>{{else}}{{.Text}}{{end}}{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</table>
{{end}}{{end}}
{{if not .Sections}}<p>No text differs.</p>{{end}}
</body></html>
`))

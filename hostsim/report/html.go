package report

import (
	"html/template"
	"io"
	"strings"

	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// HTML writes a page with every run as a phone-screen timeline: each
// request, and the screens the user saw with the choices they made.
func (r *Run) HTML(w io.Writer) error {
	type screen struct {
		Kind, Title, Body, Note string
		Buttons                 []string
		Chosen                  string
	}
	type step struct {
		Event   string
		Time    string
		Screens []screen
		Rules   []string
		SDKs    int
	}
	type run struct {
		Journey, Device, Locale string
		Passed                  bool
		Failures                []string
		Steps                   []step
	}
	var runs []run
	for _, res := range r.Results {
		rn := run{Journey: res.Journey.Name, Device: res.Profile.Name, Locale: res.Transcript.Locale, Passed: res.Passed(), Failures: res.Failures}
		for i := range res.Transcript.Entries {
			e := &res.Transcript.Entries[i]
			st := step{Event: describe(e), Time: e.Time.Format("01-02 15:04"), SDKs: len(e.Response.SDKs)}
			for _, t := range e.Response.Trace {
				st.Rules = append(st.Rules, t.Rule)
			}
			if e.Response.Error != nil {
				st.Screens = append(st.Screens, screen{Kind: "error", Title: e.Response.Error.Code, Body: e.Response.Error.Message})
			}
			for k := range e.Response.Actions {
				a := &e.Response.Actions[k]
				sc := screen{Kind: a.Type, Title: a.Title, Body: a.Body}
				switch a.Type {
				case "show_policy":
					sc.Body = a.Body + "\n" + strings.Join(a.Changes, "\n")
					if a.Version != "" {
						sc.Note = a.Version + " · " + a.Change
					}
					sc.Buttons = []string{a.Accept, a.Decline}
				case "show_rationale":
					sc.Note = a.Consequence
					sc.Buttons = []string{a.Accept}
					if a.Decline != "" { // iOS: one button, on to the system dialog
						sc.Buttons = append(sc.Buttons, a.Decline)
					}
				case "request_permission":
					sc.Title = "system dialog: " + a.Permission
					sc.Body = strings.Join(a.PlatformIDs, ", ")
					if e.Dialog != nil {
						if e.Dialog.Shown {
							sc.Chosen = string(e.Dialog.Choice) + " → " + e.Dialog.Result
						} else {
							sc.Chosen = "no dialog shown → " + e.Dialog.Result
						}
					}
				case "open_settings":
					if a.Settings != "" {
						sc.Note = "settings page " + a.Settings
					}
					switch {
					case e.Settings != nil:
						sc.Chosen = map[bool]string{true: "switched on in the settings", false: "left off in the settings"}[*e.Settings]
					case e.NoSwitch:
						sc.Chosen = "no switch for " + a.Permission + " on that page"
					}
				case "proceed":
					sc.Title = "✓ " + a.Scenario + "/" + a.Step
					sc.Body = strings.Join(a.Fallbacks, "\n")
					if len(a.Missing) > 0 {
						sc.Note = "without " + strings.Join(a.Missing, ", ")
					}
					var apis []string
					for _, u := range e.APIs {
						api := u.Permission + ": " + u.API
						if !u.Offered {
							api += " (the device has none)"
						}
						apis = append(apis, api)
					}
					if len(apis) > 0 {
						sc.Chosen = "uses " + strings.Join(apis, ", ")
					}
				case "block":
					sc.Title = "✗ " + a.Title
				}
				st.Screens = append(st.Screens, sc)
			}
			rn.Steps = append(rn.Steps, st)
		}
		runs = append(runs, rn)
	}
	return page.Execute(w, struct {
		Run  *Run
		Runs []run
	}{r, runs})
}

func describe(e *sim.Entry) string {
	ev := e.Event
	s := ev.Type
	switch ev.Type {
	case "enter":
		s += " " + ev.Scenario + "/" + ev.Step
	case "policy_answer", "rationale_answer":
		if ev.Permission != "" {
			s += " " + ev.Permission
		}
		if ev.Accepted != nil {
			s += map[bool]string{true: ": accepted", false: ": declined"}[*ev.Accepted]
		}
	case "permission_result":
		s += " " + ev.Permission + ": " + ev.Result
	case "withdraw":
		s += " " + ev.Permission
	}
	if e.Update != "" {
		// The newer bundle arrived before this request was sent.
		s = "policy update " + e.Update + " loaded · " + s
	}
	return s
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>hostsim report</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:24px;background:#eef1f5;color:#1d2330}
h1{font-size:20px} .run{background:#fff;border-radius:10px;padding:12px 16px;margin:16px 0}
.run h2{font-size:16px;margin:0 0 8px} .pass{color:#1a7f37} .fail{color:#c62828}
.timeline{display:flex;gap:12px;overflow-x:auto;padding-bottom:8px}
.phone{flex:0 0 220px;border:8px solid #111;border-radius:24px;background:#fafafa;padding:8px;min-height:260px;font-size:12px}
.event{font-weight:600;margin-bottom:6px} .time{color:#889;font-size:11px}
.screen{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.2);padding:8px;margin:6px 0}
.screen.request_permission{border-radius:16px;background:#f1f4ff}.screen.block{background:#fdecec}.screen.proceed{background:#e6f6ea}.screen.open_settings{background:#eef3ff}
.screen h4{margin:0 0 4px;font-size:12px}.screen p{margin:2px 0;white-space:pre-wrap}
.btn{display:inline-block;border:1px solid #2f6fed;color:#2f6fed;border-radius:6px;padding:1px 6px;margin:2px 2px 0 0;font-size:11px}
.chosen{color:#a05a00;font-weight:600}.rules{color:#2f6fed;font-size:11px}
</style></head><body>
<h1>hostsim: {{len .Runs}} run(s), {{.Run.Failed}} failed, {{.Run.Decisions}} decisions on {{.Run.Engine}}</h1>
{{range .Runs}}<div class="run"><h2>{{if .Passed}}<span class="pass">✓</span>{{else}}<span class="fail">✗</span>{{end}} {{.Journey}} · {{.Device}} · {{.Locale}}</h2>
{{range .Failures}}<p class="fail">{{.}}</p>{{end}}
<div class="timeline">{{range .Steps}}<div class="phone"><div class="event">{{.Event}}</div><div class="time">{{.Time}} · {{.SDKs}} SDK(s)</div>
{{range .Screens}}<div class="screen {{.Kind}}"><h4>{{.Title}}</h4>{{if .Body}}<p>{{.Body}}</p>{{end}}{{if .Note}}<p><em>{{.Note}}</em></p>{{end}}
{{range .Buttons}}{{if .}}<span class="btn">{{.}}</span>{{end}}{{end}}{{if .Chosen}}<p class="chosen">{{.Chosen}}</p>{{end}}</div>{{end}}
<div class="rules">{{range .Rules}}{{.}} {{end}}</div></div>{{end}}</div></div>{{end}}
</body></html>
`))

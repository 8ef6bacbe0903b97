// Package journey reads the simulator's journey files (TOML, documented in
// FORMAT.md beside this file) and plays them: a user's script on one or
// more device profiles, and what must and must not happen. A journey
// passes when its expectations hold and the compliance checks find no
// fault.
package journey

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/internal/tomlguard"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// Journey is one journey file.
type Journey struct {
	Name        string   `toml:"name,required"`
	Description string   `toml:"description"`
	Devices     []string `toml:"devices,required"` // profile names, or "all"
	Locale      string   `toml:"locale"`
	Start       string   `toml:"start"` // RFC 3339; default 2026-03-01T10:00:00+08:00
	User        User     `toml:"user"`
	Prior       Prior    `toml:"prior"`
	Do          []Op     `toml:"do,required"`
	Expect      Expect   `toml:"expect"`

	File    string                       `toml:"-"`
	pos     func(key string) errcode.Pos // where a key is written in File
	state   json.RawMessage              // the prior record's state, read from Prior.State
	updates []errcode.Error              // each update op: where it names its bundle
}

// Prior is a record the app holds when the journey starts, left by an
// earlier version of the app: its state file, and what the journey's
// author declares is on record in it, which the checks hold the engine to
// (they never read the state).
type Prior struct {
	State    string   `toml:"state"`    // a file, relative to the journey's ("": no prior record)
	Policy   bool     `toml:"policy"`   // consent to the policy is on record
	Consents []string `toml:"consents"` // separate consents on record, "<sensitive>/<purpose>"
}

// User is the scripted user of a journey.
type User struct {
	Policy      []bool       `toml:"policy"`
	Rationale   []bool       `toml:"rationale"`
	Dialog      []string     `toml:"dialog"`
	Settings    []bool       `toml:"settings"`
	Consent     []bool       `toml:"consent"` // a separate consent screen: accept?
	Permissions []PermAnswer `toml:"permission"`
	Separate    []SepAnswer  `toml:"separate"`
}

// SepAnswer are a user's answers for one separate consent, on its own
// screen and on a rationale that asks it.
type SepAnswer struct {
	ID     string `toml:"id,required"` // "<sensitive>/<purpose>"
	Answer []bool `toml:"answer,required"`
}

// PermAnswer are a user's answers for one permission.
type PermAnswer struct {
	ID        string   `toml:"id,required"`
	Rationale []bool   `toml:"rationale"`
	Dialog    []string `toml:"dialog"`
	Settings  []bool   `toml:"settings"`
}

// Op is one thing the user does.
type Op struct {
	Do         string           `toml:"do,required"`
	Scenario   string           `toml:"scenario"`
	Step       string           `toml:"step"`
	Permission string           `toml:"permission"`
	Sensitive  string           `toml:"sensitive"` // withdraw: a separate consent, with purpose
	Purpose    string           `toml:"purpose"`
	For        prompts.Duration `toml:"for"`
	Offset     string           `toml:"offset"` // clock: "+720h", "-2h", "0"
	On         bool             `toml:"on"`
	Version    string           `toml:"version"`
	Platform   string           `toml:"platform"` // upgrade: only on this platform
	Bundle     string           `toml:"bundle"`   // update: the newer bundle loaded (prompttest.Updates)
	While      string           `toml:"while"`    // update: the screen it arrives during (sim.UpdateWhile)
}

// Expect is what must hold.
type Expect struct {
	// Must lists actions that must appear, Never actions that must not,
	// as "<type> [<permission or scenario/step>]": "request_permission
	// camera", "block camera", "proceed loan_apply/apply", "show_policy".
	Must  []string `toml:"must"`
	Never []string `toml:"never"`
	// SDKs must run after the last request; NoSDKs must not.
	SDKs   []string `toml:"sdks"`
	NoSDKs []string `toml:"no_sdks"`
	// StateHas and StateLacks name top-level fields of the final state.
	StateHas   []string `toml:"state_has"`
	StateLacks []string `toml:"state_lacks"`
	// Faults lists rules the compliance checks must find (a journey that
	// shows a broken engine); by default they must find none.
	Faults []string `toml:"faults"`
}

var opKinds = []string{sim.OpLaunch, sim.OpEnter, sim.OpWithdraw, sim.OpWait, sim.OpSettings, sim.OpReinstall, sim.OpUpgrade, sim.OpClock, sim.OpUpdate}

// Load reads a journey file. Its errors name file:line:col and the key.
func Load(file string) (*Journey, error) {
	data, err := tomlguard.ReadFile(file) // a file over its size limit is not read
	if e := (*errcode.Error)(nil); errors.As(err, &e) {
		return nil, errcode.List{*e}
	}
	if err != nil {
		return nil, err
	}
	var j Journey
	pos, probs := prompts.DecodeTOML(file, data, &j)
	if len(probs) > 0 {
		return nil, probs
	}
	j.File, j.pos = file, pos
	bad := func(key, format string, args ...any) error {
		return errcode.List{{Pos: pos(key), Code: prompts.CodeType, Field: key, Message: fmt.Sprintf(format, args...)}}
	}
	for i, d := range j.Devices {
		if d == "all" {
			continue
		}
		if _, err := device.Lookup(d); err != nil {
			return nil, bad(fmt.Sprintf("devices[%d]", i), "%v", err)
		}
	}
	if j.Start != "" {
		if _, err := time.Parse(time.RFC3339, j.Start); err != nil {
			return nil, bad("start", "start must be an RFC 3339 time: %v", err)
		}
	}
	for i, op := range j.Do {
		key := fmt.Sprintf("do[%d]", i)
		if !slices.Contains(opKinds, op.Do) {
			return nil, bad(key+".do", "do must be one of %s", strings.Join(opKinds, ", "))
		}
		need := map[string]string{sim.OpEnter: "scenario", sim.OpWithdraw: "permission, or sensitive and purpose", sim.OpWait: "for",
			sim.OpSettings: "permission", sim.OpUpgrade: "version", sim.OpClock: "offset", sim.OpUpdate: "bundle"}
		consent := op.Sensitive != "" || op.Purpose != ""
		missing := (op.Do == sim.OpEnter && (op.Scenario == "" || op.Step == "")) ||
			(op.Do == sim.OpWithdraw && (op.Permission == "") == !consent) ||
			(op.Do == sim.OpWithdraw && consent && (op.Sensitive == "" || op.Purpose == "")) ||
			(op.Do == sim.OpSettings && op.Permission == "") ||
			(op.Do == sim.OpWait && op.For.Duration <= 0) || (op.Do == sim.OpUpgrade && op.Version == "") ||
			(op.Do == sim.OpClock && op.Offset == "") || (op.Do == sim.OpUpdate && op.Bundle == "")
		if missing {
			return nil, bad(key, "do = %q needs %s", op.Do, need[op.Do])
		}
		switch {
		case op.Do != sim.OpUpdate && (op.Bundle != "" || op.While != ""):
			return nil, bad(key, "bundle and while belong to do = %q", sim.OpUpdate)
		case op.Do != sim.OpUpdate:
		case !slices.Contains(prompttest.Updates(), op.Bundle):
			return nil, errcode.List{{Pos: pos(key + ".bundle"), Code: prompts.CodeUnknownReference, Field: key + ".bundle",
				Message: fmt.Sprintf("no update bundle %q: the simulator's are %s (prompts/prompttest)", op.Bundle, strings.Join(prompttest.Updates(), ", "))}}
		case op.While != "" && !slices.Contains(sim.UpdateWhile(), op.While):
			return nil, errcode.List{{Pos: pos(key + ".while"), Code: prompts.CodeBadValue, Field: key + ".while",
				Message: fmt.Sprintf("an update arrives while one of %s waits, or at once (no while)", strings.Join(sim.UpdateWhile(), ", "))}}
		default:
			j.updates = append(j.updates, errcode.Error{Pos: pos(key + ".bundle"), Field: key + ".bundle",
				Message: fmt.Sprintf("do = %q loads the bundle %q", sim.OpUpdate, op.Bundle)})
		}
		if consent {
			if _, ok := vocab.ParseSensitive(op.Sensitive); !ok {
				return nil, bad(key+".sensitive", "a sensitive category is one of %s", strings.Join(vocab.Names(vocab.NumSensitive), ", "))
			}
		}
		if op.Offset != "" {
			if _, err := time.ParseDuration(op.Offset); err != nil {
				return nil, bad(key+".offset", "offset is a duration like \"+720h\", \"-2h\" or \"0\": %v", err)
			}
		}
	}
	for i, sa := range j.User.Separate {
		if err := validConsent(sa.ID); err != "" {
			return nil, bad(fmt.Sprintf("user.separate[%d].id", i), "%s", err)
		}
	}
	if pr := j.Prior; pr.State == "" && (pr.Policy || len(pr.Consents) > 0) {
		return nil, bad("prior", "a prior record needs its state")
	} else if pr.State != "" {
		for i, k := range pr.Consents {
			if err := validConsent(k); err != "" {
				return nil, bad(fmt.Sprintf("prior.consents[%d]", i), "%s", err)
			}
		}
		data, err := os.ReadFile(filepath.Join(filepath.Dir(file), pr.State))
		if err != nil {
			return nil, bad("prior.state", "%v", err)
		}
		if !json.Valid(data) {
			return nil, bad("prior.state", "%s is not JSON", pr.State)
		}
		j.state = json.RawMessage(strings.TrimSpace(string(data)))
	}
	for i, c := range j.User.Dialog {
		if !validChoice(c) {
			return nil, bad(fmt.Sprintf("user.dialog[%d]", i), "a dialog choice is one of %s", choiceList())
		}
	}
	for i, p := range j.User.Permissions {
		for k, c := range p.Dialog {
			if !validChoice(c) {
				return nil, bad(fmt.Sprintf("user.permission[%d].dialog[%d]", i, k), "a dialog choice is one of %s", choiceList())
			}
		}
	}
	for i, r := range j.Expect.Faults {
		if !slices.Contains(check.Rules(), r) {
			return nil, bad(fmt.Sprintf("expect.faults[%d]", i), "a rule is one of %s", strings.Join(check.Rules(), ", "))
		}
	}
	return &j, nil
}

// position is where a key is written in the journey's file (the file
// alone for a journey not read by Load).
func (j *Journey) position(key string) errcode.Pos {
	if j.pos == nil {
		return errcode.Pos{File: j.File}
	}
	return j.pos(key)
}

// validConsent says what is wrong with a consent written
// "<sensitive>/<purpose>" ("" if nothing).
func validConsent(k string) string {
	s, p, ok := strings.Cut(k, "/")
	if _, known := vocab.ParseSensitive(s); !ok || !known || p == "" {
		return fmt.Sprintf("%q is not a consent \"<sensitive>/<purpose>\" with a sensitive category of %s", k, strings.Join(vocab.Names(vocab.NumSensitive), ", "))
	}
	return ""
}

func validChoice(c string) bool { return slices.Contains(sim.Choices(), device.Choice(c)) }

func choiceList() string {
	var s []string
	for _, c := range sim.Choices() {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

// LoadDir reads every *.toml journey in a folder, in name order.
func LoadDir(dir string) ([]*Journey, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no journeys (*.toml)", dir)
	}
	sort.Strings(files)
	return LoadPaths(files)
}

// LoadPaths reads journey files, and every *.toml journey of folders, in
// the order given. It reads all it can and returns the errors together.
func LoadPaths(paths []string) ([]*Journey, error) {
	var out []*Journey
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		switch {
		case err != nil:
		case st.IsDir():
			var js []*Journey
			js, err = LoadDir(p)
			out = append(out, js...)
		default:
			var j *Journey
			if j, err = Load(p); err == nil {
				out = append(out, j)
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// Profiles returns the journey's device profiles ("all": every one).
func (j *Journey) Profiles() []device.Profile {
	var out []device.Profile
	for _, name := range j.Devices {
		if name == "all" {
			return device.Profiles()
		}
		p, _ := device.Lookup(name)
		out = append(out, p)
	}
	return out
}

// Ops returns the journey's script as the simulator's ops.
func (j *Journey) Ops() []sim.Op {
	var out []sim.Op
	for _, o := range j.Do {
		offset, _ := time.ParseDuration(o.Offset)
		out = append(out, sim.Op{Kind: o.Do, Scenario: o.Scenario, Step: o.Step, Permission: o.Permission,
			Sensitive: o.Sensitive, Purpose: o.Purpose, Wait: o.For.Duration, Offset: offset, On: o.On, Version: o.Version, Platform: o.Platform,
			Bundle: o.Bundle, While: o.While})
	}
	return out
}

// Updates lists the journey's update ops, in order, each with the
// file:line:col and key where it names its bundle and a message saying
// which: none for a journey that loads no update.
func (j *Journey) Updates() []errcode.Error { return slices.Clone(j.updates) }

// NewUser returns the journey's scripted user.
func (j *Journey) NewUser() *sim.Scripted {
	u := &sim.Scripted{Policies: j.User.Policy, Rationales: j.User.Rationale, Switches: j.User.Settings, Consents: j.User.Consent,
		Dialogs: choices(j.User.Dialog), PerDialog: map[string][]device.Choice{}, PerSwitch: map[string][]bool{},
		PerRationale: map[string][]bool{}, PerConsent: map[string][]bool{}}
	for _, sa := range j.User.Separate {
		u.PerConsent[sa.ID] = sa.Answer
	}
	for _, p := range j.User.Permissions {
		if p.Dialog != nil {
			u.PerDialog[p.ID] = choices(p.Dialog)
		}
		if p.Settings != nil {
			u.PerSwitch[p.ID] = p.Settings
		}
		if p.Rationale != nil {
			u.PerRationale[p.ID] = p.Rationale
		}
	}
	return u
}

func choices(l []string) []device.Choice {
	var out []device.Choice
	for _, c := range l {
		out = append(out, device.Choice(c))
	}
	return out
}

// PriorRecord is the record the app holds when the journey starts, or nil
// for a fresh install.
func (j *Journey) PriorRecord() *sim.Prior {
	if j.Prior.State == "" {
		return nil
	}
	return &sim.Prior{State: j.state, Policy: j.Prior.Policy, Consents: slices.Clone(j.Prior.Consents)}
}

// StartTime is the device clock's start.
func (j *Journey) StartTime() time.Time {
	if t, err := time.Parse(time.RFC3339, j.Start); err == nil {
		return t
	}
	return DefaultStart
}

// DefaultStart is when a journey starts unless it says.
var DefaultStart = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Result is a journey played on one device.
type Result struct {
	Journey    *Journey
	Profile    device.Profile
	Transcript *sim.Transcript
	Faults     []check.Fault
	// Failures are expectations that did not hold.
	Failures []string
}

// Passed reports whether the run met its expectations and broke no rule
// it did not expect to.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

// Play runs the journey on a device profile against an engine.
func Play(j *Journey, p device.Profile, e sim.Engine, policy *check.Policy) *Result {
	return PlayOn(j, j.NewDevice(p), e, policy)
}

// NewDevice is the device a journey starts on: the profile, its clock at
// the journey's start time.
func (j *Journey) NewDevice(p device.Profile) *device.Device { return device.NewAt(p, j.StartTime()) }

// PlayOn plays the journey on a device made by NewDevice, for a host that
// must know the device (to give the module its clock) before the run.
func PlayOn(j *Journey, dev *device.Device, e sim.Engine, policy *check.Policy) *Result {
	locale := j.Locale
	if locale == "" {
		locale = "zh-CN"
	}
	p := dev.Profile() // before an upgrade changes its version
	t := sim.RunFrom(e, dev, j.NewUser(), locale, j.PriorRecord(), j.Ops())
	r := &Result{Journey: j, Profile: p, Transcript: t, Faults: check.Check(policy, t)}
	r.Failures = j.Expect.failures(t, r.Faults, policy)
	return r
}

// failures lists how a transcript misses the expectations. An SDK the
// policy in force at the end does not embed on the device's platform is no
// expectation there (the matrix plays every journey on every profile).
func (x *Expect) failures(t *sim.Transcript, faults []check.Fault, policy *check.Policy) []string {
	var out []string
	var seen []string
	for _, e := range t.Entries {
		for i := range e.Response.Actions {
			seen = append(seen, Summary(&e.Response.Actions[i]))
		}
	}
	match := func(want string) bool {
		for _, s := range seen {
			if s == want || strings.HasPrefix(s, want+" ") {
				return true
			}
		}
		return false
	}
	for _, m := range x.Must {
		if !match(m) {
			out = append(out, "expected "+m+", never shown; the screens shown: "+screens(seen))
		}
	}
	for _, m := range x.Never {
		if match(m) {
			out = append(out, "shown "+m+", which must never be; the screens shown: "+screens(seen))
		}
	}
	var last *sim.Entry
	for i := len(t.Entries) - 1; i >= 0; i-- {
		if t.Entries[i].Response.Error == nil {
			last = &t.Entries[i]
			break
		}
	}
	if policy != nil {
		policy = policy.InForce(t)
	}
	if last != nil {
		for _, s := range x.SDKs {
			if policy != nil && !policy.Embeds(s, t.Profile.Platform) {
				continue
			}
			if !slices.Contains(last.Response.SDKs, s) {
				out = append(out, "SDK "+s+" does not run at the end")
			}
		}
		for _, s := range x.NoSDKs {
			if slices.Contains(last.Response.SDKs, s) {
				out = append(out, "SDK "+s+" runs at the end")
			}
		}
		for _, k := range x.StateHas {
			if !strings.Contains(string(last.Response.State), `"`+k+`":`) {
				out = append(out, "the final state has no "+k)
			}
		}
		for _, k := range x.StateLacks {
			if strings.Contains(string(last.Response.State), `"`+k+`":`) {
				out = append(out, "the final state has "+k)
			}
		}
	}
	found := map[string]bool{}
	for _, f := range faults {
		found[f.Rule] = true
		if !slices.Contains(x.Faults, f.Rule) {
			out = append(out, "compliance fault: "+f.String())
		}
	}
	for _, r := range x.Faults {
		if !found[r] {
			out = append(out, "expected a "+r+" fault, found none")
		}
	}
	if t.Failure != "" && !slices.Contains(x.Faults, check.Contract) {
		out = append(out, "the run stopped: "+t.Failure)
	}
	return out
}

// screens lists the actions a run showed, in order, a repeat of the one
// before left out: what a reader of a failed expectation needs to see
// where the journey went instead.
func screens(seen []string) string {
	var out []string
	for i, s := range seen {
		if i > 0 && s == seen[i-1] {
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "none"
	}
	const most = 20
	if len(out) > most {
		out = append(out[:most], fmt.Sprintf("and %d more", len(out)-most))
	}
	return strings.Join(out, ", ")
}

// Summary is an action as journeys name it: "<type> [<permission> |
// <sensitive>/<purpose>] [<scenario>/<step>]", then for a policy popup its
// change (first, major, minor), for a consent screen that comes with a
// permission (iOS) "permission=<permission>", for a step that goes on with
// pickers or components "apis=<permission>:<api>,...", and for the
// settings page of a special access "special <page>". A rationale names its
// permission; a consent screen, or a block without a permission, its
// consent.
func Summary(a *sim.Action) string {
	s := a.Type
	switch k := a.Consent(); {
	case a.Type == "show_consent" && k != "":
		s += " " + k
	case a.Permission != "":
		s += " " + a.Permission
	case k != "":
		s += " " + k
	}
	if a.Scenario != "" {
		s += " " + a.Scenario + "/" + a.Step
	}
	if a.Type == "show_policy" && a.Change != "" {
		s += " " + a.Change
	}
	if a.Type == "show_consent" && a.Permission != "" {
		s += " permission=" + a.Permission
	}
	if len(a.SystemAPIs) > 0 {
		var apis []string
		for _, api := range a.SystemAPIs {
			apis = append(apis, api.Permission+":"+api.API)
		}
		s += " apis=" + strings.Join(apis, ",")
	}
	if a.Special {
		s += " special " + a.Settings
	}
	return s
}

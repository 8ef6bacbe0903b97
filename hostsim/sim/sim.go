// Package sim runs an app's host loop against a simulated device and
// user: it sends the engine the events a user's actions cause, carries
// the engine's state, performs the actions the engine answers with (a
// policy popup, a rationale, a separate consent, a system request, a
// settings hint) by asking the user and the device, and records everything
// in a Transcript that the compliance checks (package check) and the
// reports read. A run may start from a prior record (RunFrom): a state an
// earlier app version left, with what is declared to be on record in it.
//
// The device is the OS (package device): what it reports, whether a
// request shows a dialog, what an answer turns into. The engine is
// whatever an Engine calls: the wasm module in wazero, or the native
// engine. An update op gives the engine a newer policy bundle mid-run
// (Engine.Load), as an app that downloaded one calls consent_load_bundle.
package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/device"
)

// Decide answers one request of the engine's contract.
type Decide func(request []byte) ([]byte, error)

// Load gives the engine a newer policy bundle, named as an update op names
// it (Op.Bundle), as an app that downloaded a signed bundle hands it to
// consent_load_bundle. An error is the engine refusing it.
type Load func(bundle string) error

// Engine is what a run decides with: Decide answers every request, Load
// takes the bundle of an update op (nil: the engine takes none, and an
// update op stops the run).
type Engine struct {
	Decide Decide
	Load   Load
}

// User answers what the app shows.
type User interface {
	// Policy answers a policy popup.
	Policy(a *Action) bool
	// Rationale answers an in-app rationale.
	Rationale(a *Action) bool
	// Consent answers a separate consent screen (show_consent).
	Consent(a *Action) bool
	// Dialog chooses in a system dialog for a permission.
	Dialog(permission string) device.Choice
	// Settings says whether the user, sent to the settings for a
	// permission, switches it on.
	Settings(permission string) bool
}

// Op is something the user does of their own accord: the script of a
// journey is a list of them.
type Op struct {
	Kind       string `json:"kind" toml:"do"` // launch, enter, withdraw, wait, settings, reinstall, upgrade, clock, update
	Scenario   string `json:"scenario,omitempty" toml:"scenario"`
	Step       string `json:"step,omitempty" toml:"step"`
	Permission string `json:"permission,omitempty" toml:"permission"`
	// Sensitive and Purpose name a separate consent to withdraw (instead
	// of a permission).
	Sensitive string        `json:"sensitive,omitempty" toml:"sensitive"`
	Purpose   string        `json:"purpose,omitempty" toml:"purpose"`
	Wait      time.Duration `json:"wait,omitempty" toml:"-"`
	// Offset is how far a clock op sets the device's clock off the true
	// time (0: right again).
	Offset   time.Duration `json:"offset,omitempty" toml:"-"`
	On       bool          `json:"on,omitempty" toml:"on"`
	Version  string        `json:"version,omitempty" toml:"version"`
	Platform string        `json:"platform,omitempty" toml:"platform"` // upgrade: only on this platform
	// Bundle names the newer policy bundle an update op loads (Engine.Load).
	Bundle string `json:"bundle,omitempty" toml:"bundle"`
	// While, on an update op, is the type of a screen the user answers
	// (one of UpdateWhile): the bundle loads during the next op, while the
	// first such screen waits for the user's answer, or when that op ends
	// if it shows none. "" loads it at once, between two of the user's
	// actions.
	While string `json:"while,omitempty" toml:"while"`
}

// Op kinds.
const (
	OpLaunch    = "launch"
	OpEnter     = "enter"
	OpWithdraw  = "withdraw"
	OpWait      = "wait"
	OpSettings  = "settings"
	OpReinstall = "reinstall"
	OpUpgrade   = "upgrade"
	OpClock     = "clock"
	OpUpdate    = "update"
)

// UpdateWhile lists the screens an update may arrive during (Op.While):
// the actions whose answer the user gives.
func UpdateWhile() []string { return slices.Clone(updateWhile[:]) }

var updateWhile = [...]string{"show_policy", "show_rationale", "show_consent", "request_permission", "open_settings"}

// Consent writes a separate consent as the contract does where one string
// is needed: "<sensitive>/<purpose>".
func Consent(sensitive, purpose string) string { return sensitive + "/" + purpose }

// Action is an action of a response, as the host reads it.
type Action struct {
	Type            string   `json:"type"`
	Version         string   `json:"version,omitempty"`
	Change          string   `json:"change,omitempty"`
	Blocking        bool     `json:"blocking,omitempty"`
	Title           string   `json:"title,omitempty"`
	Body            string   `json:"body,omitempty"`
	Changes         []string `json:"changes,omitempty"`
	Links           []Link   `json:"links,omitempty"` // show_policy: the full policy and the SDK list
	Accept          string   `json:"accept,omitempty"`
	Decline         string   `json:"decline,omitempty"`
	Permission      string   `json:"permission,omitempty"`
	Scenario        string   `json:"scenario,omitempty"`
	Step            string   `json:"step,omitempty"`
	Consequence     string   `json:"consequence,omitempty"`
	SeparateConsent bool     `json:"separate_consent,omitempty"`
	// Sensitive and Purpose name the separate consent a show_consent, a
	// show_rationale or a block is about.
	Sensitive       string   `json:"sensitive,omitempty"`
	Purpose         string   `json:"purpose,omitempty"`
	PlatformIDs     []string `json:"platform_ids,omitempty"`
	Missing         []string `json:"missing,omitempty"`
	MissingConsents []string `json:"missing_consents,omitempty"` // "<sensitive>/<purpose>"
	Fallbacks       []string `json:"fallbacks,omitempty"`
	SystemPrompt    string   `json:"system_prompt,omitempty"` // proceed: the platform's prompt to call
	// SystemAPIs are, on proceed, the pickers, components and stores the
	// step uses instead of a permission, in ask order.
	SystemAPIs []SystemAPI `json:"system_apis,omitempty"`
	// Settings and Special say, on open_settings for a special access,
	// the settings page where the user grants it.
	Settings string `json:"settings,omitempty"`
	Special  bool   `json:"special,omitempty"`
}

// Link is a page a policy popup links to, in the request's locale.
type Link struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// SystemAPI is a platform call that serves a permission at an access
// level without asking it: a system picker (PHPickerViewController), a
// component (HarmonyOS's SaveButton) or a store (MediaStore).
type SystemAPI struct {
	Permission string `json:"permission"`
	Access     string `json:"access"`
	API        string `json:"api"`
}

// OneButton reports whether a rationale has a single button, on to the
// system dialog (iOS: the user decides in the system dialog, not here).
func (a *Action) OneButton() bool { return a.Type == "show_rationale" && a.Decline == "" }

// Consent is the separate consent an action is about, "<sensitive>/<purpose>",
// or "" for none.
func (a *Action) Consent() string {
	if a.Sensitive == "" && a.Purpose == "" {
		return ""
	}
	return Consent(a.Sensitive, a.Purpose)
}

// Event is the event of a request.
type Event struct {
	Type       string `json:"type"`
	Accepted   *bool  `json:"accepted,omitempty"`
	Scenario   string `json:"scenario,omitempty"`
	Step       string `json:"step,omitempty"`
	Permission string `json:"permission,omitempty"`
	Sensitive  string `json:"sensitive,omitempty"`
	Purpose    string `json:"purpose,omitempty"`
	Result     string `json:"result,omitempty"`
}

// Response is what the host reads of an answer.
type Response struct {
	Actions  []Action            `json:"actions"`
	SDKs     []string            `json:"sdks"`
	SDKData  map[string][]string `json:"sdk_data"` // per running SDK, the optional data it may collect now
	State    json.RawMessage     `json:"state"`
	Receipts []json.RawMessage   `json:"receipts"`
	Trace    []struct {
		Rule   string `json:"rule"`
		Detail string `json:"detail"`
	} `json:"trace"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// Dialog is what happened when the host called the OS's request API.
type Dialog struct {
	Permission string        `json:"permission"`
	Shown      bool          `json:"shown"` // the OS showed its dialog
	Choice     device.Choice `json:"choice,omitempty"`
	Result     string        `json:"result"`
	Privacy    *Dialog       `json:"privacy,omitempty"` // WeChat's privacy agreement, shown first
}

// Entry is one request and its answer, with what the device and the user
// did around it.
type Entry struct {
	Op      int               `json:"op"` // index of the user's op that led to it
	Time    time.Time         `json:"time"`
	Version string            `json:"version"` // the device's OS version then (it may be upgraded)
	Event   Event             `json:"event"`
	OS      map[string]string `json:"os"`   // what the device reported in the request
	Step    string            `json:"step"` // the scenario/step the user is in ("" outside one)
	// Update is the bundle the app loaded (an update op) since the request
	// before, "" if none: this request is the first the newer bundle
	// answers.
	Update   string   `json:"update,omitempty"`
	Response Response `json:"response"`
	Raw      []byte   `json:"-"` // the answer as the engine gave it
	// What the host did with the actions of this answer.
	Dialog *Dialog `json:"dialog,omitempty"` // it called the request API
	// Settings is set when it sent the user to the settings and the page
	// held the permission's switch: switched on?
	Settings *bool `json:"settings,omitempty"`
	// SettingsPage is the settings page it opened for a special access,
	// and NoSwitch says that the device has no such page, or no switch for
	// the permission there: the user could change nothing.
	SettingsPage string `json:"settings_page,omitempty"`
	NoSwitch     bool   `json:"no_switch,omitempty"`
	// APIs are the system APIs of a proceed it called.
	APIs []APIUse `json:"apis,omitempty"`
	// Answers are the events the host sent back in answer to the actions
	// of this response, in order: what the user chose on each screen
	// (the policy popup's and a rationale's button, a consent screen's,
	// the system dialog's result), which the HTML report marks. A later
	// entry's event is not enough to tell: after a minor update's popup
	// the answer's other actions go on, so the answers of one response
	// may be far apart in the transcript.
	Answers []Answer `json:"answers,omitempty"`
}

// Answer is the host's answer to one action of a response.
type Answer struct {
	Action int   `json:"action"` // its index in Response.Actions
	Event  Event `json:"event"`  // the event sent back
}

// APIUse is the host calling a system API of a proceed.
type APIUse struct {
	SystemAPI
	// Offered says whether the device has the call for that permission
	// and access level (device.Device.Offers).
	Offered bool `json:"offered"`
	// Privacy is WeChat's privacy agreement, shown before the first
	// privacy API; refused, the call fails.
	Privacy *Dialog `json:"privacy,omitempty"`
}

// Transcript is a whole run.
type Transcript struct {
	Profile device.Profile `json:"profile"`
	Locale  string         `json:"locale"`
	Ops     []Op           `json:"ops"`
	// Installation is the id the host sends with its requests (the
	// receipts carry it): made from the run's profile, locale and ops, so
	// that runs are repeatable, and made anew at each reinstall (-2, -3...),
	// as an app's host makes one at install.
	Installation string `json:"installation,omitempty"`
	// Prior is what was declared on record before the run, if it started
	// from a prior record (RunFrom).
	Prior   *Prior  `json:"prior,omitempty"`
	Entries []Entry `json:"entries"`
	// Failure is set when the run could not go on: the engine failed (a
	// trapped or timed-out module) or answered in a loop.
	Failure string `json:"failure,omitempty"`
}

// MaxDecisions bounds the requests one op may cause, so that an engine
// that answers in a loop ends the run instead of hanging it.
const MaxDecisions = 64

// ErrLoop is the failure of a run whose engine kept asking.
var ErrLoop = errors.New("the engine answered in a loop: more than 64 requests for one user action")

// Prior is a record the host holds before a run, left by an earlier
// version of the app: the state it sends with its first request, and what
// the person who wrote the journey declares is on record in it. The checks
// read the declaration, never the state: they judge the engine by what the
// user agreed to, not by what the engine wrote down.
type Prior struct {
	State json.RawMessage `json:"-"`
	// Policy declares consent to the policy (its active version) on record.
	Policy bool `json:"policy,omitempty"`
	// Consents declares the separate consents on record,
	// "<sensitive>/<purpose>".
	Consents []string `json:"consents,omitempty"`
}

// Run plays ops on a device with a user against an engine, from a fresh
// install.
func Run(e Engine, dev *device.Device, user User, locale string, ops []Op) *Transcript {
	return RunFrom(e, dev, user, locale, nil, ops)
}

// RunFrom plays ops as Run does, with the app holding a prior record (nil:
// none) when the run starts.
func RunFrom(e Engine, dev *device.Device, user User, locale string, prior *Prior, ops []Op) *Transcript {
	r := &runner{e: e, dev: dev, user: user, locale: locale, armed: -1}
	r.t = &Transcript{Profile: dev.Profile(), Locale: locale, Ops: ops, Prior: prior}
	r.t.Installation = installation(r.t)
	r.installation = r.t.Installation
	if prior != nil && len(prior.State) > 0 {
		r.state = prior.State
	}
	for i, op := range ops {
		r.op = i
		err := r.do(op)
		if err == nil && r.armed >= 0 && r.armed < i {
			// The op after an update that waits for a screen showed
			// none: the bundle loads now that it is done.
			err = r.load()
		}
		if err != nil {
			r.t.Failure = fmt.Sprintf("op %d (%s): %v", i+1, op.Kind, err)
			break
		}
	}
	return r.t
}

type runner struct {
	e      Engine
	dev    *device.Device
	user   User
	locale string
	t      *Transcript
	state  json.RawMessage
	op     int
	step   string // scenario/step the user is in
	count  int    // requests for the current op
	// armed is the index of an update op waiting for a screen of the op
	// after it (-1: none); loaded is the bundle loaded since the last
	// request ("" none), which the next entry records.
	armed  int
	loaded string
	// installation is the id sent, and installs counts reinstalls.
	installation string
	installs     int
}

// load loads the bundle of the armed update op, or of the current one.
func (r *runner) load() error {
	i := r.op
	if r.armed >= 0 {
		i, r.armed = r.armed, -1
	}
	name := r.t.Ops[i].Bundle
	if r.e.Load == nil {
		return fmt.Errorf("the update of op %d (bundle %q): this engine takes no policy update", i+1, name)
	}
	if err := r.e.Load(name); err != nil {
		return fmt.Errorf("the update of op %d (bundle %q): %w", i+1, name, err)
	}
	r.loaded = name
	return nil
}

// installation makes a run's installation id: "sim-" and 16 hex digits of
// the SHA-256 of its profile, locale and ops.
func installation(t *Transcript) string {
	data, _ := json.Marshal([]any{t.Profile, t.Locale, t.Ops})
	sum := sha256.Sum256(data)
	return "sim-" + hex.EncodeToString(sum[:8])
}

func (r *runner) do(op Op) error {
	r.count = 0
	switch op.Kind {
	case OpLaunch:
		r.step = ""
		r.dev.Use()
		return r.send(Event{Type: "launch"})
	case OpEnter:
		r.step = op.Scenario + "/" + op.Step
		r.dev.Use()
		return r.send(Event{Type: "enter", Scenario: op.Scenario, Step: op.Step})
	case OpWithdraw:
		if op.Sensitive != "" || op.Purpose != "" {
			return r.send(Event{Type: "withdraw", Sensitive: op.Sensitive, Purpose: op.Purpose})
		}
		return r.send(Event{Type: "withdraw", Permission: op.Permission})
	case OpClock:
		r.dev.SetClock(op.Offset)
		return nil
	case OpWait:
		r.dev.Advance(op.Wait)
		return nil
	case OpSettings:
		r.dev.Settings(op.Permission, op.On)
		return nil
	case OpReinstall:
		r.dev.Reinstall()
		r.state = nil
		r.step = ""
		r.installs++
		r.installation = r.t.Installation + "-" + strconv.Itoa(r.installs+1)
		return nil
	case OpUpgrade:
		if op.Platform != "" && op.Platform != r.dev.Profile().Platform {
			return nil // an upgrade for another platform
		}
		return r.dev.Upgrade(op.Version)
	case OpUpdate:
		if r.armed >= 0 {
			// An update that waited for a screen of this op: it loads
			// first, as the op ends.
			if err := r.load(); err != nil {
				return err
			}
		}
		if op.While != "" {
			r.armed = r.op // loaded while a screen of the next op waits
			return nil
		}
		return r.load()
	}
	return fmt.Errorf("unknown op %q", op.Kind)
}

// send makes one request and performs the actions of its answer.
func (r *runner) send(ev Event) error {
	if r.count++; r.count > MaxDecisions {
		return ErrLoop
	}
	p := r.dev.Profile()
	req := map[string]any{
		"now":    r.dev.Now().Format(time.RFC3339),
		"locale": r.locale,
		"device": map[string]string{"platform": p.Platform, "version": p.Version},
		"os":     r.dev.Report(),
		"event":  ev,
	}
	if r.installation != "" {
		req["installation"] = r.installation
	}
	if r.state != nil {
		req["state"] = r.state
	}
	data, err := json.Marshal(req)
	if err != nil {
		return err
	}
	raw, err := r.e.Decide(data)
	if err != nil {
		return fmt.Errorf("the engine failed: %w", err)
	}
	e := Entry{Op: r.op, Time: r.dev.Now(), Version: p.Version, Event: ev, OS: r.dev.Report(), Step: r.step, Update: r.loaded, Raw: raw}
	r.loaded = ""
	if err := json.Unmarshal(raw, &e.Response); err != nil {
		r.t.Entries = append(r.t.Entries, e)
		return fmt.Errorf("the engine's answer is not JSON: %v", err)
	}
	r.t.Entries = append(r.t.Entries, e)
	if e.Response.Error != nil {
		return nil // the host keeps its state; the checks judge the error
	}
	r.state = e.Response.State
	idx := len(r.t.Entries) - 1
	for i := range e.Response.Actions {
		a := &e.Response.Actions[i]
		next, err := r.perform(idx, a)
		if err != nil {
			return err
		}
		if next != nil {
			r.t.Entries[idx].Answers = append(r.t.Entries[idx].Answers, Answer{Action: i, Event: *next})
		}
		if next != nil && r.armed >= 0 && r.armed == r.op-1 && a.Type == r.t.Ops[r.armed].While {
			// The update arrives while this screen waits: the app loads
			// the bundle before it sends the user's answer.
			if err := r.load(); err != nil {
				return err
			}
		}
		if next != nil && a.Type == "show_policy" && a.Change == "minor" {
			// A minor update does not block: the user's answer, agree or
			// decline, is sent, and the answer's other actions go on
			// (the step goes on either way).
			if err := r.send(*next); err != nil {
				return err
			}
			continue
		}
		if next != nil {
			// The answer to this action is a new request, whose own
			// answer carries on; later actions of this answer are not
			// performed (the engine puts a prompt last).
			return r.send(*next)
		}
	}
	return nil
}

// perform does what an action asks and returns the event that answers it,
// if any.
func (r *runner) perform(idx int, a *Action) (*Event, error) {
	yes := func(b bool) *bool { return &b }
	switch a.Type {
	case "show_policy":
		ok := r.user.Policy(a)
		return &Event{Type: "policy_answer", Accepted: yes(ok)}, nil
	case "show_rationale":
		// A screen with one button (iOS) leaves the user no choice
		// there: they go on to the system dialog and decide in it.
		ok := a.OneButton() || r.user.Rationale(a)
		return &Event{Type: "rationale_answer", Permission: a.Permission, Accepted: yes(ok)}, nil
	case "show_consent":
		ok := r.user.Consent(a)
		return &Event{Type: "consent_answer", Sensitive: a.Sensitive, Purpose: a.Purpose, Accepted: yes(ok)}, nil
	case "request_permission":
		privacy := r.privacy()
		if privacy != nil && privacy.Result != "granted" {
			r.t.Entries[idx].Dialog = privacy
			return &Event{Type: "permission_result", Permission: a.Permission, Result: "denied"}, nil
		}
		choice := r.user.Dialog(a.Permission)
		shown, result := r.dev.RequestIDs(a.Permission, a.PlatformIDs, choice)
		d := &Dialog{Permission: a.Permission, Shown: shown, Result: result, Privacy: privacy}
		if shown {
			d.Choice = choice
		}
		r.t.Entries[idx].Dialog = d
		return &Event{Type: "permission_result", Permission: a.Permission, Result: result}, nil
	case "open_settings":
		e := &r.t.Entries[idx]
		e.SettingsPage = a.Settings
		if r.dev.HasSwitch(a.Permission, a.Settings) {
			on := r.user.Settings(a.Permission)
			r.dev.Settings(a.Permission, on)
			e.Settings = &on
		} else {
			e.NoSwitch = true // the user finds nothing to switch
		}
		result := r.dev.Report()[a.Permission]
		switch result {
		case "granted", "limited", "denied", "denied_forever":
		default: // back from the settings without a decision
			result = "dismissed"
		}
		return &Event{Type: "permission_result", Permission: a.Permission, Result: result}, nil
	case "proceed":
		// The step goes on: the app calls the pickers and components it
		// uses instead of permissions (a picker shows; the user picks).
		for _, api := range a.SystemAPIs {
			use := APIUse{SystemAPI: api, Offered: r.dev.Offers(api.Permission, api.Access, api.API)}
			use.Privacy = r.privacy()
			r.t.Entries[idx].APIs = append(r.t.Entries[idx].APIs, use)
		}
	}
	return nil, nil
}

// privacy shows WeChat's privacy agreement if it must come before a
// privacy API (a scope's request, or choosing media or a contact), and
// returns it as the user answered it as a dialog named "privacy"; nil if
// it did not show.
func (r *runner) privacy() *Dialog {
	if !r.dev.NeedsPrivacyAgreement() {
		return nil
	}
	c := r.user.Dialog("privacy")
	d := &Dialog{Permission: "privacy", Shown: true, Choice: c, Result: "granted"}
	if !r.dev.AnswerPrivacy(c) {
		d.Result = "denied"
	}
	return d
}

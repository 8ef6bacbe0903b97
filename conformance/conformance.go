// Package conformance holds the engine's conformance cases and their
// runner: data files that say, event by event, what the engine must
// decide. As in OPA's test/cases, the same files run against every build
// of the engine: natively, through the WebAssembly module in wazero, and
// in JavaScript WASI hosts. The runner depends on no engine: it takes the
// decision function as a parameter. The cases are in testdata/, their
// format in FORMAT.md beside this file.
//
// A conformance case is JSON and checks the engine's answers request by
// request; the simulator's journeys (hostsim/journey) are TOML and play a
// user on a simulated device. The two are different things on purpose.
package conformance

import (
	"bytes"
	"crypto/ed25519"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Case is one conformance case: a device, a locale, the OS's permission
// states, and events with what must follow each.
type Case struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Bundle      string            `json:"bundle"` // "reference", "revision" or "minor"
	Device      Device            `json:"device"`
	Locale      string            `json:"locale"`
	Now         string            `json:"now"`
	OS          map[string]string `json:"os"`
	// Installation is the request's installation until a step changes
	// it; "" sends none.
	Installation string `json:"installation"`
	Steps        []Step `json:"steps"`

	File string `json:"-"` // where it was read from
}

// Device is the request's device.
type Device struct {
	Platform string `json:"platform"`
	Version  string `json:"version"`
}

// Step is one request of a case and what its response must hold.
type Step struct {
	Event json.RawMessage `json:"event"`
	// Now, OS, Device, Locale and Bundle change the case's values from
	// this step on. OS entries are merged; a permission_result event also
	// sets its permission's OS state to the result, as a host reports it.
	Now    string            `json:"now,omitempty"`
	OS     map[string]string `json:"os,omitempty"`
	Device *Device           `json:"device,omitempty"`
	Locale string            `json:"locale,omitempty"`
	Bundle string            `json:"bundle,omitempty"`
	// State changes the state sent. A string is an operation:
	// "reinstall" sends none from here on, "tamper" alters its integrity
	// hash for this step. An object is sent, compacted, as this step's
	// state (a state recorded by an earlier engine version); later steps
	// send the returned state as usual. Edit sets top-level state fields.
	State json.RawMessage            `json:"state,omitempty"`
	Edit  map[string]json.RawMessage `json:"edit,omitempty"`
	// Installation, StateKey and BundleVersion set the request's fields
	// from this step on ("" sends none). Checkpoint sets the checkpoint
	// sent from this step on: "head", one of the head of the state the
	// runner carries, signed with the test service key; an object, that
	// checkpoint with these members changed (signed again, unless the
	// object gives "sig"); "none", none. Receipts are this step's
	// receipts: "chain", every receipt of the chain so far; an object
	// {"take": n, "set": {"<i>": {member: value}}, "rehash": true}, the
	// first n (0: all) with members changed, and hashes, ids and links
	// made again after the changes if rehash; an array, sent as it is.
	Installation  *string         `json:"installation,omitempty"`
	StateKey      *string         `json:"state_key,omitempty"`
	BundleVersion *string         `json:"bundle_version,omitempty"`
	Checkpoint    json.RawMessage `json:"checkpoint,omitempty"`
	Receipts      json.RawMessage `json:"receipts,omitempty"`
	// Raw replaces the whole request (bad-input cases).
	Raw    *string `json:"raw,omitempty"`
	Expect Expect  `json:"expect"`
}

// Expect is what a response must hold. Nil fields are not checked.
type Expect struct {
	Actions     []string `json:"actions"`      // each action summarised (see Summary), in order
	SDKs        []string `json:"sdks"`         // exactly these SDKs, in bundle order
	SDKsInclude []string `json:"sdks_include"` // at least these
	SDKsExclude []string `json:"sdks_exclude"` // none of these
	Rules       []string `json:"rules"`        // exactly these rule ids in the trace, as a set
	Receipts    []string `json:"receipts"`     // each receipt summarised, in order
	// ReceiptVersions are the version each receipt names, in order.
	ReceiptVersions []string `json:"receipt_versions"`
	// ReceiptTexts say, per receipt in order, which screen's texts its
	// text hashes: "<step>:<action>", the 1-based step of the case whose
	// response showed it and the action's index there ("" checks none).
	ReceiptTexts []string `json:"receipt_texts"`
	Error        string   `json:"error"` // the error code the request must get
	Field        string   `json:"field"` // and the field it must name
	Texts        []Text   `json:"texts"` // texts of actions
	// TraceContains are "RULE: text": some trace entry of that rule has a
	// detail containing the text (the durations a COOLDOWN entry states).
	TraceContains []string `json:"trace_contains"`
	StateHas      []string `json:"state_has"`   // top-level state fields present
	StateLacks    []string `json:"state_lacks"` // top-level state fields absent
	// SDKData is the response's sdk_data, exactly: per running SDK, the
	// optional data it may collect now.
	SDKData map[string][]string `json:"sdk_data"`
	// ReceiptMembers are, per receipt created in order, members it must
	// have with these values (JSON values compared); null: it must not
	// have the member.
	ReceiptMembers []map[string]json.RawMessage `json:"receipt_members"`
}

// Text expects an action's text field to equal or contain a string.
type Text struct {
	Action   int    `json:"action"`
	Field    string `json:"field"`
	Equals   string `json:"equals,omitempty"`
	Contains string `json:"contains,omitempty"`
}

// Decide answers one request with the named bundle active.
type Decide func(bundle string, request []byte) ([]byte, error)

// Runtime is a build of the engine as a runner plays cases on it.
type Runtime struct {
	Decide Decide
	// Hashes are the content hashes of the bundles by name ("sha256:..."
	// as consent_info reports them): every receipt must name the one of
	// the bundle active when it was made. Nil checks none.
	Hashes map[string]string
	// ServiceKey signs the checkpoints cases send; nil reads the test
	// service key (ServiceKeyFile) from the repository when a case needs
	// it.
	ServiceKey ed25519.PrivateKey
}

//go:embed testdata/*.json
var testdata embed.FS

// Cases returns the conformance cases of testdata/ beside this package,
// which it carries, so that every runner, in whatever folder its tests
// run, plays the same files.
func Cases() ([]*Case, error) { return load(testdata, "testdata", "conformance/testdata") }

// Load reads every case (*.json) in a folder, in name order.
func Load(dir string) ([]*Case, error) { return load(os.DirFS(dir), ".", dir) }

// load reads the cases in dir of fsys; shown is dir as error messages and
// Case.File name it.
func load(fsys fs.FS, dir, shown string) ([]*Case, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*Case
	for _, f := range files {
		name := filepath.Join(shown, path.Base(f))
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var c Case
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s: %w", where(name, data, err), err)
		}
		if dec.More() {
			return nil, fmt.Errorf("%s: more than one JSON value", name)
		}
		c.File = name
		if c.Bundle == "" {
			c.Bundle = "reference"
		}
		if len(c.Steps) == 0 {
			return nil, fmt.Errorf("%s: no steps", name)
		}
		for i, s := range c.Steps {
			if _, _, err := stateOp(s.State); err != nil {
				return nil, fmt.Errorf("%s: step %d: %w", name, i+1, err)
			}
			if err := checkExtras(&s, i); err != nil {
				return nil, fmt.Errorf("%s: step %d: %w", name, i+1, err)
			}
		}
		out = append(out, &c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no conformance cases", shown)
	}
	return out, nil
}

// where names the file, and the line and column of a syntax or type error.
func where(file string, data []byte, err error) string {
	var off int64
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	default:
		return file
	}
	// The offset is just past the byte at fault.
	before := data[:max(0, min(int(off), len(data))-1)]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// Result is one step's request and response.
type Result struct {
	Request  []byte
	Response []byte
}

// Play runs a case on decide and returns every request and response,
// checking nothing. Two builds of the engine conform to each other when
// Play gives the same responses.
func Play(j *Case, decide Decide) ([]Result, error) { return Runtime{Decide: decide}.Play(j) }

// Play runs a case and returns every request and response, checking
// nothing.
func (rt Runtime) Play(j *Case) ([]Result, error) {
	var out []Result
	err := rt.play(j, func(i int, req, resp []byte, _ *sent) error {
		out = append(out, Result{req, resp})
		return nil
	})
	return out, err
}

// Check runs a case on decide and returns every way its responses differ
// from what it expects, each naming the step.
func Check(j *Case, decide Decide) []error { return Runtime{Decide: decide}.Check(j) }

// Check runs a case and returns every way its responses differ from
// what it expects, each naming the step.
func (rt Runtime) Check(j *Case) []error {
	var errs []error
	var chain chainCheck
	err := rt.play(j, func(i int, req, resp []byte, sn *sent) error {
		chain.sent(sn)
		for _, e := range checkStep(&j.Steps[i], resp, &chain) {
			errs = append(errs, fmt.Errorf("%s: step %d (%s): %w", j.Name, i+1, eventType(j.Steps[i]), e))
		}
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", j.Name, err))
	}
	return errs
}

func eventType(s Step) string {
	if s.Raw != nil {
		return "raw request"
	}
	var ev struct{ Type string }
	json.Unmarshal(s.Event, &ev)
	return ev.Type
}

// sent is what a step's request carried that the receipts of its answer
// must agree with.
type sent struct {
	state        []byte // nil if none
	installation string
	device       Device
	hash         string // of the bundle active, "" if not known
	checkpoint   []byte // nil if none
	raw          bool   // the step sent its raw request
}

func (rt Runtime) play(j *Case, visit func(i int, req, resp []byte, sn *sent) error) error {
	dev, locale, now, bundleName := j.Device, j.Locale, j.Now, j.Bundle
	osStates := map[string]string{}
	for k, v := range j.OS {
		osStates[k] = v
	}
	x := Extra{Installation: j.Installation}
	var state json.RawMessage
	var states [][]byte // the state each step's response returned, or nil
	var chain []json.RawMessage
	for i, s := range j.Steps {
		if s.Now != "" {
			now = s.Now
		}
		if s.Device != nil {
			dev = *s.Device
		}
		if s.Locale != "" {
			locale = s.Locale
		}
		if s.Bundle != "" {
			bundleName = s.Bundle
		}
		if s.Installation != nil {
			x.Installation = *s.Installation
		}
		if s.StateKey != nil {
			x.StateKey = *s.StateKey
		}
		if s.BundleVersion != nil {
			x.BundleVersion = *s.BundleVersion
		}
		var ev struct {
			Type, Permission, Result string
		}
		if s.Event != nil {
			if err := json.Unmarshal(s.Event, &ev); err != nil {
				return fmt.Errorf("step %d: event: %w", i+1, err)
			}
		}
		if ev.Type == "permission_result" && ev.Result != "dismissed" && ev.Result != "" {
			osStates[ev.Permission] = ev.Result
		}
		for k, v := range s.OS {
			osStates[k] = v
		}
		st := state
		op, given, err := stateOp(s.State)
		if err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		if s.Checkpoint != nil {
			// Made from the state the runner carries, before this step's
			// state operation: the head the host last uploaded.
			from, spec := state, s.Checkpoint
			var n int
			if _, err := fmt.Sscanf(string(spec), `"step:%d"`, &n); err == nil {
				if n < 1 || n > i || states[n-1] == nil {
					return fmt.Errorf("step %d: checkpoint %s: step %d returned no state", i+1, spec, n)
				}
				from, spec = states[n-1], json.RawMessage(`"head"`)
			}
			if string(spec) == `"none"` {
				x.Checkpoint = nil
			} else if x.Checkpoint, err = rt.checkpoint(spec, from, x.Installation, now); err != nil {
				return fmt.Errorf("step %d: checkpoint: %w", i+1, err)
			}
		}
		switch {
		case op == "" && given != nil:
			st = given
		case op == "reinstall":
			st = nil
			state = nil
		case op == "tamper":
			st = tamper(st)
		case strings.HasPrefix(op, "step:"):
			n, _ := strconv.Atoi(op[len("step:"):])
			if n < 1 || n > i || states[n-1] == nil {
				return fmt.Errorf("step %d: state %q: step %d returned no state", i+1, op, n)
			}
			st = states[n-1]
		}
		if len(s.Edit) > 0 && st != nil {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(st, &m); err != nil {
				return fmt.Errorf("step %d: state: %w", i+1, err)
			}
			for k, v := range s.Edit {
				m[k] = v
			}
			st, _ = json.Marshal(m)
		}
		x.Receipts = nil
		if s.Receipts != nil {
			if x.Receipts, err = receiptsOp(s.Receipts, chain); err != nil {
				return fmt.Errorf("step %d: receipts: %w", i+1, err)
			}
		}
		var req []byte
		if s.Raw != nil {
			req = []byte(*s.Raw)
		} else {
			req = RequestExtra(now, locale, dev, osStates, st, s.Event, x)
		}
		resp, err := rt.Decide(bundleName, req)
		if err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		var r struct {
			State    json.RawMessage   `json:"state"`
			Receipts []json.RawMessage `json:"receipts"`
		}
		if err := json.Unmarshal(resp, &r); err != nil {
			return fmt.Errorf("step %d: the response is not JSON: %v: %s", i+1, err, resp)
		}
		if r.State != nil {
			state = r.State
		}
		states = append(states, r.State)
		for _, rc := range r.Receipts {
			var m struct{ Seq int64 }
			json.Unmarshal(rc, &m)
			if m.Seq == 1 {
				chain = chain[:0]
			}
			chain = append(chain, rc)
		}
		sn := &sent{state: st, installation: x.Installation, device: dev, hash: rt.Hashes[bundleName], checkpoint: x.Checkpoint, raw: s.Raw != nil}
		if err := visit(i, req, resp, sn); err != nil {
			return err
		}
	}
	return nil
}

// stateOp reads a step's state field: an operation ("reinstall",
// "tamper"), or a state object to send (compacted), or neither (absent or
// null).
func stateOp(raw json.RawMessage) (op string, state []byte, err error) {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0 || string(t) == "null":
		return "", nil, nil
	case t[0] == '"':
		if err := json.Unmarshal(t, &op); err != nil {
			return "", nil, fmt.Errorf("state: %w", err)
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(op, "step:")); strings.HasPrefix(op, "step:") && (err != nil || n < 1) {
			return "", nil, fmt.Errorf("state %q names no step", op)
		} else if op != "" && op != "reinstall" && op != "tamper" && !strings.HasPrefix(op, "step:") {
			return "", nil, fmt.Errorf("unknown state operation %q", op)
		}
		return op, nil, nil
	case t[0] == '{':
		var b bytes.Buffer
		if err := json.Compact(&b, t); err != nil {
			return "", nil, fmt.Errorf("state: %w", err)
		}
		return "", b.Bytes(), nil
	default:
		return "", nil, fmt.Errorf("state is %s: want an operation (a string) or a state (an object)", t)
	}
}

// Request builds a request with its fields in a fixed order.
func Request(now, locale string, dev Device, osStates map[string]string, state, event []byte) []byte {
	return RequestExtra(now, locale, dev, osStates, state, event, Extra{})
}

// Extra are the request's optional fields of the record (CONTRACT.md):
// empty ones are not sent.
type Extra struct {
	Installation, StateKey, BundleVersion string
	Checkpoint, Receipts                  []byte // JSON
}

// RequestExtra builds a request with its fields in a fixed order: now,
// locale, device, os, installation, state_key, bundle_version,
// checkpoint, state, receipts, event.
func RequestExtra(now, locale string, dev Device, osStates map[string]string, state, event []byte, x Extra) []byte {
	var b bytes.Buffer
	b.WriteString(`{"now":`)
	writeJSON(&b, now)
	if locale != "" {
		b.WriteString(`,"locale":`)
		writeJSON(&b, locale)
	}
	b.WriteString(`,"device":{"platform":`)
	writeJSON(&b, dev.Platform)
	b.WriteString(`,"version":`)
	writeJSON(&b, dev.Version)
	b.WriteString(`},"os":{`)
	keys := make([]string, 0, len(osStates))
	for k := range osStates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(&b, k)
		b.WriteByte(':')
		writeJSON(&b, osStates[k])
	}
	b.WriteByte('}')
	for _, f := range [...]struct{ name, value string }{{"installation", x.Installation}, {"state_key", x.StateKey}, {"bundle_version", x.BundleVersion}} {
		if f.value != "" {
			b.WriteString(`,"` + f.name + `":`)
			writeJSON(&b, f.value)
		}
	}
	if x.Checkpoint != nil {
		b.WriteString(`,"checkpoint":`)
		b.Write(x.Checkpoint)
	}
	if state != nil {
		b.WriteString(`,"state":`)
		b.Write(state)
	}
	if x.Receipts != nil {
		b.WriteString(`,"receipts":`)
		b.Write(x.Receipts)
	}
	b.WriteString(`,"event":`)
	// Compact, so that every runtime's runner builds the same bytes
	// whatever the case file's layout (a JSON.stringify of the parsed
	// event gives these bytes too).
	if err := json.Compact(&b, event); err != nil {
		b.Write(event)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}

// tamper changes the last hex digit of the state's hash (its last
// "hash" member: the head's comes before it).
func tamper(state []byte) []byte {
	i := bytes.LastIndex(state, []byte(`"hash":"`))
	if i < 0 {
		return state
	}
	out := slices.Clone(state)
	j := i + len(`"hash":"`) + 15
	if out[j] == '0' {
		out[j] = '1'
	} else {
		out[j] = '0'
	}
	return out
}

// response is the part of a response the checks read.
type response struct {
	Error *struct {
		Code, Message, Field string
	} `json:"error"`
	Actions  []map[string]any  `json:"actions"`
	SDKs     []string          `json:"sdks"`
	SDKData  json.RawMessage   `json:"sdk_data"`
	State    map[string]any    `json:"state"`
	Receipts []json.RawMessage `json:"receipts"`
	Trace    []struct {
		Rule, Detail string
	} `json:"trace"`
}

func checkStep(s *Step, raw []byte, chain *chainCheck) []error {
	chain.screens = append(chain.screens, nil) // this step's, set below
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return []error{fmt.Errorf("response is not JSON: %v", err)}
	}
	x := &s.Expect
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if x.Error != "" || r.Error != nil {
		switch {
		case r.Error == nil:
			fail("want error %s, got a response with actions %v", x.Error, summaries(r.Actions))
		case x.Error == "":
			fail("unexpected error %s (%s): %s", r.Error.Code, r.Error.Field, r.Error.Message)
		case r.Error.Code != x.Error:
			fail("want error %s, got %s (%s): %s", x.Error, r.Error.Code, r.Error.Field, r.Error.Message)
		case x.Field != "" && r.Error.Field != x.Field:
			fail("error %s names field %q, want %q", x.Error, r.Error.Field, x.Field)
		case r.Error.Message == "":
			fail("error %s has no message", x.Error)
		}
		return errs
	}
	if x.Actions != nil {
		if got := summaries(r.Actions); !slices.Equal(got, x.Actions) {
			fail("actions:\n\tgot  %q\n\twant %q", got, x.Actions)
		}
	}
	if x.SDKs != nil && !slices.Equal(r.SDKs, x.SDKs) {
		fail("sdks:\n\tgot  %q\n\twant %q", r.SDKs, x.SDKs)
	}
	for _, id := range x.SDKsInclude {
		if !slices.Contains(r.SDKs, id) {
			fail("sdk %s does not run; sdks %q", id, r.SDKs)
		}
	}
	for _, id := range x.SDKsExclude {
		if slices.Contains(r.SDKs, id) {
			fail("sdk %s runs", id)
		}
	}
	if x.SDKData != nil {
		if got, want, same := sameJSON(r.SDKData, x.SDKData); !same {
			fail("sdk_data:\n\tgot  %s\n\twant %s", got, want)
		}
	}
	// What holds always: every trace entry has a detail.
	var got []string
	for _, t := range r.Trace {
		if !slices.Contains(got, t.Rule) {
			got = append(got, t.Rule)
		}
		if t.Detail == "" {
			fail("trace entry %s has no detail", t.Rule)
		}
	}
	if x.Rules != nil {
		want := slices.Clone(x.Rules)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			fail("trace rules:\n\tgot  %q\n\twant %q", got, want)
		}
	}
	for _, want := range x.TraceContains {
		rule, text, _ := strings.Cut(want, ": ")
		if !slices.ContainsFunc(r.Trace, func(t struct{ Rule, Detail string }) bool {
			return t.Rule == rule && strings.Contains(t.Detail, text)
		}) {
			fail("trace has no %s entry containing %q", rule, text)
		}
	}
	var rs, versions, texts []string
	chain.restart = chain.restart || slices.ContainsFunc(r.Trace, func(t struct{ Rule, Detail string }) bool { return t.Rule == "STATE" })
	if x.ReceiptMembers != nil && len(x.ReceiptMembers) != len(r.Receipts) {
		fail("receipt_members names %d receipts, the response has %d", len(x.ReceiptMembers), len(r.Receipts))
	}
	for i, rc := range r.Receipts {
		sum, err := chain.add(rc)
		if err != nil {
			fail("receipt: %v", err)
		}
		if i < len(x.ReceiptMembers) {
			for _, e := range checkMembers(rc, x.ReceiptMembers[i]) {
				fail("receipt %d (%s): %s", i, sum, e)
			}
		}
		rs = append(rs, sum)
		var v struct{ Version, Text string }
		json.Unmarshal(rc, &v)
		versions, texts = append(versions, v.Version), append(texts, v.Text)
	}
	var shown []string
	for _, a := range r.Actions {
		shown = append(shown, screenText(a))
	}
	chain.screens[len(chain.screens)-1] = shown
	if x.Receipts != nil && !slices.Equal(rs, x.Receipts) {
		fail("receipts:\n\tgot  %q\n\twant %q", rs, x.Receipts)
	}
	if x.ReceiptVersions != nil && !slices.Equal(versions, x.ReceiptVersions) {
		fail("receipt versions:\n\tgot  %q\n\twant %q", versions, x.ReceiptVersions)
	}
	if x.ReceiptTexts != nil && len(x.ReceiptTexts) != len(texts) {
		fail("receipt_texts names %d receipts, the response has %d", len(x.ReceiptTexts), len(texts))
	}
	for i, at := range x.ReceiptTexts {
		if i >= len(texts) || at == "" {
			continue
		}
		var step, act int
		if _, err := fmt.Sscanf(at, "%d:%d", &step, &act); err != nil || step < 1 || step > len(chain.screens) || act < 0 || act >= len(chain.screens[step-1]) {
			fail("receipt_texts[%d] %q names no action of a step played", i, at)
			continue
		}
		if want := chain.screens[step-1][act]; want == "" || texts[i] != want {
			fail("receipt %d (%s) hashes text %s, not that of step %d's action %d (%s)", i, rs[i], texts[i], step, act, want)
		}
	}
	for _, t := range x.Texts {
		if t.Action >= len(r.Actions) {
			fail("texts: no action %d", t.Action)
			continue
		}
		v, _ := r.Actions[t.Action][t.Field].(string)
		if lines, ok := r.Actions[t.Action][t.Field].([]any); ok { // "changes": its lines, one a line
			var ls []string
			for _, l := range lines {
				s, _ := l.(string)
				ls = append(ls, s)
			}
			v = strings.Join(ls, "\n")
		}
		if t.Equals != "" && v != t.Equals {
			fail("action %d %s = %q, want %q", t.Action, t.Field, v, t.Equals)
		}
		if t.Contains != "" && !strings.Contains(v, t.Contains) {
			fail("action %d %s = %q, want it to contain %q", t.Action, t.Field, v, t.Contains)
		}
	}
	for _, k := range x.StateHas {
		if _, ok := r.State[k]; !ok {
			fail("state has no %s: %v", k, r.State)
		}
	}
	for _, k := range x.StateLacks {
		if _, ok := r.State[k]; ok {
			fail("state has %s = %v", k, r.State[k])
		}
	}
	return errs
}

// sameJSON reports whether a response's value equals an expected one as
// JSON values (object members in any order), with both in compact form.
func sameJSON(got json.RawMessage, want any) (string, string, bool) {
	w, _ := json.Marshal(want)
	var gv, wv any
	json.Unmarshal(w, &wv)
	g := "(absent)"
	if got != nil {
		var b bytes.Buffer
		json.Compact(&b, got)
		g = b.String()
		if err := json.Unmarshal(got, &gv); err != nil {
			return g, string(w), false
		}
	}
	return g, string(w), got != nil && reflect.DeepEqual(gv, wv)
}

// Summary is the one-line form of an action that cases expect:
//
//	show_policy first|major|minor
//	basic_mode
//	show_consent <sensitive>/<purpose> <scenario>/<step> [permission=<permission>]
//	show_rationale <permission> <scenario>/<step> [separate <sensitive>/<purpose>]
//	request_permission <permission> <platform id>,<platform id>...
//	open_settings <permission> [special <settings>]
//	proceed <scenario>/<step> [missing=<permission>,...] [missing_consents=<sensitive>/<purpose>,...] [fallbacks=<n>] [prompt=<api>] [apis=<permission>:<access>:<api>,...]
//	block <permission> <scenario>/<step>
//	block <sensitive>/<purpose> <scenario>/<step>
//	unavailable <scenario>/<step>
//
// A rationale asks separate consent when it names a sensitive category or
// a purpose; a block is a consent's when it names no permission.
func Summary(a map[string]any) string {
	s := func(k string) string { v, _ := a[k].(string); return v }
	list := func(k string) []string {
		var out []string
		items, _ := a[k].([]any)
		for _, it := range items {
			v, _ := it.(string)
			out = append(out, v)
		}
		return out
	}
	where := s("scenario") + "/" + s("step")
	switch t := s("type"); t {
	case "show_policy":
		return t + " " + s("change")
	case "show_consent":
		if p := s("permission"); p != "" {
			return t + " " + consent(s) + " " + where + " permission=" + p
		}
		return t + " " + consent(s) + " " + where
	case "show_rationale":
		return t + " " + s("permission") + " " + where + separate(s)
	case "request_permission":
		return t + " " + s("permission") + " " + strings.Join(list("platform_ids"), ",")
	case "open_settings":
		if special, _ := a["special"].(bool); special {
			return t + " " + s("permission") + " special " + s("settings")
		}
		return t + " " + s("permission")
	case "proceed":
		out := t + " " + where
		if m := list("missing"); len(m) > 0 {
			out += " missing=" + strings.Join(m, ",")
		}
		if m := list("missing_consents"); len(m) > 0 {
			out += " missing_consents=" + strings.Join(m, ",")
		}
		if f := list("fallbacks"); len(f) > 0 {
			out += fmt.Sprintf(" fallbacks=%d", len(f))
		}
		if p := s("system_prompt"); p != "" {
			out += " prompt=" + p
		}
		var apis []string
		items, _ := a["system_apis"].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			f := func(k string) string { v, _ := m[k].(string); return v }
			apis = append(apis, f("permission")+":"+f("access")+":"+f("api"))
		}
		if len(apis) > 0 {
			out += " apis=" + strings.Join(apis, ",")
		}
		return out
	case "block":
		if p := s("permission"); p != "" {
			return t + " " + p + " " + where
		}
		return t + " " + consent(s) + " " + where
	case "unavailable":
		return t + " " + where
	default:
		return t
	}
}

// consent is the <sensitive>/<purpose> of an action or a receipt.
func consent(s func(string) string) string { return s("sensitive") + "/" + s("purpose") }

// separate is " separate <sensitive>/<purpose>" when an action or a
// receipt names either, else "".
func separate(s func(string) string) string {
	if s("sensitive") == "" && s("purpose") == "" {
		return ""
	}
	return " separate " + consent(s)
}

func summaries(actions []map[string]any) []string {
	out := []string{}
	for _, a := range actions {
		out = append(out, Summary(a))
	}
	return out
}

package engine

import (
	"bytes"
	"encoding/binary"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/internal/jsontext"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Reading a request (CONTRACT.md, "Request"): one pass of the scanner over
// its members, each read by its own function below, then the checks that
// need the whole request. Every error names its field.

type request struct {
	now    int64  // Unix seconds
	nowRaw []byte // as given, for receipts
	locale int
	dev    device
	os     [vocab.NumPermissions]vocab.OSState
	ev     event
	// installation is the host's id of the app's installation, which
	// receipts carry; empty if the request has none.
	installation []byte
	// devVersion is device.version as given, which receipts carry, and
	// devVersionAt where it lies in the request when it has no escapes.
	devVersion   []byte
	devVersionAt int
	// receipts are where the request's receipts (a JSON array, for the
	// event restore) lie in it; end is 0 if it has none.
	rcptStart, rcptEnd int
	data               []byte // the request
	// key is state_key: the state's integrity hash is keyed with it.
	key stateKey
	// bundleVersion is the newest policy version the host has loaded.
	bundleVersion []byte
	// cp is the checkpoint, if the request has one (hasCP).
	cp    checkpoint
	hasCP bool

	// The state as read. stateWhy says why it cannot be used; its hash
	// is checked once the request has been read.
	hasState  bool
	state     state
	stateHash uint64
	stateWhy  string
	stateX    stateExtra
	stateAt   int // where the state lies in the request
	stateEnd  int // and where it ends, once read
	// cached says the state is one the cache holds, read and verified
	// under cacheKey.
	cached   bool
	cacheKey stateKey
	// What the device member carried, checked once the platform is known.
	devIn deviceInput
}

type deviceInput struct {
	hasPlatform, hasVersion, versionOK bool
	version                            bound
	versionLen                         int
}

type event struct {
	typ      vocab.Event
	accepted bool
	scenario int
	step     int
	perm     vocab.Permission
	policy   bool // the permission is "policy": consent to the policy itself
	result   vocab.Result
	// consent is the separate consent named by sensitive and purpose
	// (consent_answer, withdraw), an index into Engine.consents, or -1.
	consent         int
	sensitive, purp []byte
	fields          uint8 // the fields it carried
}

// The request's members, as bits of what a request carries.
const (
	memberNow = 1 << iota
	memberLocale
	memberDevice
	memberOS
	memberState
	memberEvent
	memberInstallation
	memberReceipts
	memberStateKey
	memberCheckpoint
	memberBundleVersion
)

// parse reads and validates a request.
func (e *Engine) parse(r *request, data []byte, cache *StateCache) *errcode.Error {
	if len(data) > MaxRequest {
		return &errcode.Error{Code: errcode.TooLarge, Message: "the request is over 256 KiB"}
	}
	s := jsontext.New(data)
	if !s.Object("") {
		if s.Err.Code == errcode.BadType {
			s.Err.Message = "the request must be a JSON object"
		}
		return s.Err
	}
	r.locale = e.def
	r.data = data
	var seen uint16
	first := true
	for {
		key, ok := s.Next(&first, "")
		if !ok {
			break
		}
		var bit uint16
		switch string(key) {
		case "now":
			bit = memberNow
			r.parseNow(&s)
		case "locale":
			bit = memberLocale
			e.readLocale(&s, r, cache)
		case "device":
			bit = memberDevice
			readDevice(&s, r, cache)
		case "os":
			bit = memberOS
			readOS(&s, r, cache)
		case "state":
			bit = memberState
			e.parseState(&s, r, cache)
		case "event":
			bit = memberEvent
			e.parseEvent(&s, &r.ev)
		case "installation":
			bit = memberInstallation
			r.parseInstallation(&s)
		case "receipts":
			bit = memberReceipts
			r.parseReceipts(&s)
		case "state_key":
			bit = memberStateKey
			r.parseStateKey(&s)
		case "checkpoint":
			bit = memberCheckpoint
			r.parseCheckpoint(&s)
		case "bundle_version":
			bit = memberBundleVersion
			r.parseBundleVersion(&s)
		default:
			return unknownField(s.Err, string(key))
		}
		if s.Err != nil {
			return s.Err
		}
		seen |= bit // the scanner rejects a repeated name, at every level
	}
	if !s.End() {
		return s.Err
	}
	switch {
	case seen&memberNow == 0:
		return missing("now")
	case seen&memberDevice == 0:
		return missing("device")
	case !r.devIn.hasPlatform:
		return missing("device.platform")
	case seen&memberEvent == 0:
		return missing("event")
	}
	if err := r.checkDevice(); err != nil {
		return err
	}
	if v := r.bundleVersion; v != nil && e.newerVersion(v) {
		return &errcode.Error{Code: errcode.OlderVersion, Field: "bundle_version", Message: "the active bundle's policy version " + e.version + " is older than " + quote(v) + ", which the host loaded before: load that bundle first"}
	}
	if r.hasCP {
		if err := e.checkCheckpoint(r); err != nil {
			return err
		}
	}
	if r.cached && r.cacheKey != r.key {
		// The state the cache holds was verified under another key.
		r.cached = false
		e.decodeCached(r)
	}
	if r.stateX.stale != nil {
		return &errcode.Error{Code: errcode.StaleBundle, Field: "state", Message: "the state records policy version " + quote(r.stateX.stale) + ", newer than the active bundle's " + e.version + ": load the newer bundle and send the state again (keep it)"}
	}
	switch restore := r.ev.typ == vocab.EventRestore; {
	case restore && r.rcptEnd == 0:
		return missing("receipts")
	case !restore && r.rcptEnd > 0:
		return &errcode.Error{Code: errcode.UnknownField, Field: "receipts", Message: "receipts go only with the event restore"}
	}
	return e.checkEvent(&r.ev)
}

// parseStateKey reads "state_key", 32 hex digits (128 bits), or null.
func (r *request) parseStateKey(s *jsontext.Scanner) {
	if s.Null() {
		return
	}
	v, ok := s.Str("state_key")
	if !ok {
		return
	}
	var raw [16]byte
	if len(v) != 32 || !decodeHex(raw[:], v) {
		s.Fail(errcode.BadValue, "state_key", "state_key must be 32 hex digits (a 128-bit key)")
		return
	}
	r.key = stateKey{binary.LittleEndian.Uint64(raw[:8]), binary.LittleEndian.Uint64(raw[8:]), true}
}

// parseBundleVersion reads "bundle_version", a policy version such as
// 2022-03-29, or null.
func (r *request) parseBundleVersion(s *jsontext.Scanner) {
	if s.Null() {
		return
	}
	v, ok := s.Str("bundle_version")
	if !ok {
		return
	}
	if !policyVersionShape(v) {
		s.Fail(errcode.BadValue, "bundle_version", "bundle_version must be a policy version such as 2022-03-29 or 2022-03-29.1")
		return
	}
	r.bundleVersion = v
}

// parseReceipts reads over "receipts", an array (or null), and keeps where
// it lies: the event restore reads it (rebuild.go).
func (r *request) parseReceipts(s *jsontext.Scanner) {
	if s.Null() {
		return
	}
	if s.Peek() != '[' {
		s.WrongType("receipts", "an array")
		return
	}
	start := s.Pos
	if s.Check("receipts") {
		r.rcptStart, r.rcptEnd = start, s.Pos
	}
}

// parseNow reads "now", an RFC 3339 time.
func (r *request) parseNow(s *jsontext.Scanner) {
	raw, ok := s.Str("now")
	if !ok {
		return
	}
	t, ok := parseTime(raw)
	if !ok {
		s.Fail(errcode.BadTime, "now", "now must be an RFC 3339 time such as 2026-03-01T10:00:00+08:00, to the nanosecond at most")
		return
	}
	r.now, r.nowRaw = t, raw
}

// maxInstallation is the longest installation id.
const maxInstallation = 64

// parseInstallation reads "installation", the host's id of the app's
// installation (1 to 64 of A-Z, a-z, 0-9, '.', '_', ':', '-'), or null.
func (r *request) parseInstallation(s *jsontext.Scanner) {
	if s.Null() {
		return
	}
	v, ok := s.Str("installation")
	if !ok {
		return
	}
	if !validInstallation(v) {
		s.Fail(errcode.BadValue, "installation", "installation must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'")
		return
	}
	r.installation = v
}

func validInstallation(v []byte) bool {
	if len(v) == 0 || len(v) > maxInstallation {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// parseLocale reads "locale", a BCP 47 tag or null, and picks the
// bundle's locale for it.
func (e *Engine) parseLocale(s *jsontext.Scanner, r *request) {
	if s.Null() {
		return
	}
	raw, ok := s.Str("locale")
	if !ok {
		return
	}
	if !validTag(raw) {
		s.Fail(errcode.BadLocale, "locale", "locale must be a BCP 47 tag such as zh-CN")
		return
	}
	r.locale = e.matchLocale(raw)
}

// hostMembers keeps what the engine read of the last request's device,
// locale and OS states, by their bytes: a host sends the same device and
// locale with every request, and the same OS states with most, and in
// wasm reading them was a seventh of a decision. A member that differs by
// a byte, or has an escape, is read as usual; reading depends on nothing
// but its bytes (and, for the locale, the engine, whose change empties
// the cache).
type hostMembers struct {
	device []byte // the device object as sent
	dev    device
	devIn  deviceInput
	verAt  int    // where device.version starts in it, if it has one
	locale []byte // the locale string as sent, quotes included
	index  int    // the bundle's locale it was matched to
	os     []byte // the os object as sent
	osRead [vocab.NumPermissions]vocab.OSState
}

// readOS reads "os", or takes what the cache read of the same bytes.
func readOS(s *jsontext.Scanner, r *request, cache *StateCache) {
	if cache == nil {
		r.parseOS(s)
		return
	}
	h := &cache.host
	if s.Peek() != '{' { // null, or an error parseOS reports
		r.parseOS(s)
		return
	}
	start := s.Pos
	if len(h.os) > 0 && bytes.HasPrefix(s.Data[start:], h.os) {
		r.os = h.osRead
		s.Pos = start + len(h.os)
		return
	}
	h.os = h.os[:0]
	r.parseOS(s)
	if raw := s.Data[start:s.Pos]; s.Err == nil && bytes.IndexByte(raw, '\\') < 0 {
		h.os = append(h.os, raw...)
		h.osRead = r.os
	}
}

// readDevice reads "device", or takes what the cache read of the same
// bytes.
func readDevice(s *jsontext.Scanner, r *request, cache *StateCache) {
	if cache == nil {
		r.parseDevice(s)
		return
	}
	h := &cache.host
	s.Peek()
	start := s.Pos
	if len(h.device) > 0 && bytes.HasPrefix(s.Data[start:], h.device) {
		r.dev, r.devIn = h.dev, h.devIn
		if h.devIn.hasVersion {
			r.devVersion = s.Data[start+h.verAt : start+h.verAt+h.devIn.versionLen]
		}
		s.Pos = start + len(h.device)
		return
	}
	h.device = h.device[:0]
	r.parseDevice(s)
	if raw := s.Data[start:s.Pos]; s.Err == nil && bytes.IndexByte(raw, '\\') < 0 {
		h.device = append(h.device, raw...)
		h.dev, h.devIn, h.verAt = r.dev, r.devIn, r.devVersionAt-start
	}
}

// readLocale reads "locale", or takes what the cache read of the same
// bytes.
func (e *Engine) readLocale(s *jsontext.Scanner, r *request, cache *StateCache) {
	if cache == nil {
		e.parseLocale(s, r)
		return
	}
	h := &cache.host
	s.Peek()
	start := s.Pos
	if len(h.locale) > 0 && bytes.HasPrefix(s.Data[start:], h.locale) {
		r.locale = h.index
		s.Pos = start + len(h.locale)
		return
	}
	h.locale = h.locale[:0]
	e.parseLocale(s, r)
	if raw := s.Data[start:s.Pos]; s.Err == nil && len(raw) > 0 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		h.locale = append(h.locale, raw...)
		h.index = r.locale
	}
}

// parseDevice reads "device": its platform, and its version, which
// checkDevice checks once the request has been read.
func (r *request) parseDevice(s *jsontext.Scanner) {
	in := &r.devIn
	if !s.Object("device") {
		return
	}
	first := true
	for {
		k, ok := s.Next(&first, "device")
		if !ok {
			return
		}
		switch string(k) {
		case "platform":
			if v, ok := s.Str("device.platform"); ok {
				if r.dev.platform, in.hasPlatform = vocab.ParsePlatform(string(v)); !in.hasPlatform {
					s.Fail(errcode.UnknownPlatform, "device.platform", "device.platform must be one of android, ios, harmonyos, wechat, alipay, web")
					return
				}
			}
		case "version":
			in.hasVersion = true
			if v, ok := s.Str("device.version"); ok {
				in.version, in.versionOK = parseVersion(v)
				in.versionLen = len(v)
				r.devVersion, r.devVersionAt = v, s.Pos-1-len(v)
			}
		default:
			if s.Err == nil {
				s.Err = unknownField(nil, "device."+string(k))
			}
			return
		}
		if s.Err != nil {
			return
		}
	}
}

// checkDevice checks the device's version against its platform: an API
// level on Android and HarmonyOS, dotted numbers on iOS and the
// mini-programs, a short browser name (or nothing) on the web.
func (r *request) checkDevice() *errcode.Error {
	in := &r.devIn
	pl := r.dev.platform
	if pl == vocab.Web {
		if in.versionLen > 64 {
			return &errcode.Error{Code: errcode.BadVersion, Field: "device.version", Message: "device.version on the web is a browser name of at most 64 bytes"}
		}
		return nil
	}
	if !in.hasVersion {
		return missing("device.version")
	}
	apiLevel := pl == vocab.Android || pl == vocab.HarmonyOS
	if !in.versionOK || (apiLevel && in.version.n != 1) {
		msg := "device.version must be dotted numbers such as 17.2"
		if apiLevel {
			msg = "device.version must be an API level such as 33"
		}
		return &errcode.Error{Code: errcode.BadVersion, Field: "device.version", Message: msg}
	}
	r.dev.ver = in.version
	return nil
}

// parseOS reads "os": what the OS reports of each permission, or null.
func (r *request) parseOS(s *jsontext.Scanner) {
	if s.Null() || !s.Object("os") {
		return
	}
	first := true
	for {
		k, ok := s.Next(&first, "os")
		if !ok {
			return
		}
		p, ok := vocab.ParsePermission(string(k))
		if !ok {
			s.Fail(errcode.UnknownPermission, "os."+string(k), "os."+string(k)+" is not a permission of the vocabulary")
			return
		}
		v, ok := s.Str("os")
		if !ok { // named here rather than given to Str: it would cost a string each time
			s.Err.Field = "os." + string(k)
			if s.Err.Code == errcode.BadType {
				s.Err.Message = s.Err.Field + " must be a string"
			}
			return
		}
		st, ok := vocab.ParseOSState(string(v))
		if !ok {
			s.Fail(errcode.BadValue, "os."+string(k), "os."+string(k)+" must be one of not_determined, granted, limited, denied, denied_forever, restricted")
			return
		}
		r.os[p] = st
	}
}

// parseState reads "state", the previous response's, or null. A state
// that cannot be used is no error (useState traces why); one pass reads a
// good state, and one that cannot be used is read over again, for its
// syntax only.
func (e *Engine) parseState(s *jsontext.Scanner, r *request, cache *StateCache) {
	if s.Null() {
		return
	}
	if s.Peek() != '{' {
		s.WrongType("state", "an object")
		return
	}
	start := s.Pos
	r.hasState = true
	r.stateAt = start
	if c := cache.holding(s.Data[start:]); c != nil {
		// The state this engine returned last, or read last, unchanged
		// (parse checks it was verified under the request's key).
		r.state, r.cached, r.cacheKey = c.st, true, c.key
		s.Pos = start + len(c.raw)
		return
	}
	var end int
	r.state, r.stateHash, end, r.stateWhy = e.decodeState(s.Data, start, &r.stateX)
	if r.stateWhy == "" {
		s.Pos, r.stateEnd = end, end
	} else {
		s.Skip("state")
	}
}

// decodeCached reads the state at r.stateAt that the cache had read under
// another key, so that useState verifies it under the request's.
func (e *Engine) decodeCached(r *request) {
	r.state, r.stateHash, r.stateEnd, r.stateWhy = e.decodeState(r.data, r.stateAt, &r.stateX)
}

// Event fields, as bits of what an event carries.
const (
	fType = 1 << iota
	fAccepted
	fScenario
	fStep
	fPermission
	fResult
	fSensitive
	fPurpose
)

// eventFields lists the fields each event type needs, which are also the
// only ones it may carry.
var eventFields = [vocab.NumEvents]uint8{
	vocab.EventLaunch:           fType,
	vocab.EventPolicyAnswer:     fType | fAccepted,
	vocab.EventEnter:            fType | fScenario | fStep,
	vocab.EventRationaleAnswer:  fType | fPermission | fAccepted,
	vocab.EventPermissionResult: fType | fPermission | fResult,
	vocab.EventWithdraw:         fType | fPermission, // or fSensitive | fPurpose: checkEvent
	vocab.EventConsentAnswer:    fType | fSensitive | fPurpose | fAccepted,
	vocab.EventRestore:          fType,
}

var eventFieldNames = [...]string{"type", "accepted", "scenario", "step", "permission", "result", "sensitive", "purpose"}

// parseEvent reads the event object. Scenario, step and permission are
// resolved against the policy in checkEvent, once the type is known.
func (e *Engine) parseEvent(s *jsontext.Scanner, ev *event) {
	if !s.Object("event") {
		return
	}
	ev.scenario, ev.step, ev.consent = -1, -1, -1
	first := true
	for {
		key, ok := s.Next(&first, "event")
		if !ok {
			return
		}
		var bit uint8
		switch string(key) {
		case "type":
			bit = fType
			if v, ok := s.Str("event.type"); ok {
				if ev.typ, ok = vocab.ParseEvent(string(v)); !ok {
					s.Fail(errcode.UnknownEvent, "event.type", "event.type must be one of launch, policy_answer, enter, rationale_answer, permission_result, withdraw, consent_answer, restore")
				}
			}
		case "accepted":
			bit = fAccepted
			ev.accepted, _ = s.Bool("event.accepted")
		case "scenario":
			bit = fScenario
			if v, ok := s.Str("event.scenario"); ok {
				if ev.scenario = e.scenarioIndex(v); ev.scenario < 0 {
					s.Fail(errcode.UnknownScenario, "event.scenario", "event.scenario "+quote(v)+" is not a scenario of policy "+e.id)
				}
			}
		case "step":
			bit = fStep
			if v, ok := s.Str("event.step"); ok {
				// The scenario may come after the step: resolve the name
				// now and check it against the scenario in checkEvent.
				if ev.step = e.anyStepIndex(v); ev.step < 0 {
					s.Fail(errcode.UnknownStep, "event.step", "event.step "+quote(v)+" is not a step of policy "+e.id)
				}
			}
		case "permission":
			bit = fPermission
			if v, ok := s.Str("event.permission"); ok {
				e.parsePermission(s, ev, v)
			}
		case "sensitive":
			bit = fSensitive
			if v, ok := s.Str("event.sensitive"); ok {
				if _, ok := vocab.ParseSensitive(string(v)); !ok {
					s.Fail(errcode.BadValue, "event.sensitive", "event.sensitive must be one of biometrics, precise_location, financial_account")
				}
				ev.sensitive = v
			}
		case "purpose":
			bit = fPurpose
			ev.purp, _ = s.Str("event.purpose")
		case "result":
			bit = fResult
			if v, ok := s.Str("event.result"); ok {
				if ev.result, ok = vocab.ParseResult(string(v)); !ok {
					s.Fail(errcode.BadValue, "event.result", "event.result must be one of granted, limited, denied, denied_forever, dismissed")
				}
			}
		default:
			if s.Err == nil {
				s.Fail(errcode.UnknownField, "event."+string(key), "event."+string(key)+" is not a field of any event")
			}
			return
		}
		if s.Err != nil {
			return
		}
		ev.fields |= bit
	}
}

// parsePermission resolves event.permission: a permission the policy asks
// for, or "policy".
func (e *Engine) parsePermission(s *jsontext.Scanner, ev *event, v []byte) {
	if string(v) == "policy" {
		ev.policy = true
		return
	}
	p, ok := vocab.ParsePermission(string(v))
	switch {
	case !ok:
		s.Fail(errcode.UnknownPermission, "event.permission", "event.permission "+quote(v)+" is not a permission of the vocabulary")
	case !e.perms[p].inPolicy:
		s.Fail(errcode.UnknownPermission, "event.permission", "policy "+e.id+" does not ask for "+string(v))
	default:
		ev.perm = p
	}
}

// checkEvent checks that the event carries exactly its type's fields and
// resolves its step within its scenario.
func (e *Engine) checkEvent(ev *event) *errcode.Error {
	if ev.fields&fType == 0 {
		return missing("event.type")
	}
	want := eventFields[ev.typ]
	if ev.typ == vocab.EventWithdraw && ev.fields&fPermission == 0 && ev.fields&(fSensitive|fPurpose) != 0 {
		want = fType | fSensitive | fPurpose // a withdrawal of a separate consent
	}
	for i, name := range eventFieldNames {
		bit := uint8(1) << i
		switch {
		case want&bit != 0 && ev.fields&bit == 0:
			return missing("event." + name)
		case want&bit == 0 && ev.fields&bit != 0:
			return &errcode.Error{Code: errcode.UnknownField, Field: "event." + name, Message: "a " + ev.typ.String() + " event has no " + name}
		}
	}
	if ev.typ == vocab.EventEnter {
		name := e.stepID(ev.step)
		ev.step = -1
		for j, st := range e.scens[ev.scenario].steps {
			if st.id == name {
				ev.step = j
			}
		}
		if ev.step < 0 {
			return &errcode.Error{Code: errcode.UnknownStep, Field: "event.step", Message: "event.step " + quote([]byte(name)) + " is not a step of scenario " + e.scens[ev.scenario].id}
		}
	}
	if ev.fields&fSensitive != 0 {
		if ev.consent = e.consentByName(ev.sensitive, ev.purp); ev.consent < 0 {
			return &errcode.Error{Code: errcode.UnknownConsent, Field: "event.purpose", Message: "policy " + e.id + " asks no separate consent to " + string(ev.sensitive) + " for purpose " + quote(ev.purp)}
		}
	}
	if ev.typ != vocab.EventWithdraw && ev.policy {
		return &errcode.Error{Code: errcode.UnknownPermission, Field: "event.permission", Message: "\"policy\" can only be withdrawn"}
	}
	return nil
}

func unknownField(prev *errcode.Error, field string) *errcode.Error {
	if prev != nil {
		return prev
	}
	return &errcode.Error{Code: errcode.UnknownField, Field: field, Message: field + " is not a field of the request"}
}

func missing(field string) *errcode.Error {
	return &errcode.Error{Code: errcode.MissingField, Field: field, Message: field + " is required"}
}

func quote(b []byte) string {
	return string(appendBytes(nil, b))
}

// validTag checks the shape of a BCP 47 tag: subtags of 1 to 8 letters and
// digits joined by hyphens (or underscores, as Android and iOS write
// them), the first one 2 to 8 letters.
func validTag(t []byte) bool {
	n, first := 0, true
	for i := 0; i <= len(t); i++ {
		if i == len(t) || t[i] == '-' || t[i] == '_' {
			if n == 0 || n > 8 || (first && n < 2) {
				return false
			}
			n, first = 0, false
			continue
		}
		c := t[i] | 0x20
		letter := c >= 'a' && c <= 'z'
		if !letter && !(t[i] >= '0' && t[i] <= '9') {
			return false
		}
		if first && !letter {
			return false
		}
		n++
	}
	return true
}

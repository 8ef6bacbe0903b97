package engine

import (
	"bytes"

	"github.com/jitconsent/jitconsent/engine/internal/jsontext"

	"unicode/utf8"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// OS states of a permission, as the request's "os" reports them.
const (
	osNotDetermined uint8 = iota
	osGranted
	osLimited
	osDenied
	osDeniedForever
	osRestricted
)

var osStates = []string{"not_determined", "granted", "limited", "denied", "denied_forever", "restricted"}

// Events.
const (
	evLaunch = iota + 1
	evPolicyAnswer
	evEnter
	evRationaleAnswer
	evPermissionResult
	evWithdraw
)

var eventTypes = []string{"", "launch", "policy_answer", "enter", "rationale_answer", "permission_result", "withdraw"}

// Results of a system dialog.
const (
	resGranted = iota
	resLimited
	resDenied
	resDeniedForever
	resDismissed
)

var results = []string{"granted", "limited", "denied", "denied_forever", "dismissed"}

// permPolicy is the "permission" of a withdraw event that withdraws
// consent to the policy itself.
const permPolicy = -2

type request struct {
	now    int64  // Unix seconds
	nowRaw []byte // as given, for receipts
	locale int
	dev    device
	os     [nPerm]uint8
	ev     event
	// The state as read. stateWhy says why it cannot be used; its hash
	// is checked once the request has been read.
	hasState  bool
	state     state
	stateHash uint64
	stateWhy  string
	cached    bool // the state is the one the cache holds
}

type event struct {
	typ      int
	accepted bool
	scenario int
	step     int
	perm     int
	result   int
	fields   uint8 // the fields it carried
}

// parse reads and validates a request. Every error names its field.
func (e *Engine) parse(r *request, data []byte, cache *StateCache) *Error {
	if len(data) > MaxRequest {
		return &Error{Code: CodeTooLarge, Message: "the request is over 256 KiB"}
	}
	if !utf8.Valid(data) {
		return &Error{Code: CodeBadUTF8, Message: "the request is not valid UTF-8"}
	}
	s := jsontext.New(data)
	if !s.Object("") {
		if s.Err.Code == CodeBadType {
			s.Err.Message = "the request must be a JSON object"
		}
		return s.Err
	}
	var seen uint8
	r.locale = e.def
	r.dev.platform = -1
	var version bound
	hasDevice, hasVersion, versionOK, versionLen := false, false, false, 0
	first := true
	for {
		key, ok := s.Next(&first, "")
		if !ok {
			break
		}
		var bit uint8
		switch string(key) {
		case "now":
			bit = 1
			raw, ok := s.Str("now")
			if !ok {
				break
			}
			t, ok := parseTime(raw)
			if !ok {
				return &Error{Code: CodeBadTime, Field: "now", Message: "now must be an RFC 3339 time such as 2026-03-01T10:00:00+08:00"}
			}
			r.now, r.nowRaw = t, raw
		case "locale":
			bit = 2
			if s.Null() {
				break
			}
			raw, ok := s.Str("locale")
			if ok {
				if !validTag(raw) {
					return &Error{Code: CodeBadLocale, Field: "locale", Message: "locale must be a BCP 47 tag such as zh-CN"}
				}
				r.locale = e.matchLocale(raw)
			}
		case "device":
			bit = 4
			hasDevice = true
			if !s.Object("device") {
				break
			}
			var dseen uint8
			dfirst := true
			for {
				k, ok := s.Next(&dfirst, "device")
				if !ok {
					break
				}
				var dbit uint8
				switch string(k) {
				case "platform":
					dbit = 1
					if v, ok := s.Str("device.platform"); ok {
						if r.dev.platform = index(bundle.Platforms, string(v)); r.dev.platform < 0 {
							return &Error{Code: CodeUnknownPlatform, Field: "device.platform", Message: "device.platform must be one of android, ios, harmonyos, wechat, alipay, web"}
						}
					}
				case "version":
					dbit = 2
					hasVersion = true
					if v, ok := s.Str("device.version"); ok {
						version, versionOK = parseVersion(v)
						versionLen = len(v)
					}
				default:
					return unknownField(s.Err, "device."+string(k))
				}
				if dseen&dbit != 0 {
					return &Error{Code: CodeDuplicateField, Field: "device." + string(k), Message: "device." + string(k) + " is given twice"}
				}
				dseen |= dbit
			}
		case "os":
			bit = 8
			if s.Null() || !s.Object("os") {
				break
			}
			ofirst := true
			var oseen uint16
			for {
				k, ok := s.Next(&ofirst, "os")
				if !ok {
					break
				}
				p := index(bundle.Permissions, string(k))
				if p < 0 {
					return &Error{Code: CodeUnknownPermission, Field: "os." + string(k), Message: "os." + string(k) + " is not a permission of the vocabulary"}
				}
				if oseen&(1<<p) != 0 {
					return &Error{Code: CodeDuplicateField, Field: "os." + string(k), Message: "os." + string(k) + " is given twice"}
				}
				oseen |= 1 << p
				v, ok := s.Str("os")
				if !ok {
					s.Err.Field = "os." + string(k)
					s.Err.Message = s.Err.Field + " must be a string"
					break
				}
				st := index(osStates, string(v))
				if st < 0 {
					return &Error{Code: CodeBadValue, Field: "os." + string(k), Message: "os." + string(k) + " must be one of not_determined, granted, limited, denied, denied_forever, restricted"}
				}
				r.os[p] = uint8(st)
			}
		case "state":
			bit = 16
			if s.Null() {
				break
			}
			if s.Peek() != '{' {
				s.WrongType("state", "an object")
				break
			}
			// One pass reads a good state; one that cannot be used is
			// read over again, for its syntax only.
			start := s.Pos
			r.hasState = true
			if cache != nil && len(cache.raw) > 0 && bytes.HasPrefix(data[start:], cache.raw) {
				// The state this engine returned last, unchanged.
				r.state, r.cached = cache.st, true
				s.Pos = start + len(cache.raw)
				break
			}
			var end int
			r.state, r.stateHash, end, r.stateWhy = e.decodeState(data, start)
			if r.stateWhy == "" {
				s.Pos = end
			} else {
				s.Skip("state")
			}
		case "event":
			bit = 32
			e.parseEvent(&s, &r.ev)
		default:
			return unknownField(s.Err, string(key))
		}
		if s.Err != nil {
			return s.Err
		}
		if seen&bit != 0 {
			return &Error{Code: CodeDuplicateField, Field: string(key), Message: string(key) + " is given twice"}
		}
		seen |= bit
	}
	if !s.End() {
		return s.Err
	}
	switch {
	case seen&1 == 0:
		return missing("now")
	case !hasDevice:
		return missing("device")
	case r.dev.platform < 0:
		return missing("device.platform")
	case seen&32 == 0:
		return missing("event")
	}
	if r.dev.platform == web {
		if versionLen > 64 {
			return &Error{Code: CodeBadVersion, Field: "device.version", Message: "device.version on the web is a browser name of at most 64 bytes"}
		}
	} else {
		if !hasVersion {
			return missing("device.version")
		}
		v := version
		if !versionOK || ((r.dev.platform == android || r.dev.platform == harmonyos) && v.n != 1) {
			msg := "device.version must be dotted numbers such as 17.2"
			if r.dev.platform == android || r.dev.platform == harmonyos {
				msg = "device.version must be an API level such as 33"
			}
			return &Error{Code: CodeBadVersion, Field: "device.version", Message: msg}
		}
		r.dev.ver = v
	}
	return e.checkEvent(&r.ev)
}

func unknownField(prev *Error, field string) *Error {
	if prev != nil {
		return prev
	}
	return &Error{Code: CodeUnknownField, Field: field, Message: field + " is not a field of the request"}
}

func missing(field string) *Error {
	return &Error{Code: CodeMissingField, Field: field, Message: field + " is required"}
}

// Event fields, as bits of what an event carries.
const (
	fType = 1 << iota
	fAccepted
	fScenario
	fStep
	fPermission
	fResult
)

// eventFields lists the fields each event type needs, which are also the
// only ones it may carry.
var eventFields = [...]uint8{
	evLaunch:           fType,
	evPolicyAnswer:     fType | fAccepted,
	evEnter:            fType | fScenario | fStep,
	evRationaleAnswer:  fType | fPermission | fAccepted,
	evPermissionResult: fType | fPermission | fResult,
	evWithdraw:         fType | fPermission,
}

var eventFieldNames = [...]string{"type", "accepted", "scenario", "step", "permission", "result"}

// parseEvent reads the event object. Scenario, step and permission are
// resolved against the policy in checkEvent, once the type is known.
func (e *Engine) parseEvent(s *jsontext.Scanner, ev *event) {
	if !s.Object("event") {
		return
	}
	ev.scenario, ev.step, ev.perm, ev.result = -1, -1, -1, -1
	var seen uint8
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
			v, ok := s.Str("event.type")
			if ok {
				ev.typ = index(eventTypes[1:], string(v)) + 1
				if ev.typ == 0 {
					s.Fail(CodeUnknownEvent, "event.type", "event.type must be one of launch, policy_answer, enter, rationale_answer, permission_result, withdraw")
				}
			}
		case "accepted":
			bit = fAccepted
			ev.accepted, _ = s.Bool("event.accepted")
		case "scenario":
			bit = fScenario
			v, ok := s.Str("event.scenario")
			if ok {
				ev.scenario = e.scenarioIndex(v)
				if ev.scenario < 0 {
					s.Fail(CodeUnknownScenario, "event.scenario", "event.scenario "+quote(v)+" is not a scenario of policy "+e.id)
				}
			}
		case "step":
			bit = fStep
			v, ok := s.Str("event.step")
			if ok {
				// The scenario may come after the step: resolve the name
				// now and check it against the scenario in checkEvent.
				ev.step = e.anyStepIndex(v)
				if ev.step < 0 {
					s.Fail(CodeUnknownStep, "event.step", "event.step "+quote(v)+" is not a step of policy "+e.id)
				}
			}
		case "permission":
			bit = fPermission
			v, ok := s.Str("event.permission")
			if ok {
				if string(v) == "policy" {
					ev.perm = permPolicy
				} else if ev.perm = index(bundle.Permissions, string(v)); ev.perm < 0 {
					s.Fail(CodeUnknownPermission, "event.permission", "event.permission "+quote(v)+" is not a permission of the vocabulary")
				} else if !e.perms[ev.perm].inPolicy {
					s.Fail(CodeUnknownPermission, "event.permission", "policy "+e.id+" does not ask for "+string(v))
				}
			}
		case "result":
			bit = fResult
			v, ok := s.Str("event.result")
			if ok {
				if ev.result = index(results, string(v)); ev.result < 0 {
					s.Fail(CodeBadValue, "event.result", "event.result must be one of granted, limited, denied, denied_forever, dismissed")
				}
			}
		default:
			if s.Err == nil {
				s.Fail(CodeUnknownField, "event."+string(key), "event."+string(key)+" is not a field of any event")
			}
			return
		}
		if s.Err != nil {
			return
		}
		if seen&bit != 0 {
			s.Fail(CodeDuplicateField, "event."+string(key), "event."+string(key)+" is given twice")
			return
		}
		seen |= bit
		ev.fields = seen
	}
}

// checkEvent checks that the event carries exactly its type's fields and
// resolves its step within its scenario.
func (e *Engine) checkEvent(ev *event) *Error {
	if ev.fields&fType == 0 {
		return missing("event.type")
	}
	want := eventFields[ev.typ]
	for i, name := range eventFieldNames {
		bit := uint8(1) << i
		switch {
		case want&bit != 0 && ev.fields&bit == 0:
			return missing("event." + name)
		case want&bit == 0 && ev.fields&bit != 0:
			return &Error{Code: CodeUnknownField, Field: "event." + name, Message: "a " + eventTypes[ev.typ] + " event has no " + name}
		}
	}
	if ev.typ == evEnter {
		name := e.stepName(ev.step)
		ev.step = -1
		for j, st := range e.scens[ev.scenario].steps {
			if st.id == name {
				ev.step = j
			}
		}
		if ev.step < 0 {
			return &Error{Code: CodeUnknownStep, Field: "event.step", Message: "event.step " + quote([]byte(name)) + " is not a step of scenario " + e.scens[ev.scenario].id}
		}
	}
	if ev.typ != evWithdraw && ev.perm == permPolicy {
		return &Error{Code: CodeUnknownPermission, Field: "event.permission", Message: "\"policy\" can only be withdrawn"}
	}
	return nil
}

func (e *Engine) scenarioIndex(name []byte) int {
	for i := range e.scens {
		if e.scens[i].id == string(name) {
			return i
		}
	}
	return -1
}

// anyStepIndex numbers the steps of all scenarios in order and returns the
// number of the first step with this name.
func (e *Engine) anyStepIndex(name []byte) int {
	n := 0
	for i := range e.scens {
		for j := range e.scens[i].steps {
			if e.scens[i].steps[j].id == string(name) {
				return n
			}
			n++
		}
	}
	return -1
}

func (e *Engine) stepName(n int) string {
	for i := range e.scens {
		if n < len(e.scens[i].steps) {
			return e.scens[i].steps[n].id
		}
		n -= len(e.scens[i].steps)
	}
	return ""
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

// parseTime reads an RFC 3339 time into Unix seconds without allocating.
func parseTime(b []byte) (int64, bool) {
	// 2006-01-02T15:04:05[.frac](Z|+hh:mm|-hh:mm)
	if len(b) < 20 {
		return 0, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	se, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || b[4] != '-' || b[7] != '-' ||
		(b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 60 {
		return 0, false
	}
	i := 19
	if b[i] == '.' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return 0, false
		}
	}
	if i >= len(b) {
		return 0, false
	}
	off := 0
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(b)-i != 6 || b[i+3] != ':' {
			return 0, false
		}
		oh, ok1 := num(i+1, 2)
		om, ok2 := num(i+4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		off = oh*3600 + om*60
		if b[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return 0, false
	}
	if i != len(b) {
		return 0, false
	}
	if se == 60 {
		se = 59 // a leap second counts as the second before it
	}
	return daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+se-off), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days from 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// Package errcode is the project's one error type: what was wrong (a Code
// from a small fixed set that programs branch on, and a Message for
// people) and where (the Field of a JSON document, or the key and the
// file:line:col of a source file). The engine answers bad requests with
// it, the bundle reader rejects bundles with it, the wasm module reports
// its own failures with it, and the policy compiler reports problems in
// TOML and locale files with it.
//
// On the wire an Error is {"error": {"code", "message", "field"}}; the
// engine writes it (engine.AppendError). Codes are snake_case words and
// never change meaning: hosts and tools match on them. The engine's and
// the module's codes are listed in engine/CONTRACT.md and wasm/ABI.md, the
// compiler's in prompts/FORMAT.md.
package errcode

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Code names a kind of error.
type Code string

// The engine's codes for a request it cannot decide on (engine/CONTRACT.md).
const (
	TooLarge          Code = "too_large"          // the request is over engine.MaxRequest bytes
	BadUTF8           Code = "bad_utf8"           // the input is not valid UTF-8
	BadJSON           Code = "bad_json"           // malformed or truncated JSON, or data after it
	BadType           Code = "bad_type"           // a value of the wrong JSON type
	MissingField      Code = "missing_field"      // a required field is absent
	UnknownField      Code = "unknown_field"      // a field the contract does not have (a typo?)
	DuplicateField    Code = "duplicate_field"    // a field given twice
	BadTime           Code = "bad_time"           // now is not an RFC 3339 time
	BadLocale         Code = "bad_locale"         // locale is not a BCP 47 tag
	UnknownPlatform   Code = "unknown_platform"   // a platform not in the vocabulary
	BadVersion        Code = "bad_version"        // device.version does not suit the platform
	UnknownPermission Code = "unknown_permission" // a permission not in the vocabulary or not in the policy
	BadValue          Code = "bad_value"          // a value outside its field's vocabulary, or malformed
	UnknownEvent      Code = "unknown_event"      // event.type is not one of the events
	UnknownScenario   Code = "unknown_scenario"   // event.scenario is not in the policy
	UnknownStep       Code = "unknown_step"       // event.step is not a step of the scenario
	UnknownConsent    Code = "unknown_consent"    // event.sensitive and event.purpose name no separate consent of the policy
	NotRequested      Code = "not_requested"      // an answer for something the engine did not ask
	BadReceipt        Code = "bad_receipt"        // a receipt of a restore is malformed, changed, or breaks the chain
	StaleBundle       Code = "stale_bundle"       // the state or chain is of a policy version newer than the active bundle
	BadCheckpoint     Code = "bad_checkpoint"     // the checkpoint is malformed, of another installation, or not signed by a trusted service key
)

// The bundle reader's codes (engine/bundle), which the module answers too.
const (
	BadBundle    Code = "bad_bundle"    // not an envelope, a wrong hash, or an invalid payload
	BadSignature Code = "bad_signature" // no signature, or none by a trusted key that verifies
)

// The module's own codes (wasm/ABI.md).
const (
	BadPointer   Code = "bad_pointer"   // ptr, len do not lie in a live buffer from consent_alloc
	NoBundle     Code = "no_bundle"     // the module's own bundle does not open: it cannot decide
	OlderVersion Code = "older_version" // a bundle not newer than the active one
	Internal     Code = "internal"      // the module failed on this input; it keeps answering
)

// Error is one thing wrong with an input.
type Error struct {
	Code    Code
	Message string
	// Field is the path of what is wrong: a JSON field such as
	// "event.step" or "os.camera", or a key of a source file such as
	// "scenario[3].step[1].permission[0].consequence"; empty when the
	// input as a whole is at fault.
	Field string
	// Pos is where in a source file; zero for JSON on the wire.
	Pos Pos
}

// Pos is a place in a source file. Line and Col count from 1; Col counts
// characters, not bytes, as editors do. A zero Line means the whole file.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Error reads "[file:line:col: ]code: [field: ]message".
func (e *Error) Error() string {
	s := ""
	if e.Pos.File != "" {
		s = e.Pos.String() + ": "
	}
	s += string(e.Code) + ": "
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Message
}

// New returns an error with a code and a message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, errcode.New(errcode.BadBundle, "")) matches any bad
// bundle.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// List is several errors, as the compiler reports them about a set of
// files; as an error it reads one a line.
type List []Error

func (l List) Error() string {
	// A builder, not +=: a file of 100,000 bad keys is 100,000 errors,
	// and concatenating them one by one took minutes.
	var b strings.Builder
	for i := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l[i].Error())
	}
	return b.String()
}

// Sort orders the errors by file, line, column and code, so that reports
// are stable whatever order the checks ran in.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b Error) int {
		if c := strings.Compare(a.Pos.File, b.Pos.File); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Pos.Line, b.Pos.Line); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Pos.Col, b.Pos.Col); c != 0 {
			return c
		}
		return strings.Compare(string(a.Code), string(b.Code))
	})
}

// Err returns l as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

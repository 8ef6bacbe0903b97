package engine

import "github.com/jitconsent/jitconsent/engine/internal/jsontext"

// Error is a request the engine cannot decide on: Code (one of the codes
// below), Message (for people) and Field (the path of the offending field,
// such as "event.step"; empty when the request as a whole is at fault).
// Its JSON form is the response {"error": {"code", "message", "field"}}.
// The codes are a small fixed set, so that hosts can branch on them. It is
// the JSON reader's error type, so that a syntax error deep in a request
// and a decision's own errors read alike.
type Error = jsontext.Error

// Error codes.
const (
	CodeTooLarge          = "too_large"          // the request is over MaxRequest bytes
	CodeBadUTF8           = jsontext.CodeBadUTF8 // the request is not valid UTF-8
	CodeBadJSON           = jsontext.CodeBadJSON // malformed or truncated JSON
	CodeBadType           = jsontext.CodeBadType // a field has the wrong JSON type
	CodeMissingField      = "missing_field"      // a required field is absent
	CodeUnknownField      = "unknown_field"      // a field the contract does not have (a typo?)
	CodeDuplicateField    = "duplicate_field"    // a field given twice
	CodeBadTime           = "bad_time"           // now is not an RFC 3339 time
	CodeBadLocale         = "bad_locale"         // locale is not a BCP 47 tag
	CodeUnknownPlatform   = "unknown_platform"   // device.platform is not in the vocabulary
	CodeBadVersion        = "bad_version"        // device.version does not suit the platform
	CodeUnknownPermission = "unknown_permission" // a permission not in the vocabulary or not in the policy
	CodeBadValue          = "bad_value"          // a value outside its field's vocabulary
	CodeUnknownEvent      = "unknown_event"      // event.type is not one of the events
	CodeUnknownScenario   = "unknown_scenario"   // event.scenario is not in the policy
	CodeUnknownStep       = "unknown_step"       // event.step is not a step of the scenario
	CodeNotRequested      = "not_requested"      // an answer for something the engine did not ask
)

// MaxRequest is the largest request the engine reads, in bytes. A real
// request is under 2 KiB; the bound keeps a hostile host from making the
// module grow.
const MaxRequest = 256 << 10

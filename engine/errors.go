package engine

// Error is a request the engine cannot decide on. Its JSON form is the
// response {"error": {"code", "message", "field"}}. The codes are a small
// fixed set, so that hosts can branch on them; the message is for people.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field is the path of the offending field, such as "event.step" or
	// "os.camera"; empty when the request as a whole is at fault.
	Field string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Code + ": " + e.Message
	}
	return e.Code + ": " + e.Field + ": " + e.Message
}

// Error codes.
const (
	CodeTooLarge          = "too_large"          // the request is over MaxRequest bytes
	CodeBadUTF8           = "bad_utf8"           // the request is not valid UTF-8
	CodeBadJSON           = "bad_json"           // malformed or truncated JSON
	CodeBadType           = "bad_type"           // a field has the wrong JSON type
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

package prompts

import (
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/internal/tomlguard"
)

// The compiler reports every problem with a policy or locale file as an
// errcode.Error: its code, its message, the key path (Field, such as
// scenario[1].step[0].id, or a message id) and its file:line:col (Pos); a
// set of them is an errcode.List. Codes are stable: tools and tests match
// on them, and prompts/FORMAT.md lists them. Those the engine shares keep
// its meaning.
const (
	// Reading files.
	CodeFile       errcode.Code = "file"           // a file cannot be read, or its name does not fit its content
	CodeSyntax     errcode.Code = "syntax"         // not valid TOML
	CodeType       errcode.Code = "type"           // a value of the wrong type
	CodeUnknownKey errcode.Code = "unknown_key"    // a key the format does not have
	CodeMissingKey errcode.Code = "missing_key"    // a required key is absent
	CodeBadDate    errcode.Code = "bad_date"       // not a calendar date
	CodeBadValue                = errcode.BadValue // a malformed duration, version, locale tag or id
	CodeEmptyText  errcode.Code = "empty_text"     // an empty message text

	// A file over the input limits, held before any TOML is decoded
	// (internal/tomlguard, FORMAT.md "Input limits").
	CodeTooLarge = tomlguard.TooLarge // over 1 MiB
	CodeBadUTF8  = tomlguard.BadUTF8  // not UTF-8: the first invalid byte
	CodeTooDeep  = tomlguard.TooDeep  // arrays and inline tables nested over 32 deep
	CodeTooLong  = tomlguard.TooLong  // a key of over 64 parts or 1024 bytes
	CodeTooMany  = tomlguard.TooMany  // over 4096 inline tables

	// Checking the policy.
	CodeUnknownPermission                = errcode.UnknownPermission
	CodeUnknownPlatform                  = errcode.UnknownPlatform
	CodeUnknownConsequence  errcode.Code = "unknown_consequence"
	CodeUnknownVocabulary   errcode.Code = "unknown_vocabulary"   // SDK category, change class, right or sensitive category
	CodeUnknownReference    errcode.Code = "unknown_reference"    // a scenario, step, purpose, locale or SDK data that does not exist
	CodeMissingPurpose      errcode.Code = "missing_purpose"      // a step permission without a purpose text
	CodeMissingFallback     errcode.Code = "missing_fallback"     // fallback consequence without fallback text, or the reverse
	CodeMissingMessage      errcode.Code = "missing_message"      // a message absent from a supported locale
	CodeUnusedMessage       errcode.Code = "unused_message"       // a message nothing refers to
	CodePlatformUnavailable errcode.Code = "platform_unavailable" // asked on a platform that does not have the permission
	CodePlatformMissing     errcode.Code = "platform_missing"     // a permission that says nothing about a platform
	CodeDuplicateID         errcode.Code = "duplicate_id"
	CodeVersionOrder        errcode.Code = "version_order"    // a version not newer than the one before
	CodeUnmarkedMajor       errcode.Code = "unmarked_major"   // a major change declared minor
	CodeTemplate            errcode.Code = "template_error"   // a message that fails to render
	CodeSeparateConsent     errcode.Code = "separate_consent" // sensitive data without separate consent for a purpose, or the reverse
	CodeUnusedPurpose       errcode.Code = "unused_purpose"   // a [[purpose]] no step or SDK refers to
	CodePolicyMismatch      errcode.Code = "policy_mismatch"  // versions of different policies, or a file in the wrong place
	CodeExport              errcode.Code = "export"           // a platform declaration that cannot be exported as is
	CodeFrozenText          errcode.Code = "frozen_text"      // a text of a published version that differs from its lock

	// Holding declare rows and [install_time] against the platform facts
	// (facts.go, docs/PLATFORMS.md).
	CodeRestrictedPermission errcode.Code = "restricted_permission" // signature|privileged, ACL-restricted or system-only: an ordinary app is not granted it
	CodeRemovedPermission    errcode.Code = "removed_permission"    // an identifier, call or setting outside the versions where it exists
	CodeNoPicker             errcode.Code = "no_picker"             // a picker row on a platform or version that has no such picker
	CodeWrongGrant           errcode.Code = "wrong_grant"           // a row's grant (or access level) differs from what the identifier is
)

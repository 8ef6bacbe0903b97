package prompts

import (
	"fmt"
	"sort"
	"strings"
)

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
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Problem codes. They are stable: tools and tests match on them.
const (
	// Reading files.
	CodeFile       = "file"        // a file cannot be read, or its name does not fit its content
	CodeSyntax     = "syntax"      // not valid TOML
	CodeType       = "type"        // a value of the wrong type
	CodeUnknownKey = "unknown-key" // a key the format does not have
	CodeMissingKey = "missing-key" // a required key is absent
	CodeBadDate    = "bad-date"    // not a calendar date
	CodeBadValue   = "bad-value"   // a malformed duration, version, locale tag or id
	CodeEmptyText  = "empty-text"  // an empty message text

	// Checking the policy.
	CodeUnknownPermission   = "unknown-permission"
	CodeUnknownPlatform     = "unknown-platform"
	CodeUnknownConsequence  = "unknown-consequence"
	CodeUnknownVocabulary   = "unknown-vocabulary"   // category, start, class, right or sensitive category
	CodeUnknownReference    = "unknown-reference"    // a scenario, step or locale that does not exist
	CodeMissingPurpose      = "missing-purpose"      // a step permission without a purpose text
	CodeMissingFallback     = "missing-fallback"     // fallback consequence without fallback text, or the reverse
	CodeMissingMessage      = "missing-message"      // a message absent from a supported locale
	CodeUnusedMessage       = "unused-message"       // a message nothing refers to
	CodePlatformUnavailable = "platform-unavailable" // asked on a platform that does not have the permission
	CodePlatformMissing     = "platform-missing"     // a permission that says nothing about a platform
	CodeDuplicateID         = "duplicate-id"
	CodeVersionOrder        = "version-order"    // a version not newer than the one before
	CodeUnmarkedMajor       = "unmarked-major"   // a major change declared minor
	CodeTemplate            = "template-error"   // a message that fails to render
	CodeSeparateConsent     = "separate-consent" // sensitive data without separate consent
	CodePolicyMismatch      = "policy-mismatch"  // versions of different policies, or a file in the wrong place
	CodeExport              = "export"           // a platform declaration that cannot be exported as is
)

// Problem is one thing wrong with a policy or locale file.
type Problem struct {
	Pos  Pos
	Code string
	Key  string // the key path (scenario[1].step[0].id) or message id
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Pos.String())
	b.WriteString(": ")
	b.WriteString(p.Code)
	if p.Key != "" {
		b.WriteString(": ")
		b.WriteString(p.Key)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is a list of problems; as an error it reports them all, one a line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, line, column and code, so that reports are
// stable whatever order the checks ran in.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Code < b.Code
	})
}

// Err returns ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

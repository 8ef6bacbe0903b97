package vocab_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// enum is one enumeration seen through its words: Names and its parser.
type enum struct {
	name  string
	words []string
	parse func(string) (string, int, bool) // the word back, the value, ok
	// published is the vocabulary of docs/RULES.md: the words are a wire
	// contract (TOML, bundles, requests, responses, reports), so a word
	// renamed or reordered here breaks every host and stored state.
	published string
}

func of[E vocab.Enum](name string, n E, parse func(string) (E, bool), published string) enum {
	return enum{name, vocab.Names(n), func(s string) (string, int, bool) {
		e, ok := parse(s)
		return e.String(), int(e), ok
	}, published}
}

var enums = []enum{
	of("platform", vocab.NumPlatforms, vocab.ParsePlatform, "android ios harmonyos wechat alipay web"),
	of("permission", vocab.NumPermissions, vocab.ParsePermission,
		"location camera microphone call_log contacts photos calendar phone_state notifications storage ad_tracking face_id bluetooth install_packages installed_apps"),
	of("access", vocab.NumAccess, vocab.ParseAccess, "full read add picker"),
	of("grant", vocab.NumGrants, vocab.ParseGrant, "runtime install special none"),
	of("OS state", vocab.NumOSStates, vocab.ParseOSState, "not_determined granted limited denied denied_forever restricted"),
	of("consequence", vocab.NumConsequences, vocab.ParseConsequence, "blocking degraded fallback"),
	of("sensitive", vocab.NumSensitive, vocab.ParseSensitive, "biometrics precise_location financial_account"),
	of("SDK category", vocab.NumSDKCategories, vocab.ParseSDKCategory,
		"push login_share_pay analytics map one_click_login browser development"),
	of("change", vocab.NumChanges, vocab.ParseChange, "first major minor"),
	of("change class", vocab.NumChangeClasses, vocab.ParseChangeClass,
		"purpose data_type usage ownership sharing rights contact experience reduction"),
	of("right", vocab.NumRights, vocab.ParseRight,
		"know access copy transfer correct delete restrict close_account withdraw explain_automated_decision"),
	of("action", vocab.NumActions, vocab.ParseAction,
		"show_policy basic_mode show_rationale request_permission open_settings proceed block show_consent unavailable"),
	of("event", vocab.NumEvents, vocab.ParseEvent, "launch policy_answer enter rationale_answer permission_result withdraw consent_answer restore"),
	of("result", vocab.NumResults, vocab.ParseResult, "granted limited denied denied_forever dismissed"),
	of("rule", vocab.NumRules, vocab.ParseRule,
		"PRECONSENT BASIC_MODE RECONSENT JIT RATIONALE PLATFORM SETTINGS COOLDOWN DEGRADE SEPARATE WITHDRAW SDK STATE"),
}

var word = regexp.MustCompile(`^([a-z][a-z0-9]*(_[a-z0-9]+)*|[A-Z][A-Z]*(_[A-Z]+)*)$`)

// TestWords: every value has one word, the published one, in the
// published order; each word parses back to its value; nothing else parses.
func TestWords(t *testing.T) {
	for _, e := range enums {
		if got := strings.Join(e.words, " "); got != e.published {
			t.Errorf("%s words:\n\tgot  %s\n\twant %s", e.name, got, e.published)
		}
		for i, w := range e.words {
			if !word.MatchString(w) {
				t.Errorf("%s %d: %q is not a snake_case word", e.name, i, w)
			}
			if back, v, ok := e.parse(w); !ok || v != i || back != w {
				t.Errorf("%s: parse(%q) = %q, %d, %v; want %d", e.name, w, back, v, ok, i)
			}
		}
		for _, bad := range []string{"", "x", strings.ToUpper(e.words[0]) + "_", e.words[0] + " "} {
			if _, _, ok := e.parse(bad); ok {
				t.Errorf("%s: parse(%q) succeeds", e.name, bad)
			}
		}
	}
}

// TestNamesIsACopy: changing what Names returns changes no word.
func TestNamesIsACopy(t *testing.T) {
	names := vocab.Names(vocab.NumPermissions)
	names[0] = "gps"
	if vocab.Location.String() != "location" || slices.Contains(vocab.Names(vocab.NumPermissions), "gps") {
		t.Error("Names shares the table")
	}
	if s := vocab.Permission(200).String(); s != "" {
		t.Errorf("a value out of range is %q", s)
	}
}

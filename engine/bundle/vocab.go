package bundle

// The shared vocabulary of DESIGN.md. TOML files, the bundle, the engine's
// JSON and the simulator's reports all use exactly these words.

// Platforms that the engine decides for.
var Platforms = []string{"android", "ios", "harmonyos", "wechat", "alipay", "web"}

// Permissions that a policy may ask for.
var Permissions = []string{
	"location", "camera", "microphone", "call_log", "contacts", "photos",
	"calendar", "phone_state", "notifications", "storage", "ad_tracking", "face_id",
}

// Consequences of refusing a permission in a step.
const (
	// Blocking: the step cannot go on without the permission.
	Blocking = "blocking"
	// Degraded: the step goes on, with something lost (approval may be affected).
	Degraded = "degraded"
	// Fallback: the step goes on another way (type contacts by hand).
	Fallback = "fallback"
)

// Consequences lists the valid consequences of a refusal.
var Consequences = []string{Blocking, Degraded, Fallback}

// Sensitive lists the categories of sensitive personal information (PIPL
// Art. 28) whose processing needs separate consent (Art. 29).
var Sensitive = []string{"biometrics", "precise_location", "financial_account"}

// SDKCategories are the SDK categories of the reference policy's section 8.
var SDKCategories = []string{"push", "login_share_pay", "analytics", "map", "one_click_login", "browser", "development"}

// SDK start conditions.
const (
	StartAfterConsent   = "after_consent"   // once the policy is accepted
	StartInScenario     = "in_scenario"     // only inside the listed scenarios or steps
	StartWithPermission = "with_permission" // only while the listed permissions are granted
)

// SDKStarts lists the valid SDK start conditions.
var SDKStarts = []string{StartAfterConsent, StartInScenario, StartWithPermission}

// Change kinds of a policy version relative to the one before.
const (
	ChangeFirst = "first"
	ChangeMajor = "major"
	ChangeMinor = "minor"
)

// ChangeClasses classify what changed between two versions, after the
// reference policy's section 9. A policy lists which classes are major.
var ChangeClasses = []string{
	"purpose", "data_type", "usage", "ownership", "sharing", "rights", "contact",
	"experience", "reduction",
}

// Rights a policy may grant (the reference policy's section 5).
var Rights = []string{
	"know", "access", "copy", "transfer", "correct", "delete", "restrict",
	"close_account", "withdraw", "explain_automated_decision",
}

// Has reports whether list holds s.
func Has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Package vocab is the shared vocabulary of the project (docs/RULES.md):
// the words that TOML policies, the bundle, the engine's JSON and the
// simulator's reports all use. Each enumeration is a small integer type
// whose values index the engine's fixed arrays, with its words in one
// table keyed by the constants themselves, so that no order is kept by
// hand anywhere else:
//
//	for p := range vocab.NumPermissions { ... p.String() ... }
//	p, ok := vocab.ParsePermission("camera")
//
// Nothing here can be changed from outside: the tables are unexported and
// Names returns a copy.
package vocab

// Enum is the shape of every enumeration of this package: a small integer
// with a word for each value below its Num constant.
type Enum interface {
	~uint8
	String() string
}

// Names returns the words of an enumeration's values below n, in order,
// in a new slice: vocab.Names(vocab.NumPlatforms).
func Names[E Enum](n E) []string {
	out := make([]string, 0, int(n))
	for e := range n {
		out = append(out, e.String())
	}
	return out
}

// name returns names[i], or "" for a value out of range.
func name[E ~uint8](names []string, e E) string {
	if int(e) < len(names) {
		return names[e]
	}
	return ""
}

// parse returns the value whose word is s.
func parse[E ~uint8](names []string, s string) (E, bool) {
	for i, n := range names {
		if n == s {
			return E(i), true
		}
	}
	return 0, false
}

// Platform is where the engine decides: an OS or a mini-program runtime.
type Platform uint8

// Platforms.
const (
	Android Platform = iota
	IOS
	HarmonyOS
	WeChat
	Alipay
	Web
	NumPlatforms
)

var platformNames = [NumPlatforms]string{
	Android: "android", IOS: "ios", HarmonyOS: "harmonyos", WeChat: "wechat", Alipay: "alipay", Web: "web",
}

func (p Platform) String() string { return name(platformNames[:], p) }

// ParsePlatform returns the platform named s.
func ParsePlatform(s string) (Platform, bool) { return parse[Platform](platformNames[:], s) }

// Permission is a permission a policy may ask for.
type Permission uint8

// Permissions.
const (
	Location Permission = iota
	Camera
	Microphone
	CallLog
	Contacts
	Photos
	Calendar
	PhoneState
	Notifications
	Storage
	AdTracking
	FaceID
	Bluetooth       // talking to bonded Bluetooth devices (Android: BLUETOOTH, then BLUETOOTH_CONNECT)
	InstallPackages // installing a downloaded package: a special access granted in the settings
	InstalledApps   // the list of installed apps (package visibility; T/TAF 108-2022's runtime permission)
	NumPermissions
)

var permissionNames = [NumPermissions]string{
	Location: "location", Camera: "camera", Microphone: "microphone", CallLog: "call_log",
	Contacts: "contacts", Photos: "photos", Calendar: "calendar", PhoneState: "phone_state",
	Notifications: "notifications", Storage: "storage", AdTracking: "ad_tracking", FaceID: "face_id",
	Bluetooth: "bluetooth", InstallPackages: "install_packages", InstalledApps: "installed_apps",
}

func (p Permission) String() string { return name(permissionNames[:], p) }

// ParsePermission returns the permission named s.
func ParsePermission(s string) (Permission, bool) { return parse[Permission](permissionNames[:], s) }

// Access is what a step needs of a permission (docs/PLATFORMS.md): a
// policy's declarations map each level to a platform's identifiers, so
// that a step asks for no more than it needs.
type Access uint8

// Access levels.
const (
	AccessFull   Access = iota // read and write (the default)
	AccessRead                 // read only
	AccessAdd                  // add only: save an image without reading the library
	AccessPicker               // only what the user selects in the system picker: no permission
	NumAccess
)

var accessNames = [NumAccess]string{AccessFull: "full", AccessRead: "read", AccessAdd: "add", AccessPicker: "picker"}

func (a Access) String() string { return name(accessNames[:], a) }

// ParseAccess returns the access level named s.
func ParseAccess(s string) (Access, bool) { return parse[Access](accessNames[:], s) }

// Grant is how a platform grants an access (docs/PLATFORMS.md).
type Grant uint8

// Grants.
const (
	GrantRuntime Grant = iota // a system dialog at run time (the default)
	GrantInstall              // granted at install: nothing is asked
	GrantSpecial              // a special access the user grants in the settings: never a dialog
	GrantNone                 // no permission: a system picker or component does it (Declare.API)
	NumGrants
)

var grantNames = [NumGrants]string{GrantRuntime: "runtime", GrantInstall: "install", GrantSpecial: "special", GrantNone: "none"}

func (g Grant) String() string { return name(grantNames[:], g) }

// ParseGrant returns the grant named s.
func ParseGrant(s string) (Grant, bool) { return parse[Grant](grantNames[:], s) }

// OSState is what the OS reports of a permission.
type OSState uint8

// OS states.
const (
	OSNotDetermined OSState = iota
	OSGranted
	OSLimited // granted with limits: approximate location, selected photos
	OSDenied
	OSDeniedForever
	OSRestricted // the user cannot grant it (parental controls, a device policy)
	NumOSStates
)

var osStateNames = [NumOSStates]string{
	OSNotDetermined: "not_determined", OSGranted: "granted", OSLimited: "limited",
	OSDenied: "denied", OSDeniedForever: "denied_forever", OSRestricted: "restricted",
}

func (s OSState) String() string { return name(osStateNames[:], s) }

// ParseOSState returns the OS state named s.
func ParseOSState(s string) (OSState, bool) { return parse[OSState](osStateNames[:], s) }

// Consequence is what refusing a permission costs its step.
type Consequence uint8

// Consequences.
const (
	Blocking Consequence = iota // the step cannot go on
	Degraded                    // it goes on with something lost (approval may be affected)
	Fallback                    // it goes on another way (type contacts by hand)
	NumConsequences
)

var consequenceNames = [NumConsequences]string{Blocking: "blocking", Degraded: "degraded", Fallback: "fallback"}

func (c Consequence) String() string { return name(consequenceNames[:], c) }

// ParseConsequence returns the consequence named s.
func ParseConsequence(s string) (Consequence, bool) {
	return parse[Consequence](consequenceNames[:], s)
}

// Sensitive is a category of sensitive personal information (PIPL Art.
// 28) whose processing needs separate consent (Art. 29).
type Sensitive uint8

// Sensitive categories.
const (
	Biometrics Sensitive = iota
	PreciseLocation
	FinancialAccount
	NumSensitive
)

var sensitiveNames = [NumSensitive]string{
	Biometrics: "biometrics", PreciseLocation: "precise_location", FinancialAccount: "financial_account",
}

func (s Sensitive) String() string { return name(sensitiveNames[:], s) }

// ParseSensitive returns the sensitive category named s.
func ParseSensitive(s string) (Sensitive, bool) { return parse[Sensitive](sensitiveNames[:], s) }

// SDKCategory is a kind of third-party SDK, as the reference policy's
// section 8 groups them.
type SDKCategory uint8

// SDK categories.
const (
	CategoryPush SDKCategory = iota
	CategoryLoginSharePay
	CategoryAnalytics
	CategoryMap
	CategoryOneClickLogin
	CategoryBrowser
	CategoryDevelopment
	NumSDKCategories
)

var sdkCategoryNames = [NumSDKCategories]string{
	CategoryPush: "push", CategoryLoginSharePay: "login_share_pay", CategoryAnalytics: "analytics",
	CategoryMap: "map", CategoryOneClickLogin: "one_click_login", CategoryBrowser: "browser",
	CategoryDevelopment: "development",
}

func (c SDKCategory) String() string { return name(sdkCategoryNames[:], c) }

// ParseSDKCategory returns the SDK category named s.
func ParseSDKCategory(s string) (SDKCategory, bool) {
	return parse[SDKCategory](sdkCategoryNames[:], s)
}

// Change is how a policy version differs from the one before it, and so
// which popup announces it.
type Change uint8

// Changes.
const (
	ChangeFirst Change = iota // the first version: the first-run popup
	ChangeMajor               // consent is needed again before anything else
	ChangeMinor               // the user is informed
	NumChanges
)

var changeNames = [NumChanges]string{ChangeFirst: "first", ChangeMajor: "major", ChangeMinor: "minor"}

func (c Change) String() string { return name(changeNames[:], c) }

// ParseChange returns the change named s.
func ParseChange(s string) (Change, bool) { return parse[Change](changeNames[:], s) }

// ChangeClass classifies what changed between two versions, after the
// reference policy's section 9; a policy lists which classes are major.
type ChangeClass uint8

// Change classes.
const (
	ClassPurpose ChangeClass = iota
	ClassDataType
	ClassUsage
	ClassOwnership
	ClassSharing
	ClassRights
	ClassContact
	ClassExperience
	ClassReduction
	NumChangeClasses
)

var changeClassNames = [NumChangeClasses]string{
	ClassPurpose: "purpose", ClassDataType: "data_type", ClassUsage: "usage", ClassOwnership: "ownership",
	ClassSharing: "sharing", ClassRights: "rights", ClassContact: "contact", ClassExperience: "experience",
	ClassReduction: "reduction",
}

func (c ChangeClass) String() string { return name(changeClassNames[:], c) }

// ParseChangeClass returns the change class named s.
func ParseChangeClass(s string) (ChangeClass, bool) {
	return parse[ChangeClass](changeClassNames[:], s)
}

// Right is a right a policy grants (the reference policy's section 5).
type Right uint8

// Rights.
const (
	RightKnow Right = iota
	RightAccess
	RightCopy
	RightTransfer
	RightCorrect
	RightDelete
	RightRestrict
	RightCloseAccount
	RightWithdraw
	RightExplainAutomatedDecision
	NumRights
)

var rightNames = [NumRights]string{
	RightKnow: "know", RightAccess: "access", RightCopy: "copy", RightTransfer: "transfer",
	RightCorrect: "correct", RightDelete: "delete", RightRestrict: "restrict",
	RightCloseAccount: "close_account", RightWithdraw: "withdraw",
	RightExplainAutomatedDecision: "explain_automated_decision",
}

func (r Right) String() string { return name(rightNames[:], r) }

// ParseRight returns the right named s.
func ParseRight(s string) (Right, bool) { return parse[Right](rightNames[:], s) }

// Action is what a response tells the host to do.
type Action uint8

// Actions.
const (
	ActionShowPolicy Action = iota
	ActionBasicMode
	ActionShowRationale
	ActionRequestPermission
	ActionOpenSettings
	ActionProceed
	ActionBlock
	ActionShowConsent // a separate consent that comes with no permission
	ActionUnavailable // a step the platform cannot do (no biometric login on the web)
	NumActions
)

var actionNames = [NumActions]string{
	ActionShowPolicy: "show_policy", ActionBasicMode: "basic_mode", ActionShowRationale: "show_rationale",
	ActionRequestPermission: "request_permission", ActionOpenSettings: "open_settings",
	ActionProceed: "proceed", ActionBlock: "block", ActionShowConsent: "show_consent",
	ActionUnavailable: "unavailable",
}

func (a Action) String() string { return name(actionNames[:], a) }

// ParseAction returns the action named s.
func ParseAction(s string) (Action, bool) { return parse[Action](actionNames[:], s) }

// Event is what a request tells the engine happened.
type Event uint8

// Events.
const (
	EventLaunch Event = iota
	EventPolicyAnswer
	EventEnter
	EventRationaleAnswer
	EventPermissionResult
	EventWithdraw
	EventConsentAnswer
	EventRestore
	NumEvents
)

var eventNames = [NumEvents]string{
	EventLaunch: "launch", EventPolicyAnswer: "policy_answer", EventEnter: "enter",
	EventRationaleAnswer: "rationale_answer", EventPermissionResult: "permission_result",
	EventWithdraw: "withdraw", EventConsentAnswer: "consent_answer", EventRestore: "restore",
}

func (e Event) String() string { return name(eventNames[:], e) }

// ParseEvent returns the event named s.
func ParseEvent(s string) (Event, bool) { return parse[Event](eventNames[:], s) }

// Result is how a system dialog (or a return from the settings) ended.
type Result uint8

// Results.
const (
	ResultGranted Result = iota
	ResultLimited
	ResultDenied
	ResultDeniedForever
	ResultDismissed
	NumResults
)

var resultNames = [NumResults]string{
	ResultGranted: "granted", ResultLimited: "limited", ResultDenied: "denied",
	ResultDeniedForever: "denied_forever", ResultDismissed: "dismissed",
}

func (r Result) String() string { return name(resultNames[:], r) }

// ParseResult returns the result named s.
func ParseResult(s string) (Result, bool) { return parse[Result](resultNames[:], s) }

// Rule is a rule of docs/RULES.md, as it appears in a response's trace.
// RuleState is the engine's own: it explains why a state was not used.
type Rule uint8

// Rules, in the order of docs/RULES.md.
const (
	RulePreconsent Rule = iota
	RuleBasicMode
	RuleReconsent
	RuleJIT
	RuleRationale
	RulePlatform
	RuleSettings
	RuleCooldown
	RuleDegrade
	RuleSeparate
	RuleWithdraw
	RuleSDK
	RuleState
	NumRules
)

var ruleNames = [NumRules]string{
	RulePreconsent: "PRECONSENT", RuleBasicMode: "BASIC_MODE", RuleReconsent: "RECONSENT", RuleJIT: "JIT",
	RuleRationale: "RATIONALE", RulePlatform: "PLATFORM", RuleSettings: "SETTINGS", RuleCooldown: "COOLDOWN",
	RuleDegrade: "DEGRADE", RuleSeparate: "SEPARATE", RuleWithdraw: "WITHDRAW", RuleSDK: "SDK", RuleState: "STATE",
}

func (r Rule) String() string { return name(ruleNames[:], r) }

// ParseRule returns the rule named s.
func ParseRule(s string) (Rule, bool) { return parse[Rule](ruleNames[:], s) }

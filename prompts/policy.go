package prompts

import (
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// DefaultCooldown is how long an optional permission is left alone after
// a refusal when a policy does not say.
const DefaultCooldown = 48 * time.Hour

// Policy is one version of a privacy policy, read from
// prompts/<policy-id>/<version>.toml. Its user-facing texts are message ids
// whose wording lives in the locale files. FORMAT.md documents every key.
type Policy struct {
	Meta        Meta         `toml:"policy,required"`
	Controller  Controller   `toml:"controller,required"`
	Update      Update       `toml:"update,required"`
	InstallTime InstallTime  `toml:"install_time"`
	Permissions []Permission `toml:"permission"`
	Purposes    []Purpose    `toml:"purpose"`
	Scenarios   []Scenario   `toml:"scenario"`
	SDKs        []SDK        `toml:"sdk"`
	Recipients  []Recipient  `toml:"recipient"`
	Links       Links        `toml:"links,required"`
	Editorial   []Editorial  `toml:"editorial"`

	doc      *tomlDoc
	proj     *Project
	overlay  map[string]*Catalog // the version's own messages, by locale (OverlayDir)
	catalogs map[string]*Catalog // the shared messages with the overlay on top, by locale
	i18n     *i18n.Bundle        // renders catalogs
	lock     *Lock               // the version's frozen texts, if it is published (LockFile)
}

// Links is the [links] table: for each kind of document the app links
// to, the https URL of its text in each locale. The link's title is the
// message link.<kind>.
type Links struct {
	Policy  map[string]string `toml:"policy,required"`   // the full privacy policy
	SDKList map[string]string `toml:"sdk_list,required"` // the list of third-party SDKs
}

// LinkKinds are the kinds of [links], in the order the bundle lists them.
var LinkKinds = []string{"policy", "sdk_list"}

// URLs returns the URLs of a kind of link by locale.
func (l Links) URLs(kind string) map[string]string {
	switch kind {
	case "policy":
		return l.Policy
	case "sdk_list":
		return l.SDKList
	}
	return nil
}

// Editorial is an [[editorial]] row: a text change of a message that the
// authors declare editorial (a typo, a clearer word), with the reason.
// Such a change is minor, and the update popup lists it all the same.
type Editorial struct {
	Message string `toml:"message,required"`
	Reason  string `toml:"reason"` // required and not blank; the linter says where
}

// Meta is the [policy] table: identity, dates, locales and rules.
type Meta struct {
	ID             string   `toml:"id,required"`
	Version        string   `toml:"version,required"`
	Updated        Date     `toml:"updated"`
	Published      Date     `toml:"published,required"`
	Effective      Date     `toml:"effective,required"`
	Change         string   `toml:"change,required"` // first, major or minor, as the authors declare it
	DefaultLocale  string   `toml:"default_locale,required"`
	Locales        []string `toml:"locales,required"`
	Cooldown       Duration `toml:"cooldown"`
	Rights         []string `toml:"rights"`
	CrossBorder    bool     `toml:"cross_border"`
	RetentionYears int      `toml:"retention_years"`
}

// Controller is the [controller] table: who processes the data (the
// personal information handler of PIPL art. 17), how to reach them and
// the law they answer to. Name, Short, Address and Contact are message
// ids: the names as each locale writes them. The bundle carries it, so
// that consent records name the controller (Kantara Consent Receipt
// piiControllers, ISO/IEC TS 27560).
type Controller struct {
	Name    string `toml:"name,required"`
	Short   string `toml:"short,required"`
	Address string `toml:"address,required"`
	// Contact names who answers questions and complaints about personal
	// information: the department or officer (the reference policy's
	// section 10: 个人信息保护专职部门).
	Contact string `toml:"contact,required"`
	Phone   string `toml:"phone,required"`
	Email   string `toml:"email,required"`
	// Jurisdiction is the ISO 3166-1 alpha-2 code of the country whose
	// law governs the processing: CN for PIPL.
	Jurisdiction string `toml:"jurisdiction,required"`
	ResponseDays int    `toml:"response_days"`
}

// Update is the [update] table: which classes of change are major.
type Update struct {
	Major []string `toml:"major,required"`
}

// InstallTime lists the permissions granted at install, without a dialog:
// Android's normal permissions and HarmonyOS's system_grant ones. They go
// into the exported declarations only.
type InstallTime struct {
	Android   []string `toml:"android"`
	HarmonyOS []string `toml:"harmonyos"`
}

// Permission is a [[permission]]: its identifiers on each platform, or the
// platforms that do not have it.
type Permission struct {
	ID          string    `toml:"id,required"`
	Unavailable []string  `toml:"unavailable"`
	Declare     []Declare `toml:"declare"`
}

// Declare is a [[permission.declare]] row: what the platform gives for one
// access level in a version range, and how it grants it.
type Declare struct {
	Platform string   `toml:"platform,required"`
	IDs      []string `toml:"ids"`
	Min      string   `toml:"min"`
	Max      string   `toml:"max"`
	Access   string   `toml:"access"`   // full (""), read, add or picker
	Grant    string   `toml:"grant"`    // runtime (""; none for a picker), install, special or none
	API      string   `toml:"api"`      // with grant none: the host's call
	Settings string   `toml:"settings"` // with grant special: the way to the setting
}

// AccessLevel returns the row's access level; an unknown word reads as
// full (the linter reports it).
func (d Declare) AccessLevel() vocab.Access {
	a, _ := vocab.ParseAccess(d.Access)
	return a
}

// GrantKind returns how the platform grants the row: its grant, or none
// for a picker and runtime otherwise when it says nothing.
func (d Declare) GrantKind() vocab.Grant {
	if d.Grant == "" && d.AccessLevel() == vocab.AccessPicker {
		return vocab.GrantNone
	}
	g, _ := vocab.ParseGrant(d.Grant)
	return g
}

// Purpose is a [[purpose]]: a named purpose of processing sensitive data.
// Separate consent is given to a sensitive category for one purpose, and
// steps and SDKs that serve the same purpose share it. Name is a message
// id: the purpose as the user reads it.
type Purpose struct {
	ID   string `toml:"id,required"`
	Name string `toml:"name,required"`
}

// Scenario is a [[scenario]]: a business scenario, the data it collects and
// its steps.
type Scenario struct {
	ID    string   `toml:"id,required"`
	Data  []string `toml:"data"`
	Steps []Step   `toml:"step"`
}

// Step is a [[scenario.step]]. Its consents are asked first, then its
// permissions; where it has system prompts, a platform none admits shows
// its Unavailable text (a message id) instead.
type Step struct {
	ID            string           `toml:"id,required"`
	Data          []string         `toml:"data"`
	Unavailable   string           `toml:"unavailable"`
	Consents      []StepConsent    `toml:"consent"`
	Permissions   []StepPermission `toml:"permission"`
	SystemPrompts []SystemPrompt   `toml:"system_prompt"`
}

// StepPermission is a [[scenario.step.permission]]: a permission the step
// asks for, in order. Purpose, Refusal and Fallback are message ids.
// Sensitive data needs separate consent: Sensitive names its category and
// SeparateConsent the id of the [[purpose]] it is for; both or neither.
type StepPermission struct {
	ID              string   `toml:"id,required"`
	Purpose         string   `toml:"purpose"`
	Consequence     string   `toml:"consequence,required"`
	Refusal         string   `toml:"refusal,required"`
	Fallback        string   `toml:"fallback"`
	SeparateConsent string   `toml:"separate_consent"`
	Sensitive       string   `toml:"sensitive"`
	Platforms       []string `toml:"platforms"` // "android", "ios>=14", "android>=23,<=32"; absent: wherever the permission has rows of Access
	Access          string   `toml:"access"`    // full (""), read, add or picker: which declare rows serve the step
}

// AccessLevel returns the access level the step needs.
func (sp StepPermission) AccessLevel() vocab.Access {
	a, _ := vocab.ParseAccess(sp.Access)
	return a
}

// StepConsent is a [[scenario.step.consent]]: a separate consent the step
// asks on its own, with no permission (card data typed in, the rules of
// biometric login), before its permissions. Purpose (the consent screen's
// body), Refusal and Fallback are message ids.
type StepConsent struct {
	Sensitive       string   `toml:"sensitive,required"`
	SeparateConsent string   `toml:"separate_consent,required"`
	Purpose         string   `toml:"purpose"`
	Consequence     string   `toml:"consequence,required"`
	Refusal         string   `toml:"refusal,required"`
	Fallback        string   `toml:"fallback"`
	Platforms       []string `toml:"platforms"` // as for permissions; absent: every platform
}

// Consent returns "<sensitive>/<purpose>", the consent's name in lists.
func (c StepConsent) Consent() string { return c.Sensitive + "/" + c.SeparateConsent }

// SystemPrompt is a [[scenario.step.system_prompt]]: the platform's own
// prompt the step uses (BiometricPrompt, Face ID...), on a platform within
// a version range.
type SystemPrompt struct {
	Platform string `toml:"platform,required"`
	Min      string `toml:"min"`
	Max      string `toml:"max"`
	API      string `toml:"api,required"`
}

// SDK is an [[sdk]]: a third-party SDK, what it collects and its basis:
// it runs after consent to the policy only in its scenarios (none: the
// whole app), with the permissions it requires and the separate consents
// it needs; its optional data it collects only when available.
type SDK struct {
	ID        string         `toml:"id,required"`
	Category  string         `toml:"category,required"`
	Platforms []string       `toml:"platforms,required"`
	Collects  []string       `toml:"collects,required"`
	Receives  []string       `toml:"receives"`
	Scenarios []string       `toml:"scenarios"`
	Requires  []string       `toml:"requires"`
	Consents  []Consent      `toml:"consents"`
	Optional  []OptionalData `toml:"optional"`
}

// Consent is an SDK's separate consent: { sensitive, purpose }.
type Consent struct {
	Sensitive string `toml:"sensitive,required"`
	Purpose   string `toml:"purpose,required"`
}

// OptionalData is data an SDK collects only when available:
// { data, permission, sensitive, purpose }, the last three optional.
type OptionalData struct {
	Data       string `toml:"data,required"`
	Permission string `toml:"permission"`
	Sensitive  string `toml:"sensitive"`
	Purpose    string `toml:"purpose"`
}

// Recipient is a [[recipient]]: a kind of partner the data is shared with.
type Recipient struct {
	ID   string   `toml:"id,required"`
	Data []string `toml:"data,required"`
}

// File returns the path the policy was read from.
func (p *Policy) File() string { return p.doc.file }

// pos returns where a key of the policy stands.
func (p *Policy) pos(key string) errcode.Pos { return p.doc.pos(key) }

// StepID returns "scenario/step".
func StepID(scenario, step string) string { return scenario + "/" + step }

// readPolicy parses and decodes one policy file.
func readPolicy(file string, data []byte) (*Policy, errcode.List) {
	doc, perr := parseTOML(file, data)
	if perr != nil {
		return nil, errcode.List{*perr}
	}
	p := &Policy{doc: doc}
	p.Meta.Cooldown = Duration{DefaultCooldown}
	var probs errcode.List
	doc.decode(p, &probs)
	if len(probs) > 0 {
		return nil, probs
	}
	p.checkShape(&probs)
	return p, probs
}

var (
	idPattern      = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	messagePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	versionPattern = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})(?:\.(\d{1,3}))?$`)
)

// checkShape checks what a single file can tell about itself: well-formed
// ids, versions and dates, and that the file stands where its id and
// version say.
func (p *Policy) checkShape(probs *errcode.List) {
	add := func(code errcode.Code, key, msg string) {
		*probs = append(*probs, errcode.Error{Pos: p.pos(key), Code: code, Field: key, Message: msg})
	}
	m := p.Meta
	if !idPattern.MatchString(m.ID) {
		add(CodeBadValue, "policy.id", strconv.Quote(m.ID)+" is not an id (lower case letters, digits and _)")
	}
	if vm := versionPattern.FindStringSubmatch(m.Version); vm == nil {
		add(CodeBadValue, "policy.version", strconv.Quote(m.Version)+" is not a version like 2022-03-29 or 2022-03-29.1")
	} else if _, err := time.Parse("2006-01-02", vm[1]); err != nil {
		add(CodeBadDate, "policy.version", strconv.Quote(m.Version)+" does not start with a real date")
	}
	if !m.Updated.IsZero() && m.Updated.After(m.Published.Time) {
		add(CodeBadDate, "policy.updated", "updated "+m.Updated.String()+" is after published "+m.Published.String())
	}
	if m.Effective.Before(m.Published.Time) {
		add(CodeBadDate, "policy.effective", "effective "+m.Effective.String()+" is before published "+m.Published.String())
	}
	file := p.File()
	base := strings.TrimSuffix(filepath.Base(file), ".toml")
	dir := filepath.Base(filepath.Dir(file))
	if base != m.Version {
		add(CodePolicyMismatch, "policy.version", "version "+strconv.Quote(m.Version)+" must be in a file named "+m.Version+".toml, not "+filepath.Base(file))
	}
	if dir != m.ID {
		add(CodePolicyMismatch, "policy.id", "policy "+strconv.Quote(m.ID)+" must be in a folder named "+m.ID+", not "+dir)
	}
}

// versionLess orders policy versions: by date, then by revision number.
func versionLess(a, b string) bool { return bundle.PolicyVersionLess(a, b) }

// Step returns the step with a "scenario/step" id and where it stands, or nil.
func (p *Policy) Step(id string) (*Step, string) {
	for i := range p.Scenarios {
		for j := range p.Scenarios[i].Steps {
			if StepID(p.Scenarios[i].ID, p.Scenarios[i].Steps[j].ID) == id {
				return &p.Scenarios[i].Steps[j], "scenario[" + strconv.Itoa(i) + "].step[" + strconv.Itoa(j) + "]"
			}
		}
	}
	return nil, ""
}

// Permission returns the permission with an id, or nil.
func (p *Policy) Permission(id string) *Permission {
	for i := range p.Permissions {
		if p.Permissions[i].ID == id {
			return &p.Permissions[i]
		}
	}
	return nil
}

// Purpose returns the purpose with an id, or nil.
func (p *Policy) Purpose(id string) *Purpose {
	for i := range p.Purposes {
		if p.Purposes[i].ID == id {
			return &p.Purposes[i]
		}
	}
	return nil
}

// special reports whether the permission is a special access on a
// platform: some row there is granted in the settings.
func (perm *Permission) special(platform string) bool {
	for _, d := range perm.Declare {
		if d.Platform == platform && d.GrantKind() == vocab.GrantSpecial {
			return true
		}
	}
	return false
}

// available reports whether a permission has declare rows on a platform.
func (perm *Permission) available(platform string) bool {
	for _, d := range perm.Declare {
		if d.Platform == platform {
			return true
		}
	}
	return false
}

// availableFor reports whether a permission has declare rows of an access
// level on a platform.
func (perm *Permission) availableFor(platform string, access vocab.Access) bool {
	for _, d := range perm.Declare {
		if d.Platform == platform && d.AccessLevel() == access {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Package bundle defines the compiled policy bundle: the one artefact that
// the policy compiler (package prompts) writes and that the engine and the
// WebAssembly module read. It holds the active policy version, the history
// of versions with what changed, the permissions with each platform's own
// identifiers, the scenarios and steps, the SDKs and every user-facing text
// already rendered for every supported locale.
//
// A bundle travels inside an envelope that carries its content hash and its
// ed25519 signatures (see Seal, Sign and Open). The package has no
// dependency beyond the standard library, so that the module stays small.
package bundle

import "github.com/jitconsent/jitconsent/engine/vocab"

// Format is the version of the bundle layout. A reader rejects any other.
const Format = 1

// Bundle is a compiled policy.
type Bundle struct {
	Format      int          `json:"format"`
	Policy      Policy       `json:"policy"`
	History     []Version    `json:"history"`
	Permissions []Permission `json:"permissions"`
	Purposes    []Purpose    `json:"purposes,omitempty"`
	Scenarios   []Scenario   `json:"scenarios"`
	SDKs        []SDK        `json:"sdks"`
	// Texts maps a locale to its texts, keyed by message id, or by message
	// id and permission ("settings.title:camera") for texts rendered once
	// per permission, or by "change:<version>:<n>" for the lines of what
	// changed in a version.
	Texts map[string]map[string]string `json:"texts"`
}

// Policy identifies the active policy version.
type Policy struct {
	ID              string   `json:"id"`
	Version         string   `json:"version"`
	Published       string   `json:"published"`
	Effective       string   `json:"effective"`
	DefaultLocale   string   `json:"default_locale"`
	Locales         []string `json:"locales"`
	CooldownSeconds int64    `json:"cooldown_seconds"`
	// Links are the documents the policy popup links to: the full policy
	// text and the list of SDKs, each in every locale.
	Links []Link `json:"links,omitempty"`
	// Controller is who processes the data; the engine does not read
	// it, consent records (package ledger) name it. Absent in bundles
	// from before issue 13.
	Controller *Controller `json:"controller,omitempty"`
}

// Controller is the personal information handler (PIPL art. 17) and how
// to reach it: its names and address as text keys (rendered in every
// locale), its contacts, and the law it answers to.
type Controller struct {
	Name    string `json:"name"`    // text key: the full name
	Short   string `json:"short"`   // text key: the short name
	Address string `json:"address"` // text key
	Contact string `json:"contact"` // text key: the department or officer who answers
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	// Jurisdiction is an ISO 3166-1 alpha-2 country code: CN.
	Jurisdiction string `json:"jurisdiction"`
}

// Link is a document the app links to in one kind: its title (a text
// key) and its https URL in each locale.
type Link struct {
	Kind  string            `json:"kind"`  // policy, sdk_list
	Title string            `json:"title"` // text key
	URLs  map[string]string `json:"urls"`  // locale -> https URL
}

// Version is one version of the policy and how it differs from the one
// before it. History lists them oldest first; the last is the active one.
type Version struct {
	Version   string   `json:"version"`
	Effective string   `json:"effective"`
	Change    string   `json:"change"` // first, major or minor
	Changes   []Change `json:"changes,omitempty"`
}

// Change is one difference between a version and the one before it.
type Change struct {
	Kind    string `json:"kind"`    // e.g. sdk_added, purpose_changed
	Class   string `json:"class"`   // one of ChangeClasses
	Subject string `json:"subject"` // the id of what changed
	Major   bool   `json:"major"`
	Text    string `json:"text"` // key of its rendered line in Texts
}

// Permission is a permission and its identifiers on each platform.
type Permission struct {
	ID      string    `json:"id"`
	Declare []Declare `json:"declare"`
}

// Declare gives a permission's identifiers on one platform for a range of
// platform versions (inclusive bounds, either optional), for one access
// level, and how the platform grants it (docs/PLATFORMS.md). Rows of one
// platform and access level do not overlap.
type Declare struct {
	Platform string `json:"platform"`
	Min      string `json:"min,omitempty"`
	Max      string `json:"max,omitempty"`
	// Access is the level the row serves: a vocab.Access word, "" for
	// full.
	Access string `json:"access,omitempty"`
	// Grant is how the platform grants it: a vocab.Grant word, "" for
	// runtime. A runtime row has IDs; an install row has IDs and nothing
	// is asked; a special row has Settings (and IDs, if the platform
	// declares the access); a none row has API and no IDs.
	Grant string   `json:"grant,omitempty"`
	IDs   []string `json:"ids"`
	// API is the platform's call that needs no permission, for a none
	// row: a picker (PHPickerViewController), a component (HarmonyOS's
	// SaveButton) or a store (MediaStore).
	API string `json:"api,omitempty"`
	// Settings is where the user grants a special access: an Android
	// settings action (android.settings.MANAGE_UNKNOWN_APP_SOURCES).
	Settings string `json:"settings,omitempty"`
}

// AccessLevel returns the row's access level.
func (d *Declare) AccessLevel() vocab.Access {
	a, _ := vocab.ParseAccess(d.Access)
	return a
}

// GrantKind returns how the platform grants the row.
func (d *Declare) GrantKind() vocab.Grant {
	g, _ := vocab.ParseGrant(d.Grant)
	return g
}

// Purpose is a named purpose of processing sensitive data. Separate
// consent (PIPL art. 29) is given per sensitive category and purpose, and
// never carries over to another purpose.
type Purpose struct {
	ID   string `json:"id"`
	Name string `json:"name"` // text key: the purpose as the user reads it
}

// Scenario is a business scenario with its steps.
type Scenario struct {
	ID    string `json:"id"`
	Steps []Step `json:"steps"`
}

// Step is one point of a scenario where permissions may be needed. Its
// consents are asked first, in order, then its permissions.
type Step struct {
	ID          string           `json:"id"`
	Consents    []StepPermission `json:"consents,omitempty"` // separate consents with no permission: ID is ""
	Permissions []StepPermission `json:"permissions,omitempty"`
	// SystemPrompts are the platform's own prompts the step uses once its
	// consents are given (biometric login: BiometricPrompt, Face ID...).
	// A step that has some is unavailable on a platform none admits, and
	// then shows the Unavailable text.
	SystemPrompts []SystemPrompt `json:"system_prompts,omitempty"`
	Unavailable   string         `json:"unavailable,omitempty"` // text key
}

// StepPermission is a permission that a step asks for, just in time, or
// (in Step.Consents, with no ID) a separate consent on its own.
type StepPermission struct {
	ID string `json:"id,omitempty"` // "" for a consent with no permission
	// Access is what the step needs of the permission: a vocab.Access
	// word, "" for full. Its platforms are those with a Declare row of
	// that level.
	Access      string `json:"access,omitempty"`
	Consequence string `json:"consequence"`
	Purpose     string `json:"purpose"`            // text key: the body of its rationale
	Refusal     string `json:"refusal"`            // text key
	Fallback    string `json:"fallback,omitempty"` // text key
	// Sensitive is the category of sensitive data processed, and
	// ConsentPurpose the id of the Purpose its separate consent is for;
	// both or neither.
	Sensitive      string       `json:"sensitive,omitempty"`
	ConsentPurpose string       `json:"consent_purpose,omitempty"`
	Platforms      []Constraint `json:"platforms"` // where the step asks it; at least one
}

// Separate reports whether the step permission needs separate consent.
func (sp *StepPermission) Separate() bool { return sp.ConsentPurpose != "" }

// SystemPrompt is a platform's own prompt a step uses (API names the
// host's call, e.g. "androidx.biometric.BiometricPrompt").
type SystemPrompt struct {
	Platform string `json:"platform"`
	Min      string `json:"min,omitempty"`
	Max      string `json:"max,omitempty"`
	API      string `json:"api"`
}

// Consent names a separate consent: a sensitive category for a purpose.
type Consent struct {
	Sensitive string `json:"sensitive"`
	Purpose   string `json:"purpose"` // a Purpose id
}

// OptionalData is data an SDK collects only when it is available: the
// permission it needs, if any, is granted and not withdrawn, and the
// separate consent it needs, if any, is given. It is no condition for the
// SDK to run; the response lists it per running SDK when it may be
// collected, so that the host switches it off in the SDK otherwise.
type OptionalData struct {
	Data       string `json:"data"`
	Permission string `json:"permission,omitempty"`
	Sensitive  string `json:"sensitive,omitempty"`
	Purpose    string `json:"purpose,omitempty"`
}

// Constraint admits a platform, optionally within a version range.
type Constraint struct {
	Platform string `json:"platform"`
	Min      string `json:"min,omitempty"`
	Max      string `json:"max,omitempty"`
}

// SDK is a third-party SDK and its basis: it runs, after consent to the
// policy, only while every condition holds: in one of its scenarios (none:
// anywhere in the app), with every permission it requires granted and not
// withdrawn, and with every separate consent it needs given.
type SDK struct {
	ID        string         `json:"id"`
	Category  string         `json:"category"`
	Platforms []string       `json:"platforms"`
	Scenarios []string       `json:"scenarios,omitempty"` // "scenario" or "scenario/step"
	Requires  []string       `json:"requires,omitempty"`  // permissions
	Consents  []Consent      `json:"consents,omitempty"`
	Optional  []OptionalData `json:"optional,omitempty"`
}

// Step returns the step scenario/step, or nil.
func (b *Bundle) Step(scenario, step string) *Step {
	for i := range b.Scenarios {
		sc := &b.Scenarios[i]
		if sc.ID != scenario {
			continue
		}
		for j := range sc.Steps {
			if sc.Steps[j].ID == step {
				return &sc.Steps[j]
			}
		}
	}
	return nil
}

// Declaration returns the row that declares a permission for an access
// level ("" for full) on a platform at a version, or nil where the policy
// has none. An empty version matches only rows without bounds.
func (b *Bundle) Declaration(permission, access, platform, version string) *Declare {
	if access == "" {
		access = vocab.AccessFull.String()
	}
	for i := range b.Permissions {
		p := &b.Permissions[i]
		if p.ID != permission {
			continue
		}
		for j := range p.Declare {
			d := &p.Declare[j]
			if d.Platform != platform || d.AccessLevel().String() != access {
				continue
			}
			if ok, err := InRange(version, d.Min, d.Max); err == nil && ok {
				return d
			}
		}
	}
	return nil
}

// PlatformIDs returns the identifiers of a permission for an access level
// on a platform at a version, or nil where the policy declares none.
func (b *Bundle) PlatformIDs(permission, access, platform, version string) []string {
	if d := b.Declaration(permission, access, platform, version); d != nil {
		return d.IDs
	}
	return nil
}

// AppliesTo reports whether a step permission applies on a platform at a
// version according to the step's own constraints (the permission's
// identifiers are a separate matter: see PlatformIDs).
func (sp *StepPermission) AppliesTo(platform, version string) bool {
	for _, c := range sp.Platforms {
		if c.Platform != platform {
			continue
		}
		if ok, err := InRange(version, c.Min, c.Max); err == nil && ok {
			return true
		}
	}
	return false
}

// Text returns the text for key in locale, or "" if there is none.
func (b *Bundle) Text(locale, key string) string {
	return b.Texts[locale][key]
}

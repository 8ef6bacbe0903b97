package ledger

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// The export: receipts as Kantara Initiative Consent Receipts (v1.1.0),
// the JSON shape other consent-management systems read, with the facts
// ISO/IEC TS 27560 asks a consent record to keep that the Kantara shape
// has no member for under "jitconsent". docs/RECORDS.md maps every
// member to the receipt and bundle it comes from.

// KantaraVersion is the "version" of an exported consent receipt.
const KantaraVersion = "KI-CR-v1.1.0"

// ConsentReceipt is one receipt in the Kantara Consent Receipt v1.1
// shape.
type ConsentReceipt struct {
	Version          string          `json:"version"`
	Jurisdiction     string          `json:"jurisdiction"`
	ConsentTimestamp int64           `json:"consentTimestamp"` // Unix seconds
	CollectionMethod string          `json:"collectionMethod"`
	ConsentReceiptID string          `json:"consentReceiptID"`
	Language         string          `json:"language"`
	PIIPrincipalID   string          `json:"piiPrincipalId"`
	PIIControllers   []PIIController `json:"piiControllers"`
	PolicyURL        string          `json:"policyUrl"`
	Services         []Service       `json:"services"`
	Sensitive        bool            `json:"sensitive"`
	SPICat           []string        `json:"spiCat"`
	Record           Record          `json:"jitconsent"`
}

// PIIController is the controller, from the bundle's policy.controller
// rendered in the receipt's locale.
type PIIController struct {
	PIIController string  `json:"piiController"`
	OnBehalf      bool    `json:"onBehalf"`
	Contact       string  `json:"contact"`
	Address       Address `json:"address"`
	Email         string  `json:"email"`
	Phone         string  `json:"phone"`
}

// Address is a postal address.
type Address struct {
	StreetAddress  string `json:"streetAddress"`
	AddressCountry string `json:"addressCountry"`
}

// Service is what the user was using: the scenario, or the app itself for
// the policy.
type Service struct {
	Service  string    `json:"service"`
	Purposes []Purpose `json:"purposes"`
}

// Purpose is the purpose the receipt records consent for.
type Purpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

// Record is the consent record behind an exported receipt: the ISO/IEC
// TS 27560 facts (the event, its state, the notice shown, where the
// record stands in its chain) that the Kantara shape has no member for.
type Record struct {
	// State is the consent's state after the event: given, refused,
	// withdrawn, or for a system dialog granted or denied.
	State           string   `json:"state"`
	Kind            string   `json:"kind"`
	Answer          string   `json:"answer"`
	Time            string   `json:"time"` // as recorded, with its offset
	TimeBehind      bool     `json:"time_behind,omitempty"`
	Policy          string   `json:"policy"`
	PolicyVersion   string   `json:"policy_version"`
	Bundle          string   `json:"bundle"`
	Platform        string   `json:"platform"`
	PlatformVersion string   `json:"platform_version"`
	Scenario        string   `json:"scenario,omitempty"`
	Step            string   `json:"step,omitempty"`
	Permission      string   `json:"permission,omitempty"`
	ConsentPurpose  string   `json:"consent_purpose,omitempty"`
	Notice          string   `json:"notice,omitempty"`       // the text hash
	NoticeTexts     []string `json:"notice_texts,omitempty"` // the texts shown, as hashed
	Installation    string   `json:"installation"`
	Seq             int64    `json:"seq"`
	Hash            string   `json:"hash"`
	Prev            string   `json:"prev"`
}

// ExportError is a receipt Export cannot describe.
type ExportError struct {
	Index        int
	Installation string
	Seq          int64
	Msg          string
}

func (e *ExportError) Error() string {
	return fmt.Sprintf("receipts[%d] (installation %q seq %d): %s", e.Index, e.Installation, e.Seq, e.Msg)
}

// Export describes each receipt as a Kantara consent receipt, from the
// receipt and the bundle of its policy version (the controller, the
// policy's URL, the names of the scenario and purpose in the receipt's
// locale, the SDKs that rely on the consent). It does not verify the
// chain: Verify it first.
func Export(chain []Receipt, bs *Bundles) ([]ConsentReceipt, error) {
	out := make([]ConsentReceipt, 0, len(chain))
	for i := range chain {
		r := &chain[i]
		fail := func(format string, args ...any) error {
			return &ExportError{Index: i, Installation: r.Installation, Seq: r.Seq, Msg: fmt.Sprintf(format, args...)}
		}
		es := bs.forVersion(r.Policy, r.Version, r.Bundle)
		if len(es) == 0 {
			return nil, fail("no bundle of %s %s among the bundles given", r.Policy, r.Version)
		}
		b := es[0].b
		t := func(key string) string { return b.Text(r.Locale, key) }
		if b.Texts[r.Locale] == nil {
			return nil, fail("the bundle of %s %s has no texts in %s", r.Policy, r.Version, r.Locale)
		}
		c := b.Policy.Controller
		if c == nil {
			return nil, fail("the bundle of %s %s names no controller (compiled before issue 13)", r.Policy, r.Version)
		}
		when, err := r.Instant()
		if err != nil {
			return nil, fail("time %q is not an RFC 3339 time", r.Time)
		}
		cr := ConsentReceipt{
			Version: KantaraVersion, Jurisdiction: c.Jurisdiction, ConsentTimestamp: when.Unix(),
			CollectionMethod: collectionMethod(r), ConsentReceiptID: r.RecordedID, Language: r.Locale,
			PIIPrincipalID: r.Installation,
			PIIControllers: []PIIController{{PIIController: t(c.Name), Contact: t(c.Contact),
				Address: Address{StreetAddress: t(c.Address), AddressCountry: c.Jurisdiction}, Email: c.Email, Phone: c.Phone}},
			Sensitive: r.Sensitive != "", SPICat: []string{},
			Record: Record{State: consentState(r), Kind: r.Kind, Answer: r.Answer, Time: r.Time, TimeBehind: r.TimeBehind,
				Policy: r.Policy, PolicyVersion: r.Version, Bundle: r.Bundle, Platform: r.Platform, PlatformVersion: r.PlatformVersion,
				Scenario: r.Scenario, Step: r.Step, Permission: r.Permission, Notice: r.Text,
				Installation: r.Installation, Seq: r.Seq, Hash: r.RecordedHash, Prev: r.Prev},
		}
		if r.Sensitive != "" {
			cr.SPICat = []string{r.Sensitive}
			cr.Record.ConsentPurpose = r.Sensitive + "/" + r.Purpose
		}
		for _, l := range b.Policy.Links {
			if l.Kind == "policy" {
				cr.PolicyURL = l.URLs[r.Locale]
			}
		}
		if sc, err := bs.Shown(r); err == nil && sc != nil {
			cr.Record.NoticeTexts = sc.Texts
		}
		cr.Services = []Service{service(r, b, t)}
		out = append(out, cr)
	}
	return out, nil
}

// service describes what the receipt consents to.
func service(r *Receipt, b *bundle.Bundle, t func(string) string) Service {
	p := Purpose{ConsentType: "EXPLICIT", PIICategory: []string{}, Termination: "until withdrawn in the app, or the account is closed"}
	// The SDKs embedded on the receipt's platform whose basis the consent
	// is: they process the data it gives access to.
	sdks := func(match func(s *bundle.SDK) bool) {
		var names []string
		for i := range b.SDKs {
			if slices.Contains(b.SDKs[i].Platforms, r.Platform) && match(&b.SDKs[i]) {
				names = append(names, b.SDKs[i].ID)
			}
		}
		p.ThirdPartyDisclosure = len(names) > 0
		p.ThirdPartyName = strings.Join(names, ", ")
	}
	if r.Scenario == "" {
		// The policy (or the withdrawal of a permission or consent, which
		// names no step): the app as a whole.
		p.Purpose = t("policy.title") + " " + r.Version
		p.PurposeCategory = []string{"privacy_policy"}
		p.PrimaryPurpose = r.Kind == "policy" || r.Permission == "" && r.Sensitive == ""
		if r.Permission != "" {
			p.Purpose = t("permission." + r.Permission + ".name")
			p.PIICategory = []string{r.Permission}
			p.PurposeCategory = []string{"permission"}
		}
		if r.Sensitive != "" {
			p.Purpose = purposeName(b, r.Purpose, t)
			p.PIICategory = append(p.PIICategory, r.Sensitive)
			p.PurposeCategory = []string{r.Purpose}
		}
		switch {
		case r.Permission != "":
			sdks(func(s *bundle.SDK) bool { return slices.Contains(s.Requires, r.Permission) })
		case r.Sensitive != "":
			sdks(func(s *bundle.SDK) bool { return hasConsent(s, r.Sensitive, r.Purpose) })
		default:
			sdks(func(*bundle.SDK) bool { return true })
		}
		return Service{Service: t(b.Policy.Controller.Short), Purposes: []Purpose{p}}
	}
	// A step's ask: its purpose text, what it gives access to, and
	// whether the step needs it.
	p.PurposeCategory = []string{r.Scenario + "/" + r.Step}
	if st := b.Step(r.Scenario, r.Step); st != nil {
		for _, sp := range append(append([]bundle.StepPermission(nil), st.Consents...), st.Permissions...) {
			if sp.ID == r.Permission && (r.Sensitive == "" || sp.Sensitive == r.Sensitive && sp.ConsentPurpose == r.Purpose) ||
				r.Permission == "" && sp.ID == "" && sp.Sensitive == r.Sensitive && sp.ConsentPurpose == r.Purpose {
				p.Purpose = t(sp.Purpose)
				p.PrimaryPurpose = sp.Consequence == "blocking"
				break
			}
		}
	}
	if r.Permission != "" {
		p.PIICategory = append(p.PIICategory, r.Permission)
	}
	if r.Sensitive != "" {
		p.PIICategory = append(p.PIICategory, r.Sensitive)
		p.PurposeCategory = append(p.PurposeCategory, r.Purpose)
	}
	sdks(func(s *bundle.SDK) bool {
		return r.Permission != "" && slices.Contains(s.Requires, r.Permission) || r.Sensitive != "" && hasConsent(s, r.Sensitive, r.Purpose)
	})
	return Service{Service: t("scenario." + r.Scenario + ".name"), Purposes: []Purpose{p}}
}

func hasConsent(s *bundle.SDK, sensitive, purpose string) bool {
	for _, c := range s.Consents {
		if c.Sensitive == sensitive && c.Purpose == purpose {
			return true
		}
	}
	for _, o := range s.Optional {
		if o.Sensitive == sensitive && o.Purpose == purpose {
			return true
		}
	}
	return false
}

func purposeName(b *bundle.Bundle, id string, t func(string) string) string {
	for _, p := range b.Purposes {
		if p.ID == id {
			return t(p.Name)
		}
	}
	return id
}

// consentState is the state of consent after the receipt's event.
func consentState(r *Receipt) string {
	switch r.Answer {
	case "accepted":
		return "given"
	case "declined":
		return "refused"
	case "withdrawn":
		return "withdrawn"
	case "granted", "limited":
		return "granted"
	}
	return "denied" // denied, denied_forever, dismissed
}

// collectionMethod says how the answer was collected.
func collectionMethod(r *Receipt) string {
	on := " on " + r.Platform
	if r.PlatformVersion != "" {
		on += " " + r.PlatformVersion
	}
	switch r.Kind {
	case "policy":
		return "the app's privacy policy popup" + on
	case "rationale":
		if r.Platform == "ios" {
			return "the app's pre-permission screen before the system dialog" + on
		}
		return "the app's rationale screen before the system permission dialog" + on
	case "permission":
		return "the system permission dialog, after the app's rationale" + on
	case "consent":
		return "the app's separate-consent screen" + on
	}
	return "a withdrawal in the app" + on
}

// WriteExportText writes exported receipts for people, one block each.
func WriteExportText(w io.Writer, crs []ConsentReceipt) error {
	bw := bufio.NewWriter(w)
	for i, cr := range crs {
		if i > 0 {
			bw.WriteString("\n")
		}
		c := cr.PIIControllers[0]
		p := cr.Services[0].Purposes[0]
		fmt.Fprintf(bw, "consent receipt %s (%s)\n", cr.ConsentReceiptID, cr.Version)
		fmt.Fprintf(bw, "  controller:   %s, %s (%s); %s, %s, %s\n", c.PIIController, c.Address.StreetAddress, cr.Jurisdiction, c.Contact, c.Phone, c.Email)
		fmt.Fprintf(bw, "  principal:    installation %s, seq %d\n", cr.PIIPrincipalID, cr.Record.Seq)
		fmt.Fprintf(bw, "  time:         %s\n", cr.Record.Time)
		fmt.Fprintf(bw, "  method:       %s, in %s\n", cr.CollectionMethod, cr.Language)
		fmt.Fprintf(bw, "  policy:       %s %s, %s\n", cr.Record.Policy, cr.Record.PolicyVersion, cr.PolicyURL)
		fmt.Fprintf(bw, "  service:      %s\n", cr.Services[0].Service)
		fmt.Fprintf(bw, "  purpose:      %s\n", oneLine(p.Purpose))
		if len(p.PIICategory) > 0 {
			fmt.Fprintf(bw, "  data:         %s\n", strings.Join(p.PIICategory, ", "))
		}
		if cr.Sensitive {
			fmt.Fprintf(bw, "  sensitive:    %s, separate consent for %s\n", strings.Join(cr.SPICat, ", "), cr.Record.ConsentPurpose)
		}
		if p.ThirdPartyDisclosure {
			fmt.Fprintf(bw, "  SDKs relying: %s\n", p.ThirdPartyName)
		}
		fmt.Fprintf(bw, "  answer:       %s (%s)\n", cr.Record.Answer, cr.Record.State)
		if len(cr.Record.NoticeTexts) > 0 {
			fmt.Fprintf(bw, "  shown:        %s\n", oneLine(cr.Record.NoticeTexts[0]))
		}
	}
	return bw.Flush()
}

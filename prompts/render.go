package prompts

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// Template data. Messages are go-i18n templates; each kind of message sees
// one of these structs, so that a message that names a field its kind does
// not have fails to render (and the linter says so) rather than printing
// "<no value>" to a user.

// PolicyData is what every message may use.
type PolicyData struct {
	App           string // the controller's short name
	Org           string // the controller's full name
	Address       string
	Contact       string // who answers about personal information: the department or officer
	Phone         string
	Email         string
	Version       string
	Effective     string // 2022-03-29
	ResponseDays  int    // working days to answer a request
	CooldownHours int    // hours an optional permission is left alone after a refusal
}

// PermissionData is for messages rendered once per permission.
type PermissionData struct {
	PolicyData
	Permission string // the permission's name in this locale
	// Special is true in a settings text (settings.body.<platform>) of a
	// permission that is a special access on that platform, which the
	// user grants on its own settings page rather than among the app's
	// permissions (installing packages on Android).
	Special bool
}

// SensitiveData is for messages rendered once per sensitive category.
type SensitiveData struct {
	PolicyData
	Category string // the category's name in this locale
}

// SeparateData is for the line that asks separate consent to a sensitive
// category for one purpose, rendered once per category and purpose that a
// step asks.
type SeparateData struct {
	PolicyData
	Category string // the category's name in this locale
	Purpose  string // the purpose's name in this locale
}

// ChangeData is for the lines of an update popup.
type ChangeData struct {
	PolicyData
	Subject string // what changed, named in this locale
	Step    string // the step it concerns, named in this locale ("" if none)
	Purpose string // the purpose of a separate consent it concerns, named in this locale ("" if none)
}

// renderer renders the messages of one locale for one policy version.
type renderer struct {
	locale string
	loc    *i18n.Localizer
	cat    *Catalog
	data   PolicyData
	// missing collects the messages the locale lacks, which then render
	// empty (Project.missing).
	missing map[string]bool
}

// renderError is a message that failed to render.
type renderError struct {
	id, locale string
	err        error
}

func (e *renderError) Error() string {
	return fmt.Sprintf("%s in %s: %v", e.id, e.locale, e.err)
}

func (p *Project) renderer(pol *Policy, locale string) (*renderer, error) {
	r := &renderer{locale: locale, loc: i18n.NewLocalizer(pol.i18n, locale), cat: p.catalog(pol, locale), missing: p.missing}
	c := pol.Controller
	var err error
	raw := func(id string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = r.render(id, nil)
		return s
	}
	r.data = PolicyData{
		App: raw(c.Short), Org: raw(c.Name), Address: raw(c.Address), Contact: raw(c.Contact),
		Phone: c.Phone, Email: c.Email,
		Version: pol.Meta.Version, Effective: pol.Meta.Effective.String(),
		ResponseDays: c.ResponseDays, CooldownHours: int(pol.Meta.Cooldown.Hours()),
	}
	return r, err
}

// render renders one message with data, refusing go-i18n's fallback to the
// default language: a text missing in this locale is an error.
func (r *renderer) render(id string, data any) (string, error) {
	if r.cat == nil || r.cat.Messages[id] == nil {
		if r.missing != nil {
			r.missing[id] = true
			return "", nil
		}
		return "", &renderError{id: id, locale: r.locale, err: fmt.Errorf("message %s is missing", strconv.Quote(id))}
	}
	if data == nil {
		data = struct{}{}
	}
	s, _, err := r.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return "", &renderError{id: id, locale: r.locale, err: err}
	}
	return s, nil
}

// plain renders a message with the policy's data.
func (r *renderer) plain(id string) (string, error) { return r.render(id, r.data) }

// permission renders a per-permission message for one permission;
// special says whether it is a special access where the text applies.
func (r *renderer) permission(id, perm string, special bool) (string, error) {
	name, err := r.plain("permission." + perm + ".name")
	if err != nil {
		return "", err
	}
	return r.render(id, PermissionData{PolicyData: r.data, Permission: name, Special: special})
}

// sensitive renders a per-category message for one sensitive category.
func (r *renderer) sensitive(id, category string) (string, error) {
	name, err := r.plain("sensitive." + category)
	if err != nil {
		return "", err
	}
	return r.render(id, SensitiveData{PolicyData: r.data, Category: name})
}

// separate renders the separate-consent line for a category and purpose.
func (r *renderer) separate(id, category, purpose string, pol *Policy) (string, error) {
	cat, err := r.plain("sensitive." + category)
	if err != nil {
		return "", err
	}
	name, err := r.purposeName(purpose, pol)
	if err != nil {
		return "", err
	}
	return r.render(id, SeparateData{PolicyData: r.data, Category: cat, Purpose: name})
}

// purposeName names a [[purpose]] of pol in this locale.
func (r *renderer) purposeName(id string, pol *Policy) (string, error) {
	pu := pol.Purpose(id)
	if pu == nil {
		return "", fmt.Errorf("no purpose %s in policy %s", strconv.Quote(id), pol.Meta.Version)
	}
	return r.plain(pu.Name)
}

// change renders the update-popup line of one change.
func (r *renderer) change(c Change, pol *Policy) (string, error) {
	subject, err := r.subject(c, pol)
	if err != nil {
		return "", err
	}
	step, purpose := "", ""
	if c.Step != "" {
		if step, err = r.stepName(c.Step); err != nil {
			return "", err
		}
	}
	if c.Purpose != "" {
		if purpose, err = r.plain(c.Purpose); err != nil {
			return "", err
		}
	}
	return r.render("change."+c.Kind, ChangeData{PolicyData: r.data, Subject: subject, Step: step, Purpose: purpose})
}

// subject names what a change is about, in this locale.
func (r *renderer) subject(c Change, pol *Policy) (string, error) {
	switch c.Kind {
	case "permission_added", "permission_removed", "purpose_changed", "consequence_changed",
		"separate_consent_changed", "platforms_changed", "declare_changed":
		return r.plain("permission." + c.Subject + ".name")
	case "consent_added", "consent_removed", "consent_changed":
		return r.plain("sensitive." + c.Subject)
	case "consent_purpose_changed":
		return r.purposeName(c.Subject, pol)
	case "system_prompt_changed":
		return r.stepName(c.Subject)
	case "data_added", "data_removed":
		return r.plain("data." + c.Subject)
	case "sdk_added", "sdk_removed", "sdk_changed":
		return r.plain("sdk." + c.Subject + ".name")
	case "recipient_added", "recipient_removed", "recipient_changed":
		return r.plain("recipient." + c.Subject + ".name")
	case "right_added", "right_removed":
		return r.plain("right." + c.Subject)
	case "scenario_added", "scenario_removed":
		return r.plain("scenario." + c.Subject + ".name")
	case "step_added", "step_removed":
		return r.stepName(c.Subject)
	case "contact_changed":
		switch c.Subject {
		case "phone":
			return pol.Controller.Phone, nil
		case "email":
			return pol.Controller.Email, nil
		case "address":
			return r.data.Address, nil
		case "contact":
			return r.data.Contact, nil
		case "response_days":
			return strconv.Itoa(pol.Controller.ResponseDays), nil
		}
	case "controller_changed":
		return r.data.Org, nil
	case "text_changed":
		if step, ok := strings.CutPrefix(c.about, "step:"); ok {
			return r.stepName(step)
		}
		if c.about != "" {
			return r.plain(c.about)
		}
		return r.plain("text_subject.prompts")
	case "cooldown_changed":
		return strconv.Itoa(r.data.CooldownHours), nil
	}
	return "", nil
}

// stepName names "scenario/step" as "scenario name · step name".
func (r *renderer) stepName(step string) (string, error) {
	sc, st, _ := strings.Cut(step, "/")
	a, err := r.plain("scenario." + sc + ".name")
	if err != nil {
		return "", err
	}
	b, err := r.plain("step." + sc + "." + st + ".name")
	if err != nil {
		return "", err
	}
	return a + " · " + b, nil
}

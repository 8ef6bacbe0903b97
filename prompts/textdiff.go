package prompts

import (
	"fmt"
	"slices"
	"strings"
)

// textSubjects are the messages that name, in an update popup's line,
// what a changed text of the policy's own is about when it belongs to no
// permission, data type, SDK or other thing with a name of its own.
var textSubjects = []string{"text_subject.rights", "text_subject.contact", "text_subject.prompts"}

// textRole is what a message is in a version: the class of a change of
// its text, and what the popup line names.
type textRole struct {
	class   string
	subject string // message id whose text names what changed, or "step:<scenario/step>"
	step    string // "scenario/step", if the text belongs to a step
	purpose string // message id naming the purpose of the consent it concerns, if any
}

// textRoles maps every message a version names to its role.
func (pol *Policy) textRoles() map[string]textRole {
	roles := map[string]textRole{}
	set := func(id string, r textRole) {
		if _, ok := roles[id]; id != "" && !ok {
			roles[id] = r
		}
	}
	for _, sc := range pol.Scenarios {
		for _, st := range sc.Steps {
			step := StepID(sc.ID, st.ID)
			for _, c := range st.Consents {
				subj, purpose := "sensitive."+c.Sensitive, ""
				if pu := pol.Purpose(c.SeparateConsent); pu != nil {
					purpose = pu.Name
				}
				set(c.Purpose, textRole{class: "purpose", subject: subj, step: step, purpose: purpose})
				set(c.Refusal, textRole{class: "experience", subject: subj, step: step, purpose: purpose})
				set(c.Fallback, textRole{class: "experience", subject: subj, step: step, purpose: purpose})
			}
			for _, sp := range st.Permissions {
				subj := "permission." + sp.ID + ".name"
				set(sp.Purpose, textRole{class: "purpose", subject: subj, step: step})
				set(sp.Refusal, textRole{class: "purpose", subject: subj, step: step})
				set(sp.Fallback, textRole{class: "experience", subject: subj, step: step})
			}
			set(st.Unavailable, textRole{class: "experience", subject: "step:" + step, step: ""})
		}
	}
	for _, pu := range pol.Purposes {
		set(pu.Name, textRole{class: "purpose", subject: pu.Name})
	}
	return roles
}

// roleOf returns the role of a message in a version: its own, or the one
// its id says.
func (pol *Policy) roleOf(roles map[string]textRole, id string) textRole {
	if r, ok := roles[id]; ok {
		return r
	}
	parts := strings.Split(id, ".")
	switch {
	case parts[0] == "data":
		return textRole{class: "data_type", subject: id}
	case parts[0] == "sdk" && len(parts) == 3:
		return textRole{class: "sharing", subject: "sdk." + parts[1] + ".name"}
	case parts[0] == "recipient" && len(parts) == 3:
		return textRole{class: "sharing", subject: "recipient." + parts[1] + ".name"}
	case parts[0] == "right":
		return textRole{class: "rights", subject: id}
	case parts[0] == "org":
		return textRole{class: "contact", subject: "text_subject.contact"}
	case parts[0] == "permission" && len(parts) == 3:
		class := "experience"
		if parts[2] == "usage" {
			class = "purpose" // the purpose the system's own dialog states
		}
		return textRole{class: class, subject: "permission." + parts[1] + ".name"}
	case parts[0] == "step" && len(parts) == 4:
		return textRole{class: "experience", subject: "step:" + StepID(parts[1], parts[2])}
	case parts[0] == "scenario", parts[0] == "sensitive", parts[0] == "sdk_category", parts[0] == "link":
		return textRole{class: "experience", subject: id}
	case id == "policy.body" || id == "policy.title" || id == "policy.accept" || id == "policy.decline" || id == "basic_mode.body":
		return textRole{class: "experience", subject: "policy.title"}
	case parts[0] == "policy" && len(parts) > 1 && parts[1] == "update":
		return textRole{class: "experience", subject: "policy.update.title"}
	}
	return textRole{class: "experience", subject: "text_subject.prompts"}
}

// contactFields are the template fields that name the controller's
// contacts: a changed line holding one says how to reach them.
var contactFields = []string{".Phone", ".Email", ".Address", ".Contact", ".ResponseDays"}

// namesContacts reports whether a line that one text has and the other
// has not names the controller's contacts.
func namesContacts(old, new string) bool {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	for _, pair := range [][2][]string{{a, b}, {b, a}} {
		for _, line := range pair[0] {
			if slices.Contains(pair[1], line) {
				continue
			}
			for _, f := range contactFields {
				if strings.Contains(line, f) {
					return true
				}
			}
		}
	}
	return false
}

// diffTexts lists the messages whose text differs between two versions,
// each version with its own texts (shared files and overlay), message by
// message in every locale of the newer one. The texts are compared as the
// version has them, before the policy's data goes in: what the policy
// file gives them (contacts, cooldown) is compared by Diff itself, and the
// version and date always differ. The popup lines (change.*) and the words
// they use (text_subject.*) are not the policy's texts.
func diffTexts(old, new *Policy) []Change {
	if old.catalogs == nil || new.catalogs == nil {
		return nil // a version not loaded by Load has no texts
	}
	roles := new.textRoles()
	editorial := map[string]string{}
	for _, e := range new.Editorial {
		editorial[e.Message] = e.Reason
	}
	var out []Change
	seen := map[string]bool{}
	for _, ref := range append(fixedMessages(), new.references()...) {
		id := ref.id
		if seen[id] || strings.HasPrefix(id, "change.") || strings.HasPrefix(id, "text_subject.") {
			continue
		}
		seen[id] = true
		var locales []string
		contacts := false
		for _, loc := range new.Meta.Locales {
			oc, nc := old.catalogs[loc], new.catalogs[loc]
			if oc == nil || nc == nil || oc.Messages[id] == nil || nc.Messages[id] == nil {
				continue // a message the older version did not have comes with a change of its own
			}
			if a, b := oc.Messages[id].Text, nc.Messages[id].Text; a != b {
				locales = append(locales, loc)
				contacts = contacts || namesContacts(a, b)
			}
		}
		if len(locales) == 0 {
			continue
		}
		role := new.roleOf(roles, id)
		switch {
		case id == "policy.body" && contacts:
			role.class, role.subject = "rights", "text_subject.rights" // the line on exercising the rights names the channels
		case contacts && role.class == "experience":
			role.class, role.subject = "contact", "text_subject.contact"
		}
		detail := fmt.Sprintf("text of %s changed in %s", id, strings.Join(locales, ", "))
		if reason, ok := editorial[id]; ok {
			role.class = "experience"
			detail += fmt.Sprintf(" (editorial: %s)", reason)
		}
		out = append(out, Change{Kind: "text_changed", Class: role.class, Subject: id, Step: role.step,
			Purpose: role.purpose, Detail: detail, about: role.subject})
	}
	return out
}

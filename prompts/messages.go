package prompts

import (
	"strconv"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// tmplKind says which template data a message is rendered with.
type tmplKind int

const (
	kindPlain      tmplKind = iota // the policy's own data: .App, .Org, .Phone ...
	kindRaw                        // no data at all: the controller's names, used inside every other text
	kindPermission                 // plus .Permission, rendered once per permission
	kindSensitive                  // plus .Category, rendered once per sensitive category a step asks consent to
	kindSeparate                   // plus .Category and .Purpose, rendered once per category and purpose a step asks
	kindChange                     // plus .Subject and .Step, rendered once per change line
)

// msgRef is a message that the project needs.
type msgRef struct {
	id     string
	kind   tmplKind
	bundle bool        // carried in the compiled bundle
	pos    errcode.Pos // where a policy names it; zero for messages every project has
	key    string
}

// fixedMessages are the messages every project has, whatever its policy.
func fixedMessages() []msgRef {
	var refs []msgRef
	for _, id := range bundle.EngineTexts() {
		refs = append(refs, msgRef{id: id, kind: kindPlain, bundle: true})
	}
	for _, id := range []string{bundle.RationaleTitle, bundle.SettingsTitle, bundle.BlockTitle} {
		refs = append(refs, msgRef{id: id, kind: kindPermission, bundle: true})
	}
	for _, pl := range vocab.Names(vocab.NumPlatforms) {
		refs = append(refs, msgRef{id: "settings.body." + pl, kind: kindPermission, bundle: true})
	}
	refs = append(refs, msgRef{id: "rationale.separate", kind: kindSeparate, bundle: true})
	for _, id := range []string{bundle.ConsentTitle, bundle.ConsentBlock} {
		refs = append(refs, msgRef{id: id, kind: kindSensitive, bundle: true})
	}
	for _, k := range changeKinds {
		refs = append(refs, msgRef{id: "change." + k, kind: kindChange})
	}
	for _, id := range textSubjects {
		refs = append(refs, msgRef{id: id, kind: kindPlain})
	}
	return refs
}

// references lists every message a policy version needs, with where it
// names each one.
func (p *Policy) references() []msgRef {
	var refs []msgRef
	named := func(id string, kind tmplKind, inBundle bool, key string) {
		if id == "" {
			return
		}
		refs = append(refs, msgRef{id: id, kind: kind, bundle: inBundle, pos: p.pos(key), key: key})
	}
	conv := func(id string, kind tmplKind, inBundle bool, key string) {
		refs = append(refs, msgRef{id: id, kind: kind, bundle: inBundle, pos: p.pos(key), key: key})
	}
	named(p.Controller.Name, kindRaw, true, "controller.name")
	named(p.Controller.Short, kindRaw, true, "controller.short")
	named(p.Controller.Address, kindRaw, true, "controller.address")
	named(p.Controller.Contact, kindRaw, true, "controller.contact")
	for _, r := range p.Meta.Rights {
		conv("right."+r, kindPlain, false, "policy.rights")
	}
	for i, perm := range p.Permissions {
		key := idx("permission", i)
		conv("permission."+perm.ID+".name", kindPlain, true, key)
		conv("permission."+perm.ID+".usage", kindPlain, false, key)
	}
	for i, pu := range p.Purposes {
		named(pu.Name, kindPlain, true, idx("purpose", i)+".name")
	}
	sensitive := map[string]bool{}
	category := func(cat, key string) {
		if cat != "" && !sensitive[cat] {
			sensitive[cat] = true
			conv("sensitive."+cat, kindPlain, false, key)
		}
	}
	for i, sc := range p.Scenarios {
		skey := idx("scenario", i)
		conv("scenario."+sc.ID+".name", kindPlain, true, skey)
		for _, d := range sc.Data {
			conv("data."+d, kindPlain, false, skey+".data")
		}
		for j, st := range sc.Steps {
			tkey := skey + "." + idx("step", j)
			conv("step."+sc.ID+"."+st.ID+".name", kindPlain, true, tkey)
			for _, d := range st.Data {
				conv("data."+d, kindPlain, false, tkey+".data")
			}
			named(st.Unavailable, kindPlain, true, tkey+".unavailable")
			for k, c := range st.Consents {
				ckey := tkey + "." + idx("consent", k)
				named(c.Purpose, kindPlain, true, ckey+".purpose")
				named(c.Refusal, kindPlain, true, ckey+".refusal")
				named(c.Fallback, kindPlain, true, ckey+".fallback")
				category(c.Sensitive, ckey+".sensitive")
			}
			for k, sp := range st.Permissions {
				pkey := tkey + "." + idx("permission", k)
				named(sp.Purpose, kindPlain, true, pkey+".purpose")
				named(sp.Refusal, kindPlain, true, pkey+".refusal")
				named(sp.Fallback, kindPlain, true, pkey+".fallback")
				category(sp.Sensitive, pkey+".sensitive")
			}
		}
	}
	categories := map[string]bool{}
	for i, s := range p.SDKs {
		key := idx("sdk", i)
		conv("sdk."+s.ID+".name", kindPlain, false, key)
		conv("sdk."+s.ID+".provider", kindPlain, false, key)
		conv("sdk."+s.ID+".purpose", kindPlain, false, key)
		if !categories[s.Category] {
			categories[s.Category] = true
			conv("sdk_category."+s.Category, kindPlain, false, key+".category")
		}
		for _, d := range s.Collects {
			conv("data."+d, kindPlain, false, key+".collects")
		}
		for _, d := range s.Receives {
			conv("data."+d, kindPlain, false, key+".receives")
		}
	}
	for _, kind := range LinkKinds {
		conv(LinkTitle(kind), kindPlain, true, "links."+kind)
	}
	for i, r := range p.Recipients {
		key := idx("recipient", i)
		conv("recipient."+r.ID+".name", kindPlain, false, key)
		conv("recipient."+r.ID+".purpose", kindPlain, false, key)
		for _, d := range r.Data {
			conv("data."+d, kindPlain, false, key+".data")
		}
	}
	return refs
}

// LinkTitle is the message id of a link's title: link.<kind>.
func LinkTitle(kind string) string { return "link." + kind }

func idx(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}

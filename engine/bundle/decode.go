package bundle

import (
	"strconv"
	"unsafe"

	"github.com/jitconsent/jitconsent/engine/internal/jsontext"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// The bundle reader is reflection-free, like the engine's request reader:
// in the wasm module encoding/json took most of the 30 ms of opening the
// embedded bundle and a quarter of a megabyte of module (hostsim's
// BenchmarkInstantiate and BenchmarkModuleSize). It is strict: an unknown
// field is an error that names its path, as a bundle from another build
// of the compiler must not be half understood; and a name given twice,
// invalid UTF-8 or data after the document is an error, as every other
// reader would read such a bundle otherwise (JSON.parse takes the last of
// two names; this reader appended to its lists for each).

// decoder reads one document, remembering the first error.
type decoder struct {
	s jsontext.Scanner
	// share makes strings share the document's memory when they have no
	// escapes (see OpenEmbedded).
	share bool
	// trailing: the error is data after the document.
	trailing bool
}

func (d *decoder) err() error {
	if d.s.Err == nil {
		return nil
	}
	return badBundle(message(d.s.Err))
}

// message words a scanner's error for a bundle error. A repeated name's
// message names the object already.
func message(e *errcode.Error) string {
	if e.Field == "" || e.Code == errcode.DuplicateField {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// end checks that nothing follows the document read: a payload or an
// envelope.
func (d *decoder) end(what string) {
	if d.s.Err == nil && !d.s.End() {
		d.s.Err.Message = "data after the " + what + " at byte " + strconv.Itoa(d.s.Pos)
		d.trailing = true
	}
}

// object calls member for each key of an object at path.
func (d *decoder) object(path string, member func(key string)) {
	if !d.s.Object(path) {
		return
	}
	first := true
	for {
		key, ok := d.s.Next(&first, path)
		if !ok {
			return
		}
		member(string(key))
		if d.s.Err != nil {
			return
		}
	}
}

// array calls elem for each element of an array at path.
func (d *decoder) array(path string, elem func(i int)) {
	if !d.s.Array(path) {
		return
	}
	first := true
	for i := 0; d.s.More(&first, path); i++ {
		elem(i)
		if d.s.Err != nil {
			return
		}
	}
}

func (d *decoder) unknown(path, key string) {
	d.s.Fail(errcode.BadBundle, path, "unknown field "+strconv.Quote(key))
}

func (d *decoder) str(path string) string {
	v, _ := d.s.Str(path)
	if len(v) == 0 {
		return ""
	}
	// Str's bytes are the document's own if the string had no escapes,
	// else new memory that nothing else holds, which needs no copy.
	if inDoc := &v[0] == &d.s.Data[d.s.Pos-1-len(v)]; d.share || !inDoc {
		return unsafe.String(&v[0], len(v))
	}
	return string(v)
}

func (d *decoder) strs(path string) []string {
	var out []string
	d.array(path, func(int) { out = append(out, d.str(path)) })
	return out
}

func (d *decoder) int(path string) int64 {
	n, _ := d.s.Int(path)
	return n
}

func (d *decoder) bool(path string) bool {
	v, _ := d.s.Bool(path)
	return v
}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// decodePayload reads a bundle's JSON.
func decodePayload(payload []byte) (*Bundle, error) { return decode(payload, false, false) }

// checked says that readEnvelope has checked payload whole.
func decode(payload []byte, share, checked bool) (*Bundle, error) {
	d := &decoder{s: jsontext.New(payload), share: share}
	d.s.Checked = checked
	var b Bundle
	d.object("payload", func(key string) {
		switch key {
		case "format":
			b.Format = int(d.int("format"))
		case "policy":
			d.policy(&b.Policy)
		case "history":
			d.array("history", func(i int) { b.History = append(b.History, d.version(idx("history", i))) })
		case "permissions":
			d.array("permissions", func(i int) { b.Permissions = append(b.Permissions, d.permission(idx("permissions", i))) })
		case "purposes":
			d.array("purposes", func(i int) { b.Purposes = append(b.Purposes, d.purpose(idx("purposes", i))) })
		case "scenarios":
			d.array("scenarios", func(i int) { b.Scenarios = append(b.Scenarios, d.scenario(idx("scenarios", i))) })
		case "sdks":
			d.array("sdks", func(i int) { b.SDKs = append(b.SDKs, d.sdk(idx("sdks", i))) })
		case "texts":
			b.Texts = map[string]map[string]string{}
			d.object("texts", func(loc string) {
				path := "texts." + loc
				texts := map[string]string{}
				d.object(path, func(k string) { texts[k] = d.str(path) })
				b.Texts[loc] = texts
			})
		default:
			d.unknown("payload", key)
		}
	})
	d.end("payload")
	if err := d.err(); err != nil {
		return nil, err
	}
	return &b, nil
}

func (d *decoder) policy(p *Policy) {
	d.object("policy", func(key string) {
		path := "policy." + key
		switch key {
		case "id":
			p.ID = d.str(path)
		case "version":
			p.Version = d.str(path)
		case "published":
			p.Published = d.str(path)
		case "effective":
			p.Effective = d.str(path)
		case "default_locale":
			p.DefaultLocale = d.str(path)
		case "locales":
			p.Locales = d.strs(path)
		case "cooldown_seconds":
			p.CooldownSeconds = d.int(path)
		case "links":
			d.array(path, func(i int) { p.Links = append(p.Links, d.link(idx(path, i))) })
		case "controller":
			p.Controller = d.controller(path)
		default:
			d.unknown("policy", key)
		}
	})
}

func (d *decoder) controller(path string) *Controller {
	var c Controller
	d.object(path, func(key string) {
		switch key {
		case "name":
			c.Name = d.str(path)
		case "short":
			c.Short = d.str(path)
		case "address":
			c.Address = d.str(path)
		case "contact":
			c.Contact = d.str(path)
		case "phone":
			c.Phone = d.str(path)
		case "email":
			c.Email = d.str(path)
		case "jurisdiction":
			c.Jurisdiction = d.str(path)
		default:
			d.unknown(path, key)
		}
	})
	return &c
}

func (d *decoder) link(path string) Link {
	var l Link
	d.object(path, func(key string) {
		switch key {
		case "kind":
			l.Kind = d.str(path)
		case "title":
			l.Title = d.str(path)
		case "urls":
			up := path + ".urls"
			l.URLs = map[string]string{}
			d.object(up, func(loc string) { l.URLs[loc] = d.str(up) })
		default:
			d.unknown(path, key)
		}
	})
	return l
}

func (d *decoder) version(path string) Version {
	var v Version
	d.object(path, func(key string) {
		switch key {
		case "version":
			v.Version = d.str(path)
		case "effective":
			v.Effective = d.str(path)
		case "change":
			v.Change = d.str(path)
		case "changes":
			d.array(path+".changes", func(i int) {
				var c Change
				cp := idx(path+".changes", i)
				d.object(cp, func(key string) {
					switch key {
					case "kind":
						c.Kind = d.str(cp)
					case "class":
						c.Class = d.str(cp)
					case "subject":
						c.Subject = d.str(cp)
					case "major":
						c.Major = d.bool(cp)
					case "text":
						c.Text = d.str(cp)
					default:
						d.unknown(cp, key)
					}
				})
				v.Changes = append(v.Changes, c)
			})
		default:
			d.unknown(path, key)
		}
	})
	return v
}

func (d *decoder) permission(path string) Permission {
	var p Permission
	d.object(path, func(key string) {
		switch key {
		case "id":
			p.ID = d.str(path)
		case "declare":
			d.array(path+".declare", func(i int) {
				var dc Declare
				dp := idx(path+".declare", i)
				d.object(dp, func(key string) {
					switch key {
					case "platform":
						dc.Platform = d.str(dp)
					case "min":
						dc.Min = d.str(dp)
					case "max":
						dc.Max = d.str(dp)
					case "ids":
						dc.IDs = d.strs(dp)
					case "access":
						dc.Access = d.str(dp)
					case "grant":
						dc.Grant = d.str(dp)
					case "api":
						dc.API = d.str(dp)
					case "settings":
						dc.Settings = d.str(dp)
					default:
						d.unknown(dp, key)
					}
				})
				p.Declare = append(p.Declare, dc)
			})
		default:
			d.unknown(path, key)
		}
	})
	return p
}

func (d *decoder) purpose(path string) Purpose {
	var p Purpose
	d.object(path, func(key string) {
		switch key {
		case "id":
			p.ID = d.str(path)
		case "name":
			p.Name = d.str(path)
		default:
			d.unknown(path, key)
		}
	})
	return p
}

func (d *decoder) scenario(path string) Scenario {
	var sc Scenario
	d.object(path, func(key string) {
		switch key {
		case "id":
			sc.ID = d.str(path)
		case "steps":
			d.array(path+".steps", func(i int) { sc.Steps = append(sc.Steps, d.step(idx(path+".steps", i))) })
		default:
			d.unknown(path, key)
		}
	})
	return sc
}

func (d *decoder) step(path string) Step {
	var st Step
	d.object(path, func(key string) {
		switch key {
		case "id":
			st.ID = d.str(path)
		case "consents":
			d.array(path+".consents", func(i int) {
				st.Consents = append(st.Consents, d.stepPermission(idx(path+".consents", i)))
			})
		case "permissions":
			d.array(path+".permissions", func(i int) {
				st.Permissions = append(st.Permissions, d.stepPermission(idx(path+".permissions", i)))
			})
		case "system_prompts":
			d.array(path+".system_prompts", func(i int) {
				var sp SystemPrompt
				pp := idx(path+".system_prompts", i)
				d.object(pp, func(key string) {
					switch key {
					case "platform":
						sp.Platform = d.str(pp)
					case "min":
						sp.Min = d.str(pp)
					case "max":
						sp.Max = d.str(pp)
					case "api":
						sp.API = d.str(pp)
					default:
						d.unknown(pp, key)
					}
				})
				st.SystemPrompts = append(st.SystemPrompts, sp)
			})
		case "unavailable":
			st.Unavailable = d.str(path)
		default:
			d.unknown(path, key)
		}
	})
	return st
}

func (d *decoder) stepPermission(path string) StepPermission {
	var sp StepPermission
	d.object(path, func(key string) {
		switch key {
		case "id":
			sp.ID = d.str(path)
		case "access":
			sp.Access = d.str(path)
		case "consequence":
			sp.Consequence = d.str(path)
		case "purpose":
			sp.Purpose = d.str(path)
		case "refusal":
			sp.Refusal = d.str(path)
		case "fallback":
			sp.Fallback = d.str(path)
		case "sensitive":
			sp.Sensitive = d.str(path)
		case "consent_purpose":
			sp.ConsentPurpose = d.str(path)
		case "platforms":
			d.array(path+".platforms", func(i int) {
				var c Constraint
				cp := idx(path+".platforms", i)
				d.object(cp, func(key string) {
					switch key {
					case "platform":
						c.Platform = d.str(cp)
					case "min":
						c.Min = d.str(cp)
					case "max":
						c.Max = d.str(cp)
					default:
						d.unknown(cp, key)
					}
				})
				sp.Platforms = append(sp.Platforms, c)
			})
		default:
			d.unknown(path, key)
		}
	})
	return sp
}

func (d *decoder) sdk(path string) SDK {
	var s SDK
	d.object(path, func(key string) {
		switch key {
		case "id":
			s.ID = d.str(path)
		case "category":
			s.Category = d.str(path)
		case "platforms":
			s.Platforms = d.strs(path)
		case "scenarios":
			s.Scenarios = d.strs(path)
		case "requires":
			s.Requires = d.strs(path)
		case "consents":
			d.array(path+".consents", func(i int) {
				var c Consent
				cp := idx(path+".consents", i)
				d.object(cp, func(key string) {
					switch key {
					case "sensitive":
						c.Sensitive = d.str(cp)
					case "purpose":
						c.Purpose = d.str(cp)
					default:
						d.unknown(cp, key)
					}
				})
				s.Consents = append(s.Consents, c)
			})
		case "optional":
			d.array(path+".optional", func(i int) {
				var o OptionalData
				op := idx(path+".optional", i)
				d.object(op, func(key string) {
					switch key {
					case "data":
						o.Data = d.str(op)
					case "permission":
						o.Permission = d.str(op)
					case "sensitive":
						o.Sensitive = d.str(op)
					case "purpose":
						o.Purpose = d.str(op)
					default:
						d.unknown(op, key)
					}
				})
				s.Optional = append(s.Optional, o)
			})
		default:
			d.unknown(path, key)
		}
	})
	return s
}

// decodeEnvelope reads {"hash","payload","signatures"} and checks the
// payload against its hash.
func decodeEnvelope(env []byte) (*envelope, error) {
	e, err := readEnvelope(env)
	if err != nil {
		return nil, err
	}
	if e.Hash != Hash(e.Payload) {
		return nil, badBundle("the payload does not match the envelope's hash")
	}
	return e, nil
}

// readEnvelope reads an envelope without checking its hash.
func readEnvelope(env []byte) (*envelope, error) {
	d := &decoder{s: jsontext.New(env)}
	var e envelope
	d.object("envelope", func(key string) {
		switch key {
		case "hash":
			e.Hash = d.str("hash")
		case "payload":
			start := d.s.Pos
			if d.s.Peek() != '{' {
				d.s.Fail(errcode.BadBundle, "payload", "the envelope has no payload object")
				return
			}
			// Checked whole, as the reading methods would read it, though
			// Payload, Signatures and Sign never decode it: the bytes
			// signed must read alike in every reader.
			if d.s.Check("payload") {
				e.Payload = trimSpace(env[start:d.s.Pos])
			}
		case "signatures":
			d.array("signatures", func(i int) {
				var s Signature
				p := idx("signatures", i)
				d.object(p, func(key string) {
					switch key {
					case "alg":
						s.Alg = d.str(p)
					case "key":
						s.Key = d.str(p)
					case "sig":
						s.Sig = d.str(p)
					default:
						d.unknown(p, key)
					}
				})
				e.Signatures = append(e.Signatures, s)
			})
		default:
			d.unknown("envelope", key)
		}
	})
	d.end("envelope")
	if e := d.s.Err; e != nil {
		if !d.trailing && (e.Code == errcode.BadJSON || e.Code == errcode.BadType || e.Code == errcode.BadBundle) {
			if e.Field == "envelope" { // said once is enough
				return nil, badBundle("not a bundle envelope: " + e.Message)
			}
			return nil, badBundle("not a bundle envelope: " + message(e))
		}
		return nil, badBundle(message(e)) // data after it, invalid UTF-8 or a repeated name
	}
	if len(e.Payload) == 0 {
		return nil, badBundle("the envelope has no payload object")
	}
	return &e, nil
}

// checkPayload checks that b is one JSON value that every reader reads
// alike, as readEnvelope checks a payload.
func checkPayload(b []byte) error {
	d := &decoder{s: jsontext.New(b)}
	if d.s.Check("payload") {
		d.end("payload")
	}
	return d.err()
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

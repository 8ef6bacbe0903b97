// Package firstlaunch precomputes the engine's answer to a fresh install's
// launch, for every locale of a bundle and every platform, so that a host
// can show the first popup at once while the module loads in the background
// (issue 14, point 3). The host then replays the launch on the module and
// follows the module's answer: the module's state and receipts are the
// record, never this file.
//
// The file (Marshal) holds, per locale and platform, the `actions` of the
// response exactly as the engine wrote them. They are computed by the
// native engine on the bundle opened as the module opens its embedded one
// (bundle.OpenEmbedded, engine.NewWith with the envelope's hash); Verify
// checks them against any build of the engine, the module included.
//
// # What a fresh launch's actions depend on
//
// A launch with no state asks for the policy (rule PRECONSENT): one
// show_policy of the active version, change "first", whose texts are the
// locale's. The engine renders it from the bundle and the request's
// locale alone: not from the time, the device's version, the OS's reports,
// the installation or the state key, none of which can change which popup
// is due without a state (engine/rules.go policyGate, engine/render.go
// renderAction). The file is nevertheless keyed by platform too, as the
// issue asks, so that a future rule that shows a platform's popup otherwise
// needs no change of format; the tests prove the rest by deciding the
// launch with each of those varied (TestInvariant).
package firstlaunch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Format is the version of the file's layout.
const Format = 1

// Now is the time of the precomputed launches. Any time gives the same
// actions (TestInvariant); a fixed one makes the file reproducible.
const Now = "2026-01-01T00:00:00Z"

// DeviceVersions are the device versions of the precomputed launches, one
// valid version per platform (engine/CONTRACT.md, device.version). Any
// valid version gives the same actions (TestInvariant).
var DeviceVersions = [vocab.NumPlatforms]string{
	vocab.Android:   "33",
	vocab.IOS:       "17.2",
	vocab.HarmonyOS: "12",
	vocab.WeChat:    "3.4.1",
	vocab.Alipay:    "2.9.0",
	vocab.Web:       "",
}

// File is the precomputed first launch of one bundle.
type File struct {
	Format        int    `json:"format"`
	Policy        Policy `json:"policy"`
	Bundle        string `json:"bundle"` // the envelope's hash, as consent_info reports it
	DefaultLocale string `json:"default_locale"`
	// Locales and Platforms list the keys of Actions in order: the
	// bundle's locales, and every platform of the vocabulary.
	Locales   []string `json:"locales"`
	Platforms []string `json:"platforms"`
	// Actions are, by locale and platform, the response's actions as the
	// engine wrote them.
	Actions map[string]map[string]json.RawMessage `json:"actions"`
}

// Policy names the active policy version.
type Policy struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Request is the launch of a fresh install in a locale on a platform: no
// state, no OS report, at Now on the platform's DeviceVersions entry.
func Request(locale, platform string) []byte {
	version := ""
	if p, ok := vocab.ParsePlatform(platform); ok {
		version = DeviceVersions[p]
	}
	req := struct {
		Now    string `json:"now"`
		Locale string `json:"locale"`
		Device struct {
			Platform string `json:"platform"`
			Version  string `json:"version"`
		} `json:"device"`
		Event struct {
			Type string `json:"type"`
		} `json:"event"`
	}{Now: Now, Locale: locale}
	req.Device.Platform, req.Device.Version = platform, version
	req.Event.Type = "launch"
	data, _ := json.Marshal(req) // strings only: cannot fail
	return data
}

// Actions returns the raw `actions` of a response, byte for byte, or the
// response's error.
func Actions(response []byte) (json.RawMessage, error) {
	var r struct {
		Actions json.RawMessage `json:"actions"`
		Error   *struct {
			Code, Message, Field string
		} `json:"error"`
	}
	if err := json.Unmarshal(response, &r); err != nil {
		return nil, fmt.Errorf("the response is not JSON: %v", err)
	}
	if r.Error != nil {
		return nil, fmt.Errorf("the engine answered %s (field %q): %s", r.Error.Code, r.Error.Field, r.Error.Message)
	}
	if r.Actions == nil {
		return nil, errors.New("the response has no actions")
	}
	return r.Actions, nil
}

// Open prepares the engine of an envelope as the module's own is made
// (engine.NewWith with the envelope's hash, whose tables promptc tables
// compiles into the module: TestEmbeddedTables holds the two equal),
// after checking that the payload matches that hash: a file that would
// not load as a bundle is refused here rather than precomputed.
func Open(env []byte) (*engine.Engine, string, error) {
	if _, err := bundle.Payload(env); err != nil {
		return nil, "", err
	}
	b, hash, err := bundle.OpenEmbedded(env)
	if err != nil {
		return nil, "", err
	}
	e, err := engine.NewWith(b, engine.Options{BundleHash: hash})
	if err != nil {
		return nil, "", err
	}
	return e, hash, nil
}

// Compute decides a fresh install's launch for every locale of the
// envelope's bundle and every platform, on the native engine.
func Compute(env []byte) (*File, error) {
	e, hash, err := Open(env)
	if err != nil {
		return nil, err
	}
	b := e.Bundle()
	id, version := e.Policy()
	f := &File{
		Format:        Format,
		Policy:        Policy{ID: id, Version: version},
		Bundle:        hash,
		DefaultLocale: b.Policy.DefaultLocale,
		Locales:       slices.Clone(b.Policy.Locales),
		Platforms:     vocab.Names(vocab.NumPlatforms),
		Actions:       map[string]map[string]json.RawMessage{},
	}
	for _, loc := range f.Locales {
		f.Actions[loc] = map[string]json.RawMessage{}
		for _, p := range f.Platforms {
			acts, err := Actions(e.Decide(nil, Request(loc, p)))
			if err != nil {
				return nil, fmt.Errorf("the launch in %s on %s: %w", loc, p, err)
			}
			f.Actions[loc][p] = slices.Clone(acts)
		}
	}
	return f, nil
}

// Marshal writes the file: its members in a fixed order, one line per
// locale and platform, each holding the actions' bytes as the engine wrote
// them (encoding/json would escape <, > and & in them).
func (f *File) Marshal() []byte {
	var b bytes.Buffer
	str := func(s string) {
		data, _ := json.Marshal(s)
		b.Write(data)
	}
	list := func(v []string) {
		b.WriteByte('[')
		for i, s := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			str(s)
		}
		b.WriteByte(']')
	}
	fmt.Fprintf(&b, "{\"format\":%d,\n\"policy\":{\"id\":", f.Format)
	str(f.Policy.ID)
	b.WriteString(`,"version":`)
	str(f.Policy.Version)
	b.WriteString("},\n\"bundle\":")
	str(f.Bundle)
	b.WriteString(",\n\"default_locale\":")
	str(f.DefaultLocale)
	b.WriteString(",\n\"locales\":")
	list(f.Locales)
	b.WriteString(",\n\"platforms\":")
	list(f.Platforms)
	b.WriteString(",\n\"actions\":{")
	for i, loc := range f.Locales {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		str(loc)
		b.WriteString(":{")
		for j, p := range f.Platforms {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n ")
			str(p)
			b.WriteByte(':')
			b.Write(f.Actions[loc][p])
		}
		b.WriteString("}")
	}
	b.WriteString("}}\n")
	return b.Bytes()
}

// Read reads a file that Marshal wrote and checks that it is complete: of
// this format, and with actions for each of its locales and every
// platform of the vocabulary.
func Read(data []byte) (*File, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not a first-launch file: %v", err)
	}
	if f.Format != Format {
		return nil, fmt.Errorf("format: %d, want %d", f.Format, Format)
	}
	if f.Policy.ID == "" || f.Policy.Version == "" || !strings.HasPrefix(f.Bundle, "sha256:") {
		return nil, errors.New("policy, bundle: the file names no policy version and bundle")
	}
	if want := vocab.Names(vocab.NumPlatforms); !slices.Equal(f.Platforms, want) {
		return nil, fmt.Errorf("platforms: %q, want %q", f.Platforms, want)
	}
	if len(f.Locales) == 0 || !slices.Contains(f.Locales, f.DefaultLocale) {
		return nil, fmt.Errorf("locales: %q must include the default locale %q", f.Locales, f.DefaultLocale)
	}
	for _, loc := range f.Locales {
		for _, p := range f.Platforms {
			if len(f.Actions[loc][p]) == 0 {
				return nil, fmt.Errorf("actions.%s.%s: missing", loc, p)
			}
		}
	}
	return &f, nil
}

// Verify checks a file against a build of the engine: decide answers a
// request as that build does (the native engine, the module in wazero or
// in a JavaScript host). For every locale and platform the launch's
// actions must equal the file's byte for byte. It returns every
// difference, each naming its locale and platform, or nil.
func Verify(f *File, decide func(request []byte) ([]byte, error)) error {
	var errs []error
	for _, loc := range f.Locales {
		for _, p := range f.Platforms {
			out, err := decide(Request(loc, p))
			if err == nil {
				var acts json.RawMessage
				if acts, err = Actions(out); err == nil && !bytes.Equal(acts, f.Actions[loc][p]) {
					err = fmt.Errorf("the engine's actions differ from the file's:\n engine: %s\n file:   %s", acts, f.Actions[loc][p])
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("actions.%s.%s: %w", loc, p, err))
			}
		}
	}
	return errors.Join(errs...)
}

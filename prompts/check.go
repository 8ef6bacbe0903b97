package prompts

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Mismatch is a platform declaration of an app build that disagrees with
// the policy.
type Mismatch struct {
	Platform string
	ID       string // the permission name, usage key or scope
	Problem  string // MismatchUndisclosed, MismatchMissing or MismatchEmpty
}

// Kinds of mismatch.
const (
	// The app declares it; the policy does not disclose it. Regulators
	// count an undisclosed permission as collecting beyond the policy.
	MismatchUndisclosed = "undisclosed"
	// The policy asks for it; the app does not declare it, so the system
	// dialog can never appear (and iOS ends an app that asks without a
	// usage description).
	MismatchMissing = "missing"
	// The usage description is declared but empty.
	MismatchEmpty = "empty"
)

func (m Mismatch) String() string {
	what := map[string]string{
		MismatchUndisclosed: "declared by the app but not disclosed by the policy",
		MismatchMissing:     "asked for by the policy but not declared by the app",
		MismatchEmpty:       "declared with an empty description",
	}[m.Problem]
	return fmt.Sprintf("%s: %s: %s", m.Platform, m.ID, what)
}

// compare reports the differences between what an app declares and what
// the policy needs.
func compare(platform string, app, policy []string) []Mismatch {
	var out []Mismatch
	for _, id := range minus(app, policy) {
		out = append(out, Mismatch{Platform: platform, ID: id, Problem: MismatchUndisclosed})
	}
	for _, id := range minus(policy, app) {
		out = append(out, Mismatch{Platform: platform, ID: id, Problem: MismatchMissing})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CheckAndroidManifest compares an app's AndroidManifest.xml with the
// permissions the active version declares for Android.
func CheckAndroidManifest(p *Project, manifest []byte) ([]Mismatch, error) {
	const androidNS = "http://schemas.android.com/apk/res/android"
	var declared []string
	dec := xml.NewDecoder(bytes.NewReader(manifest))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("AndroidManifest.xml: %w", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok || (el.Name.Local != "uses-permission" && el.Name.Local != "uses-permission-sdk-23") {
			continue
		}
		for _, a := range el.Attr {
			if a.Name.Local == "name" && (a.Name.Space == androidNS || a.Name.Space == "android") {
				declared = append(declared, a.Value)
			}
		}
	}
	var policy []string
	for _, ap := range p.Active().androidPermissions() {
		policy = append(policy, ap.id)
	}
	return compare("android", dedupe(declared), policy), nil
}

// CheckInfoPlist compares an app's Info.plist (XML) usage descriptions
// with those the active version declares for iOS.
func CheckInfoPlist(p *Project, plist []byte) ([]Mismatch, error) {
	var doc struct {
		Dict struct {
			Items []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal(plist, &doc); err != nil {
		return nil, fmt.Errorf("info.plist: %w", err)
	}
	var declared []string
	var empty []Mismatch
	items := doc.Dict.Items
	for i := 0; i+1 < len(items); i++ {
		if items[i].XMLName.Local != "key" || !strings.HasSuffix(items[i].Value, "UsageDescription") {
			continue
		}
		key := items[i].Value
		declared = append(declared, key)
		if items[i+1].XMLName.Local == "string" && strings.TrimSpace(items[i+1].Value) == "" {
			empty = append(empty, Mismatch{Platform: "ios", ID: key, Problem: MismatchEmpty})
		}
	}
	var policy []string
	for _, kp := range p.Active().iosUsageKeys() {
		policy = append(policy, kp[0])
	}
	return append(compare("ios", dedupe(declared), policy), empty...), nil
}

// CheckWeChatAppJSON compares a mini-program's app.json permission block
// with the scopes the active version declares for WeChat.
func CheckWeChatAppJSON(p *Project, appJSON []byte) ([]Mismatch, error) {
	var app struct {
		Permission map[string]struct {
			Desc string `json:"desc"`
		} `json:"permission"`
	}
	if err := json.Unmarshal(appJSON, &app); err != nil {
		return nil, fmt.Errorf("app.json: %w", err)
	}
	var declared []string
	var empty []Mismatch
	for scope, d := range app.Permission {
		declared = append(declared, scope)
		if strings.TrimSpace(d.Desc) == "" {
			empty = append(empty, Mismatch{Platform: "wechat", ID: scope, Problem: MismatchEmpty})
		}
	}
	var policy []string
	for _, sp := range p.Active().wechatScopes() {
		policy = append(policy, sp[0])
	}
	return append(compare("wechat", dedupe(declared), policy), empty...), nil
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

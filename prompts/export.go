package prompts

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jitconsent/jitconsent/engine/vocab"
	"golang.org/x/text/language"
)

// Exports are the platform declarations that must agree with the policy:
// an app build compares them with its own manifest, Info.plist, module.json5
// and app.json (or CheckDeclarations does), so that the app never declares
// a permission the policy does not disclose, nor lacks one it asks for.
// Only what a dialog or the install grants is declared: a picker or a call
// that needs no permission declares nothing (docs/PLATFORMS.md).
type Exports struct {
	// AndroidManifest is an AndroidManifest.xml fragment: one
	// <uses-permission> per identifier the policy asks for on Android or
	// grants at install (maxSdkVersion where every row ends), and in
	// <application> one T/TAF 076-2020 <meta-data> per runtime permission,
	// naming the string resource with its purpose.
	AndroidManifest string
	// AndroidStrings maps a resource folder ("values", "values-en",
	// "values-zh-rTW") to its strings.xml with those purposes.
	AndroidStrings map[string]string
	// InfoPlist maps a locale to an Info.plist fragment with the usage
	// description of each usage key the policy asks for on iOS.
	InfoPlist map[string]string
	// InfoPlistStrings maps a locale to the same descriptions as an
	// InfoPlist.strings file; Lproj names its folder ("zh-Hans").
	InfoPlistStrings map[string]string
	Lproj            map[string]string
	// HarmonyOSModule is a module.json5 (plain JSON) with requestPermissions:
	// each user_grant permission asked, with its reason and usedScene, and
	// each system_grant one of [install_time].
	HarmonyOSModule string
	// HarmonyOSStrings maps a resource folder ("base", "zh_CN", "en") to its
	// element/string.json with the reasons.
	HarmonyOSStrings map[string]string
	// WeChatAppJSON is the permission block of a WeChat mini-program's
	// app.json, in the default locale: only the scopes that need a
	// declaration, and requiredPrivateInfos.
	WeChatAppJSON string
}

// ExportOptions are what the policy does not know about the app.
type ExportOptions struct {
	// HarmonyOSAbilities name the UIAbility or ExtensionAbility components
	// that use the permissions (usedScene.abilities); required when a
	// user_grant permission is exported.
	HarmonyOSAbilities []string
}

// ErrNoHarmonyOSAbility: module.json5 needs the app's abilities.
var ErrNoHarmonyOSAbility = errors.New("harmonyos: the policy asks user_grant permissions, whose usedScene names the app's abilities: pass --harmonyos-ability NAME (e.g. EntryAbility)")

// declared is one identifier an export declares, with the permission it
// serves and the last version where it is needed ("" for no end).
type declared struct {
	id, perm string
	grant    vocab.Grant
	maxSDK   string
}

// declaredOn returns the identifiers the active version declares on a
// platform: those of every row of an access level that a step asks, in
// policy order, each once, plus the [install_time] ones.
func (pol *Policy) declaredOn(platform string) []declared {
	asked := map[string]bool{}
	for _, sc := range pol.Scenarios {
		for _, st := range sc.Steps {
			for _, sp := range st.Permissions {
				for _, c := range pol.stepConstraints(sp) {
					if c.Platform == platform {
						asked[sp.ID+"/"+sp.AccessLevel().String()] = true
					}
				}
			}
		}
	}
	var out []declared
	index := map[string]int{}
	for _, perm := range pol.Permissions {
		for _, d := range perm.Declare {
			if d.Platform != platform || !asked[perm.ID+"/"+d.AccessLevel().String()] {
				continue
			}
			for _, id := range d.IDs {
				i, seen := index[id]
				if !seen {
					index[id] = len(out)
					out = append(out, declared{id: id, perm: perm.ID, grant: d.GrantKind(), maxSDK: d.Max})
					continue
				}
				if out[i].maxSDK != "" && (d.Max == "" || atoi(d.Max) > atoi(out[i].maxSDK)) {
					out[i].maxSDK = d.Max
				}
			}
		}
	}
	var installTime []string
	switch platform {
	case "android":
		installTime = pol.InstallTime.Android
	case "harmonyos":
		installTime = pol.InstallTime.HarmonyOS
	}
	for _, id := range installTime {
		if i, seen := index[id]; seen {
			out[i].maxSDK = ""
			continue
		}
		index[id] = len(out)
		out = append(out, declared{id: id, grant: vocab.GrantInstall})
	}
	return out
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// androidPermissions lists the manifest entries of the active version,
// sorted by name.
func (pol *Policy) androidPermissions() []declared {
	out := pol.declaredOn("android")
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// iosUsageKeys returns the Info.plist usage keys of the active version,
// each with the permission it describes, sorted by key.
func (pol *Policy) iosUsageKeys() [][2]string {
	var out [][2]string
	for _, d := range pol.declaredOn("ios") {
		if strings.HasSuffix(d.id, "UsageDescription") {
			out = append(out, [2]string{d.id, d.perm})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// wechatDeclaredScopes are the scopes app.json must declare with a desc
// (the authorize documentation: the location ones only), each with the
// private-info APIs (requiredPrivateInfos) it is used through.
var wechatDeclaredScopes = map[string][]string{
	"scope.userLocation":           {"getLocation"},
	"scope.userFuzzyLocation":      {"getFuzzyLocation"},
	"scope.userLocationBackground": {"startLocationUpdateBackground"},
}

// wechatScopes returns the app.json permission scopes of the active
// version, each with its permission.
func (pol *Policy) wechatScopes() [][2]string {
	var out [][2]string
	for _, d := range pol.declaredOn("wechat") {
		if _, ok := wechatDeclaredScopes[d.id]; ok {
			out = append(out, [2]string{d.id, d.perm})
		}
	}
	return out
}

// harmonyPermissions returns the requestPermissions entries: the
// ohos.permission.* identifiers asked (user_grant) and granted at install
// (system_grant), in policy order.
func (pol *Policy) harmonyPermissions() []declared {
	var out []declared
	for _, d := range pol.declaredOn("harmonyos") {
		if strings.HasPrefix(d.id, "ohos.permission.") {
			out = append(out, d)
		}
	}
	return out
}

// androidPurposes returns the runtime permissions that get a T/TAF 076
// purpose, each with its string resource name.
func (pol *Policy) androidPurposes() []declared {
	var out []declared
	for _, d := range pol.androidPermissions() {
		if d.grant == vocab.GrantRuntime {
			out = append(out, d)
		}
	}
	return out
}

// purposeResource is the string resource holding a permission's purpose
// (Android) or reason (HarmonyOS).
func purposeResource(perm string) string { return "permission_purpose_" + perm }

// IOSLproj returns the .lproj folder Xcode looks for a locale in: Chinese
// by script (zh-Hans, zh-Hant), others by tag.
func IOSLproj(locale string) string {
	tag, err := language.Parse(locale)
	if err != nil {
		return locale
	}
	base, _ := tag.Base()
	if base.String() == "zh" {
		script, _ := tag.Script()
		return "zh-" + script.String()
	}
	return tag.String()
}

// AndroidValuesDir returns the resource folder of a locale: "values" for
// the default one, "values-en", "values-zh-rTW", or the BCP 47 form
// "values-b+zh+Hant" when the tag names a script.
func AndroidValuesDir(locale, defaultLocale string) string {
	if locale == defaultLocale {
		return "values"
	}
	parts := strings.Split(locale, "-")
	switch {
	case len(parts) == 1:
		return "values-" + parts[0]
	case len(parts) == 2 && len(parts[1]) == 2:
		return "values-" + parts[0] + "-r" + strings.ToUpper(parts[1])
	}
	return "values-b+" + strings.Join(parts, "+")
}

// HarmonyOSQualifier returns the resource qualifier folder of a locale:
// language, script and region joined by underscores (zh_CN, en, zh_Hant_TW).
func HarmonyOSQualifier(locale string) string { return strings.ReplaceAll(locale, "-", "_") }

// androidEscape escapes a text for an Android string resource: XML, then
// the apostrophes, quotes and backslashes aapt reads specially, and a
// leading @ or ? (a reference).
func androidEscape(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `'`, `\'`, `"`, `\"`, "\n", `\n`).Replace(s)
	if strings.HasPrefix(s, "@") || strings.HasPrefix(s, "?") {
		s = `\` + s
	}
	return xmlEscape(s)
}

// Export renders the platform declarations of the active version. The
// project must lint clean.
func Export(p *Project, opts ExportOptions) (*Exports, error) {
	if probs := Lint(p); len(probs) > 0 {
		return nil, probs
	}
	pol := p.Active()
	header := fmt.Sprintf("Generated by promptc from policy %s version %s. Do not edit: change the policy and export again.", pol.Meta.ID, pol.Meta.Version)
	ex := &Exports{
		AndroidStrings: map[string]string{}, InfoPlist: map[string]string{}, InfoPlistStrings: map[string]string{},
		Lproj: map[string]string{}, HarmonyOSStrings: map[string]string{},
	}

	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- %s -->\n", header)
	b.WriteString("<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n")
	for _, ap := range pol.androidPermissions() {
		if ap.maxSDK != "" {
			fmt.Fprintf(&b, "    <uses-permission android:name=%q android:maxSdkVersion=%q />\n", ap.id, ap.maxSDK)
		} else {
			fmt.Fprintf(&b, "    <uses-permission android:name=%q />\n", ap.id)
		}
	}
	b.WriteString("    <application>\n")
	b.WriteString("        <!-- T/TAF 076-2020: the purpose of each runtime permission, shown in the system's permission dialog. -->\n")
	for _, ap := range pol.androidPurposes() {
		fmt.Fprintf(&b, "        <meta-data android:name=%q android:resource=\"@string/%s\" />\n", ap.id, purposeResource(ap.perm))
	}
	b.WriteString("    </application>\n</manifest>\n")
	ex.AndroidManifest = b.String()

	harmony := pol.harmonyPermissions()
	userGrant := false
	for _, d := range harmony {
		userGrant = userGrant || d.grant == vocab.GrantRuntime
	}
	if userGrant && len(opts.HarmonyOSAbilities) == 0 {
		return nil, ErrNoHarmonyOSAbility
	}

	for _, loc := range pol.Meta.Locales {
		r, err := p.renderer(pol, loc)
		if err != nil {
			return nil, err
		}
		usage := func(perm string) (string, error) { return r.plain("permission." + perm + ".usage") }

		var plist, strs strings.Builder
		plist.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
		plist.WriteString("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n")
		fmt.Fprintf(&plist, "<!-- %s Locale %s. -->\n<plist version=\"1.0\">\n<dict>\n", header, loc)
		fmt.Fprintf(&strs, "/* %s Locale %s. */\n", header, loc)
		for _, kp := range pol.iosUsageKeys() {
			text, err := usage(kp[1])
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&plist, "\t<key>%s</key>\n\t<string>%s</string>\n", kp[0], xmlEscape(text))
			fmt.Fprintf(&strs, "%s = %s;\n", strconv.Quote(kp[0]), strconv.Quote(text))
		}
		plist.WriteString("</dict>\n</plist>\n")
		ex.InfoPlist[loc] = plist.String()
		ex.InfoPlistStrings[loc] = strs.String()
		ex.Lproj[loc] = IOSLproj(loc)

		var res strings.Builder
		fmt.Fprintf(&res, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- %s Locale %s. -->\n<resources>\n", header, loc)
		done := map[string]bool{}
		for _, ap := range pol.androidPurposes() {
			if done[ap.perm] {
				continue
			}
			done[ap.perm] = true
			text, err := usage(ap.perm)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&res, "    <string name=%q>%s</string>\n", purposeResource(ap.perm), androidEscape(text))
		}
		res.WriteString("</resources>\n")
		ex.AndroidStrings[AndroidValuesDir(loc, pol.Meta.DefaultLocale)] = res.String()

		type element struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		}
		elements := struct {
			String []element `json:"string"`
		}{String: []element{}}
		done = map[string]bool{}
		for _, d := range harmony {
			if d.grant != vocab.GrantRuntime || done[d.perm] {
				continue
			}
			done[d.perm] = true
			text, err := usage(d.perm)
			if err != nil {
				return nil, err
			}
			elements.String = append(elements.String, element{purposeResource(d.perm), text})
		}
		out, err := json.MarshalIndent(elements, "", "  ")
		if err != nil {
			return nil, err
		}
		ex.HarmonyOSStrings[HarmonyOSQualifier(loc)] = string(out) + "\n"
		if loc == pol.Meta.DefaultLocale {
			ex.HarmonyOSStrings["base"] = string(out) + "\n"
		}
	}

	type usedScene struct {
		Abilities []string `json:"abilities"`
		When      string   `json:"when"`
	}
	type requestPermission struct {
		Name      string     `json:"name"`
		Reason    string     `json:"reason,omitempty"`
		UsedScene *usedScene `json:"usedScene,omitempty"`
	}
	module := struct {
		Module struct {
			RequestPermissions []requestPermission `json:"requestPermissions"`
		} `json:"module"`
	}{}
	module.Module.RequestPermissions = []requestPermission{}
	for _, d := range harmony {
		rp := requestPermission{Name: d.id}
		if d.grant == vocab.GrantRuntime {
			rp.Reason = "$string:" + purposeResource(d.perm)
			rp.UsedScene = &usedScene{Abilities: opts.HarmonyOSAbilities, When: "inuse"}
		}
		module.Module.RequestPermissions = append(module.Module.RequestPermissions, rp)
	}
	out, err := json.MarshalIndent(module, "", "  ")
	if err != nil {
		return nil, err
	}
	ex.HarmonyOSModule = string(out) + "\n"

	r, err := p.renderer(pol, pol.Meta.DefaultLocale)
	if err != nil {
		return nil, err
	}
	type desc struct {
		Desc string `json:"desc"`
	}
	app := struct {
		Comment string          `json:"//"`
		Perm    map[string]desc `json:"permission,omitempty"`
		Private []string        `json:"requiredPrivateInfos,omitempty"`
		Privacy bool            `json:"__usePrivacyCheck__"`
	}{Comment: header, Perm: map[string]desc{}, Privacy: true}
	for _, sp := range pol.wechatScopes() {
		text, err := r.plain("permission." + sp[1] + ".usage")
		if err != nil {
			return nil, err
		}
		app.Perm[sp[0]] = desc{Desc: text}
		app.Private = append(app.Private, wechatDeclaredScopes[sp[0]]...)
	}
	out, err = json.MarshalIndent(app, "", "  ")
	if err != nil {
		return nil, err
	}
	ex.WeChatAppJSON = string(out) + "\n"
	return ex, nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Files lays the exports out as files, by path relative to the folder
// they are written into: android/ (the manifest fragment and res/), ios/
// (an Info.plist fragment per locale and <lproj>.lproj/InfoPlist.strings),
// harmonyos/ (module.json5 and resources/) and wechat/.
func (ex *Exports) Files() map[string]string {
	files := map[string]string{
		"android/AndroidManifest.permissions.xml": ex.AndroidManifest,
		"harmonyos/module.json5":                  ex.HarmonyOSModule,
		"wechat/app.permission.json":              ex.WeChatAppJSON,
	}
	for dir, s := range ex.AndroidStrings {
		files["android/res/"+dir+"/strings.xml"] = s
	}
	for loc, s := range ex.InfoPlist {
		files["ios/Info."+loc+".plist"] = s
		files["ios/"+ex.Lproj[loc]+".lproj/InfoPlist.strings"] = ex.InfoPlistStrings[loc]
	}
	for dir, s := range ex.HarmonyOSStrings {
		files["harmonyos/resources/"+dir+"/element/string.json"] = s
	}
	return files
}

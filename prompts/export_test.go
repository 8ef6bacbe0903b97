package prompts

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

const androidNS = "http://schemas.android.com/apk/res/android"

func exportReference(t *testing.T) map[string]string {
	t.Helper()
	ex, err := Export(loadReference(t), ExportOptions{HarmonyOSAbilities: []string{"EntryAbility"}})
	if err != nil {
		t.Fatal(err)
	}
	return ex.Files()
}

// manifest is what a parsed manifest fragment declares.
type manifest struct {
	perms    map[string]string // name -> maxSdkVersion
	metaData map[string]string // name -> resource
}

func parseManifest(data string) (manifest, error) {
	m := manifest{perms: map[string]string{}, metaData: map[string]string{}}
	dec := xml.NewDecoder(strings.NewReader(data))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			stack = append(stack, el.Name.Local)
			attr := map[string]string{}
			for _, a := range el.Attr {
				if a.Name.Space == androidNS {
					attr[a.Name.Local] = a.Value
				}
			}
			switch {
			case el.Name.Local == "uses-permission":
				m.perms[attr["name"]] = attr["maxSdkVersion"]
			case el.Name.Local == "meta-data":
				if len(stack) < 2 || stack[len(stack)-2] != "application" {
					return m, fmt.Errorf("meta-data %s outside <application>", attr["name"])
				}
				m.metaData[attr["name"]] = attr["resource"]
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return m, nil
}

// parseAndroidStrings reads a strings.xml and checks what aapt refuses:
// an apostrophe or a double quote that is not escaped.
func parseAndroidStrings(data string) (map[string]string, error) {
	var res struct {
		Strings []struct {
			Name string `xml:"name,attr"`
			Text string `xml:",chardata"`
		} `xml:"string"`
	}
	if err := xml.Unmarshal([]byte(data), &res); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range res.Strings {
		for i, r := range s.Text {
			if (r == '\'' || r == '"') && (i == 0 || s.Text[i-1] != '\\') {
				return nil, fmt.Errorf("%s: unescaped %c at %d: aapt refuses it", s.Name, r, i)
			}
		}
		out[s.Name] = s.Text
	}
	return out, nil
}

func parsePlist(data string) (map[string]string, error) {
	var doc struct {
		Dict struct {
			Items []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(data), &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	items := doc.Dict.Items
	if len(items)%2 != 0 {
		return nil, errors.New("a key without a value")
	}
	for i := 0; i < len(items); i += 2 {
		if items[i].XMLName.Local != "key" || items[i+1].XMLName.Local != "string" {
			return nil, fmt.Errorf("item %d: want <key> then <string>", i)
		}
		out[items[i].Value] = items[i+1].Value
	}
	return out, nil
}

// parseStringsFile reads an InfoPlist.strings: a comment line, then
// "key" = "value"; lines.
func parseStringsFile(data string) (map[string]string, error) {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
		if strings.HasPrefix(line, "/*") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSuffix(line, ";"), " = ")
		if !ok || !strings.HasSuffix(line, ";") {
			return nil, fmt.Errorf("not a strings line: %q", line)
		}
		key, err1 := strconv.Unquote(k)
		val, err2 := strconv.Unquote(v)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("not quoted: %q", line)
		}
		out[key] = val
	}
	return out, nil
}

type harmonyModule struct {
	Module struct {
		RequestPermissions []struct {
			Name      string `json:"name"`
			Reason    string `json:"reason"`
			UsedScene *struct {
				Abilities []string `json:"abilities"`
				When      string   `json:"when"`
			} `json:"usedScene"`
		} `json:"requestPermissions"`
	} `json:"module"`
}

func parseHarmonyStrings(data string) (map[string]string, error) {
	var res struct {
		String []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"string"`
	}
	if err := json.Unmarshal([]byte(data), &res); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range res.String {
		out[s.Name] = s.Value
	}
	return out, nil
}

type wechatApp struct {
	Permission map[string]struct {
		Desc string `json:"desc"`
	} `json:"permission"`
	RequiredPrivateInfos []string `json:"requiredPrivateInfos"`
}

// harmonyReasonLimit: HarmonyOS takes a reason of at most 256 characters
// (declare-permissions, "权限使用理由的文案内容规范").
const harmonyReasonLimit = harmonyReasonMax

// checkExports parses every exported file with a real parser and holds it
// against the platforms' limits and the facts; it returns every problem.
func checkExports(files map[string]string, locales []string) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	// Android.
	m, err := parseManifest(files["android/AndroidManifest.permissions.xml"])
	if err != nil {
		bad("manifest: %v", err)
	}
	for name, maxSDK := range m.perms {
		f := factOf("android", name)
		switch {
		case f == nil:
			bad("manifest: %s: the facts do not know it", name)
		case f.kind == factRestricted:
			bad("manifest: %s is %s", name, f.what)
		case f.max != "" && (maxSDK == "" || atoi(maxSDK) > atoi(f.max)):
			bad("manifest: %s ends at API %s, declared with maxSdkVersion %q", name, f.max, maxSDK)
		}
	}
	androidDirs := 0
	for path, data := range files {
		dir, ok := strings.CutPrefix(path, "android/res/")
		if !ok {
			continue
		}
		androidDirs++
		strs, err := parseAndroidStrings(data)
		if err != nil {
			bad("%s: %v", path, err)
			continue
		}
		for name, res := range m.metaData {
			if strs[strings.TrimPrefix(res, "@string/")] == "" {
				bad("%s: no purpose string %s for %s (%s)", path, res, name, dir)
			}
		}
	}
	if androidDirs != len(locales) {
		bad("android: %d resource folders for %d locales", androidDirs, len(locales))
	}
	for name := range m.metaData {
		if f := factOf("android", name); f == nil || f.kind != factRuntime {
			bad("manifest: a T/TAF 076 purpose for %s, which no dialog asks", name)
		}
		if _, ok := m.perms[name]; !ok {
			bad("manifest: a purpose for %s, which it does not declare", name)
		}
	}

	// iOS.
	lprojs := 0
	for path, data := range files {
		var keys map[string]string
		var err error
		switch {
		case strings.HasPrefix(path, "ios/Info.") && strings.HasSuffix(path, ".plist"):
			keys, err = parsePlist(data)
		case strings.HasSuffix(path, ".lproj/InfoPlist.strings"):
			lprojs++
			if l := strings.TrimSuffix(strings.TrimPrefix(path, "ios/"), ".lproj/InfoPlist.strings"); !slices.Contains([]string{"zh-Hans", "zh-Hant", "en"}, l) {
				bad("%s: Xcode does not look for %s.lproj", path, l)
			}
			keys, err = parseStringsFile(data)
		default:
			continue
		}
		if err != nil {
			bad("%s: %v", path, err)
		}
		for key, text := range keys {
			if f := factOf("ios", key); f == nil || f.kind != factRuntime {
				bad("%s: %s is not a usage key the facts know", path, key)
			}
			if strings.TrimSpace(text) == "" {
				bad("%s: %s is empty", path, key)
			}
		}
	}
	if lprojs != len(locales) {
		bad("ios: %d lproj folders for %d locales", lprojs, len(locales))
	}

	// HarmonyOS.
	var mod harmonyModule
	if err := json.Unmarshal([]byte(files["harmonyos/module.json5"]), &mod); err != nil {
		bad("module.json5: %v", err)
	}
	resDirs := map[string]map[string]string{}
	for path, data := range files {
		if dir, ok := strings.CutPrefix(path, "harmonyos/resources/"); ok {
			strs, err := parseHarmonyStrings(data)
			if err != nil {
				bad("%s: %v", path, err)
			}
			resDirs[strings.TrimSuffix(dir, "/element/string.json")] = strs
		}
	}
	if _, ok := resDirs["base"]; !ok || len(resDirs) != len(locales)+1 {
		bad("harmonyos: resource folders %v for locales %v (base and one each)", sortedKeys(resDirs), locales)
	}
	for _, rp := range mod.Module.RequestPermissions {
		f := factOf("harmonyos", rp.Name)
		switch {
		case f == nil:
			bad("module.json5: %s: the facts do not know it", rp.Name)
		case f.kind == factRestricted:
			bad("module.json5: %s is %s", rp.Name, f.what)
		case f.kind == factRuntime && (rp.Reason == "" || rp.UsedScene == nil || len(rp.UsedScene.Abilities) == 0 || rp.UsedScene.When != "inuse"):
			bad("module.json5: user_grant %s needs reason and usedScene {abilities, when}", rp.Name)
		case f.kind == factInstall && rp.Reason != "":
			bad("module.json5: system_grant %s has a reason", rp.Name)
		}
		res, ok := strings.CutPrefix(rp.Reason, "$string:")
		if rp.Reason != "" && !ok {
			bad("module.json5: %s: reason %q is not a $string: reference", rp.Name, rp.Reason)
		}
		for dir, strs := range resDirs {
			if ok && (strs[res] == "" || utf8.RuneCountInString(strs[res]) > harmonyReasonLimit) {
				bad("harmonyos/resources/%s: reason %s of %s missing or longer than %d characters", dir, res, rp.Name, harmonyReasonLimit)
			}
		}
	}

	// WeChat.
	var app wechatApp
	if err := json.Unmarshal([]byte(files["wechat/app.permission.json"]), &app); err != nil {
		bad("app.json: %v", err)
	}
	for scope, d := range app.Permission {
		if _, ok := wechatDeclaredScopes[scope]; !ok {
			bad("app.json: %s needs no declaration", scope)
		}
		if f := factOf("wechat", scope); f == nil || f.kind != factRuntime {
			bad("app.json: %s is not a scope the facts know", scope)
		}
		if n := utf8.RuneCountInString(d.Desc); n == 0 || n > wechatDescLimit {
			bad("app.json: %s desc has %d characters (1 to %d)", scope, n, wechatDescLimit)
		}
		for _, api := range wechatDeclaredScopes[scope] {
			if !slices.Contains(app.RequiredPrivateInfos, api) {
				bad("app.json: %s is used through %s, missing from requiredPrivateInfos", scope, api)
			}
		}
	}
	sort.Strings(probs)
	return probs
}

// TestExportsParseAndKeepLimits parses every exported file and holds it
// against the platforms' limits and the facts; then it shows that the
// check catches what it is for, on exports made wrong on purpose.
func TestExportsParseAndKeepLimits(t *testing.T) {
	files := exportReference(t)
	locales := []string{"zh-CN", "en", "zh-TW"}
	if probs := checkExports(files, locales); len(probs) > 0 {
		t.Fatalf("the exports break the platforms' rules:\n%s", strings.Join(probs, "\n"))
	}

	broken := map[string]func(map[string]string){
		"a signature permission": func(f map[string]string) {
			f["android/AndroidManifest.permissions.xml"] = strings.Replace(f["android/AndroidManifest.permissions.xml"], "    <application>",
				`    <uses-permission android:name="android.permission.MOUNT_UNMOUNT_FILESYSTEMS" />`+"\n    <application>", 1)
		},
		"BLUETOOTH without maxSdkVersion": func(f map[string]string) {
			f["android/AndroidManifest.permissions.xml"] = strings.Replace(f["android/AndroidManifest.permissions.xml"], `android:name="android.permission.BLUETOOTH" android:maxSdkVersion="30"`, `android:name="android.permission.BLUETOOTH"`, 1)
		},
		"an unescaped apostrophe": func(f map[string]string) {
			f["android/res/values-en/strings.xml"] = strings.Replace(f["android/res/values-en/strings.xml"], "</resources>", `<string name="x">don't</string></resources>`, 1)
		},
		"zh-CN.lproj": func(f map[string]string) {
			f["ios/zh-CN.lproj/InfoPlist.strings"] = f["ios/zh-Hans.lproj/InfoPlist.strings"]
			delete(f, "ios/zh-Hans.lproj/InfoPlist.strings")
		},
		"READ_IMAGEVIDEO": func(f map[string]string) {
			f["harmonyos/module.json5"] = strings.Replace(f["harmonyos/module.json5"], "ohos.permission.CAMERA", "ohos.permission.READ_IMAGEVIDEO", 1)
		},
		"a reason missing in a locale": func(f map[string]string) {
			f["harmonyos/resources/zh_TW/element/string.json"] = `{"string": []}`
		},
		"scope.writePhotosAlbum declared": func(f map[string]string) {
			f["wechat/app.permission.json"] = strings.Replace(f["wechat/app.permission.json"], `"permission": {`, `"permission": {"scope.writePhotosAlbum": {"desc": "保存图片"},`, 1)
		},
		"a long desc": func(f map[string]string) {
			f["wechat/app.permission.json"] = strings.Replace(f["wechat/app.permission.json"], `"desc": "`, `"desc": "`+strings.Repeat("长", 31), 1)
		},
		"not JSON": func(f map[string]string) { f["harmonyos/module.json5"] = "{module: {}}" },
	}
	for name, breakIt := range broken {
		f := map[string]string{}
		for k, v := range files {
			f[k] = v
		}
		breakIt(f)
		if probs := checkExports(f, locales); len(probs) == 0 {
			t.Errorf("%s: the check found nothing", name)
		}
	}
}

// TestExportContents: the corrected lists, per platform.
func TestExportContents(t *testing.T) {
	files := exportReference(t)
	m, err := parseManifest(files["android/AndroidManifest.permissions.xml"])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"android.permission.CAMERA": "", "android.permission.READ_CALL_LOG": "", "android.permission.POST_NOTIFICATIONS": "",
		"android.permission.READ_EXTERNAL_STORAGE": "32", "android.permission.WRITE_EXTERNAL_STORAGE": "28",
		"android.permission.BLUETOOTH": "30", "android.permission.BLUETOOTH_CONNECT": "",
		"android.permission.REQUEST_INSTALL_PACKAGES": "", "com.android.permission.GET_INSTALLED_APPS": "",
		"android.permission.QUERY_ALL_PACKAGES": "", "android.permission.INTERNET": "",
	}
	for name, maxSDK := range want {
		if got, ok := m.perms[name]; !ok || got != maxSDK {
			t.Errorf("manifest: %s maxSdkVersion %q (declared %v), want %q", name, got, ok, maxSDK)
		}
	}
	for _, not := range []string{"android.permission.MOUNT_UNMOUNT_FILESYSTEMS", "android.permission.READ_MEDIA_IMAGES",
		"android.permission.READ_MEDIA_VISUAL_USER_SELECTED", "android.permission.READ_CONTACTS"} {
		if _, ok := m.perms[not]; ok {
			t.Errorf("manifest declares %s", not)
		}
	}
	for _, name := range []string{"android.permission.CAMERA", "android.permission.ACCESS_FINE_LOCATION", "android.permission.BLUETOOTH_CONNECT", "com.android.permission.GET_INSTALLED_APPS"} {
		if m.metaData[name] == "" {
			t.Errorf("no T/TAF 076 purpose for %s", name)
		}
	}
	for _, name := range []string{"android.permission.BLUETOOTH", "android.permission.REQUEST_INSTALL_PACKAGES", "android.permission.INTERNET"} {
		if m.metaData[name] != "" {
			t.Errorf("a T/TAF 076 purpose for %s, which no dialog asks", name)
		}
	}
	for _, dir := range []string{"values", "values-en", "values-zh-rTW"} {
		strs, err := parseAndroidStrings(files["android/res/"+dir+"/strings.xml"])
		if err != nil || strs[purposeResource("camera")] == "" {
			t.Errorf("%s: camera purpose missing (%v)", dir, err)
		}
	}

	for _, lp := range []string{"zh-Hans", "zh-Hant", "en"} {
		keys, err := parseStringsFile(files["ios/"+lp+".lproj/InfoPlist.strings"])
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"NSCameraUsageDescription", "NSPhotoLibraryAddUsageDescription", "NSUserTrackingUsageDescription", "NSCalendarsFullAccessUsageDescription", "NSFaceIDUsageDescription"} {
			if keys[k] == "" {
				t.Errorf("%s.lproj lacks %s", lp, k)
			}
		}
		for _, k := range []string{"NSPhotoLibraryUsageDescription", "NSContactsUsageDescription"} {
			if _, ok := keys[k]; ok {
				t.Errorf("%s.lproj asks %s, which the pickers make needless", lp, k)
			}
		}
	}

	var mod harmonyModule
	if err := json.Unmarshal([]byte(files["harmonyos/module.json5"]), &mod); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, rp := range mod.Module.RequestPermissions {
		names = append(names, rp.Name)
	}
	wantNames := []string{"ohos.permission.APPROXIMATELY_LOCATION", "ohos.permission.LOCATION", "ohos.permission.CAMERA", "ohos.permission.MICROPHONE",
		"ohos.permission.READ_CALENDAR", "ohos.permission.WRITE_CALENDAR", "ohos.permission.INTERNET", "ohos.permission.GET_NETWORK_INFO"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("module.json5 requestPermissions %v, want %v", names, wantNames)
	}

	var app wechatApp
	if err := json.Unmarshal([]byte(files["wechat/app.permission.json"]), &app); err != nil {
		t.Fatal(err)
	}
	if len(app.Permission) != 1 || app.Permission["scope.userLocation"].Desc == "" || !slices.Equal(app.RequiredPrivateInfos, []string{"getLocation"}) {
		t.Errorf("app.json: %+v", app)
	}
}

func TestExportNeedsHarmonyOSAbility(t *testing.T) {
	if _, err := Export(loadReference(t), ExportOptions{}); !errors.Is(err, ErrNoHarmonyOSAbility) {
		t.Errorf("export without an ability: %v", err)
	}
}

func TestLocaleFolders(t *testing.T) {
	for _, c := range [][4]string{
		{"zh-CN", "zh-Hans", "values", "zh_CN"},
		{"zh-TW", "zh-Hant", "values-zh-rTW", "zh_TW"},
		{"en", "en", "values-en", "en"},
		{"zh-Hant-HK", "zh-Hant", "values-b+zh+Hant+HK", "zh_Hant_HK"},
	} {
		if got := IOSLproj(c[0]); got != c[1] {
			t.Errorf("lproj of %s: %s, want %s", c[0], got, c[1])
		}
		if got := AndroidValuesDir(c[0], "zh-CN"); got != c[2] {
			t.Errorf("values of %s: %s, want %s", c[0], got, c[2])
		}
		if got := HarmonyOSQualifier(c[0]); got != c[3] {
			t.Errorf("qualifier of %s: %s, want %s", c[0], got, c[3])
		}
	}
	if got := androidEscape(`@it's "x"`); got != `\@it\&#39;s \&#34;x\&#34;` {
		t.Errorf("androidEscape: %s", got)
	}
}

// TestReferenceRows: the access levels and grants the compiled bundle
// carries, as the engine will read them.
func TestReferenceRows(t *testing.T) {
	b := compileReference(t)
	rows := []struct {
		perm, access, platform, version string
		grant, api, settings            string
		ids                             []string
	}{
		{"photos", "picker", "android", "22", "none", "ActivityResultContracts.PickVisualMedia", "", nil},
		{"photos", "picker", "ios", "13.7", "none", "UIImagePickerController", "", nil},
		{"photos", "picker", "ios", "14.0", "none", "PHPickerViewController", "", nil},
		{"photos", "add", "ios", "17.2", "", "", "", []string{"NSPhotoLibraryAddUsageDescription"}},
		{"photos", "add", "harmonyos", "12", "none", "SaveButton", "", nil},
		{"photos", "picker", "wechat", "2.9.0", "none", "wx.chooseImage", "", nil},
		{"photos", "picker", "wechat", "3.4.1", "none", "wx.chooseMedia", "", nil},
		{"photos", "add", "wechat", "3.4.1", "", "", "", []string{"scope.writePhotosAlbum"}},
		{"photos", "picker", "web", "", "none", "input[type=file]", "", nil},
		{"contacts", "picker", "harmonyos", "12", "none", "contact.selectContacts", "", nil},
		{"storage", "add", "android", "28", "", "", "", []string{"android.permission.WRITE_EXTERNAL_STORAGE"}},
		{"storage", "add", "android", "29", "none", "MediaStore", "", nil},
		{"bluetooth", "", "android", "30", "install", "", "", []string{"android.permission.BLUETOOTH"}},
		{"install_packages", "", "android", "25", "special", "", "android.settings.SECURITY_SETTINGS", nil},
		{"install_packages", "", "android", "26", "special", "", "android.settings.MANAGE_UNKNOWN_APP_SOURCES", []string{"android.permission.REQUEST_INSTALL_PACKAGES"}},
		{"installed_apps", "", "android", "29", "none", "PackageManager.getInstalledPackages", "", nil},
	}
	for _, r := range rows {
		d := b.Declaration(r.perm, r.access, r.platform, r.version)
		if d == nil {
			t.Errorf("%s %s on %s %s: no row", r.perm, r.access, r.platform, r.version)
			continue
		}
		if d.Grant != r.grant || d.API != r.api || d.Settings != r.settings || !slices.Equal(d.IDs, r.ids) {
			t.Errorf("%s %s on %s %s: %+v", r.perm, r.access, r.platform, r.version, *d)
		}
	}
	for _, c := range []struct{ step, perm, access string }{
		{"browse/save_image", "storage", "add"}, {"browse/save_image", "photos", "add"},
		{"loan_apply/supplement_upload", "photos", "picker"}, {"mall/return_voucher", "photos", "picker"},
		{"customer_service/send_image", "photos", "picker"}, {"loan_apply/emergency_contacts", "contacts", "picker"},
	} {
		sc, st, _ := strings.Cut(c.step, "/")
		found := false
		for _, sp := range b.Step(sc, st).Permissions {
			if sp.ID == c.perm {
				found = true
				var platforms []string
				for _, p := range sp.Platforms {
					platforms = append(platforms, p.Platform)
				}
				if sp.Access != c.access || len(platforms) == 0 {
					t.Errorf("%s: %s access %q on %v", c.step, c.perm, sp.Access, platforms)
				}
				for _, p := range sp.Platforms {
					if !hasRow(b, c.perm, c.access, p.Platform) {
						t.Errorf("%s: %s asked on %s, which has no %s row", c.step, c.perm, p.Platform, c.access)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s does not ask %s", c.step, c.perm)
		}
	}
}

func hasRow(b *bundle.Bundle, perm, access, platform string) bool {
	for _, p := range b.Permissions {
		for _, d := range p.Declare {
			if p.ID == perm && d.Platform == platform && d.Access == access {
				return true
			}
		}
	}
	return false
}

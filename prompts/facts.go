package prompts

import (
	"slices"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// The platform facts: what each platform's documentation says of the
// identifiers, pickers and settings a policy may name. The linter holds
// every declare row and [install_time] against them (restricted_permission,
// removed_permission, no_picker, wrong_grant), and the export tests hold
// every exported identifier against them. The table is the compiler's own:
// the engine and the simulator do not read it (a check shares nothing with
// what it checks). docs/PLATFORMS.md lists every fact with its source.

// factKind is what the documentation says an identifier is.
type factKind int

const (
	// factRuntime: a system dialog asks the user (Android dangerous,
	// HarmonyOS user_grant, an iOS usage key, a mini-program scope, a
	// browser permission).
	factRuntime factKind = iota
	// factInstall: granted at install, nothing asked (Android normal,
	// HarmonyOS system_grant).
	factInstall
	// factSpecial: a special access the user grants in the settings.
	factSpecial
	// factRestricted: an ordinary app is not granted it (Android
	// signature|privileged, HarmonyOS ACL-restricted or system_basic
	// without an approved ACL).
	factRestricted
)

// grant returns the grant a declare row of this kind has; restricted has
// none an app can use.
func (k factKind) grant() (vocab.Grant, bool) {
	switch k {
	case factRuntime:
		return vocab.GrantRuntime, true
	case factInstall:
		return vocab.GrantInstall, true
	case factSpecial:
		return vocab.GrantSpecial, true
	}
	return 0, false
}

// idFact is one identifier of a platform: its kind, where it exists (min
// and max, inclusive, as in a declare row) and, for some, the access
// levels it can serve.
type idFact struct {
	platform, id string
	kind         factKind
	min, max     string
	access       []vocab.Access // nil: any
	what         string         // how the documentation classes it
	source       string
}

// apiFact is a call that needs no permission: a system picker (access
// picker) or a way to save without reading (access add), or a call that
// needed none before a version (access full).
type apiFact struct {
	platform, api string
	perms         []string
	access        vocab.Access
	min, max      string
	source        string
}

// settingsFact is where the user grants a special access.
type settingsFact struct {
	platform, action string
	min, max         string
	source           string
}

const (
	srcAndroidManifest  = "https://developer.android.com/reference/android/Manifest.permission"
	srcAndroidBluetooth = "https://developer.android.com/develop/connectivity/bluetooth/bt-permissions"
	srcAndroidMedia     = "https://developer.android.com/about/versions/13/behavior-changes-13#granular-media-permissions"
	srcAndroidPartial   = "https://developer.android.com/about/versions/14/changes/partial-photo-video-access"
	srcAndroidStorage   = "https://developer.android.com/training/data-storage/shared/media#storage-permission"
	srcAndroidPicker    = "https://developer.android.com/training/data-storage/shared/photopicker"
	srcAndroidNotif     = "https://developer.android.com/develop/ui/views/notifications/notification-permission"
	srcAndroidSpecial   = "https://developer.android.com/training/permissions/requesting-special"
	srcAndroidVisible   = "https://developer.android.com/training/package-visibility"
	srcAndroidSettings  = "https://developer.android.com/reference/android/provider/Settings"
	srcAndroidContacts  = "https://developer.android.com/guide/components/intents-common#Contacts"
	srcTAF108           = "https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1619"
	srcIOSPlist         = "https://developer.apple.com/documentation/bundleresources/information-property-list"
	srcIOSPHPicker      = "https://developer.apple.com/documentation/photokit/phpickerviewcontroller"
	srcIOSImagePicker   = "https://developer.apple.com/documentation/uikit/uiimagepickercontroller"
	srcIOSContactPicker = "https://developer.apple.com/documentation/contactsui/cncontactpickerviewcontroller"
	srcIOSNotif         = "https://developer.apple.com/documentation/usernotifications/unusernotificationcenter/requestauthorization(options:completionhandler:)"
	srcOHRestricted     = "https://developer.huawei.com/consumer/cn/doc/harmonyos-guides/restricted-permissions"
	srcOHUserGrant      = "https://developer.huawei.com/consumer/cn/doc/harmonyos-guides/permissions-for-all-user-apps"
	srcOHPicker         = "https://developer.huawei.com/consumer/cn/doc/harmonyos-references/js-apis-photoaccesshelper"
	srcOHSaveButton     = "https://developer.huawei.com/consumer/cn/doc/harmonyos-references/ts-security-components-savebutton"
	srcOHContact        = "https://developer.huawei.com/consumer/cn/doc/harmonyos-references/js-apis-contact"
	srcOHNotif          = "https://developer.huawei.com/consumer/cn/doc/harmonyos-guides/notification-enable"
	srcWXAuthorize      = "https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/authorize.html"
	srcWXChooseMedia    = "https://developers.weixin.qq.com/miniprogram/dev/api/media/video/wx.chooseMedia.html"
	srcWXChooseImage    = "https://developers.weixin.qq.com/miniprogram/dev/api/media/image/wx.chooseImage.html"
	srcWXChooseContact  = "https://developers.weixin.qq.com/miniprogram/dev/api/device/contact/wx.chooseContact.html"
	srcAlipayScopes     = "https://opendocs.alipay.com/mini/api/openapi-authorize"
	srcAlipayImage      = "https://opendocs.alipay.com/mini/api/media/image/my.chooseimage"
	srcAlipayContact    = "https://help.aliyun.com/document_detail/118433.html"
	srcWebPermissions   = "https://www.w3.org/TR/permissions-registry/"
	srcWebFileInput     = "https://html.spec.whatwg.org/multipage/input.html#file-upload-state-(type=file)"
)

var (
	addOnly  = []vocab.Access{vocab.AccessAdd}
	readFull = []vocab.Access{vocab.AccessRead, vocab.AccessFull}
)

// idFacts: every identifier the linter knows. An identifier not listed is
// not checked.
var idFacts = []idFact{
	// Android: protection levels from the Manifest.permission reference.
	{platform: "android", id: "android.permission.ACCESS_FINE_LOCATION", what: "dangerous", source: srcAndroidManifest + "#ACCESS_FINE_LOCATION"},
	{platform: "android", id: "android.permission.ACCESS_COARSE_LOCATION", what: "dangerous", source: srcAndroidManifest + "#ACCESS_COARSE_LOCATION"},
	{platform: "android", id: "android.permission.CAMERA", what: "dangerous", source: srcAndroidManifest + "#CAMERA"},
	{platform: "android", id: "android.permission.RECORD_AUDIO", what: "dangerous", source: srcAndroidManifest + "#RECORD_AUDIO"},
	{platform: "android", id: "android.permission.READ_CALL_LOG", what: "dangerous", source: srcAndroidManifest + "#READ_CALL_LOG"},
	{platform: "android", id: "android.permission.READ_CONTACTS", what: "dangerous", source: srcAndroidManifest + "#READ_CONTACTS"},
	{platform: "android", id: "android.permission.READ_CALENDAR", what: "dangerous", source: srcAndroidManifest + "#READ_CALENDAR"},
	{platform: "android", id: "android.permission.WRITE_CALENDAR", what: "dangerous", source: srcAndroidManifest + "#WRITE_CALENDAR"},
	{platform: "android", id: "android.permission.READ_PHONE_STATE", what: "dangerous", source: srcAndroidManifest + "#READ_PHONE_STATE"},
	{platform: "android", id: "android.permission.POST_NOTIFICATIONS", min: "33", what: "dangerous, from API 33", source: srcAndroidNotif},
	{platform: "android", id: "android.permission.READ_EXTERNAL_STORAGE", max: "32", what: "dangerous; from API 33 it grants nothing (READ_MEDIA_*)", source: srcAndroidStorage},
	{platform: "android", id: "android.permission.WRITE_EXTERNAL_STORAGE", max: "28", what: "dangerous; from API 29 (scoped storage) an app writes its own media through MediaStore without it", source: srcAndroidManifest + "#WRITE_EXTERNAL_STORAGE"},
	{platform: "android", id: "android.permission.READ_MEDIA_IMAGES", min: "33", access: readFull, what: "dangerous, from API 33", source: srcAndroidMedia},
	{platform: "android", id: "android.permission.READ_MEDIA_VIDEO", min: "33", access: readFull, what: "dangerous, from API 33", source: srcAndroidMedia},
	{platform: "android", id: "android.permission.READ_MEDIA_VISUAL_USER_SELECTED", min: "34", access: readFull, what: "dangerous, from API 34 (the user's selection)", source: srcAndroidPartial},
	{platform: "android", id: "android.permission.BLUETOOTH", kind: factInstall, max: "30", what: "normal, up to API 30", source: srcAndroidBluetooth},
	{platform: "android", id: "android.permission.BLUETOOTH_CONNECT", min: "31", what: "dangerous (nearby devices), from API 31", source: srcAndroidBluetooth},
	{platform: "android", id: "android.permission.REQUEST_INSTALL_PACKAGES", kind: factSpecial, min: "26", what: "a special access (install unknown apps), from API 26", source: srcAndroidManifest + "#REQUEST_INSTALL_PACKAGES"},
	{platform: "android", id: "android.permission.QUERY_ALL_PACKAGES", kind: factInstall, min: "30", what: "normal, from API 30 (package visibility)", source: srcAndroidVisible},
	{platform: "android", id: "com.android.permission.GET_INSTALLED_APPS", what: "a runtime permission of Chinese vendors' systems (T/TAF 108-2022)", source: srcTAF108},
	{platform: "android", id: "android.permission.MOUNT_UNMOUNT_FILESYSTEMS", kind: factRestricted, what: "signature|privileged: not for use by third-party applications", source: srcAndroidManifest + "#MOUNT_UNMOUNT_FILESYSTEMS"},
	{platform: "android", id: "android.permission.READ_PRIVILEGED_PHONE_STATE", kind: factRestricted, what: "signature|privileged", source: srcAndroidManifest},
	{platform: "android", id: "android.permission.INSTALL_PACKAGES", kind: factRestricted, what: "signature|privileged: not for use by third-party applications", source: srcAndroidManifest + "#INSTALL_PACKAGES"},
	{platform: "android", id: "android.permission.INTERNET", kind: factInstall, what: "normal", source: srcAndroidManifest + "#INTERNET"},
	{platform: "android", id: "android.permission.ACCESS_NETWORK_STATE", kind: factInstall, what: "normal", source: srcAndroidManifest + "#ACCESS_NETWORK_STATE"},
	{platform: "android", id: "android.permission.CHANGE_NETWORK_STATE", kind: factInstall, what: "normal", source: srcAndroidManifest + "#CHANGE_NETWORK_STATE"},
	{platform: "android", id: "android.permission.ACCESS_WIFI_STATE", kind: factInstall, what: "normal", source: srcAndroidManifest + "#ACCESS_WIFI_STATE"},
	{platform: "android", id: "android.permission.CHANGE_WIFI_STATE", kind: factInstall, what: "normal", source: srcAndroidManifest + "#CHANGE_WIFI_STATE"},
	{platform: "android", id: "android.permission.GET_TASKS", kind: factInstall, what: "normal (deprecated in API 21: only the app's own tasks)", source: srcAndroidManifest + "#GET_TASKS"},
	{platform: "android", id: "android.permission.ACCESS_LOCATION_EXTRA_COMMANDS", kind: factInstall, what: "normal", source: srcAndroidManifest + "#ACCESS_LOCATION_EXTRA_COMMANDS"},
	{platform: "android", id: "android.permission.FOREGROUND_SERVICE", kind: factInstall, min: "28", what: "normal, from API 28", source: srcAndroidManifest + "#FOREGROUND_SERVICE"},
	{platform: "android", id: "android.permission.VIBRATE", kind: factInstall, what: "normal", source: srcAndroidManifest + "#VIBRATE"},
	{platform: "android", id: "android.permission.USE_BIOMETRIC", kind: factInstall, min: "28", what: "normal, from API 28", source: srcAndroidManifest + "#USE_BIOMETRIC"},

	// iOS: Info.plist usage keys; each names the dialog the system shows.
	{platform: "ios", id: "NSLocationWhenInUseUsageDescription", what: "a usage key", source: srcIOSPlist + "/nslocationwheninuseusagedescription"},
	{platform: "ios", id: "NSCameraUsageDescription", what: "a usage key", source: srcIOSPlist + "/nscamerausagedescription"},
	{platform: "ios", id: "NSMicrophoneUsageDescription", what: "a usage key", source: srcIOSPlist + "/nsmicrophoneusagedescription"},
	{platform: "ios", id: "NSContactsUsageDescription", what: "a usage key (the whole address book)", source: srcIOSPlist + "/nscontactsusagedescription"},
	{platform: "ios", id: "NSPhotoLibraryUsageDescription", access: readFull, what: "a usage key (reading the whole library)", source: srcIOSPlist + "/nsphotolibraryusagedescription"},
	{platform: "ios", id: "NSPhotoLibraryAddUsageDescription", min: "11", access: addOnly, what: "a usage key for adding only, from iOS 11", source: srcIOSPlist + "/nsphotolibraryaddusagedescription"},
	{platform: "ios", id: "NSCalendarsUsageDescription", max: "16", what: "a usage key, replaced in iOS 17", source: srcIOSPlist + "/nscalendarsusagedescription"},
	{platform: "ios", id: "NSCalendarsFullAccessUsageDescription", min: "17", what: "a usage key, from iOS 17", source: srcIOSPlist + "/nscalendarsfullaccessusagedescription"},
	{platform: "ios", id: "NSCalendarsWriteOnlyAccessUsageDescription", min: "17", access: addOnly, what: "a usage key for adding events only, from iOS 17", source: srcIOSPlist + "/nscalendarswriteonlyaccessusagedescription"},
	{platform: "ios", id: "NSUserTrackingUsageDescription", min: "14", what: "a usage key (App Tracking Transparency), from iOS 14", source: srcIOSPlist + "/nsusertrackingusagedescription"},
	{platform: "ios", id: "NSFaceIDUsageDescription", min: "11", what: "a usage key, from iOS 11", source: srcIOSPlist + "/nsfaceidusagedescription"},
	{platform: "ios", id: "UNUserNotificationCenter.requestAuthorization", min: "10", what: "the notification authorization dialog, from iOS 10", source: srcIOSNotif},

	// HarmonyOS: user_grant permissions open to every app; the media and
	// contacts ones are restricted (ACL, system_basic).
	{platform: "harmonyos", id: "ohos.permission.APPROXIMATELY_LOCATION", what: "user_grant", source: srcOHUserGrant},
	{platform: "harmonyos", id: "ohos.permission.LOCATION", what: "user_grant", source: srcOHUserGrant},
	{platform: "harmonyos", id: "ohos.permission.CAMERA", what: "user_grant", source: srcOHUserGrant},
	{platform: "harmonyos", id: "ohos.permission.MICROPHONE", what: "user_grant", source: srcOHUserGrant},
	{platform: "harmonyos", id: "ohos.permission.READ_CALENDAR", what: "user_grant", source: srcOHUserGrant},
	{platform: "harmonyos", id: "ohos.permission.WRITE_CALENDAR", what: "user_grant", source: srcOHUserGrant},
	{platform: "harmonyos", id: "ohos.permission.READ_CONTACTS", kind: factRestricted, what: "restricted (ACL, system_basic): the contacts picker is the way", source: srcOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.READ_IMAGEVIDEO", kind: factRestricted, what: "restricted (ACL, system_basic): PhotoViewPicker is the way", source: srcOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.WRITE_IMAGEVIDEO", kind: factRestricted, what: "restricted (ACL, system_basic): SaveButton is the way", source: srcOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.READ_CALL_LOG", kind: factRestricted, what: "restricted (ACL, system_basic)", source: srcOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.INTERNET", kind: factInstall, what: "system_grant", source: "https://developer.huawei.com/consumer/cn/doc/harmonyos-guides/permissions-for-all"},
	{platform: "harmonyos", id: "ohos.permission.GET_NETWORK_INFO", kind: factInstall, what: "system_grant", source: "https://developer.huawei.com/consumer/cn/doc/harmonyos-guides/permissions-for-all"},
	{platform: "harmonyos", id: "notificationManager.requestEnableNotification", what: "the notification dialog (no permission to declare)", source: srcOHNotif},

	// WeChat: scopes that wx.authorize asks.
	{platform: "wechat", id: "scope.userLocation", what: "a scope with a dialog", source: srcWXAuthorize},
	{platform: "wechat", id: "scope.camera", what: "a scope with a dialog", source: srcWXAuthorize},
	{platform: "wechat", id: "scope.record", what: "a scope with a dialog", source: srcWXAuthorize},
	{platform: "wechat", id: "scope.writePhotosAlbum", access: addOnly, what: "a scope for saving to the album only (wx.saveImageToPhotosAlbum); choosing images needs none", source: srcWXAuthorize},
	{platform: "wechat", id: "scope.addPhoneCalendar", min: "2.15.0", what: "a scope with a dialog, for wx.addPhoneCalendar from base library 2.15.0", source: "https://developers.weixin.qq.com/miniprogram/dev/api/device/calendar/wx.addPhoneCalendar.html"},

	// Alipay: the scopes of my.authorize and the system permissions
	// behind them.
	{platform: "alipay", id: "location", what: "a permission with a dialog", source: srcAlipayScopes},
	{platform: "alipay", id: "camera", what: "a permission with a dialog", source: srcAlipayScopes},
	{platform: "alipay", id: "audioRecord", what: "a permission with a dialog", source: srcAlipayScopes},
	{platform: "alipay", id: "album", what: "a permission with a dialog (saving to the album)", source: srcAlipayScopes},

	// The web: the Permissions API's names.
	{platform: "web", id: "geolocation", what: "a browser permission", source: srcWebPermissions},
	{platform: "web", id: "camera", what: "a browser permission", source: srcWebPermissions},
	{platform: "web", id: "microphone", what: "a browser permission", source: srcWebPermissions},
	{platform: "web", id: "notifications", what: "a browser permission", source: srcWebPermissions},
}

// apiFacts: the calls that need no permission.
var apiFacts = []apiFact{
	{platform: "android", api: "ActivityResultContracts.PickVisualMedia", perms: []string{"photos"}, access: vocab.AccessPicker, source: srcAndroidPicker},
	{platform: "android", api: "Intent.ACTION_OPEN_DOCUMENT", perms: []string{"photos", "storage"}, access: vocab.AccessPicker, min: "19", source: "https://developer.android.com/training/data-storage/shared/documents-files"},
	{platform: "android", api: "Intent.ACTION_PICK", perms: []string{"contacts", "photos"}, access: vocab.AccessPicker, source: srcAndroidContacts},
	{platform: "android", api: "MediaStore", perms: []string{"storage", "photos"}, access: vocab.AccessAdd, min: "29", source: "https://developer.android.com/training/data-storage/shared/media#add-item"},
	{platform: "android", api: "PackageManager.getInstalledPackages", perms: []string{"installed_apps"}, access: vocab.AccessFull, max: "29", source: srcAndroidVisible},
	{platform: "ios", api: "PHPickerViewController", perms: []string{"photos"}, access: vocab.AccessPicker, min: "14", source: srcIOSPHPicker},
	{platform: "ios", api: "UIImagePickerController", perms: []string{"photos"}, access: vocab.AccessPicker, source: srcIOSImagePicker},
	{platform: "ios", api: "CNContactPickerViewController", perms: []string{"contacts"}, access: vocab.AccessPicker, min: "9", source: srcIOSContactPicker},
	{platform: "harmonyos", api: "photoAccessHelper.PhotoViewPicker", perms: []string{"photos"}, access: vocab.AccessPicker, min: "10", source: srcOHPicker},
	{platform: "harmonyos", api: "SaveButton", perms: []string{"photos"}, access: vocab.AccessAdd, min: "10", source: srcOHSaveButton},
	{platform: "harmonyos", api: "contact.selectContacts", perms: []string{"contacts"}, access: vocab.AccessPicker, min: "10", source: srcOHContact},
	{platform: "wechat", api: "wx.chooseMedia", perms: []string{"photos"}, access: vocab.AccessPicker, min: "2.10.0", source: srcWXChooseMedia},
	{platform: "wechat", api: "wx.chooseImage", perms: []string{"photos"}, access: vocab.AccessPicker, source: srcWXChooseImage},
	{platform: "wechat", api: "wx.chooseContact", perms: []string{"contacts"}, access: vocab.AccessPicker, min: "2.8.0", source: srcWXChooseContact},
	{platform: "alipay", api: "my.chooseImage", perms: []string{"photos"}, access: vocab.AccessPicker, source: srcAlipayImage},
	{platform: "alipay", api: "my.choosePhoneContact", perms: []string{"contacts"}, access: vocab.AccessPicker, source: srcAlipayContact},
	{platform: "web", api: "input[type=file]", perms: []string{"photos"}, access: vocab.AccessPicker, source: srcWebFileInput},
}

// settingsFacts: where special accesses are granted.
var settingsFacts = []settingsFact{
	{platform: "android", action: "android.settings.MANAGE_UNKNOWN_APP_SOURCES", min: "26", source: srcAndroidSettings + "#ACTION_MANAGE_UNKNOWN_APP_SOURCES"},
	{platform: "android", action: "android.settings.SECURITY_SETTINGS", source: srcAndroidSettings + "#ACTION_SECURITY_SETTINGS"},
}

// factOf returns the fact of an identifier on a platform, or nil.
func factOf(platform, id string) *idFact {
	for i := range idFacts {
		if idFacts[i].platform == platform && idFacts[i].id == id {
			return &idFacts[i]
		}
	}
	return nil
}

// within reports whether the range [min, max] lies inside [fmin, fmax].
func within(min, max, fmin, fmax string) bool {
	if fmin != "" {
		if min == "" {
			return false
		}
		if ok, err := bundle.InRange(min, fmin, ""); err != nil || !ok {
			return false
		}
	}
	if fmax != "" {
		if max == "" {
			return false
		}
		if ok, err := bundle.InRange(max, "", fmax); err != nil || !ok {
			return false
		}
	}
	return true
}

// versions writes a platform and a version range the way a step's
// platforms are written: "android", "android>=26", "android<=30",
// "android>=29,<=32".
func versions(platform, min, max string) string {
	var parts []string
	if min != "" {
		parts = append(parts, ">="+min)
	}
	if max != "" {
		parts = append(parts, "<="+max)
	}
	return platform + strings.Join(parts, ",")
}

// lintFacts holds a well-formed declare row against the platform facts.
func (l linter) lintFacts(key, perm string, d Declare) {
	row := versions(d.Platform, d.Min, d.Max)
	grant := d.GrantKind()
	for _, id := range d.IDs {
		f := factOf(d.Platform, id)
		if f == nil {
			continue
		}
		where := versions(f.platform, f.min, f.max)
		if f.kind == factRestricted {
			l.add(CodeRestrictedPermission, key+".ids", "%s on %s is %s: an ordinary app is not granted it (%s; %s)", id, row, f.what, where, f.source)
			continue
		}
		if !within(d.Min, d.Max, f.min, f.max) {
			l.add(CodeRemovedPermission, key+".ids", "%s exists only on %s (%s); this row admits %s (%s)", id, where, f.what, row, f.source)
		}
		if g, _ := f.kind.grant(); g != grant {
			l.add(CodeWrongGrant, key+".grant", "%s on %s is %s: grant %s, not %s (%s)", id, row, f.what, g, grant, f.source)
		}
		if f.access != nil && !slices.Contains(f.access, d.AccessLevel()) {
			l.add(CodeWrongGrant, key+".access", "%s on %s is %s: it serves access %s, not %s (%s)", id, row, f.what, accessList(f.access), d.AccessLevel(), f.source)
		}
	}
	switch grant {
	case vocab.GrantNone:
		l.lintAPI(key, perm, d, row)
	case vocab.GrantSpecial:
		for _, s := range settingsFacts {
			if s.platform == d.Platform && s.action == d.Settings && !within(d.Min, d.Max, s.min, s.max) {
				l.add(CodeRemovedPermission, key+".settings", "%s exists only on %s; this row admits %s (%s)", s.action, versions(s.platform, s.min, s.max), row, s.source)
			}
		}
	}
}

// lintAPI checks the call of a row that needs no permission: a picker must
// be one the platform has for the permission, in the row's versions.
func (l linter) lintAPI(key, perm string, d Declare, row string) {
	var known []string
	for _, a := range apiFacts {
		if a.platform != d.Platform || a.access != d.AccessLevel() || !slices.Contains(a.perms, perm) {
			continue
		}
		known = append(known, a.api)
		if a.api != d.API {
			continue
		}
		if !within(d.Min, d.Max, a.min, a.max) {
			code := CodeRemovedPermission
			if d.AccessLevel() == vocab.AccessPicker {
				code = CodeNoPicker
			}
			l.add(code, key+".api", "%s exists only on %s; this row admits %s (%s)", a.api, versions(a.platform, a.min, a.max), row, a.source)
		}
		return
	}
	if d.AccessLevel() != vocab.AccessPicker {
		return // a call the facts do not know: not checked
	}
	if len(known) == 0 {
		l.add(CodeNoPicker, key+".api", "%s: no system picker hands over %s on %s: ask a permission there or list %s in unavailable", d.API, perm, row, d.Platform)
		return
	}
	l.add(CodeNoPicker, key+".api", "%s is not a picker for %s on %s (the platform's: %s)", d.API, perm, row, strings.Join(known, ", "))
}

// lintInstallTime holds the identifiers granted at install against the
// facts: each must be one an app holds without a dialog, and not one that
// ends at some version (a manifest entry has no bounds; a declare row
// with max does).
func (l linter) lintInstallTime(key, platform string, ids []string) {
	for i, id := range ids {
		f := factOf(platform, id)
		if f == nil {
			continue
		}
		switch {
		case f.kind == factRestricted:
			l.add(CodeRestrictedPermission, key, "%s[%d] %s is %s: an ordinary app is not granted it (%s; %s)", platform, i, id, f.what, versions(f.platform, f.min, f.max), f.source)
		case f.kind != factInstall:
			g, _ := f.kind.grant()
			l.add(CodeWrongGrant, key, "%s[%d] %s on %s is %s: grant %s, not granted at install: give it a [[permission.declare]] row (%s)", platform, i, id, versions(f.platform, f.min, f.max), f.what, g, f.source)
		case f.max != "":
			l.add(CodeRemovedPermission, key, "%s[%d] %s exists only on %s (%s); [install_time] admits every version: declare it in a row with max = %q (%s)", platform, i, id, versions(f.platform, f.min, f.max), f.what, f.max, f.source)
		}
	}
}

func accessList(as []vocab.Access) string {
	var out []string
	for _, a := range as {
		out = append(out, a.String())
	}
	return strings.Join(out, " or ")
}

// impossibleID reports why an identifier must never be requested at
// runtime or exported on a platform at a version ("" when it may): it is
// restricted, does not exist there, or is not granted by a dialog. An
// identifier the facts do not know is reported too, since nothing vouches
// for it.
func impossibleID(platform, version, id string) string {
	f := factOf(platform, id)
	if f == nil {
		return "the facts do not know it"
	}
	if f.kind == factRestricted {
		return f.what
	}
	if version != "" || f.min != "" || f.max != "" {
		if ok, err := bundle.InRange(version, f.min, f.max); err != nil || !ok {
			return "it exists only on " + versions(f.platform, f.min, f.max)
		}
	}
	if f.kind != factRuntime {
		return f.what + ": no dialog grants it"
	}
	return ""
}

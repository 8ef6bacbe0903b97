package device

import (
	"slices"
	"strconv"
	"strings"
)

// Kind is how an OS grants an identifier, or serves an access level of a
// permission.
type Kind string

// Kinds.
const (
	// KindRuntime is a system dialog at run time (Android dangerous
	// permissions from API 23, iOS usage descriptions, HarmonyOS user_grant
	// permissions, mini-program scopes, web permissions).
	KindRuntime Kind = "runtime"
	// KindInstall is granted at install from the manifest: nothing is
	// asked and the user cannot switch it (Android normal permissions).
	KindInstall Kind = "install"
	// KindSpecial is granted by the user on a settings page, never in a
	// dialog (Android special app access).
	KindSpecial Kind = "special"
	// KindNone needs no permission: a system picker, component or store
	// does the work, and the app gets only what the user picks or saves.
	KindNone Kind = "none"
	// KindRestricted is never granted to an ordinary app: Android
	// signature and privileged permissions, HarmonyOS restricted (ACL)
	// permissions.
	KindRestricted Kind = "restricted"
)

// Access levels, as the policy format and the engine name them.
const (
	AccessFull   = "full"
	AccessRead   = "read"
	AccessAdd    = "add"
	AccessPicker = "picker"
)

// The documentation each fact is written from.
const (
	docAndroidPerms    = "https://developer.android.com/reference/android/Manifest.permission"
	docAndroidOverview = "https://developer.android.com/guide/topics/permissions/overview"
	docAndroidNotif    = "https://developer.android.com/develop/ui/views/notifications/notification-permission"
	docAndroidMedia13  = "https://developer.android.com/about/versions/13/behavior-changes-13#granular-media-permissions"
	docAndroidPartial  = "https://developer.android.com/about/versions/14/changes/partial-photo-video-access"
	docAndroidPicker   = "https://developer.android.com/training/data-storage/shared/photopicker"
	docAndroidPickVM   = "https://developer.android.com/reference/androidx/activity/result/contract/ActivityResultContracts.PickVisualMedia"
	docAndroidStorage  = "https://developer.android.com/training/data-storage/use-cases"
	docAndroidMedia    = "https://developer.android.com/training/data-storage/shared/media"
	docAndroidSAF      = "https://developer.android.com/training/data-storage/shared/documents-files"
	docAndroidContacts = "https://developer.android.com/guide/components/intents-common#Contacts"
	docAndroidBT       = "https://developer.android.com/develop/connectivity/bluetooth/bt-permissions"
	docAndroidInstall  = "https://developer.android.com/reference/android/provider/Settings#ACTION_MANAGE_UNKNOWN_APP_SOURCES"
	docAndroidSecurity = "https://developer.android.com/reference/android/provider/Settings#ACTION_SECURITY_SETTINGS"
	docAndroidCDD8     = "https://android.googlesource.com/platform/compatibility/cdd/+/android-cts-8.1_r10/4_application-packaging/4_0_intro.md"
	docAndroidDetails  = "https://developer.android.com/reference/android/provider/Settings#ACTION_APPLICATION_DETAILS_SETTINGS"
	docAndroidAllFiles = "https://developer.android.com/training/data-storage/manage-all-files"
	docAndroidVisible  = "https://developer.android.com/training/package-visibility"
	docTAF108          = "T/TAF 108-2022 移动终端应用软件列表权限实施指南; https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1830"

	docIOSKeys      = "https://developer.apple.com/documentation/bundleresources/protected-resources"
	docIOSAdd       = "https://developer.apple.com/documentation/bundleresources/information-property-list/nsphotolibraryaddusagedescription"
	docIOSPHPicker  = "https://developer.apple.com/documentation/photosui/phpickerviewcontroller"
	docIOSUIPicker  = "https://developer.apple.com/documentation/uikit/uiimagepickercontroller"
	docIOSCNPicker  = "https://developer.apple.com/documentation/contactsui/cncontactpickerviewcontroller"
	docIOSCalendar  = "https://developer.apple.com/documentation/eventkit/accessing-the-event-store"
	docIOSATT       = "https://developer.apple.com/documentation/apptrackingtransparency"
	docIOSNotif     = "https://developer.apple.com/documentation/usernotifications/asking-permission-to-use-notifications"
	docIOSBluetooth = "https://developer.apple.com/documentation/bundleresources/information-property-list/nsbluetoothalwaysusagedescription"

	docOHUser       = "https://github.com/openharmony/docs/blob/master/en/application-dev/security/AccessToken/permissions-for-all-user.md"
	docOHRestricted = "https://github.com/openharmony/docs/blob/master/en/application-dev/security/AccessToken/restricted-permissions.md"
	docOHPicker     = "https://github.com/openharmony/docs/blob/master/en/application-dev/media/medialibrary/photoAccessHelper-photoviewpicker.md"
	docOHContacts   = "https://github.com/openharmony/docs/blob/master/en/application-dev/reference/apis-contacts-kit/js-apis-contact.md#contactselectcontacts10"
	docOHSave       = "https://github.com/openharmony/docs/blob/master/en/application-dev/security/AccessToken/savebutton.md"
	docOHNotif      = "https://github.com/openharmony/docs/blob/master/en/application-dev/notification/notification-enable.md"

	docWxAuth     = "https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/authorize.html"
	docWxMedia    = "https://developers.weixin.qq.com/miniprogram/dev/api/media/video/wx.chooseMedia.html"
	docWxImage    = "https://developers.weixin.qq.com/miniprogram/dev/api/media/image/wx.chooseImage.html"
	docWxContact  = "https://developers.weixin.qq.com/miniprogram/dev/api/device/contact/wx.chooseContact.html"
	docWxSave     = "https://developers.weixin.qq.com/miniprogram/dev/api/media/image/wx.saveImageToPhotosAlbum.html"
	docWxCalendar = "https://developers.weixin.qq.com/miniprogram/dev/api/device/calendar/wx.addPhoneCalendar.html"

	docAliAuth    = "https://opendocs.alipay.com/mini/api/openapi-authorize"
	docAliImage   = "https://opendocs.alipay.com/mini/api/media/image/my.chooseimage"
	docAliContact = "https://opendocs.alipay.com/mini/api/contact"

	docWebPerms = "https://w3c.github.io/permissions/"
	docWebFile  = "https://developer.mozilla.org/en-US/docs/Web/HTML/Element/input/file"
)

// ident is what a platform's documentation says of one identifier: how it
// is granted and the versions where it exists.
type ident struct {
	platform, id string
	kind         Kind
	min, max     string // inclusive; "" unbounded
	system       string // "vendor": only on vendor systems following T/TAF 108-2022
	doc          string
}

// idents are the identifiers the simulator knows, per platform. A request
// naming one outside its range, or one not listed, is refused by the
// device and reported by the checks.
var idents = []ident{
	// Android: Manifest.permission lists each one's protection level and
	// the API level that added it.
	{platform: "android", id: "android.permission.ACCESS_FINE_LOCATION", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.ACCESS_COARSE_LOCATION", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.CAMERA", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.RECORD_AUDIO", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.READ_CALL_LOG", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.READ_CONTACTS", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.WRITE_CONTACTS", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.READ_CALENDAR", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.WRITE_CALENDAR", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.READ_PHONE_STATE", kind: KindRuntime, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.POST_NOTIFICATIONS", kind: KindRuntime, min: "33", doc: docAndroidNotif},
	// Storage: from 33 READ_EXTERNAL_STORAGE grants nothing to an app
	// targeting 33 (the READ_MEDIA_* permissions replace it); from 30
	// WRITE_EXTERNAL_STORAGE has no effect (29 only under legacy storage).
	{platform: "android", id: "android.permission.READ_EXTERNAL_STORAGE", kind: KindRuntime, max: "32", doc: docAndroidMedia13},
	{platform: "android", id: "android.permission.WRITE_EXTERNAL_STORAGE", kind: KindRuntime, max: "29", doc: docAndroidStorage},
	{platform: "android", id: "android.permission.READ_MEDIA_IMAGES", kind: KindRuntime, min: "33", doc: docAndroidMedia13},
	{platform: "android", id: "android.permission.READ_MEDIA_VIDEO", kind: KindRuntime, min: "33", doc: docAndroidMedia13},
	{platform: "android", id: "android.permission.READ_MEDIA_VISUAL_USER_SELECTED", kind: KindRuntime, min: "34", doc: docAndroidPartial},
	{platform: "android", id: "android.permission.MANAGE_EXTERNAL_STORAGE", kind: KindSpecial, min: "30", doc: docAndroidAllFiles},
	// Bluetooth: BLUETOOTH and BLUETOOTH_ADMIN (normal) end at 30; from 31
	// talking to bonded devices needs the runtime BLUETOOTH_CONNECT.
	{platform: "android", id: "android.permission.BLUETOOTH", kind: KindInstall, max: "30", doc: docAndroidBT},
	{platform: "android", id: "android.permission.BLUETOOTH_ADMIN", kind: KindInstall, max: "30", doc: docAndroidBT},
	{platform: "android", id: "android.permission.BLUETOOTH_CONNECT", kind: KindRuntime, min: "31", doc: docAndroidBT},
	{platform: "android", id: "android.permission.BLUETOOTH_SCAN", kind: KindRuntime, min: "31", doc: docAndroidBT},
	// Installing packages: from 26 a per-app special access granted on the
	// MANAGE_UNKNOWN_APP_SOURCES page (CDD 8.0, 4: the device must have
	// that page); before, a device-wide setting with no permission.
	{platform: "android", id: "android.permission.REQUEST_INSTALL_PACKAGES", kind: KindSpecial, min: "26", doc: docAndroidInstall},
	// The installed-app list: from 30 package visibility filters it unless
	// the app holds QUERY_ALL_PACKAGES (normal); vendors following T/TAF
	// 108-2022 add a runtime permission of their own.
	{platform: "android", id: "android.permission.QUERY_ALL_PACKAGES", kind: KindInstall, min: "30", doc: docAndroidVisible},
	{platform: "android", id: "com.android.permission.GET_INSTALLED_APPS", kind: KindRuntime, system: "vendor", doc: docTAF108},
	// Signature or privileged: an app from a store cannot hold them.
	{platform: "android", id: "android.permission.MOUNT_UNMOUNT_FILESYSTEMS", kind: KindRestricted, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.READ_PRIVILEGED_PHONE_STATE", kind: KindRestricted, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.WRITE_MEDIA_STORAGE", kind: KindRestricted, doc: docAndroidPerms},
	// Normal permissions of the policy's manifest.
	{platform: "android", id: "android.permission.INTERNET", kind: KindInstall, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.ACCESS_NETWORK_STATE", kind: KindInstall, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.CHANGE_NETWORK_STATE", kind: KindInstall, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.ACCESS_WIFI_STATE", kind: KindInstall, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.CHANGE_WIFI_STATE", kind: KindInstall, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.ACCESS_LOCATION_EXTRA_COMMANDS", kind: KindInstall, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.FOREGROUND_SERVICE", kind: KindInstall, min: "28", doc: docAndroidPerms},
	{platform: "android", id: "android.permission.VIBRATE", kind: KindInstall, doc: docAndroidPerms},
	{platform: "android", id: "android.permission.USE_BIOMETRIC", kind: KindInstall, min: "28", doc: docAndroidPerms},
	{platform: "android", id: "android.permission.GET_TASKS", kind: KindInstall, doc: docAndroidPerms},

	// iOS: Info.plist usage descriptions (a dialog each).
	{platform: "ios", id: "NSLocationWhenInUseUsageDescription", kind: KindRuntime, doc: docIOSKeys},
	{platform: "ios", id: "NSLocationAlwaysAndWhenInUseUsageDescription", kind: KindRuntime, min: "11", doc: docIOSKeys},
	{platform: "ios", id: "NSCameraUsageDescription", kind: KindRuntime, doc: docIOSKeys},
	{platform: "ios", id: "NSMicrophoneUsageDescription", kind: KindRuntime, doc: docIOSKeys},
	{platform: "ios", id: "NSContactsUsageDescription", kind: KindRuntime, doc: docIOSKeys},
	{platform: "ios", id: "NSPhotoLibraryUsageDescription", kind: KindRuntime, doc: docIOSKeys},
	{platform: "ios", id: "NSPhotoLibraryAddUsageDescription", kind: KindRuntime, min: "11", doc: docIOSAdd},
	{platform: "ios", id: "NSCalendarsUsageDescription", kind: KindRuntime, max: "16", doc: docIOSCalendar},
	{platform: "ios", id: "NSCalendarsFullAccessUsageDescription", kind: KindRuntime, min: "17", doc: docIOSCalendar},
	{platform: "ios", id: "NSCalendarsWriteOnlyAccessUsageDescription", kind: KindRuntime, min: "17", doc: docIOSCalendar},
	{platform: "ios", id: "NSUserTrackingUsageDescription", kind: KindRuntime, min: "14", doc: docIOSATT},
	{platform: "ios", id: "NSFaceIDUsageDescription", kind: KindRuntime, min: "11", doc: docIOSKeys},
	{platform: "ios", id: "NSBluetoothAlwaysUsageDescription", kind: KindRuntime, min: "13", doc: docIOSBluetooth},
	{platform: "ios", id: "UNUserNotificationCenter.requestAuthorization", kind: KindRuntime, min: "10", doc: docIOSNotif},

	// HarmonyOS: user_grant permissions open to every app, and restricted
	// ones (system_basic, granted only through an ACL the store approves).
	{platform: "harmonyos", id: "ohos.permission.APPROXIMATELY_LOCATION", kind: KindRuntime, doc: docOHUser},
	{platform: "harmonyos", id: "ohos.permission.LOCATION", kind: KindRuntime, doc: docOHUser},
	{platform: "harmonyos", id: "ohos.permission.CAMERA", kind: KindRuntime, doc: docOHUser},
	{platform: "harmonyos", id: "ohos.permission.MICROPHONE", kind: KindRuntime, doc: docOHUser},
	{platform: "harmonyos", id: "ohos.permission.READ_CALENDAR", kind: KindRuntime, doc: docOHUser},
	{platform: "harmonyos", id: "ohos.permission.WRITE_CALENDAR", kind: KindRuntime, doc: docOHUser},
	{platform: "harmonyos", id: "ohos.permission.ACCESS_BLUETOOTH", kind: KindRuntime, min: "10", doc: docOHUser},
	{platform: "harmonyos", id: "notificationManager.requestEnableNotification", kind: KindRuntime, doc: docOHNotif},
	{platform: "harmonyos", id: "ohos.permission.READ_CONTACTS", kind: KindRestricted, doc: docOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.WRITE_CONTACTS", kind: KindRestricted, doc: docOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.READ_IMAGEVIDEO", kind: KindRestricted, doc: docOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.WRITE_IMAGEVIDEO", kind: KindRestricted, doc: docOHRestricted},
	{platform: "harmonyos", id: "ohos.permission.INTERNET", kind: KindInstall, doc: docOHUser},
	{platform: "harmonyos", id: "ohos.permission.GET_NETWORK_INFO", kind: KindInstall, doc: docOHUser},

	// WeChat scopes (wx.authorize).
	{platform: "wechat", id: "scope.userLocation", kind: KindRuntime, doc: docWxAuth},
	{platform: "wechat", id: "scope.camera", kind: KindRuntime, doc: docWxAuth},
	{platform: "wechat", id: "scope.record", kind: KindRuntime, doc: docWxAuth},
	{platform: "wechat", id: "scope.writePhotosAlbum", kind: KindRuntime, doc: docWxSave},
	{platform: "wechat", id: "scope.addPhoneCalendar", kind: KindRuntime, min: "2.15.0", doc: docWxCalendar},

	// Alipay scopes (my.getSetting lists them).
	{platform: "alipay", id: "location", kind: KindRuntime, doc: docAliAuth},
	{platform: "alipay", id: "camera", kind: KindRuntime, doc: docAliAuth},
	{platform: "alipay", id: "audioRecord", kind: KindRuntime, doc: docAliAuth},
	{platform: "alipay", id: "album", kind: KindRuntime, doc: docAliAuth},

	// The web: Permissions API names.
	{platform: "web", id: "geolocation", kind: KindRuntime, doc: docWebPerms},
	{platform: "web", id: "camera", kind: KindRuntime, doc: docWebPerms},
	{platform: "web", id: "microphone", kind: KindRuntime, doc: docWebPerms},
	{platform: "web", id: "notifications", kind: KindRuntime, doc: docWebPerms},
}

// way is how a platform, in a version range, serves an access level of a
// permission of the vocabulary.
type way struct {
	platform, perm, access string
	kind                   Kind
	ids                    []string // runtime, install, special, restricted: the identifiers
	apis                   []string // none: the calls that serve it
	settings               string   // special: the page where the user grants it
	min, max               string
	system                 string // "vendor": only on vendor systems; "stock": only on others
	doc                    string
}

// ways are how each platform serves what a step may need: its full, read
// or add-only access, or the system picker.
var ways = []way{
	// Android.
	{platform: "android", perm: "location", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_COARSE_LOCATION"}, doc: docAndroidOverview},
	{platform: "android", perm: "camera", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.CAMERA"}, doc: docAndroidOverview},
	{platform: "android", perm: "microphone", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.RECORD_AUDIO"}, doc: docAndroidOverview},
	{platform: "android", perm: "call_log", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_CALL_LOG"}, doc: docAndroidOverview},
	{platform: "android", perm: "phone_state", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_PHONE_STATE"}, doc: docAndroidOverview},
	{platform: "android", perm: "contacts", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_CONTACTS", "android.permission.WRITE_CONTACTS"}, doc: docAndroidOverview},
	{platform: "android", perm: "contacts", access: AccessPicker, kind: KindNone, apis: []string{"Intent.ACTION_PICK"}, doc: docAndroidContacts},
	{platform: "android", perm: "photos", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_EXTERNAL_STORAGE"}, max: "32", doc: docAndroidMedia13},
	{platform: "android", perm: "photos", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_MEDIA_IMAGES"}, min: "33", max: "33", doc: docAndroidMedia13},
	{platform: "android", perm: "photos", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_MEDIA_IMAGES", "android.permission.READ_MEDIA_VISUAL_USER_SELECTED"}, min: "34", doc: docAndroidPartial},
	{platform: "android", perm: "photos", access: AccessAdd, kind: KindRuntime, ids: []string{"android.permission.WRITE_EXTERNAL_STORAGE"}, max: "28", doc: docAndroidStorage},
	{platform: "android", perm: "photos", access: AccessAdd, kind: KindNone, apis: []string{"MediaStore"}, min: "29", doc: docAndroidMedia},
	// The photo picker (PickVisualMedia) works from API 19: the system
	// picker where there is one, ACTION_OPEN_DOCUMENT below; ACTION_PICK
	// exists at every level.
	{platform: "android", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"Intent.ACTION_PICK"}, doc: docAndroidPicker},
	{platform: "android", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"ActivityResultContracts.PickVisualMedia", "Intent.ACTION_OPEN_DOCUMENT"}, min: "19", doc: docAndroidPickVM},
	{platform: "android", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"MediaStore.ACTION_PICK_IMAGES"}, min: "33", doc: docAndroidPicker},
	{platform: "android", perm: "calendar", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_CALENDAR", "android.permission.WRITE_CALENDAR"}, doc: docAndroidOverview},
	{platform: "android", perm: "calendar", access: AccessAdd, kind: KindRuntime, ids: []string{"android.permission.WRITE_CALENDAR"}, doc: docAndroidOverview},
	{platform: "android", perm: "notifications", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.POST_NOTIFICATIONS"}, min: "33", doc: docAndroidNotif},
	{platform: "android", perm: "storage", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_EXTERNAL_STORAGE", "android.permission.WRITE_EXTERNAL_STORAGE"}, max: "29", doc: docAndroidStorage},
	{platform: "android", perm: "storage", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.READ_EXTERNAL_STORAGE"}, min: "30", max: "32", doc: docAndroidStorage},
	{platform: "android", perm: "storage", access: AccessAdd, kind: KindRuntime, ids: []string{"android.permission.WRITE_EXTERNAL_STORAGE"}, max: "28", doc: docAndroidStorage},
	{platform: "android", perm: "storage", access: AccessAdd, kind: KindNone, apis: []string{"MediaStore"}, min: "29", doc: docAndroidMedia},
	{platform: "android", perm: "storage", access: AccessPicker, kind: KindNone, apis: []string{"Intent.ACTION_OPEN_DOCUMENT"}, min: "19", doc: docAndroidSAF},
	{platform: "android", perm: "bluetooth", access: AccessFull, kind: KindInstall, ids: []string{"android.permission.BLUETOOTH"}, max: "30", doc: docAndroidBT},
	{platform: "android", perm: "bluetooth", access: AccessFull, kind: KindRuntime, ids: []string{"android.permission.BLUETOOTH_CONNECT"}, min: "31", doc: docAndroidBT},
	{platform: "android", perm: "install_packages", access: AccessFull, kind: KindSpecial, settings: "android.settings.SECURITY_SETTINGS", max: "25", doc: docAndroidSecurity},
	{platform: "android", perm: "install_packages", access: AccessFull, kind: KindSpecial, ids: []string{"android.permission.REQUEST_INSTALL_PACKAGES"}, settings: "android.settings.MANAGE_UNKNOWN_APP_SOURCES", min: "26", doc: docAndroidCDD8},
	{platform: "android", perm: "installed_apps", access: AccessFull, kind: KindNone, apis: []string{"PackageManager.getInstalledPackages"}, max: "29", doc: docAndroidVisible},
	{platform: "android", perm: "installed_apps", access: AccessFull, kind: KindInstall, ids: []string{"android.permission.QUERY_ALL_PACKAGES"}, min: "30", system: "stock", doc: docAndroidVisible},
	{platform: "android", perm: "installed_apps", access: AccessFull, kind: KindRuntime, ids: []string{"com.android.permission.GET_INSTALLED_APPS"}, min: "30", system: "vendor", doc: docTAF108},

	// iOS.
	{platform: "ios", perm: "location", access: AccessFull, kind: KindRuntime, ids: []string{"NSLocationWhenInUseUsageDescription"}, doc: docIOSKeys},
	{platform: "ios", perm: "camera", access: AccessFull, kind: KindRuntime, ids: []string{"NSCameraUsageDescription"}, doc: docIOSKeys},
	{platform: "ios", perm: "microphone", access: AccessFull, kind: KindRuntime, ids: []string{"NSMicrophoneUsageDescription"}, doc: docIOSKeys},
	{platform: "ios", perm: "contacts", access: AccessFull, kind: KindRuntime, ids: []string{"NSContactsUsageDescription"}, doc: docIOSKeys},
	{platform: "ios", perm: "contacts", access: AccessPicker, kind: KindNone, apis: []string{"CNContactPickerViewController"}, min: "9", doc: docIOSCNPicker},
	{platform: "ios", perm: "photos", access: AccessFull, kind: KindRuntime, ids: []string{"NSPhotoLibraryUsageDescription"}, doc: docIOSKeys},
	{platform: "ios", perm: "photos", access: AccessAdd, kind: KindRuntime, ids: []string{"NSPhotoLibraryAddUsageDescription"}, min: "11", doc: docIOSAdd},
	// From iOS 11 UIImagePickerController runs out of the app's process
	// and needs no photo permission; PHPickerViewController from 14.
	{platform: "ios", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"UIImagePickerController"}, min: "11", doc: docIOSUIPicker},
	{platform: "ios", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"PHPickerViewController"}, min: "14", doc: docIOSPHPicker},
	{platform: "ios", perm: "calendar", access: AccessFull, kind: KindRuntime, ids: []string{"NSCalendarsUsageDescription"}, max: "16", doc: docIOSCalendar},
	{platform: "ios", perm: "calendar", access: AccessFull, kind: KindRuntime, ids: []string{"NSCalendarsFullAccessUsageDescription"}, min: "17", doc: docIOSCalendar},
	{platform: "ios", perm: "calendar", access: AccessAdd, kind: KindRuntime, ids: []string{"NSCalendarsWriteOnlyAccessUsageDescription"}, min: "17", doc: docIOSCalendar},
	{platform: "ios", perm: "notifications", access: AccessFull, kind: KindRuntime, ids: []string{"UNUserNotificationCenter.requestAuthorization"}, min: "10", doc: docIOSNotif},
	{platform: "ios", perm: "ad_tracking", access: AccessFull, kind: KindRuntime, ids: []string{"NSUserTrackingUsageDescription"}, min: "14", doc: docIOSATT},
	{platform: "ios", perm: "face_id", access: AccessFull, kind: KindRuntime, ids: []string{"NSFaceIDUsageDescription"}, min: "11", doc: docIOSKeys},
	{platform: "ios", perm: "bluetooth", access: AccessFull, kind: KindRuntime, ids: []string{"NSBluetoothAlwaysUsageDescription"}, min: "13", doc: docIOSBluetooth},

	// HarmonyOS: contacts and the photo library only through pickers and
	// the save button; reading them in full is restricted (ACL).
	{platform: "harmonyos", perm: "location", access: AccessFull, kind: KindRuntime, ids: []string{"ohos.permission.APPROXIMATELY_LOCATION", "ohos.permission.LOCATION"}, doc: docOHUser},
	{platform: "harmonyos", perm: "camera", access: AccessFull, kind: KindRuntime, ids: []string{"ohos.permission.CAMERA"}, doc: docOHUser},
	{platform: "harmonyos", perm: "microphone", access: AccessFull, kind: KindRuntime, ids: []string{"ohos.permission.MICROPHONE"}, doc: docOHUser},
	{platform: "harmonyos", perm: "calendar", access: AccessFull, kind: KindRuntime, ids: []string{"ohos.permission.READ_CALENDAR", "ohos.permission.WRITE_CALENDAR"}, doc: docOHUser},
	{platform: "harmonyos", perm: "notifications", access: AccessFull, kind: KindRuntime, ids: []string{"notificationManager.requestEnableNotification"}, doc: docOHNotif},
	{platform: "harmonyos", perm: "bluetooth", access: AccessFull, kind: KindRuntime, ids: []string{"ohos.permission.ACCESS_BLUETOOTH"}, min: "10", doc: docOHUser},
	{platform: "harmonyos", perm: "contacts", access: AccessFull, kind: KindRestricted, ids: []string{"ohos.permission.READ_CONTACTS"}, doc: docOHRestricted},
	{platform: "harmonyos", perm: "contacts", access: AccessPicker, kind: KindNone, apis: []string{"contact.selectContacts"}, min: "10", doc: docOHContacts},
	{platform: "harmonyos", perm: "photos", access: AccessFull, kind: KindRestricted, ids: []string{"ohos.permission.READ_IMAGEVIDEO", "ohos.permission.WRITE_IMAGEVIDEO"}, doc: docOHRestricted},
	{platform: "harmonyos", perm: "photos", access: AccessAdd, kind: KindNone, apis: []string{"SaveButton"}, min: "10", doc: docOHSave},
	{platform: "harmonyos", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"photoAccessHelper.PhotoViewPicker"}, min: "10", doc: docOHPicker},

	// WeChat: choosing media or a contact needs no scope (still a privacy
	// API behind the privacy agreement); saving to the album does.
	{platform: "wechat", perm: "location", access: AccessFull, kind: KindRuntime, ids: []string{"scope.userLocation"}, doc: docWxAuth},
	{platform: "wechat", perm: "camera", access: AccessFull, kind: KindRuntime, ids: []string{"scope.camera"}, doc: docWxAuth},
	{platform: "wechat", perm: "microphone", access: AccessFull, kind: KindRuntime, ids: []string{"scope.record"}, doc: docWxAuth},
	{platform: "wechat", perm: "photos", access: AccessAdd, kind: KindRuntime, ids: []string{"scope.writePhotosAlbum"}, doc: docWxSave},
	{platform: "wechat", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"wx.chooseImage"}, doc: docWxImage},
	{platform: "wechat", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"wx.chooseMedia"}, min: "2.10.0", doc: docWxMedia},
	{platform: "wechat", perm: "contacts", access: AccessPicker, kind: KindNone, apis: []string{"wx.chooseContact"}, min: "2.8.0", doc: docWxContact},
	{platform: "wechat", perm: "calendar", access: AccessAdd, kind: KindRuntime, ids: []string{"scope.addPhoneCalendar"}, min: "2.15.0", doc: docWxCalendar},

	// Alipay.
	{platform: "alipay", perm: "location", access: AccessFull, kind: KindRuntime, ids: []string{"location"}, doc: docAliAuth},
	{platform: "alipay", perm: "camera", access: AccessFull, kind: KindRuntime, ids: []string{"camera"}, doc: docAliAuth},
	{platform: "alipay", perm: "microphone", access: AccessFull, kind: KindRuntime, ids: []string{"audioRecord"}, doc: docAliAuth},
	{platform: "alipay", perm: "photos", access: AccessAdd, kind: KindRuntime, ids: []string{"album"}, doc: docAliAuth},
	{platform: "alipay", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"my.chooseImage"}, doc: docAliImage},
	{platform: "alipay", perm: "contacts", access: AccessPicker, kind: KindNone, apis: []string{"my.choosePhoneContact"}, doc: docAliContact},

	// The web.
	{platform: "web", perm: "location", access: AccessFull, kind: KindRuntime, ids: []string{"geolocation"}, doc: docWebPerms},
	{platform: "web", perm: "camera", access: AccessFull, kind: KindRuntime, ids: []string{"camera"}, doc: docWebPerms},
	{platform: "web", perm: "microphone", access: AccessFull, kind: KindRuntime, ids: []string{"microphone"}, doc: docWebPerms},
	{platform: "web", perm: "notifications", access: AccessFull, kind: KindRuntime, ids: []string{"notifications"}, doc: docWebPerms},
	{platform: "web", perm: "photos", access: AccessPicker, kind: KindNone, apis: []string{"input[type=file]"}, doc: docWebFile},
	{platform: "web", perm: "storage", access: AccessPicker, kind: KindNone, apis: []string{"input[type=file]"}, doc: docWebFile},
}

// settingsPages are the settings pages an app can open on Android, from
// the API level that has them.
var settingsPages = []struct{ page, min, doc string }{
	{"android.settings.APPLICATION_DETAILS_SETTINGS", "9", docAndroidDetails},
	{"android.settings.SECURITY_SETTINGS", "1", docAndroidSecurity},
	{"android.settings.MANAGE_UNKNOWN_APP_SOURCES", "26", docAndroidInstall},
	{"android.settings.MANAGE_APP_ALL_FILES_ACCESS_PERMISSION", "30", docAndroidAllFiles},
}

// compareBound compares a dotted numeric version ("17.2", "2.10.0",
// "33") with a bound on as many components as the bound has, so that a
// bound "16" takes in 16.7; ok is false when either is not one.
func compareBound(version, bound string) (cmp int, ok bool) {
	vs, bs := strings.Split(version, "."), strings.Split(bound, ".")
	for i, b := range bs {
		y, err := strconv.Atoi(b)
		if err != nil {
			return 0, false
		}
		x := 0
		if i < len(vs) {
			if x, err = strconv.Atoi(vs[i]); err != nil {
				return 0, false
			}
		}
		if x != y {
			if x < y {
				return -1, true
			}
			return 1, true
		}
	}
	if _, err := strconv.Atoi(vs[0]); err != nil {
		return 0, false
	}
	return 0, true
}

// inRange reports whether version lies within [min, max] (inclusive,
// either optional, compared as compareBound does). A version that is no
// number (a browser name) lies only within unbounded ranges.
func inRange(version, min, max string) bool {
	if min != "" {
		if c, ok := compareBound(version, min); !ok || c < 0 {
			return false
		}
	}
	if max != "" {
		if c, ok := compareBound(version, max); !ok || c > 0 {
			return false
		}
	}
	return true
}

func bounds(min, max string) string {
	switch {
	case min == "" && max == "":
		return "every version"
	case min == "":
		return "up to " + max
	case max == "":
		return "from " + min
	}
	return min + " to " + max
}

// system says whether a fact that applies only to vendor or stock systems
// applies to the device.
func (d *Device) system(s string) bool {
	switch s {
	case "vendor":
		return d.p.Vendor
	case "stock":
		return !d.p.Vendor
	}
	return true
}

// waysAt returns the ways the device has for a permission at one access
// level, at its version.
func (d *Device) waysAt(perm, access string) []way {
	var out []way
	for _, w := range ways {
		if w.platform == d.p.Platform && w.perm == perm && w.access == access && inRange(d.p.Version, w.min, w.max) && d.system(w.system) {
			out = append(out, w)
		}
	}
	return out
}

// Way is how the device serves an access level of a permission: what an
// app that needs just that level must do.
type Way struct {
	// Kind is how: KindNone (a picker, component or store: nothing to
	// ask), KindRuntime (a dialog), KindSpecial (the settings page),
	// KindInstall (granted at install: nothing to ask), KindRestricted
	// (never granted), or "" where the device cannot do it at all.
	Kind Kind
	// IDs are the identifiers a request for it may name (KindRuntime;
	// with full access, also those of the read and add-only levels), or
	// that grant it (KindInstall, KindSpecial, KindRestricted).
	IDs []string
	// APIs are the calls that serve it (KindNone).
	APIs []string
	// Settings is the page where the user grants it (KindSpecial).
	Settings string
	// Docs are the documentation the facts come from.
	Docs []string
}

// wayOrder is which kind of way serves a level when the platform has
// several: no permission first (nothing need be asked), then a dialog.
var wayOrder = [...]Kind{KindNone, KindRuntime, KindSpecial, KindInstall, KindRestricted}

// Way returns how the device serves a permission at an access level
// ("" is full). A platform without a read or add-only level of its own
// serves it with full access; one without a full level serves full
// access with what it has (WeChat adds to the calendar but never reads
// it); a picker is a picker or nothing.
func (d *Device) Way(perm, access string) Way {
	if access == "" {
		access = AccessFull
	}
	primary := d.waysAt(perm, access)
	var extra []way
	switch access {
	case AccessFull:
		extra = append(d.waysAt(perm, AccessRead), d.waysAt(perm, AccessAdd)...)
		if len(primary) == 0 {
			// Only what can be asked: a store that saves without a
			// permission does not read.
			primary, extra = slices.DeleteFunc(extra, func(x way) bool { return x.kind == KindNone }), nil
		}
	case AccessRead, AccessAdd:
		if len(primary) == 0 {
			primary = d.waysAt(perm, AccessFull)
		}
	}
	var w Way
	for _, k := range wayOrder {
		if slices.ContainsFunc(primary, func(x way) bool { return x.kind == k }) {
			w.Kind = k
			break
		}
	}
	for _, x := range primary {
		if x.kind != w.Kind {
			continue
		}
		w.IDs = append(w.IDs, x.ids...)
		w.APIs = append(w.APIs, x.apis...)
		if x.settings != "" {
			w.Settings = x.settings
		}
		w.Docs = append(w.Docs, x.doc)
	}
	if w.Kind == KindRuntime {
		for _, x := range extra {
			if x.kind == KindRuntime {
				w.IDs = append(w.IDs, x.ids...)
			}
		}
	}
	slices.Sort(w.IDs)
	w.IDs = slices.Compact(w.IDs)
	return w
}

// Offers reports whether the device serves a permission at an access
// level with the named call, without any permission.
func (d *Device) Offers(perm, access, api string) bool {
	w := d.Way(perm, access)
	return w.Kind == KindNone && slices.Contains(w.APIs, api)
}

// Identifier is what the device says of one identifier.
type Identifier struct {
	// Known is false for an identifier the platform's documentation does
	// not list (for the simulator's table).
	Known bool
	// Exists is false outside the versions where it exists, or on a
	// system that does not define it (a vendor permission on a stock one).
	Exists bool
	Kind   Kind
	// Range is where it exists, for messages ("from 31", "up to 30").
	Range string
	Doc   string
}

// Identifier looks an identifier up on the device's platform.
func (d *Device) Identifier(id string) Identifier {
	for _, f := range idents {
		if f.platform != d.p.Platform || f.id != id {
			continue
		}
		r := bounds(f.min, f.max)
		if f.system == "vendor" {
			r += " on vendor systems following T/TAF 108-2022"
		}
		return Identifier{Known: true, Exists: inRange(d.p.Version, f.min, f.max) && d.system(f.system), Kind: f.kind, Range: r, Doc: f.doc}
	}
	return Identifier{}
}

// SettingsPage reports whether the device has a settings page an app can
// open ("" is the app's own page in the settings, which every platform
// has).
func (d *Device) SettingsPage(page string) bool {
	if page == "" {
		return true
	}
	if d.p.Platform != "android" {
		return false
	}
	for _, s := range settingsPages {
		if s.page == page {
			return inRange(d.p.Version, s.min, "")
		}
	}
	return false
}

// kindOf is how the device grants a permission's own state (any access
// level with a state the OS reports): runtime before special before
// install; "" where it has none.
func (d *Device) kindOf(perm string) Kind {
	var kinds []Kind
	for _, w := range ways {
		if w.platform == d.p.Platform && w.perm == perm && inRange(d.p.Version, w.min, w.max) && d.system(w.system) {
			kinds = append(kinds, w.kind)
		}
	}
	for _, k := range [...]Kind{KindRuntime, KindSpecial, KindInstall} {
		if slices.Contains(kinds, k) {
			return k
		}
	}
	return ""
}

// runtimeIDs are the identifiers of a permission that a dialog can grant
// on the device, at any access level.
func (d *Device) runtimeIDs(perm string) []string {
	var out []string
	for _, w := range ways {
		if w.platform == d.p.Platform && w.perm == perm && w.kind == KindRuntime && inRange(d.p.Version, w.min, w.max) && d.system(w.system) {
			out = append(out, w.ids...)
		}
	}
	return out
}

// HasSwitch reports whether a settings page holds a permission's switch:
// a special access is switched on its own page only; every other
// permission on the app's page in the settings ("" or, on Android,
// APPLICATION_DETAILS_SETTINGS). A page the device lacks holds nothing.
func (d *Device) HasSwitch(perm, page string) bool {
	if !d.SettingsPage(page) {
		return false
	}
	switch d.kindOf(perm) {
	case KindSpecial:
		return page == d.Way(perm, AccessFull).Settings
	case KindRuntime:
		return page == "" || page == "android.settings.APPLICATION_DETAILS_SETTINGS"
	}
	return false
}

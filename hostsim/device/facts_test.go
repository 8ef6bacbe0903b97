package device

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWays: how each device serves what a step may need, per the
// platforms' documentation.
func TestWays(t *testing.T) {
	cases := []struct {
		profile, perm, access string
		kind                  Kind
		ids, apis             []string
		settings              string
	}{
		// Saving needs no permission from Android 10 (MediaStore); before,
		// WRITE_EXTERNAL_STORAGE.
		{"android-29", "storage", AccessAdd, KindNone, nil, []string{"MediaStore"}, ""},
		{"android-23", "storage", AccessAdd, KindRuntime, []string{"android.permission.WRITE_EXTERNAL_STORAGE"}, nil, ""},
		{"android-33", "storage", AccessFull, "", nil, nil, ""},
		// The picker exists at every level: ACTION_PICK always,
		// PickVisualMedia from 19, the system photo picker from 33.
		{"android-22", "photos", AccessPicker, KindNone, nil, []string{"ActivityResultContracts.PickVisualMedia", "Intent.ACTION_OPEN_DOCUMENT", "Intent.ACTION_PICK"}, ""},
		{"android-34", "photos", AccessPicker, KindNone, nil, []string{"ActivityResultContracts.PickVisualMedia", "Intent.ACTION_OPEN_DOCUMENT", "Intent.ACTION_PICK", "MediaStore.ACTION_PICK_IMAGES"}, ""},
		{"android-33", "photos", AccessFull, KindRuntime, []string{"android.permission.READ_MEDIA_IMAGES"}, nil, ""},
		{"android-34", "photos", AccessFull, KindRuntime, []string{"android.permission.READ_MEDIA_IMAGES", "android.permission.READ_MEDIA_VISUAL_USER_SELECTED"}, nil, ""},
		{"android-29", "contacts", AccessPicker, KindNone, nil, []string{"Intent.ACTION_PICK"}, ""},
		{"android-25", "install_packages", AccessFull, KindSpecial, nil, nil, "android.settings.SECURITY_SETTINGS"},
		{"android-26", "install_packages", AccessFull, KindSpecial, []string{"android.permission.REQUEST_INSTALL_PACKAGES"}, nil, "android.settings.MANAGE_UNKNOWN_APP_SOURCES"},
		{"android-30", "bluetooth", AccessFull, KindInstall, []string{"android.permission.BLUETOOTH"}, nil, ""},
		{"android-31", "bluetooth", AccessFull, KindRuntime, []string{"android.permission.BLUETOOTH_CONNECT"}, nil, ""},
		{"android-29", "installed_apps", AccessFull, KindNone, nil, []string{"PackageManager.getInstalledPackages"}, ""},
		{"android-30", "installed_apps", AccessFull, KindInstall, []string{"android.permission.QUERY_ALL_PACKAGES"}, nil, ""},
		{"android-30-vendor", "installed_apps", AccessFull, KindRuntime, []string{"com.android.permission.GET_INSTALLED_APPS"}, nil, ""},
		// iOS: add-only access from 11; pickers without permission.
		{"ios-17", "photos", AccessAdd, KindRuntime, []string{"NSPhotoLibraryAddUsageDescription"}, nil, ""},
		{"ios-17", "photos", AccessFull, KindRuntime, []string{"NSPhotoLibraryAddUsageDescription", "NSPhotoLibraryUsageDescription"}, nil, ""},
		{"ios-13", "photos", AccessPicker, KindNone, nil, []string{"UIImagePickerController"}, ""},
		{"ios-17", "photos", AccessPicker, KindNone, nil, []string{"PHPickerViewController", "UIImagePickerController"}, ""},
		{"ios-17", "contacts", AccessPicker, KindNone, nil, []string{"CNContactPickerViewController"}, ""},
		// HarmonyOS: the contacts and the photo library in full are
		// restricted (ACL); pickers and the save button serve.
		{"harmonyos-next", "contacts", AccessFull, KindRestricted, []string{"ohos.permission.READ_CONTACTS"}, nil, ""},
		{"harmonyos-next", "contacts", AccessPicker, KindNone, nil, []string{"contact.selectContacts"}, ""},
		{"harmonyos-next", "photos", AccessFull, KindRestricted, []string{"ohos.permission.READ_IMAGEVIDEO", "ohos.permission.WRITE_IMAGEVIDEO"}, nil, ""},
		{"harmonyos-next", "photos", AccessAdd, KindNone, nil, []string{"SaveButton"}, ""},
		{"harmonyos-next", "photos", AccessPicker, KindNone, nil, []string{"photoAccessHelper.PhotoViewPicker"}, ""},
		// Mini-programs: choosing needs no scope; saving to the album does.
		{"wechat", "photos", AccessPicker, KindNone, nil, []string{"wx.chooseImage", "wx.chooseMedia"}, ""},
		{"wechat", "photos", AccessAdd, KindRuntime, []string{"scope.writePhotosAlbum"}, nil, ""},
		{"wechat", "contacts", AccessPicker, KindNone, nil, []string{"wx.chooseContact"}, ""},
		{"wechat", "calendar", AccessFull, KindRuntime, []string{"scope.addPhoneCalendar"}, nil, ""},
		{"alipay", "photos", AccessPicker, KindNone, nil, []string{"my.chooseImage"}, ""},
		{"alipay", "photos", AccessAdd, KindRuntime, []string{"album"}, nil, ""},
		{"alipay", "contacts", AccessPicker, KindNone, nil, []string{"my.choosePhoneContact"}, ""},
		{"web", "photos", AccessPicker, KindNone, nil, []string{"input[type=file]"}, ""},
		{"web", "contacts", AccessPicker, "", nil, nil, ""},
	}
	for _, c := range cases {
		w := mustLookup(t, c.profile).Way(c.perm, c.access)
		apis := slices.Sorted(slices.Values(w.APIs))
		if w.Kind != c.kind || !slices.Equal(w.IDs, c.ids) || !slices.Equal(apis, c.apis) || w.Settings != c.settings {
			t.Errorf("%s %s %s: %s ids %v apis %v settings %q; want %s %v %v %q", c.profile, c.perm, c.access, w.Kind, w.IDs, apis, w.Settings, c.kind, c.ids, c.apis, c.settings)
		}
		if c.kind != "" && len(w.Docs) == 0 {
			t.Errorf("%s %s %s: no documentation", c.profile, c.perm, c.access)
		}
	}
	if d := mustLookup(t, "ios-13"); d.Offers("photos", AccessPicker, "PHPickerViewController") {
		t.Error("iOS 13 offers PHPickerViewController (iOS 14+)")
	}
	if d := mustLookup(t, "ios-14"); !d.Offers("photos", AccessPicker, "PHPickerViewController") || d.Offers("photos", AccessAdd, "PHPickerViewController") {
		t.Error("iOS 14: PHPickerViewController serves the picker, and only it")
	}
}

// TestIdentifiers: what each device says of an identifier.
func TestIdentifiers(t *testing.T) {
	cases := []struct {
		profile, id   string
		known, exists bool
		kind          Kind
	}{
		{"android-33", "android.permission.MOUNT_UNMOUNT_FILESYSTEMS", true, true, KindRestricted},
		{"harmonyos-next", "ohos.permission.READ_CONTACTS", true, true, KindRestricted},
		{"harmonyos-next", "ohos.permission.READ_IMAGEVIDEO", true, true, KindRestricted},
		{"android-30", "android.permission.BLUETOOTH", true, true, KindInstall},
		{"android-31", "android.permission.BLUETOOTH", true, false, KindInstall},
		{"android-31", "android.permission.BLUETOOTH_CONNECT", true, true, KindRuntime},
		{"android-30", "android.permission.BLUETOOTH_CONNECT", true, false, KindRuntime},
		{"android-33", "android.permission.READ_EXTERNAL_STORAGE", true, false, KindRuntime},
		{"android-32x", "", false, false, ""},
		{"android-26", "android.permission.REQUEST_INSTALL_PACKAGES", true, true, KindSpecial},
		{"android-25", "android.permission.REQUEST_INSTALL_PACKAGES", true, false, KindSpecial},
		{"android-30-vendor", "com.android.permission.GET_INSTALLED_APPS", true, true, KindRuntime},
		{"android-30", "com.android.permission.GET_INSTALLED_APPS", true, false, KindRuntime},
		{"ios-17", "NSPhotoLibraryAddUsageDescription", true, true, KindRuntime},
		{"ios-17", "NSCalendarsUsageDescription", true, false, KindRuntime},
		{"ios-17", "android.permission.CAMERA", false, false, ""},
		{"wechat", "scope.writePhotosAlbum", true, true, KindRuntime},
	}
	for _, c := range cases {
		if c.id == "" {
			continue
		}
		f := mustLookup(t, c.profile).Identifier(c.id)
		if f.Known != c.known || f.Exists != c.exists || f.Kind != c.kind || (f.Known && (f.Doc == "" || f.Range == "")) {
			t.Errorf("%s %s: %+v; want known %v exists %v %s", c.profile, c.id, f, c.known, c.exists, c.kind)
		}
	}
}

// TestRequestsTheOSRefuses: a request names identifiers; only runtime ones
// of the permission show a dialog.
func TestRequestsTheOSRefuses(t *testing.T) {
	cases := []struct {
		profile, perm string
		ids           []string
		shown         bool
		result        string
	}{
		{"harmonyos-next", "contacts", []string{"ohos.permission.READ_CONTACTS"}, false, Denied},
		{"harmonyos-next", "photos", []string{"ohos.permission.READ_IMAGEVIDEO"}, false, Denied},
		{"android-33", "storage", []string{"android.permission.MOUNT_UNMOUNT_FILESYSTEMS"}, false, Denied},
		{"android-33", "storage", []string{"android.permission.READ_EXTERNAL_STORAGE"}, false, Denied},
		{"android-26", "install_packages", []string{"android.permission.REQUEST_INSTALL_PACKAGES"}, false, Denied},
		{"android-30", "bluetooth", []string{"android.permission.BLUETOOTH"}, false, Granted},
		{"android-31", "bluetooth", []string{"android.permission.BLUETOOTH"}, false, Denied},
		{"android-31", "bluetooth", []string{"android.permission.BLUETOOTH_CONNECT"}, true, Granted},
		{"android-30", "installed_apps", []string{"com.android.permission.GET_INSTALLED_APPS"}, false, Denied},
		{"android-30-vendor", "installed_apps", []string{"com.android.permission.GET_INSTALLED_APPS"}, true, Granted},
		{"ios-17", "photos", []string{"NSPhotoLibraryAddUsageDescription"}, true, Granted},
		{"ios-17", "camera", nil, false, Denied},
		{"wechat", "contacts", []string{"scope.contacts"}, false, Denied},
	}
	for _, c := range cases {
		d := mustLookup(t, c.profile)
		d.AnswerPrivacy(Allow)
		if shown, result := d.RequestIDs(c.perm, c.ids, Allow); shown != c.shown || result != c.result {
			t.Errorf("%s %s %v: shown %v %s; want %v %s", c.profile, c.perm, c.ids, shown, result, c.shown, c.result)
		}
	}
}

// TestReport: what the OS reports of the permissions of issue 11.
func TestReport(t *testing.T) {
	cases := []struct {
		profile, perm, state string // state "" for not reported
	}{
		{"android-30", "bluetooth", Granted},
		{"android-31", "bluetooth", NotDetermined},
		{"android-22", "bluetooth", Granted},
		{"android-22", "install_packages", NotDetermined}, // a setting, not granted at install
		{"android-26", "install_packages", NotDetermined},
		{"android-29", "installed_apps", ""},
		{"android-30", "installed_apps", Granted},
		{"android-30-vendor", "installed_apps", NotDetermined},
		{"harmonyos-next", "contacts", ""},
		{"harmonyos-next", "photos", ""},
		{"wechat", "photos", NotDetermined},
		{"ios-17", "photos", NotDetermined},
		{"ios-17", "installed_apps", ""},
	}
	for _, c := range cases {
		st, ok := mustLookup(t, c.profile).Report()[c.perm]
		if st != c.state || ok != (c.state != "") {
			t.Errorf("%s reports %s %q (%v), want %q", c.profile, c.perm, st, ok, c.state)
		}
	}
}

// TestSpecialAccess: installing packages is switched on a settings page
// only; before Android 8 it is a setting of the device, which outlives the
// app; an upgrade that changes how a permission is granted starts it anew.
func TestSpecialAccess(t *testing.T) {
	d := mustLookup(t, "android-26")
	if shown, res := d.Request("install_packages", Allow); shown || res != Denied {
		t.Errorf("a request for a special access: shown %v, %s", shown, res)
	}
	d.Settings("install_packages", true)
	if got := d.Report()["install_packages"]; got != Granted {
		t.Errorf("switched on in the settings: %s", got)
	}
	d.Reinstall()
	if got := d.Report()["install_packages"]; got != NotDetermined {
		t.Errorf("Android 8 after a reinstall: %s", got)
	}
	old := mustLookup(t, "android-25")
	old.Settings("install_packages", true)
	old.Reinstall()
	if got := old.Report()["install_packages"]; got != Granted {
		t.Errorf("Android 7's unknown sources after a reinstall: %s", got)
	}
	if err := old.Upgrade("26"); err != nil {
		t.Fatal(err)
	}
	if got := old.Report()["install_packages"]; got != NotDetermined {
		t.Errorf("after the upgrade to 8, the per-app access: %s", got)
	}
	bt := mustLookup(t, "android-30")
	bt.Use()
	bt.Advance(91 * 24 * time.Hour)
	if got := bt.Report()["bluetooth"]; got != Granted {
		t.Errorf("the reset of an unused app took an install-time permission: %s", got)
	}
	if err := bt.Upgrade("31"); err != nil {
		t.Fatal(err)
	}
	if got := bt.Report()["bluetooth"]; got != NotDetermined {
		t.Errorf("Bluetooth after the upgrade to 12: %s", got)
	}
	bt.Settings("bluetooth", true)
	if got := bt.Report()["bluetooth"]; got != Granted {
		t.Errorf("Bluetooth switched on: %s", got)
	}
	v := mustLookup(t, "android-30-vendor")
	if err := v.Upgrade("33"); err != nil || v.Profile().Name != "android-33-vendor" || !v.Profile().Vendor {
		t.Errorf("a vendor device upgraded: %+v, %v", v.Profile(), err)
	}
	inst := mustLookup(t, "android-30")
	inst.Settings("installed_apps", false)
	if got := inst.Report()["installed_apps"]; got != Granted {
		t.Errorf("an install-time permission switched off: %s", got)
	}
}

// TestSettingsPages: the pages an app can open, from the level that has
// them.
func TestSettingsPages(t *testing.T) {
	for _, c := range []struct {
		profile, page string
		has           bool
	}{
		{"android-25", "android.settings.MANAGE_UNKNOWN_APP_SOURCES", false},
		{"android-25", "android.settings.SECURITY_SETTINGS", true},
		{"android-26", "android.settings.MANAGE_UNKNOWN_APP_SOURCES", true},
		{"android-33", "android.settings.NO_SUCH_PAGE", false},
		{"ios-17", "", true},
		{"ios-17", "android.settings.SECURITY_SETTINGS", false},
	} {
		if got := mustLookup(t, c.profile).SettingsPage(c.page); got != c.has {
			t.Errorf("%s page %q: %v", c.profile, c.page, got)
		}
	}
}

// TestFactsAgree: every identifier of a way is in the identifier table,
// of the same kind and existing over the whole range of the way, and every
// fact names its documentation.
func TestFactsAgree(t *testing.T) {
	for _, w := range ways {
		if w.doc == "" {
			t.Errorf("%s %s %s: no documentation", w.platform, w.perm, w.access)
		}
		if (w.kind == KindNone) != (len(w.apis) > 0) || (w.kind == KindSpecial) != (w.settings != "") {
			t.Errorf("%s %s %s: a %s way with apis %v settings %q", w.platform, w.perm, w.access, w.kind, w.apis, w.settings)
		}
		for _, id := range w.ids {
			k := slices.IndexFunc(idents, func(f ident) bool { return f.platform == w.platform && f.id == id })
			if k < 0 {
				t.Errorf("%s %s: %s is not in the identifier table", w.platform, w.perm, id)
				continue
			}
			f := idents[k]
			if f.kind != w.kind {
				t.Errorf("%s %s: %s is %s in the identifier table, %s in the way", w.platform, w.perm, id, f.kind, w.kind)
			}
			for _, v := range []string{w.min, w.max} {
				if v != "" && !inRange(v, f.min, f.max) {
					t.Errorf("%s %s: %s does not exist at %s, where the way uses it", w.platform, w.perm, id, v)
				}
			}
			if (w.min == "" && f.min != "") || (w.max == "" && f.max != "") {
				t.Errorf("%s %s: %s is bounded (%s), the way is not", w.platform, w.perm, id, bounds(f.min, f.max))
			}
		}
	}
	for _, f := range idents {
		if f.doc == "" || strings.TrimSpace(f.id) != f.id {
			t.Errorf("%s %q: no documentation, or a bad id", f.platform, f.id)
		}
	}
}

// TestInRange: bounds compare on as many components as they have.
func TestInRange(t *testing.T) {
	for _, c := range []struct {
		v, min, max string
		in          bool
	}{
		{"16.7", "", "16", true}, {"17.2", "", "16", false}, {"14", "14", "", true}, {"13.7", "14", "", false},
		{"2.9.0", "2.10.0", "", false}, {"3.4.1", "2.10.0", "", true}, {"2.9.0", "", "2.9", true},
		{"chrome", "", "", true}, {"chrome", "1", "", false}, {"33", "33", "33", true}, {"34", "33", "33", false},
	} {
		if got := inRange(c.v, c.min, c.max); got != c.in {
			t.Errorf("inRange(%q, %q, %q) = %v", c.v, c.min, c.max, got)
		}
	}
}

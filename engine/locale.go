package engine

// matchLocale picks the bundle locale for a requested BCP 47 tag: the same
// tag; else, for Chinese, the traditional-script locale for Hant, TW, HK and
// MO and the simplified one otherwise; else the first locale of the same
// language (en-US -> en); else the policy's default. Case and "_" versus
// "-" do not matter.
func (e *Engine) matchLocale(tag []byte) int {
	if len(tag) == 0 {
		return e.def
	}
	for i, lt := range e.locales {
		if equalTag(tag, lt.tag) {
			return i
		}
	}
	lang, rest := splitTag(tag)
	if equalFold(lang, "zh") {
		want := "zh-CN"
		for len(rest) > 0 {
			var sub []byte
			sub, rest = splitTag(rest)
			if equalFold(sub, "hant") || equalFold(sub, "tw") || equalFold(sub, "hk") || equalFold(sub, "mo") {
				want = "zh-TW"
				break
			}
			if equalFold(sub, "hans") || equalFold(sub, "cn") || equalFold(sub, "sg") {
				break
			}
		}
		for i, lt := range e.locales {
			if lt.tag == want {
				return i
			}
		}
	}
	for i, lt := range e.locales {
		l, _ := splitTag(lt.tag)
		if equalFold(lang, l) {
			return i
		}
	}
	return e.def
}

// splitTag returns a tag's first subtag and the rest after the separator.
func splitTag[T string | []byte](t T) (first, rest T) {
	for i := 0; i < len(t); i++ {
		if c := t[i]; c == '-' || c == '_' {
			return t[:i], t[i+1:]
		}
	}
	return t, t[len(t):]
}

func equalTag(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x == '_' {
			x = '-'
		}
		if lower(x) != lower(y) {
			return false
		}
	}
	return true
}

func equalFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

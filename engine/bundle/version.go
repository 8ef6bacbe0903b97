package bundle

import (
	"errors"
	"strconv"
	"strings"
)

// ErrBadVersion is returned for a platform version that is not a dotted
// list of decimal numbers, such as "33" (an Android API level), "17.2"
// (iOS) or "2.10.4" (a mini-program base library).
var ErrBadVersion = errors.New("version must be dotted decimal numbers, like 33 or 17.2")

// ParseVersion splits a dotted decimal version into its numbers.
func ParseVersion(s string) ([]int, error) {
	if s == "" {
		return nil, ErrBadVersion
	}
	parts := strings.Split(s, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 6 {
			return nil, ErrBadVersion
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p[0] == '+' || p[0] == '-' {
			return nil, ErrBadVersion
		}
		out[i] = n
	}
	return out, nil
}

// compareBound compares v with a bound using only as many components as
// the bound has, so that the bound "16" stands for every 16.x.
func compareBound(v, bound []int) int {
	for i, b := range bound {
		x := 0
		if i < len(v) {
			x = v[i]
		}
		switch {
		case x < b:
			return -1
		case x > b:
			return 1
		}
	}
	return 0
}

// InRange reports whether version v lies within min and max, both
// inclusive and either one optional (""). A bound compares only as many
// components as it has: max "16" admits 16.7, min "14" admits 14.0.1.
func InRange(v, min, max string) (bool, error) {
	if min == "" && max == "" {
		return true, nil
	}
	pv, err := ParseVersion(v)
	if err != nil {
		return false, err
	}
	if min != "" {
		pm, err := ParseVersion(min)
		if err != nil {
			return false, err
		}
		if compareBound(pv, pm) < 0 {
			return false, nil
		}
	}
	if max != "" {
		pm, err := ParseVersion(max)
		if err != nil {
			return false, err
		}
		if compareBound(pv, pm) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// RangesOverlap reports whether two version ranges, given like InRange's
// bounds, admit a version in common.
func RangesOverlap(min1, max1, min2, max2 string) bool {
	// The later of the two lower bounds must not lie above either upper bound.
	lo := min1
	if lo == "" || (min2 != "" && lessBound(min1, min2)) {
		lo = min2
	}
	if lo == "" {
		return true
	}
	for _, hi := range []string{max1, max2} {
		if hi == "" {
			continue
		}
		ok, err := InRange(lo, "", hi)
		if err != nil || !ok {
			return false
		}
	}
	return true
}

func lessBound(a, b string) bool {
	pa, err1 := ParseVersion(a)
	pb, err2 := ParseVersion(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return compareBound(pa, pb) < 0
}

// PolicyVersionLess orders policy versions: a date, "2022-03-29", or a
// date and a revision number, "2022-03-29.1", which comes after the date
// alone. Versions that do not have this shape compare as strings.
func PolicyVersionLess(a, b string) bool {
	da, ra, okA := splitPolicyVersion(a)
	db, rb, okB := splitPolicyVersion(b)
	if !okA || !okB {
		return a < b
	}
	if da != db {
		return da < db
	}
	return ra < rb
}

func splitPolicyVersion(v string) (date string, rev int, ok bool) {
	date = v
	if i := strings.IndexByte(v, '.'); i >= 0 {
		n, err := strconv.Atoi(v[i+1:])
		if err != nil || n < 0 || v[i+1] == '+' {
			return "", 0, false
		}
		date, rev = v[:i], n
	}
	if len(date) != len("2006-01-02") || date[4] != '-' || date[7] != '-' {
		return "", 0, false
	}
	for i, c := range date {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return "", 0, false
		}
	}
	return date, rev, true
}

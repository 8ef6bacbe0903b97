package bundle

import "testing"

func TestInRange(t *testing.T) {
	cases := []struct {
		v, min, max string
		want        bool
	}{
		{"33", "", "", true},
		{"33", "33", "", true},
		{"32", "33", "", false},
		{"32", "", "32", true},
		{"33", "", "32", false},
		{"16.7", "", "16", true}, // a bound compares only its own components
		{"17.0", "", "16", false},
		{"14.0.1", "14", "", true},
		{"13.7", "14", "", false},
		{"2.10.4", "2.9", "2.10", true},
		{"2.11", "2.9", "2.10", false},
		{"17", "17.2", "", false},
		{"17.2", "17.2", "17.2", true},
	}
	for _, c := range cases {
		got, err := InRange(c.v, c.min, c.max)
		if err != nil || got != c.want {
			t.Errorf("InRange(%q, %q, %q) = %v, %v; want %v", c.v, c.min, c.max, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "chrome", "1..2", "-1", "+3", "1.x", "1234567"} {
		if _, err := InRange(bad, "1", ""); err == nil {
			t.Errorf("InRange(%q) accepted a bad version", bad)
		}
	}
}

func TestRangesOverlap(t *testing.T) {
	cases := []struct {
		min1, max1, min2, max2 string
		want                   bool
	}{
		{"", "", "", "", true},
		{"", "32", "33", "", false},
		{"", "32", "32", "", true},
		{"29", "32", "", "28", false},
		{"29", "32", "30", "31", true},
		{"14", "", "", "13", false},
		{"", "16", "17", "", false},
		{"33", "", "23", "", true},
	}
	for _, c := range cases {
		if got := RangesOverlap(c.min1, c.max1, c.min2, c.max2); got != c.want {
			t.Errorf("RangesOverlap(%q,%q,%q,%q) = %v, want %v", c.min1, c.max1, c.min2, c.max2, got, c.want)
		}
	}
}

func TestPolicyVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		less bool
	}{
		{"2022-03-29", "2023-09-01", true},
		{"2023-09-01", "2022-03-29", false},
		{"2022-03-29", "2022-03-29", false},
		{"2022-03-29", "2022-03-29.1", true},
		{"2022-03-29.2", "2022-03-29.10", true},
		{"2022-03-29.10", "2022-03-30", true},
		{"2022-03-29.1", "2022-03-29", false},
	} {
		if got := PolicyVersionLess(c.a, c.b); got != c.less {
			t.Errorf("PolicyVersionLess(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

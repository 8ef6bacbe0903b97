package engine

import "testing"

// TestAppendDuration: trace texts state real durations, in the two
// largest units that are not zero.
func TestAppendDuration(t *testing.T) {
	for _, c := range []struct {
		s    int64
		want string
	}{
		{0, "0s"}, {59, "59s"}, {60, "1m"}, {3599, "59m"}, {3600, "1h"}, {3660, "1h1m"},
		{47*3600 + 59*60 + 59, "1d23h"}, {48 * 3600, "2d"}, {30*86400 + 3*3600 + 5, "30d3h"},
	} {
		if got := string(appendDuration(nil, c.s)); got != c.want {
			t.Errorf("appendDuration(%d) = %q, want %q", c.s, got, c.want)
		}
	}
}

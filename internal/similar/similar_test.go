package similar

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"junit", "junit", 0}, {"juint", "junit", 2}, {"mtrix", "matrix", 1}, {"jsno", "json", 2}, {"htm", "html", 1},
		{"", "abc", 3}, {"abc", "", 3}, {"loan_aply", "loan_apply", 1}, {"camra", "camera", 1}, {"kitten", "sitting", 3},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

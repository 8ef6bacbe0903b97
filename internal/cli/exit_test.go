package cli

import (
	"errors"
	"fmt"
	"testing"
)

func TestStatus(t *testing.T) {
	bad := errors.New("bad input")
	for _, c := range []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"none", nil, 0, ""},
		{"cobra's own", errors.New("unknown flag: --x"), 2, "unknown flag: --x"},
		{"failed", Fail(bad), 1, "bad input"},
		{"usage", Usage(bad), 2, "bad input"},
		{"failed again keeps usage", Fail(Usage(bad)), 2, "bad input"},
		{"wrapped", fmt.Errorf("reading: %w", Fail(bad)), 1, "bad input"},
	} {
		code, err := Status(c.err)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if code != c.code || msg != c.msg {
			t.Errorf("%s: %d %q, want %d %q", c.name, code, msg, c.code, c.msg)
		}
	}
	if Fail(nil) != nil {
		t.Error("Fail(nil) is not nil")
	}
}

package errcode_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

func TestError(t *testing.T) {
	for _, c := range []struct {
		err  *errcode.Error
		want string
	}{
		{errcode.New(errcode.BadJSON, "the JSON ends too early"), "bad_json: the JSON ends too early"},
		{&errcode.Error{Code: errcode.UnknownStep, Field: "event.step", Message: `event.step "dance" is not a step`}, `unknown_step: event.step: event.step "dance" is not a step`},
		{&errcode.Error{Code: "unknown_key", Field: "policy.colldown", Message: `unknown key "colldown"`, Pos: errcode.Pos{File: "p.toml", Line: 10, Col: 1}},
			`p.toml:10:1: unknown_key: policy.colldown: unknown key "colldown"`},
		{&errcode.Error{Code: "file", Message: "no such file", Pos: errcode.Pos{File: "x.toml"}}, "x.toml: file: no such file"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

// TestIs: errors.Is matches by code, through wrapping.
func TestIs(t *testing.T) {
	err := fmt.Errorf("bundle.json: %w", errcode.New(errcode.BadSignature, "no signature by a trusted key"))
	if !errors.Is(err, errcode.New(errcode.BadSignature, "")) {
		t.Error("a wrapped bad_signature is not bad_signature")
	}
	if errors.Is(err, errcode.New(errcode.BadBundle, "")) {
		t.Error("bad_signature is bad_bundle")
	}
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code != errcode.BadSignature {
		t.Errorf("errors.As gives %v", e)
	}
}

// TestList: sorted by place, then code; one a line; nil when empty.
func TestList(t *testing.T) {
	var l errcode.List
	if l.Err() != nil {
		t.Error("an empty list is an error")
	}
	l = errcode.List{
		{Code: "type", Message: "m", Pos: errcode.Pos{File: "b.toml", Line: 1, Col: 1}},
		{Code: "unknown_key", Message: "m", Pos: errcode.Pos{File: "a.toml", Line: 9, Col: 3}},
		{Code: "syntax", Message: "m", Pos: errcode.Pos{File: "a.toml", Line: 9, Col: 3}},
		{Code: "type", Message: "m", Pos: errcode.Pos{File: "a.toml", Line: 2, Col: 7}},
	}
	l.Sort()
	want := "a.toml:2:7: type: m\na.toml:9:3: syntax: m\na.toml:9:3: unknown_key: m\nb.toml:1:1: type: m"
	if got := l.Err().Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var asList errcode.List
	if !errors.As(fmt.Errorf("load: %w", l.Err()), &asList) || len(asList) != 4 {
		t.Error("a wrapped list is not found by errors.As")
	}
}

// BenchmarkListError: a list of 100,000 errors (a megabyte of unknown
// keys) reads in linear time; concatenating took minutes.
func BenchmarkListError(b *testing.B) {
	l := make(errcode.List, 100000)
	for i := range l {
		l[i] = errcode.Error{Code: "unknown_key", Field: fmt.Sprintf("k%d", i), Message: "unknown key", Pos: errcode.Pos{File: "j.toml", Line: i + 3, Col: 1}}
	}
	for b.Loop() {
		_ = l.Error()
	}
}

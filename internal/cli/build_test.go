package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	for _, c := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"a go install at a tag", debug.BuildInfo{GoVersion: "go1.24.1", Main: debug.Module{Version: "v1.2.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-30T09:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			"hostsim v1.2.0 (0123456789ab, 2026-11-30T09:00:00Z, go1.24.1)"},
		{"a build from a changed tree", debug.BuildInfo{GoVersion: "go1.24.1", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}},
			"hostsim devel (0123456789ab, modified, go1.24.1)"},
		{"go run", debug.BuildInfo{GoVersion: "go1.24.1"}, "hostsim devel (no vcs information, go1.24.1)"},
	} {
		if got := format("hostsim", &c.info); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if s := Build("promptc"); !strings.HasPrefix(s, "promptc ") || !strings.Contains(s, "go1.") {
		t.Errorf("Build: %q", s)
	}
}

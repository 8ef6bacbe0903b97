// Package cli holds what the commands hostsim and promptc share on their
// command lines: Build describes the running binary for their --version,
// and FlagError suggests the flag a misspelt one meant, which cobra does
// for commands but not for flags.
package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Build describes the running binary, from runtime/debug.ReadBuildInfo:
// "name VERSION (REVISION[, modified][, TIME], GO)": VERSION is
// the module version a go install at a tag records, else "devel";
// REVISION the first 12 hex digits of the commit the binary was built
// from, or "no vcs information" when the build did not record one (go
// run, go test, a build outside the repository).
func Build(name string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " devel (no build information, " + runtime.Version() + ")"
	}
	return format(name, info)
}

func format(name string, info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" || version == "(devel)" {
		version = "devel"
	}
	var rev, when string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	parts := []string{"no vcs information"}
	if rev != "" {
		parts = []string{rev[:min(12, len(rev))]}
		if modified {
			parts = append(parts, "modified")
		}
		if when != "" {
			parts = append(parts, when)
		}
	}
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	return name + " " + version + " (" + strings.Join(append(parts, goVersion), ", ") + ")"
}

package journey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/hostsim/journey"
)

// limitCases are the journeys of issue 15 that stalled the simulator:
// those small enough are in testdata/limits, the others are generated.
func limitCases(t testing.TB) []struct{ file, want string } {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	head := "name = \"n\"\ndevices = [\"all\"]\n"
	deep := write("nested-16000.toml", head+"x="+strings.Repeat("{a=", 16000)+"1"+strings.Repeat("}", 16000)+"\n")
	dotted := write("dotted-100000.toml", head+"["+strings.Repeat("a.", 99999)+"a]\n")
	big := write("big.toml", head+"description = \"\"\"\n"+strings.Repeat(strings.Repeat("x", 99)+"\n", 12000)+"\"\"\"\n")
	return []struct{ file, want string }{
		{"testdata/limits/nested-8000.toml", "testdata/limits/nested-8000.toml:5:99: too_deep: arrays and inline tables nested 8000 deep; the limit is 32"},
		{deep, deep + ":3:99: too_deep: arrays and inline tables nested 16000 deep; the limit is 32"},
		{dotted, dotted + ":3:1: too_long: a dotted key of 100000 parts; the limit is 64"},
		{"testdata/limits/bad-utf8.toml", "testdata/limits/bad-utf8.toml:4:19: bad_utf8: invalid UTF-8 at byte offset 125 (byte 0xe9): a TOML file is UTF-8"},
		{big, big + ":10489:30: too_large: the file is 1200051 bytes, over the limit of 1048576 (1 MiB)"},
	}
}

// TestLoadLimits: journey files the TOML decoder cannot read in
// reasonable time and memory are refused with their file:line:col.
// BenchmarkLoadLimits times them.
func TestLoadLimits(t *testing.T) {
	for _, c := range limitCases(t) {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			_, err := journey.Load(c.file)
			if err == nil || err.Error() != c.want {
				t.Errorf("Load:\n got %v\nwant %s", err, c.want)
			}
		})
	}
}

// BenchmarkLoadLimits times the refusal of each journey of issue 15 by
// journey.Load, as hostsim run reads them: the decoder took 17.8 s and
// 2.7 GB on nested-8000 and ran out of memory on the next two.
func BenchmarkLoadLimits(b *testing.B) {
	for _, c := range limitCases(b) {
		b.Run(filepath.Base(c.file), func(b *testing.B) {
			for b.Loop() {
				if _, err := journey.Load(c.file); err == nil {
					b.Fatal("not refused")
				}
			}
		})
	}
}

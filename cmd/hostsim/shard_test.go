package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// TestShardSplit: n shards play every job of a run exactly once, in
// balanced parts, and every fuzz journey once, in contiguous blocks;
// a malformed --shard is refused, naming the form.
func TestShardSplit(t *testing.T) {
	for _, c := range []struct{ jobs, n int }{{44, 3}, {418, 4}, {5, 7}, {1, 1}, {0, 2}} {
		seen := make([]int, c.jobs)
		next := 0
		for k := 1; k <= c.n; k++ {
			s := shard{k, c.n}
			picks := s.picks(c.jobs)
			if len(picks) > c.jobs/c.n+1 || len(picks) < c.jobs/c.n {
				t.Errorf("%d jobs, shard %s: %d of them", c.jobs, s.String(), len(picks))
			}
			for _, i := range picks {
				seen[i]++
			}
			first, count := s.block(c.jobs)
			if first != next {
				t.Errorf("%d journeys, shard %s starts at %d, want %d", c.jobs, s.String(), first, next)
			}
			next = first + count
		}
		if next != c.jobs {
			t.Errorf("%d journeys: the blocks end at %d", c.jobs, next)
		}
		for i, n := range seen {
			if n != 1 {
				t.Errorf("%d jobs in %d shards: job %d played %d times", c.jobs, c.n, i, n)
			}
		}
	}
	for _, bad := range []string{"0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/20000", "1/2/3"} {
		var s shard
		if err := s.Set(bad); err == nil || !strings.Contains(err.Error(), "write k/n") {
			t.Errorf("--shard %s: %v", bad, err)
		}
	}
}

// TestShardAndMerge: three shards of a run, merged, give the same JSON
// results and the same JUnit as the run itself; merge refuses a missing
// shard, a shard given twice, a whole run's report and shards of
// different runs, naming the files.
func TestShardAndMerge(t *testing.T) {
	dir := t.TempDir()
	journeys := "examples/journeys"
	run := func(args ...string) {
		t.Helper()
		if code, out, errOut := hostsimCmd(t, on(t, wasmtest.Test, append(append([]string{"run", "--timeout", "1m"}, args...), journeys)...)...); code != 0 {
			t.Fatalf("hostsim run %v: exit %d\n%s\n%s", args, code, out, errOut)
		}
	}
	whole := filepath.Join(dir, "whole.json")
	run("--json", whole, "--junit", filepath.Join(dir, "whole.xml"))
	var shards []string
	for _, k := range []string{"1/3", "2/3", "3/3"} {
		f := filepath.Join(dir, "shard-"+k[:1]+".json")
		run("--shard", k, "--json", f)
		shards = append(shards, f)
	}
	merged := filepath.Join(dir, "merged.json")
	args := append([]string{"merge", "--json", merged, "--junit", filepath.Join(dir, "merged.xml"), "--html", filepath.Join(dir, "merged.html")}, shards...)
	if code, out, errOut := hostsimCmd(t, args...); code != 0 {
		t.Fatalf("merge: exit %d\n%s\n%s", code, out, errOut)
	}
	results := func(file string) string {
		var r struct {
			Results   json.RawMessage `json:"results"`
			Decisions int             `json:"decisions"`
		}
		data, err := os.ReadFile(file)
		if err != nil || json.Unmarshal(data, &r) != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return fmt.Sprintf("%s, %d decisions", r.Results, r.Decisions)
	}
	if results(whole) != results(merged) {
		t.Error("the merged results differ from the whole run's")
	}
	a, _ := os.ReadFile(filepath.Join(dir, "whole.xml"))
	b, _ := os.ReadFile(filepath.Join(dir, "merged.xml"))
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Error("the merged JUnit differs from the whole run's")
	}
	if html, err := os.ReadFile(filepath.Join(dir, "merged.html")); err != nil || !bytes.Contains(html, []byte("Face ID")) {
		t.Errorf("the merged HTML report: %v", err)
	}

	other := filepath.Join(dir, "other-1.json")
	if code, out, errOut := hostsimCmd(t, on(t, wasmtest.Test, "run", "--timeout", "1m", "--shard", "1/2", "--json", other, "hostsim/testdata/journeys/withdraw.toml")...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, c := range []struct {
		files []string
		want  string
	}{
		{shards[:2], "missing shard(s) 3/3"},
		{[]string{shards[0], shards[0], shards[1], shards[2]}, "are both shard 1/3"},
		{[]string{whole}, "not a shard's report"},
		{[]string{shards[0], other}, "of 2 parts"},
		{[]string{filepath.Join(dir, "none.json")}, "none.json"},
	} {
		code, _, errOut := hostsimCmd(t, append([]string{"merge"}, c.files...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("merge %v: exit %d, %q; want %q", c.files, code, errOut, c.want)
		}
	}
}

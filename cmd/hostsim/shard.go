package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// shard is the part of a run one machine plays: --shard k/n, the k-th of
// n (1-based). The split is a function of the work alone, so that n
// machines given 1/n to n/n play every job exactly once, whatever their
// speed, and hostsim merge puts the reports back together.
type shard struct{ k, n int }

// String is "k/n", "" for the whole run.
func (s *shard) String() string {
	if s.n == 0 {
		return ""
	}
	return strconv.Itoa(s.k) + "/" + strconv.Itoa(s.n)
}

// Set parses k/n.
func (s *shard) Set(v string) error {
	ks, ns, ok := strings.Cut(v, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || n > 10000 || k < 1 || k > n {
		return fmt.Errorf("%q is not a shard: write k/n, the k-th of n parts, 1 <= k <= n <= 10000 (--shard 2/4)", v)
	}
	s.k, s.n = k, n
	return nil
}

// Type names the flag's value in the help.
func (s *shard) Type() string { return "k/n" }

var _ pflag.Value = (*shard)(nil)

// picks returns the indexes of the jobs of a run of count jobs that the
// shard plays: every n-th, from k-1 (round robin: journeys of a folder
// are listed together, and a contiguous split would give one machine all
// the slow ones). All of them for no shard.
func (s *shard) picks(count int) []int {
	var out []int
	for i := range count {
		if s.n == 0 || i%s.n == s.k-1 {
			out = append(out, i)
		}
	}
	return out
}

// block returns the first journey and the count of the shard's part of a
// fuzz run of count journeys: a contiguous block, so that the shard is
// itself a fuzz run (of seed+first, count journeys) and its reproduce
// hints, which name each journey's seed, stay true.
func (s *shard) block(count int) (first, n int) {
	if s.n == 0 {
		return 0, count
	}
	lo := (s.k - 1) * count / s.n
	hi := s.k * count / s.n
	return lo, hi - lo
}

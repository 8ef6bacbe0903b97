package mutate

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
)

// Filter keeps the mutants of the given kinds (all of them if kinds is
// empty).
func Filter(ms []Mutant, kinds []Kind) []Mutant {
	if len(kinds) == 0 {
		return ms
	}
	var out []Mutant
	for _, m := range ms {
		if slices.Contains(kinds, m.Kind) {
			out = append(out, m)
		}
	}
	return out
}

// Sample picks n of ms, the same n for the same seed and the same
// mutants, and returns them in their original order. n <= 0 or n >=
// len(ms) returns ms.
func Sample(ms []Mutant, n int, seed uint64) []Mutant {
	if n <= 0 || n >= len(ms) {
		return ms
	}
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	r := rand.New(rand.NewPCG(seed, 0x6d7574616e7473)) // "mutants"
	r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	idx = idx[:n]
	slices.Sort(idx)
	out := make([]Mutant, n)
	for i, k := range idx {
		out[i] = ms[k]
	}
	return out
}

// Equivalents are mutants known to behave as the original, by ID, each
// with the reason.
type Equivalents map[string]string

// ReadEquivalents reads an equivalence list: one mutant a line, its ID
// (file:line:col:op), then blanks, then why it is equivalent. Blank lines
// and lines starting with # are comments. A line without a reason is an
// error: an equivalence nobody explained cannot be checked.
func ReadEquivalents(r io.Reader, name string) (Equivalents, error) {
	eq := Equivalents{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		id, reason := l, ""
		if i := strings.IndexAny(l, " \t"); i > 0 {
			id, reason = l[:i], strings.TrimSpace(l[i:])
		}
		if reason == "" {
			return nil, fmt.Errorf("%s:%d: %s has no reason", name, n, id)
		}
		if strings.Count(id, ":") != 3 {
			return nil, fmt.Errorf("%s:%d: %q is not a mutant ID (file:line:col:op)", name, n, id)
		}
		if _, dup := eq[id]; dup {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", name, n, id)
		}
		eq[id] = reason
	}
	return eq, sc.Err()
}

// Stale are the IDs of eq that name none of ms: the code moved, and the
// entry must be checked again.
func (eq Equivalents) Stale(ms []Mutant) []string {
	known := map[string]bool{}
	for _, m := range ms {
		known[m.ID()] = true
	}
	var out []string
	for id := range eq {
		if !known[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

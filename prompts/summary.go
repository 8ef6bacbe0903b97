package prompts

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// WriteSummary writes what a compiled bundle holds, for people: the
// policy and its history, each step with the permissions it asks for, the
// SDKs and the basis they run on, the sizes, the hash and who signed it (listed,
// not trusted), and the first-run popup's title. env is the bundle's
// envelope.
func WriteSummary(w io.Writer, b *bundle.Bundle, env []byte) {
	pol := b.Policy
	loc := pol.DefaultLocale
	fmt.Fprintf(w, "policy %s version %s (effective %s), locales %s, cooldown %s\n",
		pol.ID, pol.Version, pol.Effective, strings.Join(pol.Locales, " "), time.Duration(pol.CooldownSeconds)*time.Second)
	fmt.Fprintf(w, "history:")
	for _, v := range b.History {
		fmt.Fprintf(w, " %s (%s, %s)", v.Version, v.Change, CountChanges(len(v.Changes)))
	}
	fmt.Fprintln(w)
	steps, asks := 0, 0
	fmt.Fprintln(w, "\nsteps and what they ask for, in order (consents, then permissions):")
	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			steps++
			var parts []string
			for _, c := range st.Consents {
				asks++
				parts = append(parts, "consent "+c.Sensitive+"/"+c.ConsentPurpose+" ("+c.Consequence+")")
			}
			for _, sp := range st.Permissions {
				asks++
				s := sp.ID + " (" + sp.Consequence
				if sp.Separate() {
					s += ", separate consent: " + sp.Sensitive + "/" + sp.ConsentPurpose
				}
				parts = append(parts, s+")")
			}
			if len(st.SystemPrompts) > 0 {
				var on []string
				for _, p := range st.SystemPrompts {
					on = append(on, p.Platform+versionRange(p.Min, p.Max))
				}
				parts = append(parts, "system prompt on "+strings.Join(on, ", ")+", else unavailable")
			}
			if len(parts) == 0 {
				parts = []string{"-"}
			}
			fmt.Fprintf(w, "  %-38s %s\n", sc.ID+"/"+st.ID, strings.Join(parts, ", "))
		}
	}
	fmt.Fprintf(w, "\nsdks (%d), each with its basis:\n", len(b.SDKs))
	byCat := map[string][]string{}
	for _, s := range b.SDKs {
		var basis []string
		if len(s.Scenarios) > 0 {
			basis = append(basis, "in "+strings.Join(s.Scenarios, ","))
		}
		if len(s.Requires) > 0 {
			basis = append(basis, "with "+strings.Join(s.Requires, ","))
		}
		for _, c := range s.Consents {
			basis = append(basis, "consent "+c.Sensitive+"/"+c.Purpose)
		}
		for _, o := range s.Optional {
			basis = append(basis, "optional "+o.Data)
		}
		gate := ""
		if len(basis) > 0 {
			gate = " [" + strings.Join(basis, "; ") + "]"
		}
		byCat[s.Category] = append(byCat[s.Category], s.ID+gate)
	}
	for _, cat := range vocab.Names(vocab.NumSDKCategories) {
		if len(byCat[cat]) > 0 {
			fmt.Fprintf(w, "  %-16s %s\n", cat, strings.Join(byCat[cat], ", "))
		}
	}
	fmt.Fprintf(w, "\n%d scenarios, %d steps, %d asks, %d permissions, %d purposes, %d texts per locale\n",
		len(b.Scenarios), steps, asks, len(b.Permissions), len(b.Purposes), len(b.Texts[loc]))
	sigs, _ := bundle.Signatures(env)
	signed := "unsigned"
	if len(sigs) > 0 {
		var ids []string
		for _, s := range sigs {
			ids = append(ids, s.Key)
		}
		signed = "signed by " + strings.Join(ids, ", ")
	}
	payload, _ := bundle.Payload(env)
	fmt.Fprintf(w, "bundle: %d bytes raw, %d gzip, %s, %s\n", len(env), gzipSize(env), bundle.Hash(payload), signed)
	fmt.Fprintf(w, "\npolicy popup (%s): %s\n", loc, b.Text(loc, "policy.title"))
}

// versionRange writes ">=23", "<=32" or ">=23,<=32"; "" for no bounds.
func versionRange(min, max string) string {
	var parts []string
	if min != "" {
		parts = append(parts, ">="+min)
	}
	if max != "" {
		parts = append(parts, "<="+max)
	}
	return strings.Join(parts, ",")
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Len()
}

// WriteUpdatePopup writes what a user reads of the newest version's update
// popup in a locale: its body and the lines of what changed.
func WriteUpdatePopup(w io.Writer, b *bundle.Bundle, locale string) {
	last := b.History[len(b.History)-1]
	heading := strings.TrimRight(b.Text(locale, "policy.update."+last.Change), " \n")
	if !strings.ContainsAny(lastRune(heading), ".:。：!！?？") {
		heading += ":" // a heading that ends in its own punctuation keeps it alone
	}
	fmt.Fprintf(w, "\nwhat the user reads (%s):\n  %s\n", locale, heading)
	for _, c := range last.Changes {
		fmt.Fprintf(w, "    - %s\n", b.Text(locale, c.Text))
	}
}

// lastRune returns the last character of s, or "".
func lastRune(s string) string {
	r, n := utf8.DecodeLastRuneInString(s)
	if n == 0 {
		return ""
	}
	return string(r)
}

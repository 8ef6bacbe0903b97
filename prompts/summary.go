package prompts

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// WriteSummary writes what a compiled bundle holds, for people: the
// policy and its history, each step with the permissions it asks for, the
// SDKs and when they run, the sizes, the hash and who signed it (listed,
// not trusted), and the first-run popup's title. env is the bundle's
// envelope.
func WriteSummary(w io.Writer, b *bundle.Bundle, env []byte) {
	pol := b.Policy
	loc := pol.DefaultLocale
	fmt.Fprintf(w, "policy %s version %s (effective %s), locales %s, cooldown %s\n",
		pol.ID, pol.Version, pol.Effective, strings.Join(pol.Locales, " "), time.Duration(pol.CooldownSeconds)*time.Second)
	fmt.Fprintf(w, "history:")
	for _, v := range b.History {
		fmt.Fprintf(w, " %s (%s, %d changes)", v.Version, v.Change, len(v.Changes))
	}
	fmt.Fprintln(w)
	steps, asks := 0, 0
	fmt.Fprintln(w, "\nsteps and the permissions they ask for, in order:")
	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			steps++
			var parts []string
			for _, sp := range st.Permissions {
				asks++
				s := sp.ID + " (" + sp.Consequence
				if sp.SeparateConsent {
					s += ", separate consent: " + sp.Sensitive
				}
				parts = append(parts, s+")")
			}
			if len(parts) == 0 {
				parts = []string{"-"}
			}
			fmt.Fprintf(w, "  %-38s %s\n", sc.ID+"/"+st.ID, strings.Join(parts, ", "))
		}
	}
	fmt.Fprintf(w, "\nsdks (%d):\n", len(b.SDKs))
	byCat := map[string][]string{}
	for _, s := range b.SDKs {
		gate := ""
		switch s.Start {
		case vocab.StartInScenario.String():
			gate = " [in " + strings.Join(s.Scenarios, ",") + "]"
		case vocab.StartWithPermission.String():
			gate = " [with " + strings.Join(s.Requires, ",") + "]"
		}
		byCat[s.Category] = append(byCat[s.Category], s.ID+gate)
	}
	for _, cat := range vocab.Names(vocab.NumSDKCategories) {
		if len(byCat[cat]) > 0 {
			fmt.Fprintf(w, "  %-16s %s\n", cat, strings.Join(byCat[cat], ", "))
		}
	}
	fmt.Fprintf(w, "\n%d scenarios, %d steps, %d permission asks, %d permissions, %d texts per locale\n",
		len(b.Scenarios), steps, asks, len(b.Permissions), len(b.Texts[loc]))
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
	fmt.Fprintf(w, "\nwhat the user reads (%s), %s:\n", locale, b.Text(locale, "policy.update."+last.Change))
	for _, c := range last.Changes {
		fmt.Fprintf(w, "  - %s\n", b.Text(locale, c.Text))
	}
}

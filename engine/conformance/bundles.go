package conformance

import (
	"path/filepath"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
)

// Bundles compiles, from the repository at root, the bundles that
// journeys name: "reference", the shipped policy, and "revision", the
// same with the example revision of prompts/testdata/revision. Compiling
// them from source keeps every runner on the policy as it stands.
func Bundles(root string) (map[string]*bundle.Bundle, error) {
	at := func(p string) string { return filepath.Join(root, p) }
	sources := map[string][2][]string{
		"reference": {{at("prompts/msxf")}, {at("locales")}},
		"revision": {
			{at("prompts/msxf"), at("prompts/testdata/revision/msxf/2023-09-01.toml")},
			{at("locales"), at("prompts/testdata/revision/locales")},
		},
	}
	out := map[string]*bundle.Bundle{}
	for name, src := range sources {
		p, err := prompts.Load(src[0], src[1])
		if err != nil {
			return nil, err
		}
		if out[name], err = prompts.Compile(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

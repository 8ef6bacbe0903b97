// Command transcript runs the conformance cases on the native engine and
// writes every request and response, with the bundles they ran on, as one
// JSON file: the reference that JavaScript hosts (wasm/js's Node tests)
// compare their answers with, byte for byte. Run it from the repository
// root:
//
//	go run ./cmd/transcript -o dist/conformance.json
package main

import (
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

type step struct {
	Request  string `json:"request"`
	Response string `json:"response"`
}

// transcript is one case's requests and answers.
type transcript struct {
	Name  string `json:"name"`
	File  string `json:"file"`
	Steps []step `json:"steps"`
}

func main() {
	out := flag.String("o", "dist/conformance.json", "output file")
	dir := flag.String("cases", "conformance/testdata", "folder of conformance cases")
	key := flag.String("key", prompttest.TestKey, "key that signs the bundles")
	flag.Parse()
	if err := run(*out, *dir, *key); err != nil {
		fmt.Fprintln(os.Stderr, "transcript:", err)
		os.Exit(1)
	}
}

func run(out, dir, keyFile string) error {
	key, err := prompts.ReadPrivateKey(keyFile)
	if err != nil {
		return err
	}
	bundles, err := prompttest.Bundles(".")
	if err != nil {
		return err
	}
	// The test module (make wasm-test) trusts the test service key.
	service, err := prompts.ReadPublicKey(conformance.ServicePubFile)
	if err != nil {
		return err
	}
	signed, err := prompttest.Envelopes(bundles, key)
	if err != nil {
		return err
	}
	engines := map[string]*engine.Engine{}
	envelopes := map[string]string{}
	hashes := map[string]string{}
	for name, b := range bundles {
		payload, err := bundle.Payload(signed[name])
		if err != nil {
			return err
		}
		hashes[name] = bundle.Hash(payload)
		if engines[name], err = engine.NewWith(b, engine.Options{BundleHash: hashes[name], ServiceKeys: []ed25519.PublicKey{service}}); err != nil {
			return err
		}
		envelopes[name] = string(signed[name])
	}
	cases, err := conformance.Load(dir)
	if err != nil {
		return err
	}
	rt := conformance.Runtime{Decide: func(name string, req []byte) ([]byte, error) { return engines[name].Decide(nil, req), nil }, Hashes: hashes}
	var all []transcript
	for _, c := range cases {
		results, err := rt.Play(c)
		if err != nil {
			return err
		}
		tj := transcript{Name: c.Name, File: filepath.Base(c.File)}
		for _, r := range results {
			tj.Steps = append(tj.Steps, step{string(r.Request), string(r.Response)})
		}
		all = append(all, tj)
	}
	data, err := json.MarshalIndent(map[string]any{"bundles": envelopes, "cases": all}, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

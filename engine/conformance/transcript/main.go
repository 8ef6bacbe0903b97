// Command transcript runs the conformance journeys on the native engine
// and writes every request and response, with the bundles they ran on, as
// one JSON file: the reference that JavaScript hosts (wasm/js's Node test)
// compare their answers with, byte for byte.
//
//	go run ./engine/conformance/transcript -o dist/conformance.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/conformance"
	"github.com/jitconsent/jitconsent/prompts"
)

type step struct {
	Request  string `json:"request"`
	Response string `json:"response"`
}

type journey struct {
	Name  string `json:"name"`
	File  string `json:"file"`
	Steps []step `json:"steps"`
}

func main() {
	out := flag.String("o", "dist/conformance.json", "output file")
	dir := flag.String("journeys", "engine/testdata/conformance", "journey folder")
	key := flag.String("key", "hostsim/testdata/keys/test.key", "key that signs the revision bundle")
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
	bundles, err := conformance.Bundles(".")
	if err != nil {
		return err
	}
	engines := map[string]*engine.Engine{}
	envelopes := map[string]string{}
	for name, b := range bundles {
		if engines[name], err = engine.New(b); err != nil {
			return err
		}
		env, err := prompts.Marshal(b)
		if err == nil {
			env, err = bundle.Sign(env, key)
		}
		if err != nil {
			return err
		}
		envelopes[name] = string(env)
	}
	journeys, err := conformance.Load(dir)
	if err != nil {
		return err
	}
	decide := func(name string, req []byte) ([]byte, error) { return engines[name].Decide(nil, req), nil }
	var all []journey
	for _, j := range journeys {
		results, err := conformance.Play(j, decide)
		if err != nil {
			return err
		}
		tj := journey{Name: j.Name, File: filepath.Base(j.File)}
		for _, r := range results {
			tj.Steps = append(tj.Steps, step{string(r.Request), string(r.Response)})
		}
		all = append(all, tj)
	}
	data, err := json.MarshalIndent(map[string]any{"bundles": envelopes, "journeys": all}, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

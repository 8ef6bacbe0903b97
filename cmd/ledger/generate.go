package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/ledger/ledgertest"
	"github.com/jitconsent/jitconsent/prompts"
)

// generate writes n receipts for each of installations, and with cpOut a
// checkpoint of each head signed by a new key written to keyOut.
func generate(bundleFile, out, cpOut, keyOut, locale, platform string, n, installations int) error {
	if n < 1 || installations < 1 {
		return cli.Usage(errors.New("-n and --installations must be at least 1"))
	}
	if (cpOut == "") != (keyOut == "") {
		return cli.Usage(errors.New("--checkpoint-out and --key-out go together"))
	}
	env, err := os.ReadFile(bundleFile)
	if err != nil {
		return cli.Fail(err)
	}
	b, err := bundle.OpenUnsigned(env)
	if err != nil {
		return cli.Fail(fmt.Errorf("%s: %w", bundleFile, err))
	}
	payload, err := bundle.Payload(env)
	if err != nil {
		return cli.Fail(err)
	}
	f, err := os.Create(out)
	if err != nil {
		return cli.Fail(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("", 8*3600))
	var heads []ledger.Receipt
	for i := range installations {
		chain, err := ledgertest.Chain(ledgertest.Journey{
			Bundle: b, BundleHash: bundle.Hash(payload), Installation: fmt.Sprintf("inst-%04d", i+1),
			Locale: locale, Platform: platform, Version: "33", Start: start, Step: time.Minute,
		}, n)
		if err != nil {
			return cli.Fail(err)
		}
		for _, r := range chain {
			line, err := json.Marshal(r)
			if err != nil {
				return err
			}
			w.Write(line)
			w.WriteByte('\n')
		}
		heads = append(heads, chain[len(chain)-1])
	}
	if err := w.Flush(); err != nil {
		return cli.Fail(err)
	}
	if cpOut == "" {
		return nil
	}
	if _, err := prompts.WriteKeyPair(keyOut); err != nil {
		return cli.Fail(err)
	}
	key, err := prompts.ReadPrivateKey(keyOut + ".key")
	if err != nil {
		return cli.Fail(err)
	}
	cf, err := os.Create(cpOut)
	if err != nil {
		return cli.Fail(err)
	}
	defer cf.Close()
	cw := bufio.NewWriter(cf)
	for _, h := range heads {
		c := ledger.Checkpoint{Installation: h.Installation, Seq: h.Seq, Head: h.RecordedHash, Time: "2026-04-01T00:00:00Z"}
		if err := c.Sign(key); err != nil {
			return err
		}
		line, _ := json.Marshal(c)
		cw.Write(line)
		cw.WriteByte('\n')
	}
	return cw.Flush()
}

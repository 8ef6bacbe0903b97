package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"testing"

	"github.com/jitconsent/jitconsent/ledger"
)

// The benchmark: verifying a chain of 10,000 receipts, time and
// memory. BenchmarkVerify10000 is the whole check an auditor runs (texts
// against the bundle, a checkpoint); BenchmarkParse10000 reads the chain
// from JSON Lines, as cmd/ledger does first. docs/RECORDS.md has the
// figures and the command for the peak memory of ledger verify.

const benchReceipts = 10000

func benchChain(b *testing.B) ([]ledger.Receipt, ledger.Options) {
	b.Helper()
	bs, _ := testBundles(b)
	c := chain(b, "inst-bench", benchReceipts)
	key := serviceKey(7)
	return c, ledger.Options{Bundles: bs, Checkpoints: []ledger.Checkpoint{checkpoint(b, c[len(c)-1], key)},
		ServiceKeys: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}}
}

func BenchmarkVerify10000(b *testing.B) {
	c, opts := benchChain(b)
	b.ReportAllocs()
	for b.Loop() {
		if rep := ledger.Verify(c, opts); !rep.OK() {
			b.Fatal(rep.Faults[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchReceipts, "ns/receipt")
}

func BenchmarkVerify10000WithoutBundles(b *testing.B) {
	c, _ := benchChain(b)
	b.ReportAllocs()
	for b.Loop() {
		if rep := ledger.Verify(c, ledger.Options{}); !rep.OK() {
			b.Fatal(rep.Faults[0])
		}
	}
}

func BenchmarkParse10000(b *testing.B) {
	c, _ := benchChain(b)
	var lines bytes.Buffer
	for _, r := range c {
		raw, _ := json.Marshal(r)
		lines.Write(raw)
		lines.WriteByte('\n')
	}
	data := lines.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if rs, err := ledger.Parse(data); err != nil || len(rs) != benchReceipts {
			b.Fatal(err)
		}
	}
}

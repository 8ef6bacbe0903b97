package main

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/records/recordstest"
)

// TestUpload: records upload posts two installations' receipts, given
// interleaved in one file, each in order and in batches, and writes each
// one's last checkpoint, signed by the service; uploading a forked chain
// of one of them is refused with the service's code, naming the
// installation, and exits 1.
func TestUpload(t *testing.T) {
	s := newSetup(t)
	srv := startServer(t, s, "sqlite:"+filepath.Join(t.TempDir(), "records.db"))
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a, b := recordstest.New("inst-upload-a", start), recordstest.New("inst-upload-b", start)
	var lines [][]byte
	for range 3 {
		lines = append(lines, a.Next(2)...)
		lines = append(lines, b.Next(1)...)
	}
	file := filepath.Join(t.TempDir(), "receipts.jsonl")
	os.WriteFile(file, append(bytes.Join(lines, []byte("\n")), '\n'), 0o644)
	cps := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	code, out, errOut := runRecords("upload", "--url", srv.url, "--app-token-file", s.appFile, "--batch", "4", "--checkpoints", cps, file)
	if code != 0 || !strings.Contains(out, "uploaded 9 receipts of 2 installations") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(cps)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ledger.ParseCheckpoints(data)
	if err != nil || len(got) != 2 {
		t.Fatalf("checkpoints %v %s", err, data)
	}
	for i, want := range []struct {
		inst string
		seq  int64
		head string
	}{{"inst-upload-a", 6, a.Head()}, {"inst-upload-b", 3, b.Head()}} {
		c := got[i]
		if err := c.Verify([]ed25519.PublicKey{s.pub}); err != nil || c.Installation != want.inst || c.Seq != want.seq || c.Head != want.head {
			t.Errorf("checkpoint %d: %+v (%v), want %s seq %d", i, c, err, want.inst, want.seq)
		}
	}

	// Another chain for installation a, from seq 1: a fork of the stored one.
	fork := recordstest.New("inst-upload-a", start.Add(time.Hour))
	os.WriteFile(file, append(bytes.Join(fork.Next(2), []byte("\n")), '\n'), 0o644)
	code, out, errOut = runRecords("upload", "--url", srv.url, "--app-token-file", s.appFile, file)
	if code != 1 || !strings.Contains(errOut, "installation inst-upload-a") || !strings.Contains(errOut, "replayed_head") && !strings.Contains(errOut, "fork") {
		t.Errorf("a forked chain: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runRecords("upload", "--url", srv.url, file); code != 2 || !strings.Contains(errOut, "app token") {
		t.Errorf("no token: exit %d %s", code, errOut)
	}
}

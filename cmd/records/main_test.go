package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crypto/ed25519"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/records/recordstest"
)

func runRecords(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsage(t *testing.T) {
	s := newSetup(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--db", db, "--key", s.key, "--operator-token-file", s.opFile}, 2, "no app token"},
		{[]string{"serve", "--db", db, "--key", s.key, "--app-token-file", s.appFile}, 2, "no operator token"},
		{[]string{"serve", "--db", db, "--key", s.key, "--app-token", "short", "--operator-token-file", s.opFile}, 2, "at least 16"},
		{[]string{"serve", "--db", db, "--key", s.key, "--app-token-file", s.appFile, "--operator-token-file", s.opFile, "--tls-cert", "c.pem"}, 2, "both --tls-cert and --tls-key"},
		{[]string{"serve", "--db", "mysql://x", "--key", s.key, "--app-token-file", s.appFile, "--operator-token-file", s.opFile}, 2, "want sqlite:PATH"},
		{[]string{"serve", "--db", db, "--key", filepath.Join(s.dir, "missing.key"), "--app-token-file", s.appFile, "--operator-token-file", s.opFile}, 1, "missing.key"},
		{[]string{"serve", "--db", db, "--app-token-file", s.appFile, "--operator-token-file", s.opFile}, 2, `"key" not set`},
		{[]string{"purge", "--db", db, "--key", s.key, "--installation", "a b", "--before", "2026-01-01T00:00:00Z"}, 2, "not an installation id"},
		{[]string{"purge", "--db", db, "--key", s.key, "--installation", "inst-1", "--before", "yesterday"}, 2, "not an RFC 3339 time"},
		{[]string{"export", "--db", db, "--key", s.key, "--installation", "inst-1", "--from", "2026-01-01T00:00:00Z", "--out", t.TempDir()}, 2, "not both"},
		{[]string{"export", "--db", db, "--key", s.key, "--from", "2026-01-02T00:00:00Z", "--to", "2026-01-01T00:00:00Z", "--out", t.TempDir()}, 2, "to after from"},
		{[]string{"bench", "--batch", "0"}, 2, "--batch 1 to 1000"},
		{[]string{"bench", "--url", "http://127.0.0.1:1"}, 2, "--url needs --app-token"},
		{[]string{"nonsense"}, 2, "unknown command"},
	} {
		code, _, stderr := runRecords(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("records %s: exit %d, %q; want %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.want)
		}
	}
}

func TestKeygen(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "keys", "svc")
	code, out, stderr := runRecords("keygen", "--out", prefix)
	if code != 0 || !strings.Contains(out, "key id") {
		t.Fatalf("keygen: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := runRecords("keygen", "--out", prefix); code != 1 || !strings.Contains(stderr, "does not overwrite") {
		t.Fatalf("keygen over an existing key: %d %s", code, stderr)
	}
}

// TestPurgeAndExport stores a chain through the service, then purges and
// exports it with the command, and checks the anchor and the manifest as
// an auditor would.
func TestPurgeAndExport(t *testing.T) {
	s := newSetup(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	srv := startServer(t, s, db)
	c := recordstest.New("inst-1", start) // a receipt a minute from 10:00 +08
	r, err := post(http.DefaultClient, srv.url+"/v1/installations/inst-1/receipts", recordstest.Body(c.Next(20)))
	if err != nil {
		t.Fatal(err)
	}
	checkpointOf(t, r, s.pub)
	srv.kill()

	code, out, stderr := runRecords("purge", "--db", db, "--key", s.key, "--installation", "inst-1", "--before", "2026-03-01T10:05:30+08:00")
	if code != 0 {
		t.Fatalf("purge: %d %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var anchor ledger.Checkpoint
	if err := anchor.UnmarshalJSON([]byte(lines[len(lines)-1])); err != nil {
		t.Fatalf("purge printed %q: %v", out, err)
	}
	if err := anchor.Verify([]ed25519.PublicKey{s.pub}); err != nil || !anchor.IsAnchor() || anchor.Seq != 6 || anchor.Head != c.Hashes[5] {
		t.Fatalf("anchor %+v: %v", anchor, err)
	}
	if code, out, _ := runRecords("purge", "--db", db, "--key", s.key, "--installation", "inst-1", "--before", "2026-03-01T10:05:30+08:00"); code != 0 || !strings.Contains(out, "nothing removed") {
		t.Fatalf("a second purge: %d %s", code, out)
	}

	dir := t.TempDir()
	if code, _, stderr := runRecords("export", "--db", db, "--key", s.key, "--installation", "inst-1", "--out", dir); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	jsonl, _ := os.ReadFile(filepath.Join(dir, "receipts.jsonl"))
	manifest, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	anchors, _ := os.ReadFile(filepath.Join(dir, "anchors.json"))
	chain, err := ledger.Parse(jsonl)
	if err != nil || len(chain) != 14 || chain[0].Seq != 7 {
		t.Fatalf("receipts.jsonl: %d receipts, %v", len(chain), err)
	}
	// The chain verifies from the anchor on, as the verifier reads it.
	cps, err := ledger.ParseCheckpoints(anchors)
	if err != nil || len(cps) != 1 {
		t.Fatalf("anchors.json: %v", err)
	}
	rep := ledger.Verify(chain, ledger.Options{Checkpoints: cps, ServiceKeys: []ed25519.PublicKey{s.pub}})
	if !rep.OK() {
		t.Fatalf("the exported chain does not verify from its anchor: %v", rep.Faults)
	}
	if err := verifyManifest(manifest, jsonl, s.pub); err != nil {
		t.Fatal(err)
	}

	// A period export.
	dir = t.TempDir()
	if code, _, stderr := runRecords("export", "--db", db, "--key", s.key, "--from", "2026-03-01T02:10:00Z", "--to", "2026-03-01T02:12:00Z", "--out", dir); code != 0 {
		t.Fatalf("export of a period: %s", stderr)
	}
	jsonl, _ = os.ReadFile(filepath.Join(dir, "receipts.jsonl"))
	if n := bytes.Count(jsonl, []byte("\n")); n != 2 {
		t.Fatalf("export of two minutes: %d receipts, want 2", n)
	}
}

func verifyManifest(manifest, jsonl []byte, pub ed25519.PublicKey) error {
	m, err := verifyObject(manifest, pub)
	if err != nil {
		return err
	}
	if m["records"] != sha256hex(jsonl) {
		return errorf("manifest records %v, the file's SHA-256 is %s", m["records"], sha256hex(jsonl))
	}
	return nil
}

// TestTLS serves HTTPS from a certificate and key.
func TestTLS(t *testing.T) {
	s := newSetup(t)
	cert, key, pool := selfSigned(t)
	srv := startServer(t, s, "sqlite:"+filepath.Join(t.TempDir(), "r.db"), "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(srv.url, "https://") {
		t.Fatalf("serving %s, want https", srv.url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(srv.url + "/v1/keys")
	if err != nil {
		t.Fatal(err)
	}
	var keys struct{ Keys []struct{ ID, Key string } }
	json.NewDecoder(resp.Body).Decode(&keys)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(keys.Keys) != 1 {
		t.Fatalf("GET /v1/keys over TLS: %d %+v", resp.StatusCode, keys)
	}
	// Plain HTTP to the TLS port is not served.
	if resp, err := http.Get(strings.Replace(srv.url, "https://", "http://", 1) + "/v1/keys"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP answered on the TLS port")
		}
	}
}

func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "records test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// TestBench runs a short load, in process and against a running service.
func TestBench(t *testing.T) {
	code, out, stderr := runRecords("bench", "--installations", "4", "--batches", "5")
	if code != 0 || !strings.Contains(out, "4 installations x 5 batches of 10 receipts: 200 receipts") || !strings.Contains(out, "receipts/s") {
		t.Fatalf("bench: %d\n%s%s", code, out, stderr)
	}
	s := newSetup(t)
	srv := startServer(t, s, "sqlite:"+filepath.Join(t.TempDir(), "r.db"))
	code, out, stderr = runRecords("bench", "--url", srv.url, "--app-token", testAppToken, "--installations", "2", "--batches", "3")
	if code != 0 || !strings.Contains(out, "service at "+srv.url) {
		t.Fatalf("bench --url: %d\n%s%s", code, out, stderr)
	}
	code, _, stderr = runRecords("bench", "--url", srv.url, "--app-token", "wrong-token-0123456789", "--batches", "1")
	if code != 1 || !strings.Contains(stderr, "401") {
		t.Fatalf("bench with a wrong token: %d %s", code, stderr)
	}
}

package records_test

import (
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/sqlite"
)

// TestCORS: a page of an allowed origin may upload and read its chain
// from a browser (the preflight names the methods and headers, the answer
// names the origin); another origin, or an operator route, gets no CORS
// header, so the browser keeps the answer from the page; a malformed
// origin is refused at start.
func TestCORS(t *testing.T) {
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "records.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	cfg := records.Config{Store: store, Signer: records.NewSigner(key), AppTokens: []string{appToken}, OperatorTokens: []string{opToken},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowOrigins: []string{"https://app.example.com"}}
	svc, err := records.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	do := func(method, path, origin string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Authorization", "Bearer "+appToken)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	const chain = "/v1/installations/inst-cors-1/receipts"
	pre := do(http.MethodOptions, chain, "https://app.example.com")
	if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		pre.Header.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" || pre.Header.Get("Access-Control-Allow-Methods") != "GET, POST" {
		t.Errorf("preflight of an allowed origin: %d %v", pre.StatusCode, pre.Header)
	}
	if get := do(http.MethodGet, chain, "https://app.example.com"); get.StatusCode != http.StatusOK || get.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("GET from an allowed origin: %d %v", get.StatusCode, get.Header)
	}
	for _, c := range []struct{ method, path, origin string }{
		{http.MethodOptions, chain, "https://evil.example.com"},
		{http.MethodGet, chain, "https://evil.example.com"},
		{http.MethodOptions, "/v1/installations/inst-cors-1/status", "https://app.example.com"},
	} {
		if r := do(c.method, c.path, c.origin); r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s %s from %s: CORS allowed", c.method, c.path, c.origin)
		}
	}
	cfg.AllowOrigins = []string{"app.example.com"}
	if _, err := records.New(cfg); err == nil {
		t.Error("an origin without a scheme is taken")
	}
}

package records_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/postgres"
	"github.com/jitconsent/jitconsent/records/postgres/pgtest"
	"github.com/jitconsent/jitconsent/records/recordstest"
	"github.com/jitconsent/jitconsent/records/sqlite"
)

const (
	appToken = "app-secret"
	opToken  = "operator-secret"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("", 8*3600))

// stores runs fn on each store: SQLite, and PostgreSQL (RECORDS_PG_DSN).
func stores(t *testing.T, fn func(t *testing.T, open func(t *testing.T) records.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "records.db")
		fn(t, func(t *testing.T) records.Store {
			s, err := sqlite.Open(path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.Schema(t, pgtest.DSN(t))
		fn(t, func(t *testing.T) records.Store {
			s, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

// fixture is a service under test and a client for it.
type fixture struct {
	t     *testing.T
	srv   *httptest.Server
	svc   *records.Service
	store records.Store
	pub   ed25519.PublicKey
	now   time.Time
}

func newFixture(t *testing.T, store records.Store) *fixture {
	seed := sha256.Sum256([]byte("records test key"))
	key := ed25519.NewKeyFromSeed(seed[:])
	f := &fixture{t: t, store: store, pub: key.Public().(ed25519.PublicKey), now: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	svc, err := records.New(records.Config{Store: store, Signer: records.NewSigner(key), AppTokens: []string{appToken},
		OperatorTokens: []string{opToken}, Now: func() time.Time { return f.now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	f.srv = httptest.NewServer(svc)
	t.Cleanup(f.srv.Close)
	return f
}

type answer struct {
	status int
	body   []byte
	header http.Header
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", a.status, err, a.body)
	}
	return m
}

// errorCode returns the answer's error code and field.
func (a answer) errorCode(t *testing.T) (code, field string) {
	m := a.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("answer %d has no error: %s", a.status, a.body)
	}
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	if msg, _ := e["message"].(string); msg == "" {
		t.Fatalf("error %s has no message", code)
	}
	return code, field
}

func (f *fixture) do(method, path, token string, body []byte) answer {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return answer{resp.StatusCode, b, resp.Header}
}

func (f *fixture) upload(inst string, receipts [][]byte) answer {
	f.t.Helper()
	return f.do("POST", "/v1/installations/"+inst+"/receipts", appToken, recordstest.Body(receipts))
}

// accepted checks a 200 answer and its checkpoint, and returns the
// checkpoint's JSON.
func (f *fixture) accepted(a answer, inst string, seq int64, hash string) []byte {
	f.t.Helper()
	if a.status != 200 {
		f.t.Fatalf("upload answered %d: %s", a.status, a.body)
	}
	var out struct{ Checkpoint json.RawMessage }
	if err := json.Unmarshal(a.body, &out); err != nil {
		f.t.Fatal(err)
	}
	// The checkpoint as the verifier (package ledger) reads it.
	var cp ledger.Checkpoint
	if err := cp.UnmarshalJSON(out.Checkpoint); err != nil {
		f.t.Fatalf("checkpoint %s: %v", out.Checkpoint, err)
	}
	if err := cp.Verify([]ed25519.PublicKey{f.pub}); err != nil {
		f.t.Fatalf("checkpoint %s: %v", out.Checkpoint, err)
	}
	if cp.Installation != inst || cp.Seq != seq || cp.Head != hash || cp.IsAnchor() {
		f.t.Fatalf("checkpoint %s: want installation %s seq %d head %s", out.Checkpoint, inst, seq, hash)
	}
	return out.Checkpoint
}

// refused checks a refusal's status, code, field and head.
func (f *fixture) refused(a answer, status int, code, field string, headSeq int64) {
	f.t.Helper()
	if a.status != status {
		f.t.Fatalf("answered %d, want %d: %s", a.status, status, a.body)
	}
	gotCode, gotField := a.errorCode(f.t)
	if gotCode != code || (field != "*" && gotField != field) {
		f.t.Fatalf("error %s at %q, want %s at %q: %s", gotCode, gotField, code, field, a.body)
	}
	if headSeq >= 0 {
		h, ok := a.json(f.t)["head"].(map[string]any)
		if !ok || h["seq"] != float64(headSeq) {
			f.t.Fatalf("refusal answered with head %v, want seq %d", h, headSeq)
		}
		stored, _ := f.store.Head(context.Background(), "inst-1")
		if headSeq > 0 && h["hash"] != stored.Hash {
			f.t.Fatalf("refusal's head hash %v is not the stored head's %s", h["hash"], stored.Hash)
		}
	}
}

func (f *fixture) chainLen(inst string) int {
	f.t.Helper()
	got, err := f.store.Chain(context.Background(), inst, 0, 1_000_000)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(got)
}

// tamper rewrites members of a receipt without fixing its hash.
func tamper(t *testing.T, r []byte, set map[string]any) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUploadFaults(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) records.Store) {
		f := newFixture(t, open(t))
		c := recordstest.New("inst-1", start)
		first := c.Next(10)
		cp1 := f.accepted(f.upload("inst-1", first), "inst-1", 10, c.Head())

		// Access.
		body := recordstest.Body(c.Next(1))
		c.Drop(1)
		a := f.do("POST", "/v1/installations/inst-1/receipts", "", body)
		f.refused(a, 401, "unauthorized", "Authorization", -1)
		if a.header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
		f.refused(f.do("POST", "/v1/installations/inst-1/receipts", "wrong", body), 401, "unauthorized", "Authorization", -1)
		f.refused(f.do("POST", "/v1/installations/inst-1/receipts", opToken, body), 401, "unauthorized", "Authorization", -1)

		// Malformed and oversized batches: each refused with the head, nothing stored.
		post := func(b []byte) answer { return f.do("POST", "/v1/installations/inst-1/receipts", appToken, b) }
		f.refused(post([]byte(`{"receipts":[`)), 400, "bad_batch", "*", 10)
		f.refused(post([]byte(`[]`)), 400, "bad_batch", "", 10)
		f.refused(post([]byte(`{"receipts":[]}`)), 400, "bad_batch", "receipts", 10)
		f.refused(post([]byte(`{"receipts":{}}`)), 400, "bad_batch", "receipts", 10)
		f.refused(post([]byte(`{"receipts":[1]}`)), 400, "bad_batch", "receipts[0]", 10)
		f.refused(post([]byte(`{"receipts":[],"more":1}`)), 400, "bad_batch", "more", 10)
		f.refused(post([]byte(`{"receipts":[{"v":2}]} x`)), 400, "bad_batch", "*", 10)
		f.refused(post(append([]byte(`{"receipts":["`), append(bytes.Repeat([]byte("a"), records.MaxBatchSize), `"]}`...)...)), 413, "bad_batch", "", 10)
		many := c.Clone().Next(records.MaxBatch + 1) // valid, under 1 MiB, one too many
		f.refused(post(recordstest.Body(many)), 400, "bad_batch", "receipts[1000]", 10)
		next := c.Clone().Next(2)
		for _, tc := range []struct {
			name  string
			r     []byte
			code  string
			field string
		}{
			{"unknown member", tamper(t, next[0], map[string]any{"colour": "red"}), "bad_batch", "receipts[0].colour"},
			{"wrong type", tamper(t, next[0], map[string]any{"seq": "11"}), "bad_batch", "receipts[0].seq"},
			{"v1", tamper(t, next[0], map[string]any{"v": 1}), "bad_batch", "receipts[0].v"},
			{"no seq", tamper(t, next[0], map[string]any{"seq": nil}), "bad_batch", "receipts[0].seq"},
			{"null", tamper(t, next[0], map[string]any{"text": nil, "step": nil, "scenario": json.RawMessage("null")}), "bad_batch", "receipts[0].scenario"},
			{"bad time", tamper(t, next[0], map[string]any{"time": "yesterday"}), "bad_batch", "receipts[0].time"},
			{"other installation", recordstest.New("inst-2", start).Next(1)[0], "bad_batch", "receipts[0].installation"},
			{"forged answer", tamper(t, next[0], map[string]any{"answer": "declined"}), "bad_hash", "receipts[0].hash"},
			{"forged id", tamper(t, next[0], map[string]any{"id": "00000000-0000-8000-8000-000000000000"}), "bad_hash", "receipts[0].id"},
			{"duplicate member", []byte(strings.Replace(string(next[0]), `{"answer":"accepted",`, `{"answer":"accepted","answer":"accepted",`, 1)), "bad_batch", "receipts[0]"},
		} {
			parent := f.t
			t.Run(tc.name, func(t *testing.T) {
				f.t = t
				f.refused(post(recordstest.Body([][]byte{tc.r})), 400, tc.code, tc.field, 10)
			})
			f.t = parent
		}
		// A forged hash recomputed for the receipt but not for its successor.
		forged := c.Clone()
		forged.At(start.Add(11*time.Minute), recordstest.Declined)
		f.refused(post(recordstest.Body([][]byte{forged.Receipts[10], next[1]})), 400, "bad_hash", "receipts[1].prev", 10)
		// Seqs out of order inside a batch.
		f.refused(post(recordstest.Body([][]byte{next[1], next[0]})), 400, "bad_batch", "receipts[1].seq", 10)
		// The path's installation.
		a = f.do("POST", "/v1/installations/bad%20id/receipts", appToken, recordstest.Body(next))
		if code, field := a.errorCode(t); a.status != 400 || code != "bad_batch" || field != "installation" {
			t.Fatalf("bad installation id: %d %s %s", a.status, code, field)
		}
		if f.chainLen("inst-1") != 10 {
			t.Fatalf("refused batches stored receipts: %d", f.chainLen("inst-1"))
		}

		// Chain conflicts: 409 with the current head.
		fork := c.Clone()
		fork.Edit = recordstest.Declined
		f.accepted(f.upload("inst-1", c.Next(5)), "inst-1", 15, c.Head())
		f.refused(f.upload("inst-1", fork.Next(5)), 409, "fork", "receipts[0].hash", 15)
		c.Next(1)
		f.refused(f.upload("inst-1", c.Next(2)), 409, "gap", "receipts[0].seq", 15)
		c.Drop(3)
		old := recordstest.New("inst-1", start)
		old.Next(3)
		old.Edit = recordstest.Declined
		f.refused(f.upload("inst-1", old.Next(2)), 409, "replayed_head", "receipts[0].hash", 15)

		// Idempotent re-send: the same checkpoint, byte for byte.
		f.now = f.now.Add(time.Hour)
		a = f.upload("inst-1", first)
		if got := f.accepted(a, "inst-1", 10, c.Hashes[9]); !bytes.Equal(got, cp1) {
			t.Fatalf("re-sent batch: checkpoint\n%s\nwant the first answer's\n%s", got, cp1)
		}
		if a.header.Get("Records-Stored") != "0" {
			t.Fatalf("re-sent batch: Records-Stored %q", a.header.Get("Records-Stored"))
		}
		if f.chainLen("inst-1") != 15 {
			t.Fatalf("after the refusals the chain has %d receipts, want 15", f.chainLen("inst-1"))
		}

		// Every refusal is in the log, with its code and the head.
		a = f.do("GET", "/v1/installations/inst-1/refusals", opToken, nil)
		var log struct{ Refusals []records.Refusal }
		if err := json.Unmarshal(a.body, &log); err != nil || a.status != 200 {
			t.Fatalf("refusals: %d %s", a.status, a.body)
		}
		codes := map[string]int{}
		for _, r := range log.Refusals {
			codes[r.Code]++
		}
		if codes["bad_batch"] < 15 || codes["bad_hash"] != 3 || codes["fork"] != 1 || codes["gap"] != 1 || codes["replayed_head"] != 1 {
			t.Fatalf("refusals log: %v", codes)
		}
		if r := log.Refusals[0]; r.Code != "replayed_head" || r.HeadSeq != 15 || r.First != 4 || r.Last != 5 || r.Count != 2 {
			t.Fatalf("newest refusal: %+v", r)
		}
		f.refused(f.do("GET", "/v1/installations/inst-1/refusals", appToken, nil), 401, "unauthorized", "Authorization", -1)
	})
}

func TestTimeBehind(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) records.Store) {
		f := newFixture(t, open(t))
		c := recordstest.New("inst-1", start)
		c.Next(2)
		c.At(start.Add(-time.Hour), nil) // flagged time_behind
		c.Next(1)
		f.accepted(f.upload("inst-1", c.Receipts), "inst-1", 4, c.Head())
		got, _ := f.store.Chain(context.Background(), "inst-1", 0, 10)
		if !bytes.Contains(got[2].JSON, []byte(`"time_behind":true`)) {
			t.Fatalf("the flagged receipt is stored without its flag: %s", got[2].JSON)
		}
		h, _ := f.store.Head(context.Background(), "inst-1")
		if h.Behind != 1 {
			t.Fatalf("head counts %d receipts behind, want 1", h.Behind)
		}
		// An unflagged receipt whose time goes back is refused, naming the flag.
		d := recordstest.New("inst-2", start)
		d.Next(1)
		d.At(start.Add(-time.Hour), func(r *ledger.Receipt) { r.TimeBehind = false })
		a := f.upload("inst-2", d.Receipts)
		if code, field := a.errorCode(t); code != "bad_batch" || field != "receipts[1].time_behind" {
			t.Fatalf("unflagged time going back: %s %s", code, field)
		}
	})
}

func TestReadRoutes(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) records.Store) {
		f := newFixture(t, open(t))
		c := recordstest.New("inst-1", start)
		f.accepted(f.upload("inst-1", c.Next(10)), "inst-1", 10, c.Head())
		f.accepted(f.upload("inst-1", c.Next(10)), "inst-1", 20, c.Head())
		d := recordstest.New("inst-2", start.Add(time.Hour))
		f.accepted(f.upload("inst-2", d.Next(3)), "inst-2", 3, d.Head())

		// The public keys verify checkpoints.
		a := f.do("GET", "/v1/keys", "", nil)
		var keys struct{ Keys []records.PublicKey }
		json.Unmarshal(a.body, &keys)
		if a.status != 200 || len(keys.Keys) != 1 || keys.Keys[0].Key != base64.StdEncoding.EncodeToString(f.pub) {
			t.Fatalf("keys: %d %s", a.status, a.body)
		}

		// The chain, whole and after a seq, with a limit.
		var chain struct {
			Receipts []json.RawMessage
			More     bool
			Anchor   json.RawMessage
		}
		a = f.do("GET", "/v1/installations/inst-1/receipts", appToken, nil)
		json.Unmarshal(a.body, &chain)
		if a.status != 200 || len(chain.Receipts) != 20 || chain.More || string(chain.Receipts[19]) != string(c.Receipts[19]) {
			t.Fatalf("chain: %d, %d receipts, more %v", a.status, len(chain.Receipts), chain.More)
		}
		a = f.do("GET", "/v1/installations/inst-1/receipts?after=15&limit=3", appToken, nil)
		chain.Receipts = nil
		json.Unmarshal(a.body, &chain)
		if len(chain.Receipts) != 3 || !chain.More || string(chain.Receipts[0]) != string(c.Receipts[15]) {
			t.Fatalf("chain after 15, 3 at most: %d receipts, more %v", len(chain.Receipts), chain.More)
		}
		code, field := f.do("GET", "/v1/installations/inst-1/receipts?after=x", appToken, nil).errorCode(t)
		if code != "bad_value" || field != "after" {
			t.Fatalf("after=x: %s %s", code, field)
		}

		// Export of an installation: the manifest is signed and names the records' hash.
		a = f.do("GET", "/v1/export?installation=inst-1", opToken, nil)
		var exp struct {
			Receipts []json.RawMessage
			Anchors  []json.RawMessage
			Manifest json.RawMessage
		}
		if err := json.Unmarshal(a.body, &exp); err != nil || a.status != 200 {
			t.Fatalf("export: %d %v %s", a.status, err, a.body)
		}
		m, err := records.VerifyObject(exp.Manifest, []ed25519.PublicKey{f.pub})
		if err != nil {
			t.Fatalf("manifest: %v", err)
		}
		var jsonl []byte
		for _, r := range exp.Receipts {
			jsonl = append(append(jsonl, r...), '\n')
		}
		sum := sha256.Sum256(jsonl)
		if m["records"] != hex.EncodeToString(sum[:]) || m["count"] != json.Number("20") || m["kind"] != "export" {
			t.Fatalf("manifest %s: records hash %s", exp.Manifest, hex.EncodeToString(sum[:]))
		}
		// Of a period: both installations' receipts of that hour.
		a = f.do("GET", "/v1/export?from=2026-03-01T02:15:00Z&to=2026-03-01T03:01:00Z", opToken, nil)
		exp.Receipts = nil
		json.Unmarshal(a.body, &exp)
		if len(exp.Receipts) != 5+1 { // inst-1 seqs 16-20 (10:15 to 10:19 +08), inst-2 seq 1 (11:00 +08)
			t.Fatalf("export of a period: %d receipts, want 6", len(exp.Receipts))
		}
		for _, q := range []string{"", "?from=2026-03-01T00:00:00Z", "?installation=inst-1&from=2026-03-01T00:00:00Z", "?from=x&to=y",
			"?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "?installation=a/b"} {
			if a := f.do("GET", "/v1/export"+q, opToken, nil); a.status != 400 {
				t.Fatalf("export%s: %d %s", q, a.status, a.body)
			}
		}
		f.refused(f.do("GET", "/v1/export?installation=inst-1", appToken, nil), 401, "unauthorized", "Authorization", -1)

		// Purge up to a time: a signed anchor, from which the rest verifies.
		f.refused(f.do("POST", "/v1/installations/inst-1/purge", opToken, nil), 400, "bad_value", "before", -1)
		a = f.do("POST", "/v1/installations/inst-1/purge?before=2026-03-01T02:05:30Z", opToken, nil)
		var purged struct {
			Removed int64
			Anchor  json.RawMessage
		}
		json.Unmarshal(a.body, &purged)
		if a.status != 200 || purged.Removed != 6 {
			t.Fatalf("purge: %d %s", a.status, a.body)
		}
		var anchor ledger.Checkpoint
		err = anchor.UnmarshalJSON(purged.Anchor)
		if err == nil {
			err = anchor.Verify([]ed25519.PublicKey{f.pub})
		}
		if err != nil || !anchor.IsAnchor() || anchor.Seq != 6 || anchor.Head != c.Hashes[5] {
			t.Fatalf("anchor %s: %v", purged.Anchor, err)
		}
		a = f.do("GET", "/v1/installations/inst-1/receipts", appToken, nil)
		chain.Receipts, chain.Anchor = nil, nil
		json.Unmarshal(a.body, &chain)
		if len(chain.Receipts) != 14 || !bytes.Equal(chain.Anchor, purged.Anchor) {
			t.Fatalf("after the purge: %d receipts, anchor %s", len(chain.Receipts), chain.Anchor)
		}
		exp.Anchors = nil
		json.Unmarshal(f.do("GET", "/v1/export?installation=inst-1", opToken, nil).body, &exp)
		if len(exp.Anchors) != 1 || !bytes.Equal(exp.Anchors[0], purged.Anchor) {
			t.Fatalf("export after the purge carries anchors %s", exp.Anchors)
		}
		f.refused(f.do("POST", "/v1/installations/inst-1/purge?before=2026-03-01T02:05:30Z", appToken, nil), 401, "unauthorized", "Authorization", -1)

		// Routes and methods.
		if a := f.do("DELETE", "/v1/installations/inst-1/receipts", appToken, nil); a.status != 405 || a.header.Get("Allow") == "" {
			t.Fatalf("DELETE: %d", a.status)
		}
		if code, _ := f.do("GET", "/v2/nothing", appToken, nil).errorCode(t); code != "not_found" {
			t.Fatalf("unknown route: %s", code)
		}
	})
}

func TestStatusAndTimeline(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) records.Store) {
		f := newFixture(t, open(t))
		c := recordstest.New("inst-1", start)
		// policy, rationale (carrying precise_location/loan_risk), permission
		// granted, consent biometrics/identity_check, withdraw location; then
		// the policy again with the device clock a day behind.
		c.Next(5)
		c.At(start.Add(-24*time.Hour), nil)
		f.accepted(f.upload("inst-1", c.Receipts), "inst-1", 6, c.Head())

		a := f.do("GET", "/v1/installations/inst-1/status", opToken, nil)
		var st struct {
			Installation string
			Head         struct{ Seq int64 }
			Status       records.Status
			Verified     ledger.InstallationReport
			Faults       []ledger.Fault
		}
		if err := json.Unmarshal(a.body, &st); err != nil || a.status != 200 {
			t.Fatalf("status: %d %s", a.status, a.body)
		}
		s := st.Status
		if s.Policy == nil || s.Policy.Answer != "accepted" || s.Policy.Seq != 6 ||
			s.Permissions["location"].Answer != "withdrawn" ||
			s.Consents["precise_location/loan_risk"].Answer != "accepted" || s.Consents["biometrics/identity_check"].Answer != "accepted" {
			t.Fatalf("status %+v", s)
		}
		if st.Head.Seq != 6 || st.Verified.Receipts != 6 || st.Verified.TimeBehind != 1 || len(st.Faults) != 0 {
			t.Fatalf("status: head %d, verified %+v, faults %v", st.Head.Seq, st.Verified, st.Faults)
		}

		a = f.do("GET", "/v1/installations/inst-1/timeline", opToken, nil)
		var tl ledger.Timeline
		if err := json.Unmarshal(a.body, &tl); err != nil || a.status != 200 {
			t.Fatalf("timeline: %d %s", a.status, a.body)
		}
		if len(tl.Installations) != 1 || len(tl.Installations[0].Entries) != 6 || !tl.Installations[0].Entries[5].TimeBehind {
			t.Fatalf("timeline: %s", a.body)
		}
		a = f.do("GET", "/v1/installations/inst-1/timeline?format=text", opToken, nil)
		if a.status != 200 || !strings.Contains(string(a.body), "inst-1") || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") {
			t.Fatalf("timeline as text: %d %s", a.status, a.body)
		}
		if code, field := f.do("GET", "/v1/installations/inst-1/timeline?format=xml", opToken, nil).errorCode(t); code != "bad_value" || field != "format" {
			t.Fatalf("format=xml: %s %s", code, field)
		}

		// After a purge the rest verifies from the anchor.
		if a := f.do("POST", "/v1/installations/inst-1/purge?before=2026-03-01T10:02:30%2B08:00", opToken, nil); a.status != 200 {
			t.Fatalf("purge: %d %s", a.status, a.body)
		}
		a = f.do("GET", "/v1/installations/inst-1/status", opToken, nil)
		st.Faults = nil
		json.Unmarshal(a.body, &st)
		if st.Verified.Receipts != 3 || st.Verified.Anchor != 3 || len(st.Faults) != 0 {
			t.Fatalf("status after a purge: %+v %v", st.Verified, st.Faults)
		}

		if code, _ := f.do("GET", "/v1/installations/nobody/status", opToken, nil).errorCode(t); code != "not_found" {
			t.Fatalf("status of an unknown installation: %s", code)
		}
		f.refused(f.do("GET", "/v1/installations/inst-1/timeline", appToken, nil), 401, "unauthorized", "Authorization", -1)
	})
}

package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/postgres/pgtest"
	"github.com/jitconsent/jitconsent/records/recordstest"
)

// The tests here run the records command as its own process: kill -9
// must hit a real process, and two instances over one database must be
// two processes.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the records command once per test run.
func binary(t *testing.T) string {
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "records-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "records")
		goTool, err := exec.LookPath("go")
		if err != nil {
			binErr = err
			return
		}
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

const (
	testAppToken = "app-token-0123456789"
	testOpToken  = "operator-token-0123456789"
)

// setup is a service's key and token files.
type setup struct {
	dir, key, appFile, opFile string
	pub                       ed25519.PublicKey
}

func newSetup(t *testing.T) setup {
	dir := t.TempDir()
	s := setup{dir: dir, key: filepath.Join(dir, "service.key"), appFile: filepath.Join(dir, "app.tokens"), opFile: filepath.Join(dir, "op.tokens")}
	if _, err := prompts.WriteKeyPair(filepath.Join(dir, "service")); err != nil {
		t.Fatal(err)
	}
	pub, err := prompts.ReadPublicKey(filepath.Join(dir, "service.pub"))
	if err != nil {
		t.Fatal(err)
	}
	s.pub = pub
	os.WriteFile(s.appFile, []byte("# the app's token\n"+testAppToken+"\n"), 0o600)
	os.WriteFile(s.opFile, []byte(testOpToken+"\n"), 0o600)
	return s
}

// server is a records serve process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	done   chan error
}

var servingLine = regexp.MustCompile(`serving (https?://\S+)`)

func startServer(t *testing.T, s setup, db string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--key", s.key,
		"--app-token-file", s.appFile, "--operator-token-file", s.opFile}, extra...)
	cmd := exec.Command(binary(t), args...)
	srv := &server{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = srv.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	go func() { srv.done <- cmd.Wait() }()
	t.Cleanup(func() { srv.kill() })
	select {
	case line := <-lines:
		m := servingLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("records serve said %q", line)
		}
		srv.url = m[1]
	case err := <-srv.done:
		t.Fatalf("records serve exited: %v\n%s", err, srv.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("records serve did not start in 60 s\n%s", srv.stderr)
	}
	return srv
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (s *server) kill() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.done
		s.done <- nil // for a second kill
	}
}

type reply struct {
	status int
	body   []byte
}

func post(client *http.Client, url string, body []byte) (reply, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+testAppToken)
	resp, err := client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{resp.StatusCode, b}, nil
}

func checkpointOf(t *testing.T, r reply, pub ed25519.PublicKey) ledger.Checkpoint {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("answered %d: %s", r.status, r.body)
	}
	var out struct{ Checkpoint ledger.Checkpoint }
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	if err := out.Checkpoint.Verify([]ed25519.PublicKey{pub}); err != nil {
		t.Fatal(err)
	}
	return out.Checkpoint
}

// dbs runs fn on each database: a SQLite file, and a PostgreSQL schema
// (RECORDS_PG_DSN).
func dbs(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "records.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Schema(t, pgtest.DSN(t))) })
}

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("", 8*3600))

// TestKill9 kills the service (SIGKILL) while 16 installations upload,
// restarts it on the same database, and checks that every acknowledged
// batch is there, that re-sending the last acknowledged batch answers the
// same checkpoint byte for byte, and that re-sending the batch in flight
// at the kill is accepted (stored before the kill, or now).
func TestKill9(t *testing.T) {
	dbs(t, func(t *testing.T, db string) {
		s := newSetup(t)
		srv := startServer(t, s, db)
		const installations = 16
		type inst struct {
			chain    *recordstest.Chain
			acked    int64  // seq of the last acknowledged receipt
			ackBody  []byte // the last acknowledged batch
			ackReply []byte // its checkpoint
			inFlight []byte // the batch whose answer the kill lost
		}
		insts := make([]*inst, installations)
		var total atomic.Int64
		var wg sync.WaitGroup
		client := &http.Client{Timeout: 30 * time.Second}
		for i := range insts {
			in := &inst{chain: recordstest.New(fmt.Sprintf("kill-%02d", i), start)}
			insts[i] = in
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					body := recordstest.Body(in.chain.Next(10))
					r, err := post(client, srv.url+"/v1/installations/"+in.chain.Installation+"/receipts", body)
					if err != nil {
						in.inFlight = body
						return
					}
					if r.status != 200 {
						t.Errorf("%s: %d %s", in.chain.Installation, r.status, r.body)
						return
					}
					var out struct{ Checkpoint json.RawMessage }
					json.Unmarshal(r.body, &out)
					in.acked, in.ackBody, in.ackReply = in.chain.Seq(), body, out.Checkpoint
					total.Add(1)
				}
			}()
		}
		deadline := time.Now().Add(30 * time.Second)
		for total.Load() < 150 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		srv.kill()
		wg.Wait()
		if t.Failed() {
			return
		}
		if total.Load() < 150 {
			t.Fatalf("only %d batches acknowledged in 30 s before the kill", total.Load())
		}
		inFlight := 0
		for _, in := range insts {
			if in.inFlight != nil {
				inFlight++
			}
		}
		t.Logf("killed after %d acknowledged batches, %d in flight", total.Load(), inFlight)
		if inFlight == 0 {
			t.Fatal("no batch was in flight at the kill")
		}

		srv = startServer(t, s, db)
		for _, in := range insts {
			// Every acknowledged receipt is stored, as it was sent.
			req, _ := http.NewRequest("GET", srv.url+"/v1/installations/"+in.chain.Installation+"/receipts", nil)
			req.Header.Set("Authorization", "Bearer "+testAppToken)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var chain struct{ Receipts []json.RawMessage }
			json.NewDecoder(resp.Body).Decode(&chain)
			resp.Body.Close()
			if int64(len(chain.Receipts)) < in.acked {
				t.Fatalf("%s: %d receipts after the restart, but %d were acknowledged", in.chain.Installation, len(chain.Receipts), in.acked)
			}
			for i := range in.acked {
				if !bytes.Equal(chain.Receipts[i], in.chain.Receipts[i]) {
					t.Fatalf("%s: receipt %d differs after the restart", in.chain.Installation, i+1)
				}
			}
			url := srv.url + "/v1/installations/" + in.chain.Installation + "/receipts"
			// The last acknowledged batch again: the same checkpoint.
			if in.ackBody != nil {
				r, err := post(client, url, in.ackBody)
				if err != nil {
					t.Fatal(err)
				}
				if r.status != 200 || !bytes.Contains(r.body, in.ackReply) {
					t.Fatalf("%s: re-sent acknowledged batch: %d %s, want the checkpoint %s", in.chain.Installation, r.status, r.body, in.ackReply)
				}
			}
			// The batch in flight: stored before the kill (idempotent) or now.
			if in.inFlight != nil {
				r, err := post(client, url, in.inFlight)
				if err != nil {
					t.Fatal(err)
				}
				cp := checkpointOf(t, r, s.pub)
				if cp.Seq != in.chain.Seq() || cp.Head != in.chain.Head() {
					t.Fatalf("%s: the re-sent batch's checkpoint is seq %d, want %d", in.chain.Installation, cp.Seq, in.chain.Seq())
				}
			}
			// And the chain goes on.
			r, err := post(client, url, recordstest.Body(in.chain.Next(10)))
			if err != nil {
				t.Fatal(err)
			}
			checkpointOf(t, r, s.pub)
		}
	})
}

// TestTwoInstances runs two service processes over one database and
// sends, for one installation, two different batches that both extend
// its head, one to each at once, round after round: exactly one is
// accepted, and the other is refused as a fork with the winner's head.
func TestTwoInstances(t *testing.T) {
	dbs(t, func(t *testing.T, db string) {
		s := newSetup(t)
		a := startServer(t, s, db)
		b := startServer(t, s, db)
		client := &http.Client{Timeout: 30 * time.Second}
		c := recordstest.New("two-instances", start)
		r, err := post(client, a.url+"/v1/installations/"+c.Installation+"/receipts", recordstest.Body(c.Next(1)))
		if err != nil {
			t.Fatal(err)
		}
		checkpointOf(t, r, s.pub)
		winsA := 0
		const rounds = 30
		for round := range rounds {
			x, y := c.Clone(), c.Clone()
			x.Edit, y.Edit = nil, recordstest.Declined
			bx, by := recordstest.Body(x.Next(10)), recordstest.Body(y.Next(10))
			var rx, ry reply
			var ex, ey error
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				rx, ex = post(client, a.url+"/v1/installations/"+c.Installation+"/receipts", bx)
			}()
			go func() {
				defer wg.Done()
				ry, ey = post(client, b.url+"/v1/installations/"+c.Installation+"/receipts", by)
			}()
			wg.Wait()
			if ex != nil || ey != nil {
				t.Fatal(ex, ey)
			}
			win, lose, winner := rx, ry, x
			if rx.status != 200 {
				win, lose, winner = ry, rx, y
			} else {
				winsA++
			}
			if win.status != 200 || lose.status != 409 {
				t.Fatalf("round %d: answers %d and %d, want one 200 and one 409:\n%s\n%s", round, rx.status, ry.status, rx.body, ry.body)
			}
			cp := checkpointOf(t, win, s.pub)
			var refused struct {
				Error struct{ Code string }
				Head  struct {
					Seq  int64
					Hash string
				}
			}
			json.Unmarshal(lose.body, &refused)
			if refused.Error.Code != "fork" || refused.Head.Seq != cp.Seq || refused.Head.Hash != cp.Head {
				t.Fatalf("round %d: the loser got %s", round, lose.body)
			}
			c = winner
		}
		t.Logf("instance A won %d of %d rounds", winsA, rounds)
		if err := exportMatches(t, s, db, c); err != nil {
			t.Fatal(err)
		}
	})
}

// exportMatches exports the installation with records export and checks
// that the file holds exactly c's receipts.
func exportMatches(t *testing.T, s setup, db string, c *recordstest.Chain) error {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"export", "--db", db, "--key", s.key, "--installation", c.Installation, "--out", out}, &stdout, &stderr); code != 0 {
		return fmt.Errorf("records export: %d %s", code, stderr.String())
	}
	got, err := os.ReadFile(filepath.Join(out, "receipts.jsonl"))
	if err != nil {
		return err
	}
	want := string(bytes.Join(c.Receipts, []byte("\n"))) + "\n"
	if string(got) != want {
		return fmt.Errorf("the export differs from the chain the winners make (%d lines, want %d)", strings.Count(string(got), "\n"), len(c.Receipts))
	}
	return nil
}

func verifyObject(data []byte, pub ed25519.PublicKey) (map[string]any, error) {
	return records.VerifyObject(data, []ed25519.PublicKey{pub})
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

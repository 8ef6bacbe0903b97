package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/recordstest"
	"github.com/spf13/cobra"
)

// benchConfig is what bench runs.
type benchConfig struct {
	db, sync, url, token string
	installations, batch int
	batches              int
}

func benchCmd() *cobra.Command {
	var c benchConfig
	cmd := &cobra.Command{
		Use:   "bench [--db DSN | --url URL --app-token T]",
		Short: "The load generator: concurrent installations upload batches; receipts/s and batch latency",
		Long: "Upload --batches batches of --batch receipts for each of --installations installations at once,\n" +
			"each installation's batches one after the other (as a host's queue sends them), and print the\n" +
			"receipts stored per second and the p50/p99 latency of an upload. By default it runs an\n" +
			"in-process service over HTTP on 127.0.0.1 with a SQLite database in a temporary folder; --db\n" +
			"takes another database (a PostgreSQL DSN), --url a running service instead. The receipts are\n" +
			"made before the clock starts. Every upload must be accepted, or bench fails.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.installations < 1 || c.batch < 1 || c.batch > records.MaxBatch || c.batches < 1 {
				return cli.Usage(fmt.Errorf("--installations, --batches at least 1, --batch 1 to %d", records.MaxBatch))
			}
			res, err := bench(cmd.Context(), c, cmd.OutOrStdout())
			if err != nil {
				return cli.Fail(err)
			}
			fmt.Fprint(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&c.db, "db", "", "the database of the in-process service: sqlite:PATH or a PostgreSQL DSN (default: SQLite in a temporary folder)")
	cmd.Flags().StringVar(&c.sync, "sqlite-sync", "full", "SQLite's synchronous setting: full or normal")
	cmd.Flags().StringVar(&c.url, "url", "", "a running service to load instead (http://host:port)")
	cmd.Flags().StringVar(&c.token, "app-token", "", "the app token, with --url")
	cmd.Flags().IntVar(&c.installations, "installations", 16, "installations uploading at once")
	cmd.Flags().IntVar(&c.batch, "batch", 10, "receipts per batch")
	cmd.Flags().IntVar(&c.batches, "batches", 200, "batches per installation")
	return cmd
}

// benchResult is what a bench run measured.
type benchResult struct {
	target    string
	c         benchConfig
	elapsed   time.Duration
	cpu       time.Duration // the process's CPU time (user and system) over the run
	latencies []time.Duration
}

func (r benchResult) String() string {
	n := r.c.installations * r.c.batches * r.c.batch
	secs := r.elapsed.Seconds()
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration {
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", r.target)
	fmt.Fprintf(&b, "%d installations x %d batches of %d receipts: %d receipts in %s\n",
		r.c.installations, r.c.batches, r.c.batch, n, r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "%.0f receipts/s (%.0f batches/s); upload latency p50 %s, p99 %s, max %s\n",
		float64(n)/secs, float64(len(r.latencies))/secs, pct(0.50).Round(10*time.Microsecond),
		pct(0.99).Round(10*time.Microsecond), r.latencies[len(r.latencies)-1].Round(10*time.Microsecond))
	fmt.Fprintf(&b, "CPU time of this process: %s, %.0f us per receipt (service and load generator%s)\n", r.cpu.Round(time.Millisecond),
		float64(r.cpu.Microseconds())/float64(n), map[bool]string{true: "", false: "; the service is elsewhere"}[r.c.url == ""])
	return b.String()
}

func bench(ctx context.Context, c benchConfig, out io.Writer) (benchResult, error) {
	res := benchResult{c: c}
	url, token := c.url, c.token
	if url == "" {
		db := c.db
		if db == "" {
			dir, err := os.MkdirTemp("", "records-bench-")
			if err != nil {
				return res, err
			}
			defer os.RemoveAll(dir)
			db = "sqlite:" + filepath.Join(dir, "records.db")
		}
		store, err := openStore(ctx, db, c.sync)
		if err != nil {
			return res, err
		}
		defer store.Close()
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return res, err
		}
		token = randomToken()
		svc, err := records.New(records.Config{Store: store, Signer: records.NewSigner(key), AppTokens: []string{token},
			OperatorTokens: []string{randomToken()}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return res, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return res, err
		}
		srv := records.NewServer("", svc)
		go srv.Serve(ln)
		defer srv.Close()
		url = "http://" + ln.Addr().String()
		res.target = fmt.Sprintf("in-process service on %s, %s", url, describeDB(db))
		if strings.HasPrefix(db, "sqlite:") {
			res.target += " (synchronous=" + c.sync + ")"
		}
	} else {
		if token == "" {
			return res, cli.Usage(errors.New("--url needs --app-token"))
		}
		res.target = "service at " + url
	}
	url = strings.TrimSuffix(url, "/")

	// The receipts, made before the clock starts.
	run := randomToken()[:8]
	bodies := make([][][]byte, c.installations)
	paths := make([]string, c.installations)
	start := time.Now().Add(-time.Duration(c.batches*c.batch) * time.Minute)
	for i := range bodies {
		ch := recordstest.New(fmt.Sprintf("bench-%s-%02d", run, i), start)
		paths[i] = url + "/v1/installations/" + ch.Installation + "/receipts"
		for range c.batches {
			bodies[i] = append(bodies[i], recordstest.Body(ch.Next(c.batch)))
		}
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConnsPerHost: c.installations, MaxConnsPerHost: c.installations, DisableCompression: true}}
	defer client.CloseIdleConnections()
	lat := make([][]time.Duration, c.installations)
	errs := make([]error, c.installations)
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	t0 := time.Now()
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, body := range bodies[i] {
				t := time.Now()
				if err := upload(ctx, client, paths[i], token, body, c.batch); err != nil {
					errs[i] = err
					return
				}
				lat[i] = append(lat[i], time.Since(t))
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(t0)
	res.cpu = cpuTime() - cpu0
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	for _, l := range lat {
		res.latencies = append(res.latencies, l...)
	}
	return res, nil
}

// upload posts one batch and checks that the service stored all of it.
func upload(ctx context.Context, client *http.Client, url, token string, body []byte, want int) error {
	_, stored, err := postBatch(ctx, client, url, token, body)
	if err != nil {
		return fmt.Errorf("%s: %v", url, err)
	}
	if stored != strconv.Itoa(want) {
		return fmt.Errorf("%s: %s receipts stored, want %d", url, stored, want)
	}
	return nil
}

func randomToken() string {
	var b [24]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/recordstest"
	"github.com/jitconsent/jitconsent/records/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func(t *testing.T) records.Store {
		path := filepath.Join(t.TempDir(), "records.db")
		return func(t *testing.T) records.Store {
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

// BenchmarkAppend appends batches of 10 receipts for 16 installations at
// once (each installation's one after the other), with synchronous=normal (no fsync per commit) so that what it
// measures is the driver and SQLite's CPU, not the disk: how the two
// cgo-free drivers were compared (go test -bench Append ./records/sqlite,
// and again with -tags modernc).
func BenchmarkAppend(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "records.db"), Options{Synchronous: "normal"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const installations = 16
	chains := make([]*recordstest.Chain, installations)
	for i := range chains {
		chains[i] = recordstest.New(fmt.Sprintf("inst-%02d", i), storetest.Start)
	}
	batches := make([]*records.Batch, b.N)
	for i := range batches {
		c := chains[i%installations]
		batch, err := records.CheckBatch(c.Installation, recordstest.Body(c.Next(10)))
		if err != nil {
			b.Fatal(err)
		}
		batches[i] = batch
	}
	now := time.Now()
	cpu0 := cpuTime()
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := range installations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < b.N; i += installations {
				res, err := s.Append(context.Background(), batches[i], now)
				if err != nil || res.Refused != nil || res.Stored != 10 {
					b.Errorf("append %d: %v %v", i, err, res.Refused)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*10), "us/receipt")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*10), "cpu-us/receipt")
}

// cpuTime is the process's CPU time, user and system: on a machine shared
// with other work it says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

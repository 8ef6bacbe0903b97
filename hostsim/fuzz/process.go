package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"

	"github.com/jitconsent/jitconsent/hostsim"
)

// The worker processes' protocol: Run writes lines "first count" to a
// worker's standard input, and the worker answers each journey of them
// with an Outcome, one JSON line each. Its first line, an Outcome with I
// -1, says that its module is ready.

// readyTimeout bounds a worker's start: compiling the module without a
// warm cache takes seconds, not minutes.
const readyTimeout = 5 * time.Minute

// chunk is how many journeys a worker process is given at once: enough
// that it seldom waits for Run, few enough to spread the run's end. A
// worker writes its answers at the end of a chunk or flushEvery after its
// last write.
const (
	chunk      = 32
	flushEvery = 50 * time.Millisecond
)

// Serve is a worker process: it opens the engines (the module without a
// call deadline, which Run enforces, and the native engine to compare on
// sampled journeys; with Native the native engine alone), says it is ready,
// then reads lines "first count" from in and answers each journey of them
// on out, until in ends.
func Serve(ctx context.Context, cfg Config, in io.Reader, out io.Writer) error {
	e, err := hostsim.Open(ctx, cfg.engines(!cfg.Native, 0))
	if err != nil {
		return err
	}
	defer e.Close(ctx)
	steps, perms, consents := policyNames(e.Bundle)
	w := e.NewWorker()
	defer w.Close(ctx)
	// A first journey instantiates the module before Run starts the clock.
	play(ctx, w, e.Policy, cfg.Seed, steps, perms, consents, false)
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(Outcome{I: -1}); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var from, n int
		if _, err := fmt.Sscanf(sc.Text(), "%d %d", &from, &n); err != nil {
			return fmt.Errorf("fuzz-worker: %q is not \"first count\": %v", sc.Text(), err)
		}
		flushed := time.Now()
		for i := from; i < from+n; i++ {
			before := w.Replaced()
			o := play(ctx, w, e.Policy, cfg.Seed+uint64(i), steps, perms, consents, i%sampleEvery == 0)
			o.I, o.Replaced = i, w.Replaced()-before
			if err := enc.Encode(o); err != nil {
				return err
			}
			// Answers go out in batches (a write and a wake-up per journey
			// cost a tenth of the run), but never later than flushEvery:
			// Run's deadline is per journey.
			if i == from+n-1 || time.Since(flushed) > flushEvery {
				if err := bw.Flush(); err != nil {
					return err
				}
				flushed = time.Now()
			}
		}
	}
	return sc.Err()
}

// process is a running worker process.
type process struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    chan Outcome // closed when the process's output ends
	stderr *tailBuffer
}

// start starts a worker process and waits until its module answers.
func start(command func() *exec.Cmd) (*process, error) {
	if command == nil {
		return nil, errors.New("fuzz: no Config.WorkerCommand to start worker processes with")
	}
	c := command()
	// One goroutine decides in a worker: more Ps would only spin for work.
	c.Env = append(c.Environ(), "GOMAXPROCS=1")
	p := &process{cmd: c, out: make(chan Outcome, 1), stderr: &tailBuffer{max: 4096}}
	c.Stderr = p.stderr
	var err error
	if p.in, err = c.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("start a worker process: %v", err)
	}
	go func() {
		defer close(p.out)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			var o Outcome
			if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
				fmt.Fprintf(p.stderr, "fuzz-worker wrote %q: %v\n", sc.Bytes(), err)
				return
			}
			p.out <- o
		}
	}()
	select {
	case o, ok := <-p.out:
		if ok && o.I == -1 {
			return p, nil
		}
	case <-time.After(readyTimeout):
	}
	p.kill()
	return nil, fmt.Errorf("a worker process did not start: %s", p.stderr.String())
}

func (p *process) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// finish ends a worker that is done and returns its peak memory.
func (p *process) finish() int64 {
	p.in.Close()
	for range p.out {
	}
	p.cmd.Wait()
	return peakRSS(p.cmd.ProcessState)
}

// driver hands out a run's journeys to worker processes.
type driver struct {
	cfg                    *Config
	take                   func(n int) int // the first of the next n journeys
	steps, perms, consents []string
	outcomes               []Outcome
	done                   func()
}

// drive feeds journeys to one worker process at a time, replacing it when
// it hangs or dies, and keeps the highest peak memory of its processes.
//
// A worker holds back up to flushEvery of answers, so when it hangs or
// dies the first journey without an answer need not be the culprit: the
// rest of the chunk goes to the new worker one journey at a time, and the
// journey that fails then is reported.
func (d *driver) drive(p *process, peak *int64) error {
	var err error
	n := len(d.outcomes)
	for from := d.take(chunk); from < n; from = d.take(chunk) {
		to := min(from+chunk, n)
		single := false
		for from < to {
			count := to - from
			if single {
				count = 1
			}
			if _, err := fmt.Fprintf(p.in, "%d %d\n", from, count); err != nil {
				p.in.Close() // the process is gone: its output ends, and the wait below says so
			}
			end := from + count
			for ; from < end; from++ {
				o, ok := d.await(p, from)
				if ok || count == 1 {
					d.outcomes[from] = o
					d.done()
				}
				if ok {
					continue
				}
				*peak = max(*peak, peakRSS(p.cmd.ProcessState))
				if p, err = start(d.cfg.WorkerCommand); err != nil {
					return err
				}
				if count == 1 {
					from++ // reported: go on with the next
				}
				single = true
				break
			}
		}
	}
	*peak = max(*peak, p.finish())
	return nil
}

// await waits for journey i's outcome; ok is false when the process hung
// (it is killed) or died.
func (d *driver) await(p *process, i int) (o Outcome, ok bool) {
	c := Generate(d.cfg.Seed+uint64(i), d.steps, d.perms, d.consents)
	deadline := d.cfg.Timeout * time.Duration(len(c.Ops)+1)
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	select {
	case o, ok = <-p.out:
		if ok && o.I == i {
			return o, true
		}
		if ok {
			p.kill()
			o = Outcome{Crash: fmt.Sprintf("the worker process answered journey %d for %d", o.I, i)}
		} else {
			p.cmd.Wait()
			o = Outcome{Crash: fmt.Sprintf("the worker process ended (%v): %s", p.cmd.ProcessState, p.stderr.String())}
		}
	case <-timer.C:
		p.kill()
		o = Outcome{Hang: fmt.Sprintf("no answer in %s (%d user actions, --timeout %s each)", deadline, len(c.Ops), d.cfg.Timeout)}
	}
	o.I, o.Profile = i, c.Profile.Name
	return o, false
}

// tailBuffer keeps the last bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf.Bytes()))
}

// Package sqlite is the records store on an embedded SQLite database:
// the default, so that the service runs with no database server.
//
// The database is one file in WAL mode. Appends run in BEGIN IMMEDIATE
// transactions, which take SQLite's write lock at their start, so the
// head an append reads cannot move before it commits: every process that
// opens the file, not only this one, sees appends in one order. A
// process waits up to the busy timeout for another's lock.
//
// # Notes
//
// A Store is safe for concurrent use. It keeps one connection for writes
// (SQLite has one writer at a time anyway), driven by one goroutine that
// commits the appends waiting together, and a pool for reads, which WAL
// lets run beside a write.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jitconsent/jitconsent/records"
)

// Options tune a Store.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "full" (the default)
	// syncs the WAL to disk at every commit, so an acknowledged batch
	// survives a power cut; "normal" syncs only at checkpoints, so an
	// acknowledged batch survives the process being killed but perhaps
	// not the machine losing power.
	Synchronous string
	// BusyTimeout is how long a write waits for another process's lock;
	// 10 s when zero.
	BusyTimeout time.Duration
}

// Store is a records.Store on SQLite.
type Store struct {
	w, r    *sql.DB
	queue   chan *appendReq
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

var _ records.Store = (*Store)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS heads (
	installation TEXT PRIMARY KEY,
	seq      INTEGER NOT NULL,
	hash     TEXT NOT NULL,
	time     TEXT NOT NULL,
	accepted TEXT NOT NULL,
	behind   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS receipts (
	installation TEXT NOT NULL,
	seq      INTEGER NOT NULL,
	hash     TEXT NOT NULL,
	time_ms  INTEGER NOT NULL,
	behind   INTEGER NOT NULL,
	accepted TEXT NOT NULL,
	body     TEXT NOT NULL,
	PRIMARY KEY (installation, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS receipts_time ON receipts (time_ms);
CREATE TABLE IF NOT EXISTS refusals (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	installation TEXT NOT NULL,
	at TEXT NOT NULL,
	code TEXT NOT NULL,
	field TEXT NOT NULL,
	message TEXT NOT NULL,
	first INTEGER NOT NULL,
	last INTEGER NOT NULL,
	count INTEGER NOT NULL,
	head_seq INTEGER NOT NULL,
	head_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refusals_installation ON refusals (installation, id);
CREATE TABLE IF NOT EXISTS anchors (
	installation TEXT NOT NULL,
	seq  INTEGER NOT NULL,
	body TEXT NOT NULL,
	PRIMARY KEY (installation, seq)
) WITHOUT ROWID;
`

// Open opens (creating if needed) the database file at path.
func Open(path string, opt Options) (*Store, error) {
	return open(driverName, path, opt)
}

func open(driver, path string, opt Options) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: %q is not a usable database path", path)
	}
	sync := strings.ToLower(opt.Synchronous)
	switch sync {
	case "":
		sync = "full"
	case "full", "normal":
	default:
		return nil, fmt.Errorf("sqlite: synchronous %q: want full or normal", opt.Synchronous)
	}
	busy := opt.BusyTimeout
	if busy == 0 {
		busy = 10 * time.Second
	}
	dsn := fmt.Sprintf("file:%s?_txlock=immediate&_pragma=busy_timeout(%d)&_pragma=journal_mode(wal)&_pragma=synchronous(%s)",
		path, busy.Milliseconds(), sync)
	w, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if _, err := w.Exec(schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	r, err := sql.Open(driver, dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s := &Store{w: w, r: r, queue: make(chan *appendReq), quit: make(chan struct{}), stopped: make(chan struct{})}
	go s.writer()
	return s, nil
}

// Close stops the writer, after the group it is committing, and closes
// the database.
func (s *Store) Close() error {
	s.once.Do(func() { close(s.quit) })
	<-s.stopped
	return errors.Join(s.r.Close(), s.w.Close())
}

// Append runs records.Apply for b. Appends go through one writer
// goroutine that commits together the appends waiting at the moment
// (group commit, as databases do with their logs): SQLite has one writer
// at a time anyway, and one commit, one WAL sync, for sixteen batches
// costs about what one costs. Each append runs under a savepoint of the
// shared transaction, in arrival order, so it sees the appends before it
// and a failed one is rolled back alone; none is answered before the
// commit that makes it durable.
func (s *Store) Append(ctx context.Context, b *records.Batch, now time.Time) (records.Result, error) {
	req := &appendReq{b: b, now: now, done: make(chan appendResp, 1)}
	select {
	case s.queue <- req:
	case <-s.quit:
		return records.Result{}, errClosed
	case <-ctx.Done():
		return records.Result{}, ctx.Err()
	}
	// Once queued, the append may commit: wait for the answer even if ctx
	// ends, so that what is reported is what happened.
	r := <-req.done
	if errors.Is(r.err, records.ErrConflict) {
		return s.Append(ctx, b, now) // another process stored that seq first: decide again
	}
	return r.res, r.err
}

var errClosed = errors.New("sqlite: the store is closed")

// maxGroup bounds the appends committed together.
const maxGroup = 64

type appendReq struct {
	b    *records.Batch
	now  time.Time
	done chan appendResp
}

type appendResp struct {
	res records.Result
	err error
}

// writer commits the queued appends, a group at a time, until quit.
func (s *Store) writer() {
	defer close(s.stopped)
	for {
		var group []*appendReq
		select {
		case req := <-s.queue:
			group = append(group, req)
		case <-s.quit:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case req := <-s.queue:
				group = append(group, req)
			default:
				break more
			}
		}
		resps := s.commitGroup(group)
		for i, req := range group {
			req.done <- resps[i]
		}
	}
}

// commitGroup runs a group of appends in one transaction.
func (s *Store) commitGroup(group []*appendReq) []appendResp {
	ctx := context.Background()
	resps := make([]appendResp, len(group))
	fail := func(err error) []appendResp {
		for i := range resps {
			resps[i] = appendResp{err: err}
		}
		return resps
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(fmt.Errorf("sqlite: begin: %w", err))
	}
	defer tx.Rollback()
	stored := false
	for i, req := range group {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT append"); err != nil {
			return fail(fmt.Errorf("sqlite: savepoint: %w", err))
		}
		res, err := records.Apply(ctx, sqlTx{tx}, req.b, req.now)
		if err != nil || res.Refused != nil || res.Stored == 0 {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO append"); rerr != nil {
				return fail(fmt.Errorf("sqlite: rollback to savepoint: %w", rerr))
			}
		} else {
			stored = true
		}
		if _, err := tx.ExecContext(ctx, "RELEASE append"); err != nil {
			return fail(fmt.Errorf("sqlite: release savepoint: %w", err))
		}
		resps[i] = appendResp{res: res, err: err}
	}
	if stored {
		if err := tx.Commit(); err != nil {
			return fail(fmt.Errorf("sqlite: commit: %w", err))
		}
	}
	return resps
}

type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) LockHead(ctx context.Context, inst string) (records.Head, error) {
	h := records.Head{Installation: inst}
	err := t.tx.QueryRowContext(ctx, `SELECT seq, hash, time, accepted, behind FROM heads WHERE installation = ?`, inst).
		Scan(&h.Seq, &h.Hash, &h.Time, &h.Accepted, &h.Behind)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("sqlite: head: %w", err)
	}
	return h, nil
}

func (t sqlTx) Links(ctx context.Context, inst string, from, to int64) ([]records.Link, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT seq, hash, accepted FROM receipts WHERE installation = ? AND seq BETWEEN ? AND ? ORDER BY seq`, inst, from, to)
	if err != nil {
		return nil, fmt.Errorf("sqlite: links: %w", err)
	}
	defer rows.Close()
	var out []records.Link
	for rows.Next() {
		var l records.Link
		if err := rows.Scan(&l.Seq, &l.Hash, &l.Accepted); err != nil {
			return nil, fmt.Errorf("sqlite: links: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// insertRows is how many receipts one INSERT statement takes (7
// parameters each, well under SQLite's 32,766).
const insertRows = 100

func (t sqlTx) Insert(ctx context.Context, rs []records.Receipt, accepted string) error {
	for len(rs) > 0 {
		n := min(len(rs), insertRows)
		var q strings.Builder
		q.WriteString(`INSERT INTO receipts (installation, seq, hash, time_ms, behind, accepted, body) VALUES `)
		args := make([]any, 0, 7*n)
		for i, r := range rs[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, r.Installation, r.Seq, r.Hash, r.Time.UnixMilli(), r.TimeBehind, accepted, string(r.JSON))
		}
		if _, err := t.tx.ExecContext(ctx, q.String(), args...); err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint") || strings.Contains(err.Error(), "PRIMARY KEY") {
				return records.ErrConflict
			}
			return fmt.Errorf("sqlite: insert: %w", err)
		}
		rs = rs[n:]
	}
	return nil
}

func (t sqlTx) SetHead(ctx context.Context, h records.Head) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO heads (installation, seq, hash, time, accepted, behind) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (installation) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, time = excluded.time,
		accepted = excluded.accepted, behind = excluded.behind`, h.Installation, h.Seq, h.Hash, h.Time, h.Accepted, h.Behind)
	if err != nil {
		return fmt.Errorf("sqlite: head: %w", err)
	}
	return nil
}

// Head returns an installation's head.
func (s *Store) Head(ctx context.Context, inst string) (records.Head, error) {
	h := records.Head{Installation: inst}
	err := s.r.QueryRowContext(ctx, `SELECT seq, hash, time, accepted, behind FROM heads WHERE installation = ?`, inst).
		Scan(&h.Seq, &h.Hash, &h.Time, &h.Accepted, &h.Behind)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("sqlite: head: %w", err)
	}
	return h, nil
}

// Chain returns receipts of an installation after a seq.
func (s *Store) Chain(ctx context.Context, inst string, after int64, limit int) ([]records.Stored, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, body FROM receipts WHERE installation = ? AND seq > ? ORDER BY seq LIMIT ?`, inst, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: chain: %w", err)
	}
	defer rows.Close()
	var out []records.Stored
	for rows.Next() {
		st := records.Stored{Installation: inst}
		if err := rows.Scan(&st.Seq, &st.JSON); err != nil {
			return nil, fmt.Errorf("sqlite: chain: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Refuse records a refusal.
func (s *Store) Refuse(ctx context.Context, r records.Refusal) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO refusals (installation, at, code, field, message, first, last, count, head_seq, head_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Installation, r.At, r.Code, r.Field, r.Message, r.First, r.Last, r.Count, r.HeadSeq, r.HeadHash)
	if err != nil {
		return fmt.Errorf("sqlite: refusal: %w", err)
	}
	return nil
}

// Refusals returns an installation's refusals, newest first.
func (s *Store) Refusals(ctx context.Context, inst string, limit int) ([]records.Refusal, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT installation, at, code, field, message, first, last, count, head_seq, head_hash
		FROM refusals WHERE installation = ? ORDER BY id DESC LIMIT ?`, inst, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: refusals: %w", err)
	}
	defer rows.Close()
	var out []records.Refusal
	for rows.Next() {
		var r records.Refusal
		if err := rows.Scan(&r.Installation, &r.At, &r.Code, &r.Field, &r.Message, &r.First, &r.Last, &r.Count, &r.HeadSeq, &r.HeadHash); err != nil {
			return nil, fmt.Errorf("sqlite: refusals: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// purgeCut is the seq a purge cuts at: the last of the receipts before
// the first one dated at or after the cut-off (records.Store.Purge).
const purgeCut = `SELECT coalesce((SELECT min(seq) FROM receipts WHERE installation = ? AND time_ms >= ?) - 1,
	(SELECT max(seq) FROM receipts WHERE installation = ?))`

// Purge removes the receipts before the cut-off and stores the anchor, in
// one transaction.
func (s *Store) Purge(ctx context.Context, inst string, before, now time.Time, anchor func(records.Cut) ([]byte, error)) (records.Cut, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return records.Cut{}, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	cut := records.Cut{Installation: inst}
	var seq sql.NullInt64
	if err := tx.QueryRowContext(ctx, purgeCut, inst, before.UnixMilli(), inst).Scan(&seq); err != nil {
		return cut, fmt.Errorf("sqlite: purge: %w", err)
	}
	if !seq.Valid {
		return cut, nil
	}
	err = tx.QueryRowContext(ctx, `SELECT hash FROM receipts WHERE installation = ? AND seq = ?`, inst, seq.Int64).Scan(&cut.Hash)
	if errors.Is(err, sql.ErrNoRows) { // the cut is before the first stored receipt
		return cut, nil
	}
	if err != nil {
		return cut, fmt.Errorf("sqlite: purge: %w", err)
	}
	cut.Seq = seq.Int64
	res, err := tx.ExecContext(ctx, `DELETE FROM receipts WHERE installation = ? AND seq <= ?`, inst, cut.Seq)
	if err != nil {
		return cut, fmt.Errorf("sqlite: purge: %w", err)
	}
	cut.Removed, _ = res.RowsAffected()
	cut.Time = now.UTC().Format(time.RFC3339)
	body, err := anchor(cut)
	if err != nil {
		return cut, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO anchors (installation, seq, body) VALUES (?, ?, ?)
		ON CONFLICT (installation, seq) DO UPDATE SET body = excluded.body`, inst, cut.Seq, body); err != nil {
		return cut, fmt.Errorf("sqlite: anchor: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return cut, fmt.Errorf("sqlite: commit: %w", err)
	}
	return cut, nil
}

// Anchors returns an installation's anchors, oldest first.
func (s *Store) Anchors(ctx context.Context, inst string) ([][]byte, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT body FROM anchors WHERE installation = ? ORDER BY seq`, inst)
	if err != nil {
		return nil, fmt.Errorf("sqlite: anchors: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("sqlite: anchors: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Export streams the receipts q selects.
func (s *Store) Export(ctx context.Context, q records.ExportQuery, fn func(records.Stored) error) error {
	var rows *sql.Rows
	var err error
	if q.Installation != "" {
		rows, err = s.r.QueryContext(ctx, `SELECT installation, seq, body FROM receipts WHERE installation = ? ORDER BY seq`, q.Installation)
	} else {
		rows, err = s.r.QueryContext(ctx, `WITH r AS (SELECT installation, min(seq) AS lo, max(seq) AS hi FROM receipts
			WHERE time_ms >= ? AND time_ms < ? GROUP BY installation)
			SELECT x.installation, x.seq, x.body FROM receipts x JOIN r ON x.installation = r.installation AND x.seq BETWEEN r.lo AND r.hi
			ORDER BY x.installation, x.seq`, q.From.UnixMilli(), q.To.UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("sqlite: export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st records.Stored
		if err := rows.Scan(&st.Installation, &st.Seq, &st.JSON); err != nil {
			return fmt.Errorf("sqlite: export: %w", err)
		}
		if err := fn(st); err != nil {
			return err
		}
	}
	return rows.Err()
}

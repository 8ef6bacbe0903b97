// Package postgres is the records store on PostgreSQL, for deployments
// that run several service processes over one database.
//
// The database orders each installation's uploads: an append locks the
// installation's row in heads (SELECT ... FOR UPDATE) for its whole
// transaction, so a second append for the same installation, from any
// process, waits and then reads the head the first one left; and
// receipts' primary key (installation, seq) refuses a second receipt at
// a seq even if a process forgot the lock. Appends for different
// installations do not wait for each other.
//
// # Notes
//
// A Store is safe for concurrent use; it holds a pgx connection pool.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jitconsent/jitconsent/records"
)

// Store is a records.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

var _ records.Store = (*Store)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS heads (
	installation text PRIMARY KEY,
	seq      bigint NOT NULL,
	hash     text NOT NULL,
	time     text NOT NULL,
	accepted text NOT NULL,
	behind   bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS receipts (
	installation text NOT NULL,
	seq      bigint NOT NULL,
	hash     text NOT NULL,
	time_ms  bigint NOT NULL,
	behind   boolean NOT NULL,
	accepted text NOT NULL,
	body     text NOT NULL,
	PRIMARY KEY (installation, seq)
);
CREATE INDEX IF NOT EXISTS receipts_time ON receipts (time_ms);
CREATE TABLE IF NOT EXISTS refusals (
	id bigserial PRIMARY KEY,
	installation text NOT NULL,
	at text NOT NULL,
	code text NOT NULL,
	field text NOT NULL,
	message text NOT NULL,
	first bigint NOT NULL,
	last bigint NOT NULL,
	count integer NOT NULL,
	head_seq bigint NOT NULL,
	head_hash text NOT NULL
);
CREATE INDEX IF NOT EXISTS refusals_installation ON refusals (installation, id);
CREATE TABLE IF NOT EXISTS anchors (
	installation text NOT NULL,
	seq  bigint NOT NULL,
	body text NOT NULL,
	PRIMARY KEY (installation, seq)
);
`

// schemaLock is the advisory lock that serialises schema creation, so
// that several processes starting at once over a fresh database do not
// race to create the same table.
const schemaLock = 0x6a6974636f6e73 // "jitcons"

// Open connects to the database dsn names (a postgres:// URL or a
// key=value string, as libpq takes) and creates the tables it lacks.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: creating the tables: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Append runs records.Apply in one transaction holding the head row.
func (s *Store) Append(ctx context.Context, b *records.Batch, now time.Time) (records.Result, error) {
	for attempt := 0; ; attempt++ {
		res, err := s.append(ctx, b, now)
		if errors.Is(err, records.ErrConflict) && attempt < 3 {
			continue
		}
		return res, err
	}
}

func (s *Store) append(ctx context.Context, b *records.Batch, now time.Time) (records.Result, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return records.Result{}, fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	res, err := records.Apply(ctx, pgTx{tx}, b, now)
	if err != nil || res.Refused != nil || res.Stored == 0 {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return records.Result{}, conflict(fmt.Errorf("postgres: commit: %w", err))
	}
	return res, nil
}

// conflict turns a unique violation into records.ErrConflict.
func conflict(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return records.ErrConflict
	}
	return err
}

type pgTx struct{ tx pgx.Tx }

func (t pgTx) LockHead(ctx context.Context, inst string) (records.Head, error) {
	h := records.Head{Installation: inst}
	for range 2 {
		err := t.tx.QueryRow(ctx, `SELECT seq, hash, time, accepted, behind FROM heads WHERE installation = $1 FOR UPDATE`, inst).
			Scan(&h.Seq, &h.Hash, &h.Time, &h.Accepted, &h.Behind)
		if err == nil {
			return h, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return h, fmt.Errorf("postgres: head: %w", err)
		}
		// No head yet: make an empty one to lock. Of two transactions
		// doing this at once, one inserts and the other waits for it and
		// then locks the row it made.
		if _, err := t.tx.Exec(ctx, `INSERT INTO heads (installation, seq, hash, time, accepted) VALUES ($1, 0, '', '', '')
			ON CONFLICT (installation) DO NOTHING`, inst); err != nil {
			return h, fmt.Errorf("postgres: head: %w", err)
		}
	}
	return h, errors.New("postgres: head: the installation's row could not be locked")
}

func (t pgTx) Links(ctx context.Context, inst string, from, to int64) ([]records.Link, error) {
	rows, err := t.tx.Query(ctx, `SELECT seq, hash, accepted FROM receipts WHERE installation = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`, inst, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: links: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (records.Link, error) {
		var l records.Link
		err := row.Scan(&l.Seq, &l.Hash, &l.Accepted)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: links: %w", err)
	}
	return out, nil
}

func (t pgTx) Insert(ctx context.Context, rs []records.Receipt, accepted string) error {
	seqs := make([]int64, len(rs))
	hashes := make([]string, len(rs))
	times := make([]int64, len(rs))
	behind := make([]bool, len(rs))
	bodies := make([]string, len(rs))
	for i, r := range rs {
		seqs[i], hashes[i], times[i], behind[i], bodies[i] = r.Seq, r.Hash, r.Time.UnixMilli(), r.TimeBehind, string(r.JSON)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO receipts (installation, seq, hash, time_ms, behind, accepted, body)
		SELECT $1, u.seq, u.hash, u.time_ms, u.behind, $6, u.body
		FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::boolean[], $7::text[]) AS u(seq, hash, time_ms, behind, body)`,
		rs[0].Installation, seqs, hashes, times, behind, accepted, bodies)
	if err != nil {
		if c := conflict(err); c == records.ErrConflict {
			return c
		}
		return fmt.Errorf("postgres: insert: %w", err)
	}
	return nil
}

func (t pgTx) SetHead(ctx context.Context, h records.Head) error {
	_, err := t.tx.Exec(ctx, `UPDATE heads SET seq = $2, hash = $3, time = $4, accepted = $5, behind = $6 WHERE installation = $1`,
		h.Installation, h.Seq, h.Hash, h.Time, h.Accepted, h.Behind)
	if err != nil {
		return fmt.Errorf("postgres: head: %w", err)
	}
	return nil
}

// Head returns an installation's head.
func (s *Store) Head(ctx context.Context, inst string) (records.Head, error) {
	h := records.Head{Installation: inst}
	err := s.pool.QueryRow(ctx, `SELECT seq, hash, time, accepted, behind FROM heads WHERE installation = $1`, inst).
		Scan(&h.Seq, &h.Hash, &h.Time, &h.Accepted, &h.Behind)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("postgres: head: %w", err)
	}
	return h, nil
}

func scanStored(row pgx.CollectableRow) (records.Stored, error) {
	var st records.Stored
	var body string
	err := row.Scan(&st.Installation, &st.Seq, &body)
	st.JSON = []byte(body)
	return st, err
}

// Chain returns receipts of an installation after a seq.
func (s *Store) Chain(ctx context.Context, inst string, after int64, limit int) ([]records.Stored, error) {
	rows, err := s.pool.Query(ctx, `SELECT installation, seq, body FROM receipts WHERE installation = $1 AND seq > $2 ORDER BY seq LIMIT $3`, inst, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: chain: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanStored)
	if err != nil {
		return nil, fmt.Errorf("postgres: chain: %w", err)
	}
	return out, nil
}

// Refuse records a refusal.
func (s *Store) Refuse(ctx context.Context, r records.Refusal) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO refusals (installation, at, code, field, message, first, last, count, head_seq, head_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, r.Installation, r.At, r.Code, r.Field, r.Message, r.First, r.Last, r.Count, r.HeadSeq, r.HeadHash)
	if err != nil {
		return fmt.Errorf("postgres: refusal: %w", err)
	}
	return nil
}

// Refusals returns an installation's refusals, newest first.
func (s *Store) Refusals(ctx context.Context, inst string, limit int) ([]records.Refusal, error) {
	rows, err := s.pool.Query(ctx, `SELECT installation, at, code, field, message, first, last, count, head_seq, head_hash
		FROM refusals WHERE installation = $1 ORDER BY id DESC LIMIT $2`, inst, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: refusals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (records.Refusal, error) {
		var r records.Refusal
		err := row.Scan(&r.Installation, &r.At, &r.Code, &r.Field, &r.Message, &r.First, &r.Last, &r.Count, &r.HeadSeq, &r.HeadHash)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: refusals: %w", err)
	}
	return out, nil
}

// Purge removes the receipts before the cut-off and stores the anchor, in
// one transaction that holds the head row, so that it never
// runs beside an append of the same installation.
func (s *Store) Purge(ctx context.Context, inst string, before, now time.Time, anchor func(records.Cut) ([]byte, error)) (records.Cut, error) {
	cut := records.Cut{Installation: inst}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM heads WHERE installation = $1 FOR UPDATE`, inst); err != nil {
			return err
		}
		var seq *int64
		if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT min(seq) FROM receipts WHERE installation = $1 AND time_ms >= $2) - 1,
			(SELECT max(seq) FROM receipts WHERE installation = $1))`, inst, before.UnixMilli()).Scan(&seq); err != nil {
			return err
		}
		if seq == nil {
			return nil
		}
		err := tx.QueryRow(ctx, `SELECT hash FROM receipts WHERE installation = $1 AND seq = $2`, inst, *seq).Scan(&cut.Hash)
		if errors.Is(err, pgx.ErrNoRows) { // the cut is before the first stored receipt
			return nil
		}
		if err != nil {
			return err
		}
		cut.Seq = *seq
		tag, err := tx.Exec(ctx, `DELETE FROM receipts WHERE installation = $1 AND seq <= $2`, inst, cut.Seq)
		if err != nil {
			return err
		}
		cut.Removed = tag.RowsAffected()
		cut.Time = now.UTC().Format(time.RFC3339)
		body, err := anchor(cut)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO anchors (installation, seq, body) VALUES ($1, $2, $3)
			ON CONFLICT (installation, seq) DO UPDATE SET body = excluded.body`, inst, cut.Seq, string(body))
		return err
	})
	if err != nil {
		return records.Cut{Installation: inst}, fmt.Errorf("postgres: purge: %w", err)
	}
	return cut, nil
}

// Anchors returns an installation's anchors, oldest first.
func (s *Store) Anchors(ctx context.Context, inst string) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT body FROM anchors WHERE installation = $1 ORDER BY seq`, inst)
	if err != nil {
		return nil, fmt.Errorf("postgres: anchors: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]byte, error) {
		var b string
		err := row.Scan(&b)
		return []byte(b), err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: anchors: %w", err)
	}
	return out, nil
}

// Export streams the receipts q selects.
func (s *Store) Export(ctx context.Context, q records.ExportQuery, fn func(records.Stored) error) error {
	var rows pgx.Rows
	var err error
	if q.Installation != "" {
		rows, err = s.pool.Query(ctx, `SELECT installation, seq, body FROM receipts WHERE installation = $1 ORDER BY seq`, q.Installation)
	} else {
		rows, err = s.pool.Query(ctx, `WITH r AS (SELECT installation, min(seq) AS lo, max(seq) AS hi FROM receipts
			WHERE time_ms >= $1 AND time_ms < $2 GROUP BY installation)
			SELECT x.installation, x.seq, x.body FROM receipts x JOIN r ON x.installation = r.installation AND x.seq BETWEEN r.lo AND r.hi
			ORDER BY x.installation, x.seq`, q.From.UnixMilli(), q.To.UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("postgres: export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st records.Stored
		var body string
		if err := rows.Scan(&st.Installation, &st.Seq, &body); err != nil {
			return fmt.Errorf("postgres: export: %w", err)
		}
		st.JSON = []byte(body)
		if err := fn(st); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: export: %w", err)
	}
	return nil
}

package records

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// The service's error codes (SPEC section 4). Codes never change meaning:
// hosts branch on them.
const (
	CodeBadBatch     errcode.Code = "bad_batch"     // malformed, oversized, or of another installation
	CodeBadHash      errcode.Code = "bad_hash"      // a hash, id or prev link that does not match the content
	CodeGap          errcode.Code = "gap"           // the batch starts beyond the head's seq + 1
	CodeFork         errcode.Code = "fork"          // a receipt of the batch has another hash than the one stored at its seq
	CodeReplayedHead errcode.Code = "replayed_head" // the batch ends before the stored head and is not identical to what is stored
	CodeUnauthorized errcode.Code = "unauthorized"  // no token, or not one the route accepts
	CodeNotFound     errcode.Code = "not_found"     // no such route, or nothing stored for the installation
	CodeBadMethod    errcode.Code = "method_not_allowed"
	CodeInternal     errcode.Code = "internal" // the service or its database failed; the request may be sent again
)

// Head is the newest receipt stored for an installation: what a batch
// must extend. The zero Head (Seq 0) is an installation with no record.
type Head struct {
	Installation string
	Seq          int64
	Hash         string
	// Time is the head receipt's own time member, as written, which the
	// next receipt's time_behind flag is checked against.
	Time string
	// Accepted is the service's clock (RFC 3339, UTC, seconds) when it
	// first accepted the head: the checkpoint's time. It never goes back
	// for an installation.
	Accepted string
	// Behind counts the receipts stored with time_behind.
	Behind int64
}

// Link is what a store keeps of a stored receipt to compare a re-sent
// batch with it.
type Link struct {
	Seq      int64
	Hash     string
	Accepted string // when the batch that stored it was accepted
}

// Batch is an installation's receipts as uploaded, checked by
// [CheckBatch]: one installation, seqs consecutive, each prev the hash
// before it.
type Batch struct {
	Installation string
	Receipts     []Receipt
}

// Result is what became of a batch.
type Result struct {
	// Head is the head after the batch when it was accepted, and the
	// current head when it was refused. On acceptance, Head.Seq and
	// Head.Hash are the batch's last receipt and Head.Accepted its
	// acceptance time: the checkpoint's content.
	Head Head
	// Checkpoint is what the answer's checkpoint names: the batch's last
	// receipt (Installation, Seq, Hash) and when it was first accepted
	// (Accepted); its other fields are zero.
	Checkpoint Head
	// Stored counts the receipts newly stored: 0 for an identical re-send.
	Stored int
	// Refused is why the batch was refused (CodeGap, CodeFork, ...), nil
	// when it was accepted. Nothing of a refused batch is stored.
	Refused *errcode.Error
}

// Refusal is an entry of the refusals log: a batch refused, and the head
// it was answered with.
type Refusal struct {
	Installation string `json:"installation"`
	At           string `json:"at"` // the service's clock, RFC 3339
	Code         string `json:"code"`
	Field        string `json:"field,omitempty"`
	Message      string `json:"message"`
	First        int64  `json:"first,omitempty"` // the batch's first and last seq, when it was readable
	Last         int64  `json:"last,omitempty"`
	Count        int    `json:"count,omitempty"` // its receipts
	HeadSeq      int64  `json:"head_seq"`
	HeadHash     string `json:"head_hash"`
}

// Stored is a stored receipt as read back: its seq and canonical JSON.
type Stored struct {
	Installation string
	Seq          int64
	JSON         []byte
}

// ExportQuery selects the records to export: one installation's, or,
// when Installation is empty, those of every installation whose receipts
// have a time in [From, To): for each such installation, its receipts
// from the first to the last one in the period (a range of its chain,
// never a chain with holes in it).
type ExportQuery struct {
	Installation string
	From, To     time.Time
}

// Cut is where a purge cut an installation's chain: the last receipt it
// removed.
type Cut struct {
	Installation string
	Seq          int64
	Hash         string
	Removed      int64
	Time         string // the service's clock at the purge, RFC 3339
}

// Store holds the records. Every method is safe for concurrent use, also
// by several processes over one database: Append's ordering is the
// database's.
type Store interface {
	// Append stores b if it extends the installation's head, in one
	// transaction that holds the head locked, and moves the head; it runs
	// [Apply] for the decision. A refused batch is a Result with Refused
	// set and a nil error: the error is for the store failing.
	Append(ctx context.Context, b *Batch, now time.Time) (Result, error)
	// Head returns an installation's head (Seq 0 when it has none).
	Head(ctx context.Context, installation string) (Head, error)
	// Chain returns up to limit receipts of an installation with seq
	// after after, in order.
	Chain(ctx context.Context, installation string, after int64, limit int) ([]Stored, error)
	// Refuse records a refused batch in the refusals log.
	Refuse(ctx context.Context, r Refusal) error
	// Refusals returns an installation's refusals, newest first, at
	// most limit.
	Refusals(ctx context.Context, installation string, limit int) ([]Refusal, error)
	// Purge removes an installation's oldest receipts, those before the
	// first one whose time is at or after before (all of them when none
	// is), and stores the anchor that anchor signs for the cut, in one
	// transaction. A receipt dated after the cut-off is never removed,
	// nor is any after it: a chain is cut at one place, and a receipt
	// flagged time_behind does not pull the cut past a later-dated one. It
	// returns the cut (Seq 0 when nothing was old enough, and then nothing
	// is stored).
	Purge(ctx context.Context, installation string, before, now time.Time, anchor func(Cut) ([]byte, error)) (Cut, error)
	// Anchors returns an installation's anchors (signed JSON), oldest first.
	Anchors(ctx context.Context, installation string) ([][]byte, error)
	// Export calls fn for each receipt q selects, by installation and
	// seq, and stops at fn's first error.
	Export(ctx context.Context, q ExportQuery, fn func(Stored) error) error
	// Close releases the store.
	Close() error
}

// Tx is one store transaction as [Apply] uses it. A store implements it
// over its own transaction type.
type Tx interface {
	// LockHead returns the installation's head, locked until the
	// transaction ends, so that no other transaction can move it
	// meanwhile (the zero Head with Installation set if it has none).
	LockHead(ctx context.Context, installation string) (Head, error)
	// Links returns the stored receipts of seq from to to (inclusive), in
	// order; purged ones are missing.
	Links(ctx context.Context, installation string, from, to int64) ([]Link, error)
	// Insert stores receipts, accepted at accepted.
	Insert(ctx context.Context, receipts []Receipt, accepted string) error
	// SetHead moves the head.
	SetHead(ctx context.Context, h Head) error
}

// ErrConflict is what a store's Tx returns when another transaction
// stored a receipt of the same installation and seq first (the database's
// primary key refused it): the store runs Apply again, which then sees
// the new head.
var ErrConflict = errors.New("records: another transaction stored that receipt first")

// Apply decides what becomes of b in tx, which must be a fresh write
// transaction: it reads and locks the head, and either stores the
// receipts that extend it and moves it, or leaves everything as it is
// and returns the refusal. The caller commits when Result.Refused is nil
// and Stored > 0, and rolls back otherwise.
//
// The rules (SPEC section 4):
//   - a batch whose first seq is the head's + 1 extends it if its first
//     prev is the head's hash (any prev when there is no head: the first
//     receipt fixes where the record starts), else it is a fork;
//   - a batch that starts beyond that is a gap;
//   - a batch that overlaps stored receipts must agree with them: if all
//     its stored seqs hold the same hashes, the rest (if any) extends the
//     head, and a batch that is all stored is an identical re-send,
//     answered with the checkpoint of its last receipt as first
//     accepted; if any differs, it is a fork when the batch reaches the
//     head and a replayed head when it ends before it;
//   - a receipt whose time is before the previous receipt's must say so
//     (time_behind), and one whose time is not must not: the record keeps
//     what happened, flagged, but never a wrong flag.
func Apply(ctx context.Context, tx Tx, b *Batch, now time.Time) (Result, error) {
	head, err := tx.LockHead(ctx, b.Installation)
	if err != nil {
		return Result{}, err
	}
	head.Installation = b.Installation
	first, last := b.Receipts[0], b.Receipts[len(b.Receipts)-1]
	refuse := func(code errcode.Code, field, format string, args ...any) (Result, error) {
		return Result{Head: head, Refused: &errcode.Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}}, nil
	}
	fresh := b.Receipts
	switch {
	case first.Seq > head.Seq+1:
		return refuse(CodeGap, "receipts[0].seq", "the batch starts at seq %d but the head is seq %d: receipts %d to %d are missing",
			first.Seq, head.Seq, head.Seq+1, first.Seq-1)
	case first.Seq == head.Seq+1:
		if head.Seq > 0 && first.Prev != head.Hash {
			return refuse(CodeFork, "receipts[0].prev", "seq %d's prev %s is not the head's hash %s: the batch continues another chain",
				first.Seq, short(first.Prev), short(head.Hash))
		}
	default:
		upto := min(last.Seq, head.Seq)
		links, err := tx.Links(ctx, b.Installation, first.Seq, upto)
		if err != nil {
			return Result{}, err
		}
		byseq := make(map[int64]Link, len(links))
		for _, l := range links {
			byseq[l.Seq] = l
		}
		for i, r := range b.Receipts {
			if r.Seq > upto {
				break
			}
			l, ok := byseq[r.Seq]
			if ok && l.Hash == r.Hash {
				continue
			}
			field := fmt.Sprintf("receipts[%d].hash", i)
			what := fmt.Sprintf("seq %d is stored with hash %s, the batch has %s", r.Seq, short(l.Hash), short(r.Hash))
			if !ok {
				what = fmt.Sprintf("seq %d was purged and cannot be compared", r.Seq)
			}
			if last.Seq < head.Seq {
				return refuse(CodeReplayedHead, field, "the batch ends at seq %d, before the head (seq %d), and differs from the record: %s",
					last.Seq, head.Seq, what)
			}
			return refuse(CodeFork, field, "%s", what)
		}
		if last.Seq <= head.Seq {
			l := byseq[last.Seq]
			cp := Head{Installation: b.Installation, Seq: l.Seq, Hash: l.Hash, Accepted: l.Accepted}
			return Result{Head: head, Checkpoint: cp}, nil
		}
		fresh = b.Receipts[head.Seq-first.Seq+1:]
	}
	// The first new receipt's time against the head's (the batch's own
	// receipts were checked against each other by CheckBatch).
	if head.Seq > 0 && fresh[0].Seq == head.Seq+1 {
		ht, err := time.Parse(time.RFC3339Nano, head.Time)
		if err == nil {
			if behind := fresh[0].Time.Before(ht); behind != fresh[0].TimeBehind {
				i := len(b.Receipts) - len(fresh)
				return refuse(CodeBadBatch, fmt.Sprintf("receipts[%d].time_behind", i), "%s", timeFlagMessage(fresh[0], head.Time, behind))
			}
		}
	}
	accepted := now.UTC().Truncate(time.Second).Format(time.RFC3339)
	if accepted < head.Accepted { // both UTC RFC 3339 with seconds: ordered as strings
		accepted = head.Accepted
	}
	if err := tx.Insert(ctx, fresh, accepted); err != nil {
		return Result{}, err
	}
	next := Head{Installation: b.Installation, Seq: last.Seq, Hash: last.Hash, Time: last.TimeText,
		Accepted: accepted, Behind: head.Behind}
	for _, r := range fresh {
		if r.TimeBehind {
			next.Behind++
		}
	}
	if err := tx.SetHead(ctx, next); err != nil {
		return Result{}, err
	}
	cp := Head{Installation: next.Installation, Seq: next.Seq, Hash: next.Hash, Accepted: next.Accepted}
	return Result{Head: next, Checkpoint: cp, Stored: len(fresh)}, nil
}

func timeFlagMessage(r Receipt, prevTime string, behind bool) string {
	if behind {
		return fmt.Sprintf("seq %d's time %s is before the previous receipt's (%s) but the receipt has no time_behind flag",
			r.Seq, r.TimeText, prevTime)
	}
	return fmt.Sprintf("seq %d has time_behind but its time %s is not before the previous receipt's (%s)", r.Seq, r.TimeText, prevTime)
}

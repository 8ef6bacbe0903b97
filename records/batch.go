package records

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/jitconsent/jitconsent/engine/errcode"
)

// The bounds of an upload (SPEC section 4).
const (
	MaxBatch     = 1000    // receipts in one batch
	MaxBatchSize = 1 << 20 // bytes of one request body
)

// CheckBatch reads an upload's body, {"receipts":[...]}, for installation
// and checks everything that needs no stored state: at most MaxBatch
// receipts, each a well-formed v2 receipt of that installation whose hash
// and id match its content, seqs consecutive, each prev the hash of the
// receipt before it, and time_behind set exactly where a receipt's time
// is before the previous one's. Errors are *errcode.Error (CodeBadBatch
// or CodeBadHash) naming the field, as "receipts[2].prev".
func CheckBatch(installation string, body []byte) (*Batch, error) {
	bad := func(field, format string, args ...any) error {
		return &errcode.Error{Code: CodeBadBatch, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	if !ValidInstallation(installation) {
		return nil, bad("installation", "installation %q is not 1 to 64 characters of A-Z a-z 0-9 . _ : -", installation)
	}
	if len(body) > MaxBatchSize {
		return nil, bad("", "the batch is %d bytes, over the limit of %d", len(body), MaxBatchSize)
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, bad("", "%v", jsonError(err))
	}
	if tok.Kind() != '{' {
		return nil, bad("", `the body must be a JSON object {"receipts":[...]}`)
	}
	b := &Batch{Installation: installation}
	seen := false
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, bad("", "%v", jsonError(err))
		}
		if name := tok.String(); name != "receipts" {
			return nil, bad(name, "%q is not a member of a batch (only receipts)", name)
		}
		seen = true
		if k := dec.PeekKind(); k != '[' {
			if err := dec.SkipValue(); err != nil {
				return nil, bad("receipts", "%v", jsonError(err))
			}
			return nil, bad("receipts", "receipts must be an array of receipts")
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, bad("receipts", "%v", jsonError(err))
		}
		for dec.PeekKind() != ']' {
			i := len(b.Receipts)
			field := fmt.Sprintf("receipts[%d]", i)
			if i == MaxBatch {
				return nil, bad(field, "a batch holds at most %d receipts", MaxBatch)
			}
			v, err := dec.ReadValue()
			if err != nil {
				return nil, bad(field, "%v", jsonError(err))
			}
			r, err := ParseReceipt(v, field)
			if err != nil {
				return nil, err
			}
			b.Receipts = append(b.Receipts, r)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, bad("receipts", "%v", jsonError(err))
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, bad("", "%v", jsonError(err))
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, bad("", "data after the batch")
	}
	if !seen {
		return nil, bad("receipts", "the batch has no receipts member")
	}
	if len(b.Receipts) == 0 {
		return nil, bad("receipts", "the batch is empty")
	}
	for i, r := range b.Receipts {
		if r.Installation != installation {
			return nil, bad(fmt.Sprintf("receipts[%d].installation", i), "the receipt is of installation %q, the batch of %q", r.Installation, installation)
		}
		if i == 0 {
			continue
		}
		p := b.Receipts[i-1]
		if r.Seq != p.Seq+1 {
			return nil, bad(fmt.Sprintf("receipts[%d].seq", i), "seq %d follows seq %d: a batch's seqs are consecutive", r.Seq, p.Seq)
		}
		if r.Prev != p.Hash {
			return nil, &errcode.Error{Code: CodeBadHash, Field: fmt.Sprintf("receipts[%d].prev", i),
				Message: fmt.Sprintf("seq %d's prev %s is not the hash of seq %d (%s)", r.Seq, short(r.Prev), p.Seq, short(p.Hash))}
		}
		if behind := r.Time.Before(p.Time); behind != r.TimeBehind {
			return nil, bad(fmt.Sprintf("receipts[%d].time_behind", i), "%s", timeFlagMessage(r, p.TimeText, behind))
		}
	}
	return b, nil
}

func jsonError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON")
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

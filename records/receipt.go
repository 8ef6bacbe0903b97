package records

import (
	"errors"
	"fmt"
	"time"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/ledger"
)

// Receipt is a v2 receipt as the service holds it: the members it checks
// and indexes, and the receipt's canonical JSON, which is what it stores
// and serves.
type Receipt struct {
	Installation string
	Seq          int64
	Prev         string    // "" or 64 hex digits
	Hash         string    // 64 hex digits
	Time         time.Time // the receipt's time member
	TimeText     string    // the time member as written
	TimeBehind   bool      // the receipt says its time is before the previous receipt's
	JSON         []byte    // canonical JSON, hash and id included
}

// ParseReceipt reads one receipt with package ledger, strictly (exactly
// the members of a v2 receipt, each of its type and vocabulary), and
// checks what the service relies on: it names an installation, its hash
// is the SHA-256 of its canonical JSON without hash and id, and its id
// is derived from that hash. A receipt that is not well formed is an
// *errcode.Error with CodeBadBatch, and one whose hash or id does not
// match its content one with CodeBadHash; either names the member at
// fault, prefixed with field (such as "receipts[3]").
func ParseReceipt(data []byte, field string) (Receipt, error) {
	var lr ledger.Receipt
	if err := lr.UnmarshalJSON(data); err != nil {
		var pe *ledger.ParseError
		if errors.As(err, &pe) {
			msg := pe.Msg
			if pe.Member != "" {
				msg = pe.Member + " " + msg
			}
			return Receipt{}, &errcode.Error{Code: CodeBadBatch, Field: join(field, pe.Member), Message: msg}
		}
		return Receipt{}, &errcode.Error{Code: CodeBadBatch, Field: field, Message: err.Error()}
	}
	if lr.Installation == "" {
		return Receipt{}, &errcode.Error{Code: CodeBadBatch, Field: join(field, "installation"),
			Message: "the receipt names no installation: the service records an installation's chain"}
	}
	if got := lr.Hash(); got != lr.RecordedHash {
		return Receipt{}, &errcode.Error{Code: CodeBadHash, Field: join(field, "hash"),
			Message: fmt.Sprintf("hash %s is not the SHA-256 of the receipt's canonical JSON (%s)", short(lr.RecordedHash), short(got))}
	}
	if want := lr.ID(); lr.RecordedID != want {
		return Receipt{}, &errcode.Error{Code: CodeBadHash, Field: join(field, "id"),
			Message: fmt.Sprintf("id %q is not the id derived from the hash (%s)", lr.RecordedID, want)}
	}
	t, err := lr.Instant()
	if err != nil { // Parse checked it
		return Receipt{}, &errcode.Error{Code: CodeBadBatch, Field: join(field, "time"), Message: err.Error()}
	}
	js, err := lr.MarshalJSON()
	if err != nil {
		return Receipt{}, &errcode.Error{Code: CodeBadBatch, Field: field, Message: err.Error()}
	}
	return Receipt{Installation: lr.Installation, Seq: lr.Seq, Prev: lr.Prev, Hash: lr.RecordedHash,
		Time: t, TimeText: lr.Time, TimeBehind: lr.TimeBehind, JSON: js}, nil
}

// ValidInstallation reports whether id is an installation id: 1 to 64
// characters of A-Z a-z 0-9 . _ : - (SPEC section 1).
func ValidInstallation(id string) bool {
	if len(id) < 1 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func join(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "..."
	}
	return h
}

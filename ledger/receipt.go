package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"
)

// Version is the receipt format this package reads: the "v" of a receipt.
const Version = 2

// Receipt is a consent receipt of format 2 (engine/CONTRACT.md,
// "Receipts"): what one installation was shown and answered, chained to
// the receipt before it by its hash. Optional members are absent when
// empty (false); Parse refuses a receipt that spells them out empty.
//
// The receipt's own hash and id, as recorded in it, are RecordedHash and
// RecordedID; the methods Hash and ID compute them from the content.
// Verify compares the two.
type Receipt struct {
	V               int    // 2
	Kind            string // policy, rationale, permission, consent, withdraw
	Answer          string // accepted, declined, granted, limited, denied, denied_forever, dismissed, withdrawn
	Installation    string // optional: the host's installation id
	Seq             int64  // 1 for an installation's first receipt, then +1 each
	Time            string // the request's now, RFC 3339, as given
	TimeBehind      bool   // optional: Time is earlier than the previous receipt's
	Policy          string // the policy id
	Version         string // the policy version whose texts the receipt records
	Bundle          string // optional: sha256:<hex> of the bundle active when it was made
	Locale          string // the locale the texts were shown in
	Platform        string
	PlatformVersion string // optional
	Scenario, Step  string // optional (absent for the policy)
	Permission      string // optional
	Sensitive       string // optional, with Purpose and SeparateConsent
	Purpose         string // optional
	SeparateConsent bool   // optional
	Text            string // optional (absent for a withdrawal): SHA-256 hex of the texts shown
	Prev            string // the previous receipt's hash; "" for the first
	RecordedHash    string // the member "hash"
	RecordedID      string // the member "id"
}

// appendJSON appends the receipt's canonical JSON: its members in the
// order RFC 8785 sorts them, optional ones only when set. withSeal adds
// hash and id, which the hash itself does not cover.
func (r *Receipt) appendJSON(b []byte, withSeal bool) []byte {
	str := func(name, v string) {
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = appendString(b, v)
	}
	opt := func(name, v string) {
		if v != "" {
			str(name, v)
		}
	}
	b = append(b, `{"answer":`...)
	b = appendString(b, r.Answer)
	opt("bundle", r.Bundle)
	if withSeal {
		str("hash", r.RecordedHash)
		str("id", r.RecordedID)
	}
	opt("installation", r.Installation)
	str("kind", r.Kind)
	str("locale", r.Locale)
	opt("permission", r.Permission)
	str("platform", r.Platform)
	opt("platform_version", r.PlatformVersion)
	str("policy", r.Policy)
	str("prev", r.Prev)
	opt("purpose", r.Purpose)
	opt("scenario", r.Scenario)
	opt("sensitive", r.Sensitive)
	if r.SeparateConsent {
		b = append(b, `,"separate_consent":true`...)
	}
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, r.Seq, 10)
	opt("step", r.Step)
	opt("text", r.Text)
	str("time", r.Time)
	if r.TimeBehind {
		b = append(b, `,"time_behind":true`...)
	}
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, int64(r.V), 10)
	str("version", r.Version)
	return append(b, '}')
}

// MarshalJSON returns the receipt's canonical JSON with its recorded hash
// and id: the receipt as the engine emits it.
func (r Receipt) MarshalJSON() ([]byte, error) {
	if r.Seq < 0 || r.Seq > maxSafeInt {
		return nil, errors.New("ledger: seq " + strconv.FormatInt(r.Seq, 10) + " is outside 0 to 2^53-1")
	}
	return r.appendJSON(nil, true), nil
}

// UnmarshalJSON reads one receipt as Parse does, strictly.
func (r *Receipt) UnmarshalJSON(data []byte) error {
	v, err := parseJSON(data)
	if err != nil {
		return &ParseError{Index: -1, Msg: err.Error()}
	}
	rc, perr := receiptFrom(v, -1, 0)
	if perr != nil {
		return perr
	}
	*r = rc
	return nil
}

// Body returns the canonical JSON that the receipt's hash covers: the
// receipt without hash and id.
func (r *Receipt) Body() []byte { return r.appendJSON(nil, false) }

// Sum returns the SHA-256 of Body.
func (r *Receipt) Sum() [32]byte {
	var buf [1024]byte
	return sha256.Sum256(r.appendJSON(buf[:0], false))
}

// Hash returns the receipt's hash computed from its content: the SHA-256,
// in lower-case hex, of its canonical JSON without hash and id.
func (r *Receipt) Hash() string {
	sum := r.Sum()
	return hex.EncodeToString(sum[:])
}

// ID returns the receipt id computed from its content: IDFromHash of Hash.
func (r *Receipt) ID() string {
	sum := r.Sum()
	return uuidV8(sum[:16])
}

// Seal sets RecordedHash and RecordedID from the content, as the engine
// does when it makes a receipt.
func (r *Receipt) Seal() {
	sum := r.Sum()
	r.RecordedHash = hex.EncodeToString(sum[:])
	r.RecordedID = uuidV8(sum[:16])
}

// IDFromHash returns the receipt id of a receipt hash (64 hex digits):
// an RFC 9562 UUIDv8 made of the hash's first 16 bytes, with the version
// and variant bits set (byte 6 = 0x80 | b[6]&0x0f, byte 8 = 0x80 |
// b[8]&0x3f), written in lower case as 8-4-4-4-12 hex digits.
func IDFromHash(hash string) (string, error) {
	if !isHex64(hash) {
		return "", errors.New("ledger: " + strconv.Quote(hash) + " is not 64 lower-case hex digits")
	}
	b, _ := hex.DecodeString(hash[:32])
	return uuidV8(b), nil
}

func uuidV8(b16 []byte) string {
	var b [16]byte
	copy(b[:], b16)
	b[6] = 0x80 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// maxSafeInt is 2^53-1, the largest integer every JSON reader keeps exact.
const maxSafeInt = 1<<53 - 1

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isUUID reports whether s is a UUID as IDFromHash writes it: lower-case
// 8-4-4-4-12 hex digits.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// Instant returns the receipt's time as an instant.
func (r *Receipt) Instant() (time.Time, error) {
	return time.Parse(time.RFC3339Nano, r.Time)
}

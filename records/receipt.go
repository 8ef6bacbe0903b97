package records

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/jitconsent/jitconsent/engine/errcode"
)

// Receipt is a v2 receipt as the service holds it: the members it checks
// and indexes, and the receipt's canonical JSON, which is what it stores
// and serves.
type Receipt struct {
	Installation string
	Seq          int64
	Prev         string // "" or 64 hex digits
	Hash         string // 64 hex digits
	ID           string
	Time         time.Time // the receipt's time member
	TimeText     string    // the time member as written
	TimeBehind   bool      // the receipt says its time is before the previous receipt's
	JSON         []byte    // canonical JSON, hash and id included
}

// receiptMembers are the members of a v2 receipt (SPEC section 1) and
// the kind of value each takes: 's' a string, 'n' a non-negative
// integer, 't' the literal true.
var receiptMembers = map[string]byte{
	"answer": 's', "bundle": 's', "hash": 's', "id": 's', "installation": 's', "kind": 's',
	"locale": 's', "permission": 's', "platform": 's', "platform_version": 's', "policy": 's',
	"prev": 's', "purpose": 's', "scenario": 's', "separate_consent": 't', "sensitive": 's',
	"seq": 'n', "step": 's', "text": 's', "time": 's', "time_behind": 't', "v": 'n', "version": 's',
}

// member is one name and value of a flat JSON object.
type member struct {
	name string
	kind byte // 's', 'n' or 't'
	str  string
	num  int64
	raw  string // the number as written
}

// ParseReceipt reads one receipt and checks what the service relies on:
// it is a v2 receipt (exactly the members of SPEC section 1, each of its
// type), its hash is the SHA-256 of its canonical JSON without hash and
// id, and its id is derived from that hash. A receipt that is not well
// formed is an *errcode.Error with CodeBadBatch, and one whose hash or id
// does not match its content one with CodeBadHash; either names the
// member at fault, prefixed with field (such as "receipts[3]").
func ParseReceipt(data []byte, field string) (Receipt, error) {
	var r Receipt
	bad := func(f, format string, args ...any) error {
		return &errcode.Error{Code: CodeBadBatch, Field: join(field, f), Message: fmt.Sprintf(format, args...)}
	}
	members, err := readFlatObject(data)
	if err != nil {
		return r, bad("", "%v", err)
	}
	var hash, id string
	var rest []member
	for _, m := range members {
		want, ok := receiptMembers[m.name]
		if !ok {
			return r, bad(m.name, "%q is not a member of a v2 receipt", m.name)
		}
		if m.kind != want {
			return r, bad(m.name, "%s must be %s", m.name, kindName(want))
		}
		switch m.name {
		case "hash":
			hash = m.str
			continue
		case "id":
			id = m.str
			continue
		case "v":
			if m.num != 2 {
				return r, bad("v", "v is %d: only v2 receipts are recorded", m.num)
			}
		case "installation":
			if !ValidInstallation(m.str) {
				return r, bad("installation", "installation %q is not 1 to 64 characters of A-Z a-z 0-9 . _ : -", m.str)
			}
			r.Installation = m.str
		case "seq":
			if m.num < 1 {
				return r, bad("seq", "seq must be 1 or more")
			}
			r.Seq = m.num
		case "prev":
			if m.str != "" && !isHex64(m.str) {
				return r, bad("prev", "prev must be empty or 64 lowercase hex digits")
			}
			r.Prev = m.str
		case "time":
			t, err := time.Parse(time.RFC3339Nano, m.str)
			if err != nil {
				return r, bad("time", "time %q is not an RFC 3339 time", m.str)
			}
			r.Time, r.TimeText = t, m.str
		case "time_behind":
			r.TimeBehind = true
		}
		rest = append(rest, m)
	}
	for _, name := range []string{"v", "installation", "seq", "time", "prev", "hash", "id"} {
		if !slices.ContainsFunc(members, func(m member) bool { return m.name == name }) {
			return r, bad(name, "the receipt has no %s", name)
		}
	}
	if !isHex64(hash) {
		return r, bad("hash", "hash must be 64 lowercase hex digits")
	}
	content := canonicalFlat(rest)
	sum := sha256.Sum256(content)
	if got := hex.EncodeToString(sum[:]); got != hash {
		return r, &errcode.Error{Code: CodeBadHash, Field: join(field, "hash"),
			Message: fmt.Sprintf("hash %s is not the SHA-256 of the receipt's canonical JSON (%s)", short(hash), short(got))}
	}
	if want := ReceiptID(sum[:]); id != want {
		return r, &errcode.Error{Code: CodeBadHash, Field: join(field, "id"),
			Message: fmt.Sprintf("id %q is not the id derived from the hash (%s)", id, want)}
	}
	r.Hash, r.ID = hash, id
	all := append(rest, member{name: "hash", kind: 's', str: hash}, member{name: "id", kind: 's', str: id})
	r.JSON = canonicalFlat(all)
	return r, nil
}

// ReceiptID is the id of a receipt whose hash is sum: an RFC 9562 UUIDv8
// made of the hash's first 16 bytes (SPEC section 1).
func ReceiptID(sum []byte) string {
	var b [16]byte
	copy(b[:], sum)
	b[6] = 0x80 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// readFlatObject reads a JSON object whose values are strings, true or
// integers, rejecting repeated names, invalid UTF-8 and anything after it.
func readFlatObject(data []byte) ([]member, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, jsonError(err)
	}
	if tok.Kind() != '{' {
		return nil, errors.New("a receipt must be a JSON object")
	}
	var ms []member
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, jsonError(err)
		}
		m := member{name: name.String()} // before the next read, which invalidates name
		val, err := dec.ReadToken()
		if err != nil {
			return nil, jsonError(err)
		}
		switch val.Kind() {
		case '"':
			m.kind, m.str = 's', val.String()
		case 't':
			m.kind = 't'
		case '0':
			m.kind, m.raw = 'n', val.String()
			n, err := strconv.ParseInt(m.raw, 10, 64)
			if err != nil || n < 0 || n >= 1<<53 || strconv.FormatInt(n, 10) != m.raw {
				m.kind = '?'
			}
			m.num = n
		default:
			m.kind = '?'
			if val.Kind() == '{' || val.Kind() == '[' {
				if err := dec.SkipValue(); err != nil {
					return nil, jsonError(err)
				}
			}
		}
		ms = append(ms, m)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil, errors.New("data after the receipt")
	}
	return ms, nil
}

func jsonError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON")
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

func kindName(k byte) string {
	switch k {
	case 's':
		return "a string"
	case 'n':
		return "a non-negative integer below 2^53"
	default:
		return "true (or absent)"
	}
}

// canonicalFlat writes members as canonical JSON (SPEC section 1): names
// in byte order, no whitespace, strings escaped as RFC 8785 does.
func canonicalFlat(ms []member) []byte {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b member) int { return compareStrings(a.name, b.name) })
	b := []byte{'{'}
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJCSString(b, m.name)
		b = append(b, ':')
		switch m.kind {
		case 's':
			b = appendJCSString(b, m.str)
		case 'n':
			b = strconv.AppendInt(b, m.num, 10)
		case 't':
			b = append(b, "true"...)
		}
	}
	return append(b, '}')
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// appendJCSString appends s as RFC 8785 writes a string: the two-letter
// escapes for " \ and \b \f \n \r \t, \u00xx for other control
// characters, and every other character as it is, in UTF-8.
func appendJCSString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			_, size := utf8.DecodeRuneInString(s[i:])
			b = append(b, s[i:i+size]...)
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
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

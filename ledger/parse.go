package ledger

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// ParseError is a receipt that Parse cannot read, naming the receipt (its
// index in the input, from 0, and for JSON Lines its line) and the member.
type ParseError struct {
	Index  int    // the receipt's index in the input; -1 for the input as a whole
	Line   int    // JSON Lines: the line, from 1; 0 in an array
	Member string // the member at fault; "" for the receipt as a whole
	Msg    string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	switch {
	case e.Index < 0:
		b.WriteString("receipts")
	case e.Line > 0:
		b.WriteString("line " + strconv.Itoa(e.Line) + ": receipts[" + strconv.Itoa(e.Index) + "]")
	default:
		b.WriteString("receipts[" + strconv.Itoa(e.Index) + "]")
	}
	if e.Member != "" {
		b.WriteString("." + e.Member)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// ParseErrors is every receipt Parse could not read, one error each, in
// input order (at most maxParseErrors of them; Total counts them all).
type ParseErrors struct {
	Errs  []*ParseError
	Total int
}

const maxParseErrors = 20

func (e *ParseErrors) Error() string {
	var b strings.Builder
	for i, pe := range e.Errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pe.Error())
	}
	if more := e.Total - len(e.Errs); more > 0 {
		b.WriteString("\n... and " + strconv.Itoa(more) + " more")
	}
	return b.String()
}

func (e *ParseErrors) add(pe *ParseError) {
	e.Total++
	if len(e.Errs) < maxParseErrors {
		e.Errs = append(e.Errs, pe)
	}
}

// Parse reads receipts of format 2 from a JSON array of receipts or from
// JSON Lines (one receipt per line; blank lines are skipped). It is
// strict: a member the format does not have, a member given twice, a
// value of the wrong type or outside its vocabulary, an optional member
// spelled out empty, invalid UTF-8 or JSON are errors, each naming the
// receipt and the member (a *ParseErrors). It checks each receipt's
// shape only: whether the hashes, ids, links and sequence hold is
// Verify's to say.
func Parse(data []byte) ([]Receipt, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, &ParseErrors{Errs: []*ParseError{{Index: -1, Msg: "no receipts: the input is empty"}}, Total: 1}
	case trimmed[0] == '[':
		return parseArray(data)
	default:
		return parseLines(data)
	}
}

func parseArray(data []byte) ([]Receipt, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, &ParseErrors{Errs: []*ParseError{{Index: -1, Msg: "not a JSON array of receipts: " + err.Error()}}, Total: 1}
	}
	if v.kind != '[' {
		return nil, &ParseErrors{Errs: []*ParseError{{Index: -1, Msg: "not a JSON array of receipts"}}, Total: 1}
	}
	out := make([]Receipt, 0, len(v.elems))
	var errs ParseErrors
	for i, el := range v.elems {
		r, perr := receiptFrom(el, i, 0)
		if perr != nil {
			errs.add(perr)
			continue
		}
		out = append(out, r)
	}
	if errs.Total > 0 {
		return nil, &errs
	}
	return out, nil
}

func parseLines(data []byte) ([]Receipt, error) {
	out := make([]Receipt, 0, bytes.Count(data, []byte{'\n'})+1)
	var errs ParseErrors
	var p parser
	index := 0
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		i := index
		index++
		v, err := p.parse(line)
		if err != nil {
			errs.add(&ParseError{Index: i, Line: n, Msg: "not JSON: " + err.Error()})
			continue
		}
		r, perr := receiptFrom(v, i, n)
		if perr != nil {
			errs.add(perr)
			continue
		}
		out = append(out, r)
	}
	if errs.Total > 0 {
		return nil, &errs
	}
	if len(out) == 0 {
		return nil, &ParseErrors{Errs: []*ParseError{{Index: -1, Msg: "no receipts: the input has only blank lines"}}, Total: 1}
	}
	return out, nil
}

// The receipt's members and how each is read.
const (
	required = iota
	optional // absent when empty or false
)

var (
	kinds   = []string{"policy", "rationale", "permission", "consent", "withdraw"}
	answers = []string{"accepted", "declined", "granted", "limited", "denied", "denied_forever", "dismissed", "withdrawn"}
)

// requiredMembers are the members every receipt has; requiredBit gives
// each its bit.
var (
	requiredMembers = []string{"v", "kind", "answer", "seq", "time", "policy", "version", "locale", "platform", "prev", "hash", "id"}
	requiredBit     = func() map[string]uint32 {
		m := map[string]uint32{}
		for i, name := range requiredMembers {
			m[name] = 1 << i
		}
		return m
	}()
)

// receiptFrom reads one receipt from a parsed JSON value.
func receiptFrom(v value, index, line int) (Receipt, *ParseError) {
	fail := func(member, msg string) *ParseError {
		return &ParseError{Index: index, Line: line, Member: member, Msg: msg}
	}
	if v.kind != '{' {
		return Receipt{}, fail("", "a receipt is a JSON object, not "+describeKind(v.kind))
	}
	var r Receipt
	var seen uint32 // the required members present, by their bit
	for _, m := range v.members {
		seen |= requiredBit[m.name]
		str := func(dst *string, presence int) *ParseError {
			if m.val.kind != '"' {
				return fail(m.name, "must be a string, not "+describeKind(m.val.kind))
			}
			if m.val.str == "" && presence == optional {
				return fail(m.name, "is empty: an absent value is left out, not written \"\"")
			}
			*dst = m.val.str
			return nil
		}
		trueOnly := func(dst *bool) *ParseError {
			switch m.val.kind {
			case 't':
				*dst = true
				return nil
			case 'f':
				return fail(m.name, "is false: it is either true or left out")
			}
			return fail(m.name, "must be true, not "+describeKind(m.val.kind))
		}
		var perr *ParseError
		switch m.name {
		case "v":
			n, err := integer(m.val)
			if err != "" {
				return Receipt{}, fail(m.name, err)
			}
			if n != Version {
				return Receipt{}, fail(m.name, "is "+strconv.FormatInt(n, 10)+": this reads receipts of format "+strconv.Itoa(Version))
			}
			r.V = int(n)
		case "kind":
			perr = str(&r.Kind, required)
		case "answer":
			perr = str(&r.Answer, required)
		case "installation":
			perr = str(&r.Installation, optional)
		case "seq":
			n, err := integer(m.val)
			if err != "" {
				return Receipt{}, fail(m.name, err)
			}
			if n < 1 {
				return Receipt{}, fail(m.name, "is "+strconv.FormatInt(n, 10)+": a sequence number starts at 1")
			}
			r.Seq = n
		case "time":
			perr = str(&r.Time, required)
		case "time_behind":
			perr = trueOnly(&r.TimeBehind)
		case "policy":
			perr = str(&r.Policy, required)
		case "version":
			perr = str(&r.Version, required)
		case "bundle":
			perr = str(&r.Bundle, optional)
		case "locale":
			perr = str(&r.Locale, required)
		case "platform":
			perr = str(&r.Platform, required)
		case "platform_version":
			perr = str(&r.PlatformVersion, optional)
		case "scenario":
			perr = str(&r.Scenario, optional)
		case "step":
			perr = str(&r.Step, optional)
		case "permission":
			perr = str(&r.Permission, optional)
		case "sensitive":
			perr = str(&r.Sensitive, optional)
		case "purpose":
			perr = str(&r.Purpose, optional)
		case "separate_consent":
			perr = trueOnly(&r.SeparateConsent)
		case "text":
			perr = str(&r.Text, optional)
		case "prev":
			perr = str(&r.Prev, required)
		case "hash":
			perr = str(&r.RecordedHash, required)
		case "id":
			perr = str(&r.RecordedID, required)
		default:
			return Receipt{}, fail(m.name, "is not a member of a receipt (format "+strconv.Itoa(Version)+")")
		}
		if perr != nil {
			return Receipt{}, perr
		}
	}
	for i, name := range requiredMembers {
		if seen&(1<<i) == 0 {
			return Receipt{}, fail(name, "is missing")
		}
	}
	if msg, member := r.checkValues(); msg != "" {
		return Receipt{}, fail(member, msg)
	}
	return r, nil
}

// checkValues checks each value against its vocabulary or form and
// returns what is wrong and with which member.
func (r *Receipt) checkValues() (msg, member string) {
	oneOf := func(v string, words []string) bool {
		for _, w := range words {
			if v == w {
				return true
			}
		}
		return false
	}
	switch {
	case !oneOf(r.Kind, kinds):
		return strconv.Quote(r.Kind) + " is not a kind of receipt (" + strings.Join(kinds, ", ") + ")", "kind"
	case !oneOf(r.Answer, answers):
		return strconv.Quote(r.Answer) + " is not an answer (" + strings.Join(answers, ", ") + ")", "answer"
	case r.Installation != "" && !validInstallation(r.Installation):
		return strconv.Quote(r.Installation) + " is not an installation id (1 to 64 of A-Z a-z 0-9 . _ : -)", "installation"
	case r.Seq > maxSafeInt:
		return "is beyond 2^53-1", "seq"
	}
	if _, err := r.Instant(); err != nil {
		return strconv.Quote(r.Time) + " is not an RFC 3339 time", "time"
	}
	if r.Bundle != "" && (!strings.HasPrefix(r.Bundle, "sha256:") || !isHex64(r.Bundle[len("sha256:"):])) {
		return strconv.Quote(r.Bundle) + " is not sha256: and 64 lower-case hex digits", "bundle"
	}
	if _, ok := vocab.ParsePlatform(r.Platform); !ok {
		return strconv.Quote(r.Platform) + " is not a platform (" + strings.Join(vocab.Names(vocab.NumPlatforms), ", ") + ")", "platform"
	}
	if r.Permission != "" {
		if _, ok := vocab.ParsePermission(r.Permission); !ok {
			return strconv.Quote(r.Permission) + " is not a permission", "permission"
		}
	}
	if r.Sensitive != "" {
		if _, ok := vocab.ParseSensitive(r.Sensitive); !ok {
			return strconv.Quote(r.Sensitive) + " is not a sensitive category (" + strings.Join(vocab.Names(vocab.NumSensitive), ", ") + ")", "sensitive"
		}
	}
	switch {
	case r.Text != "" && !isHex64(r.Text):
		return strconv.Quote(r.Text) + " is not 64 lower-case hex digits", "text"
	case r.Prev != "" && !isHex64(r.Prev):
		return strconv.Quote(r.Prev) + " is not \"\" or 64 lower-case hex digits", "prev"
	case !isHex64(r.RecordedHash):
		return strconv.Quote(r.RecordedHash) + " is not 64 lower-case hex digits", "hash"
	case !isUUID(r.RecordedID):
		return strconv.Quote(r.RecordedID) + " is not a lower-case UUID (8-4-4-4-12 hex digits)", "id"
	}
	for _, f := range []struct{ name, v string }{{"policy", r.Policy}, {"version", r.Version}, {"locale", r.Locale}} {
		if f.v == "" {
			return "is empty", f.name
		}
	}
	return "", ""
}

// validInstallation reports whether s is an installation id: 1 to 64 of
// [A-Za-z0-9._:-].
func validInstallation(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// integer reads a non-negative integer as receipts write one: digits
// only, below 2^53. It returns what is wrong otherwise.
func integer(v value) (int64, string) {
	if v.kind != '0' {
		return 0, "must be an integer, not " + describeKind(v.kind)
	}
	lit := v.str
	if strings.ContainsAny(lit, ".eE") || strings.HasPrefix(lit, "-") {
		return 0, "is " + lit + ": an integer from 0 to 2^53-1 is written in plain digits"
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil || n > maxSafeInt {
		return 0, "is " + lit + ": beyond 2^53-1"
	}
	return n, ""
}

func describeKind(k byte) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "nothing"
}

// parseTime is the instant of an RFC 3339 time.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

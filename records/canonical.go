package records

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Canonical writes v as canonical JSON (RFC 8785 for objects, arrays,
// strings, booleans and integers below 2^53; SPEC section 1).
func Canonical(v any) ([]byte, error) {
	return appendCanonical(nil, v)
}

func appendCanonical(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJCSString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendCanonical(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendCanonical(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case string:
		return appendJCSString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return appendInt(b, int64(v))
	case int64:
		return appendInt(b, v)
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("canonical JSON: %s is not an integer", v)
		}
		return appendInt(b, n)
	case json.RawMessage:
		var x any
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil {
			return nil, err
		}
		return appendCanonical(b, x)
	case nil:
		return nil, fmt.Errorf("canonical JSON: null is not allowed")
	}
	return nil, fmt.Errorf("canonical JSON: a %T is not allowed", v)
}

func appendInt(b []byte, n int64) ([]byte, error) {
	if n < 0 || n >= 1<<53 {
		return nil, fmt.Errorf("canonical JSON: %d is not an integer in [0, 2^53)", n)
	}
	return strconv.AppendInt(b, n, 10), nil
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

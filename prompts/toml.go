package prompts

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/internal/tomlguard"
)

// tomlDoc is a parsed TOML file: its values as a generic tree, and where
// each key stands in the source.
//
// BurntSushi/toml checks the syntax and reports syntax errors with their
// position, but it does not say where a key that parsed well stands. The
// type checks, unknown keys and every later lint need that, so locateKeys
// indexes the source's keys by their full path, with array-of-table
// indices (scenario[1].step[0].id).
type tomlDoc struct {
	file  string
	src   string
	tree  map[string]any
	where map[string]errcode.Pos
}

// parseTOML parses a file. A syntax error comes back as one problem, and
// so does a file over the input limits (its size, UTF-8, nesting and key
// lengths: tomlguard), which the decoder never sees: on such input its
// cost grows faster than the input.
func parseTOML(file string, data []byte) (*tomlDoc, *errcode.Error) {
	if err := tomlguard.Check(file, data); err != nil {
		return nil, err
	}
	src := string(data)
	tree := map[string]any{}
	if _, err := toml.Decode(src, &tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			pos := offsetPos(file, src, pe.Position.Start, pe.Position.Line)
			msg := pe.Message
			return nil, &errcode.Error{Pos: pos, Code: CodeSyntax, Field: pe.LastKey, Message: msg}
		}
		return nil, &errcode.Error{Pos: errcode.Pos{File: file}, Code: CodeSyntax, Message: err.Error()}
	}
	return &tomlDoc{file: file, src: src, tree: tree, where: locateKeys(file, src)}, nil
}

// offsetPos turns a byte offset into a position with a character column.
// line is used when the offset does not fall on it (BurntSushi reports some
// errors at the end of a line).
func offsetPos(file, src string, off, line int) errcode.Pos {
	if off < 0 || off > len(src) {
		return errcode.Pos{File: file, Line: line, Col: 1}
	}
	start := strings.LastIndexByte(src[:off], '\n') + 1
	l := strings.Count(src[:start], "\n") + 1
	if line > 0 && l != line {
		return errcode.Pos{File: file, Line: line, Col: 1}
	}
	return errcode.Pos{File: file, Line: l, Col: utf8.RuneCountInString(src[start:off]) + 1}
}

// pos returns where key stands, or where its nearest enclosing key stands,
// or the file itself.
func (d *tomlDoc) pos(key string) errcode.Pos {
	for k := key; ; {
		if p, ok := d.where[k]; ok {
			return p
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			return errcode.Pos{File: d.file, Line: 1, Col: 1}
		}
		k = k[:i]
	}
}

// locateKeys indexes the position of every table header and key of a TOML
// source by its full path. It understands what the project's files use:
// [tables], [[arrays of tables]], key = value with bare, quoted and dotted
// keys, multi-line strings and arrays. Keys inside inline tables are not
// indexed; a lookup falls back to the key that holds the inline table.
func locateKeys(file, src string) map[string]errcode.Pos {
	where := map[string]errcode.Pos{}
	counts := map[string]int{} // array-of-tables path -> elements so far
	current := ""
	// resolve turns header segments into a path, stepping into the last
	// element of each array of tables on the way.
	resolve := func(segs []string) string {
		path := ""
		for _, s := range segs {
			if path != "" {
				path += "."
			}
			path += s
			if n := counts[path]; n > 0 {
				path += "[" + strconv.Itoa(n-1) + "]"
			}
		}
		return path
	}
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		col := utf8.RuneCountInString(line[:indent]) + 1
		at := errcode.Pos{File: file, Line: i + 1, Col: col}
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == '\r':
		case strings.HasPrefix(trimmed, "[["):
			end := strings.Index(trimmed, "]]")
			if end < 0 {
				continue
			}
			segs := splitKey(trimmed[2:end])
			if len(segs) == 0 {
				continue
			}
			arr := resolve(segs[:len(segs)-1])
			if arr != "" {
				arr += "."
			}
			arr += segs[len(segs)-1]
			counts[arr]++
			current = arr + "[" + strconv.Itoa(counts[arr]-1) + "]"
			if _, ok := where[arr]; !ok {
				where[arr] = at
			}
			where[current] = at
		case trimmed[0] == '[':
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				continue
			}
			current = resolve(splitKey(trimmed[1:end]))
			where[current] = at
		default:
			eq := keyEnd(trimmed)
			if eq < 0 {
				continue
			}
			segs := splitKey(trimmed[:eq])
			path := current
			for _, s := range segs {
				if path != "" {
					path += "."
				}
				path += s
				if _, ok := where[path]; !ok {
					where[path] = at
				}
			}
			i = skipValue(lines, i, strings.TrimLeft(trimmed[eq+1:], " \t"))
		}
	}
	return where
}

// keyEnd returns the index of the '=' that ends the key of a key = value
// line, skipping quoted key parts, or -1.
func keyEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			j := strings.IndexByte(s[i+1:], s[i])
			if j < 0 {
				return -1
			}
			i += j + 1
		case '=':
			return i
		}
	}
	return -1
}

// splitKey splits a dotted key into its parts, unquoting quoted parts.
func splitKey(s string) []string {
	var segs []string
	s = strings.TrimSpace(s)
	for s != "" {
		var seg string
		switch s[0] {
		case '"', '\'':
			j := strings.IndexByte(s[1:], s[0])
			if j < 0 {
				return segs
			}
			seg = s[1 : j+1]
			if s[0] == '"' {
				if u, err := strconv.Unquote(s[:j+2]); err == nil {
					seg = u
				}
			}
			s = s[j+2:]
		default:
			j := strings.IndexByte(s, '.')
			if j < 0 {
				j = len(s)
			}
			seg = strings.TrimSpace(s[:j])
			s = s[j:]
		}
		segs = append(segs, seg)
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(s, ".")
		s = strings.TrimSpace(s)
	}
	return segs
}

// skipValue returns the index of the last line of a value that starts on
// line i with text v: multi-line strings and arrays or inline tables that
// are still open at the end of the line continue on the next ones.
func skipValue(lines []string, i int, v string) int {
	for _, q := range []string{`"""`, `'''`} {
		if strings.HasPrefix(v, q) {
			if strings.Contains(v[3:], q) {
				return i
			}
			for j := i + 1; j < len(lines); j++ {
				if strings.Contains(lines[j], q) {
					return j
				}
			}
			return len(lines) - 1
		}
	}
	depth := 0
	for j := i; j < len(lines); j++ {
		text := v
		if j > i {
			text = lines[j]
		}
		depth += bracketDepth(text)
		if depth <= 0 {
			return j
		}
	}
	return len(lines) - 1
}

// bracketDepth counts the brackets and braces that a line opens minus
// those it closes, outside strings and comments.
func bracketDepth(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '#':
			return depth
		case '"', '\'':
			j := strings.IndexByte(s[i+1:], s[i])
			for s[i] == '"' && j > 0 && s[i+j] == '\\' { // escaped quote
				k := strings.IndexByte(s[i+j+2:], '"')
				if k < 0 {
					return depth
				}
				j += k + 1
			}
			if j < 0 {
				return depth
			}
			i += j + 1
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
	}
	return depth
}

// Date is a calendar date, written in TOML as 2022-03-29 (a local date) or
// "2022-03-29".
type Date struct{ time.Time }

func (d Date) String() string { return d.Format("2006-01-02") }

// Duration is a length of time, written in TOML as a Go duration: "48h".
type Duration struct{ time.Duration }

var (
	typeDate     = reflect.TypeOf(Date{})
	typeDuration = reflect.TypeOf(Duration{})
)

// decode fills v (a pointer to a struct) from the tree, reporting unknown
// keys, wrong types, bad dates and durations, and missing required keys
// with their position. Struct fields name their key with a `toml:"name"`
// tag; ",required" marks a key that must be present.
func (d *tomlDoc) decode(v any, probs *errcode.List) {
	d.decodeValue("", d.tree, reflect.ValueOf(v).Elem(), probs)
}

func (d *tomlDoc) problem(probs *errcode.List, code errcode.Code, key, format string, args ...any) {
	*probs = append(*probs, errcode.Error{Pos: d.pos(key), Code: code, Field: key, Message: fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *tomlDoc) decodeValue(path string, val any, rv reflect.Value, probs *errcode.List) {
	switch rv.Type() {
	case typeDate:
		switch x := val.(type) {
		case time.Time:
			if x.Hour() != 0 || x.Minute() != 0 || x.Second() != 0 || x.Nanosecond() != 0 {
				d.problem(probs, CodeBadDate, path, "expected a date like 2022-03-29, got a date and time")
				return
			}
			rv.Set(reflect.ValueOf(Date{time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)}))
		case string:
			t, err := time.Parse("2006-01-02", x)
			if err != nil {
				d.problem(probs, CodeBadDate, path, "%q is not a date like 2022-03-29", x)
				return
			}
			rv.Set(reflect.ValueOf(Date{t}))
		default:
			d.problem(probs, CodeType, path, "expected a date like 2022-03-29, got %s", tomlType(val))
		}
		return
	case typeDuration:
		s, ok := val.(string)
		if !ok {
			d.problem(probs, CodeType, path, "expected a duration string like \"48h\", got %s", tomlType(val))
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil || dur < 0 {
			d.problem(probs, CodeBadValue, path, "%q is not a duration like \"48h\" or \"90m\"", s)
			return
		}
		rv.Set(reflect.ValueOf(Duration{dur}))
		return
	}
	switch rv.Kind() {
	case reflect.String:
		s, ok := val.(string)
		if !ok {
			d.problem(probs, CodeType, path, "expected a string, got %s", tomlType(val))
			return
		}
		rv.SetString(s)
	case reflect.Bool:
		b, ok := val.(bool)
		if !ok {
			d.problem(probs, CodeType, path, "expected true or false, got %s", tomlType(val))
			return
		}
		rv.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, ok := val.(int64)
		if !ok {
			d.problem(probs, CodeType, path, "expected an integer, got %s", tomlType(val))
			return
		}
		rv.SetInt(n)
	case reflect.Slice:
		var items []any
		switch x := val.(type) {
		case []any:
			items = x
		case []map[string]any:
			for _, m := range x {
				items = append(items, m)
			}
		default:
			what := "an array"
			if rv.Type().Elem().Kind() == reflect.Struct {
				what = "an array of tables ([[" + lastKey(path) + "]])"
			}
			d.problem(probs, CodeType, path, "expected %s, got %s", what, tomlType(val))
			return
		}
		out := reflect.MakeSlice(rv.Type(), len(items), len(items))
		for i, item := range items {
			d.decodeValue(path+"["+strconv.Itoa(i)+"]", item, out.Index(i), probs)
		}
		rv.Set(out)
	case reflect.Struct:
		m, ok := val.(map[string]any)
		if !ok {
			d.problem(probs, CodeType, path, "expected a table, got %s", tomlType(val))
			return
		}
		d.decodeStruct(path, m, rv, probs)
	case reflect.Map:
		// A table of free keys (the locales of a link): each value decoded
		// as the map's element type.
		m, ok := val.(map[string]any)
		if !ok || rv.Type().Key().Kind() != reflect.String {
			d.problem(probs, CodeType, path, "expected a table, got %s", tomlType(val))
			return
		}
		out := reflect.MakeMapWithSize(rv.Type(), len(m))
		for _, k := range sortedKeys(m) {
			ev := reflect.New(rv.Type().Elem()).Elem()
			d.decodeValue(join(path, k), m[k], ev, probs)
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		rv.Set(out)
	default:
		panic("prompts: no TOML decoding for " + rv.Type().String())
	}
}

func (d *tomlDoc) decodeStruct(path string, m map[string]any, rv reflect.Value, probs *errcode.List) {
	t := rv.Type()
	known := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("toml")
		if tag == "" || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		known[name] = true
		val, ok := m[name]
		if !ok {
			if opts == "required" {
				d.problem(probs, CodeMissingKey, join(path, name), "%s is required", name)
			}
			continue
		}
		d.decodeValue(join(path, name), val, rv.Field(i), probs)
	}
	for _, k := range sortedKeys(m) {
		if !known[k] {
			d.problem(probs, CodeUnknownKey, join(path, k), "unknown key %q (known: %s)", k, strings.Join(sortedKeys(known), ", "))
		}
	}
}

// lastKey returns the last part of a key path, without an index.
func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}

// tomlType names the TOML type of a decoded value, for messages.
func tomlType(v any) string {
	switch x := v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("%T", x)
	}
}

// DecodeTOML decodes a TOML file into v (a pointer to a struct whose
// fields name their keys with `toml:"name"` tags, ",required" for keys
// that must be present) the way the policy files are read: every syntax
// error, unknown key, wrong type, bad date or duration comes back as a
// problem with its file:line:col and key path. Other formats of the
// project (the simulator's journeys) use it so that their errors read
// alike. The second result locates key paths in the file.
func DecodeTOML(file string, data []byte, v any) (func(key string) errcode.Pos, errcode.List) {
	doc, p := parseTOML(file, data)
	if p != nil {
		return func(string) errcode.Pos { return p.Pos }, errcode.List{*p}
	}
	var probs errcode.List
	doc.decode(v, &probs)
	probs.Sort()
	return doc.pos, probs
}

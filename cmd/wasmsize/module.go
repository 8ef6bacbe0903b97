package main

import (
	"errors"
	"fmt"
	"strings"
)

// Module is what the size report needs of a WebAssembly binary: the size of
// each section, each defined function's body with its name, and the data
// segments. Only the binary format's framing is read; instructions are not
// decoded.
type Module struct {
	Size     int       // the whole file
	Sections []Section // in file order
	Imports  int       // imported functions, which come first in the function index space
	Funcs    []Func    // the defined functions, in index order (Imports + i)
	Data     []Segment // the data segments, in file order
	Named    bool      // the module has a "name" section with function names

	bin []byte
}

// Section is one section of the binary.
type Section struct {
	ID   byte
	Name string // "code", "data", ...; a custom section's own name as "custom:name"
	Size int    // its payload, without the id and size header
	At   int    // where it starts in the file, its id byte
	End  int    // where it ends
}

// Segment is a data segment: where it goes in linear memory (for the
// active segments Go writes) and its bytes, which alias the binary.
type Segment struct {
	Offset int
	Bytes  []byte
}

// Func is a defined function: its name from the name section (or
// "func[index]" without one) and the size of its body in the code section.
type Func struct {
	Name string
	Size int
}

var sectionNames = [...]string{"custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount", "tag"}

// Parse reads a WebAssembly binary.
func Parse(b []byte) (*Module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary")
	}
	if b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, fmt.Errorf("unsupported binary version % x", b[4:8])
	}
	m := &Module{Size: len(b), bin: b}
	names := map[int]string{}
	r := reader{b: b, i: 8}
	for r.i < len(b) {
		at := r.i
		id := r.byte()
		size := r.u32()
		if r.err != nil {
			break
		}
		if size > len(b)-r.i {
			return nil, fmt.Errorf("section %d at byte %d: size %d runs past the end", id, r.i, size)
		}
		body := reader{b: b[:r.i+size], i: r.i}
		r.i += size
		s := Section{ID: id, Size: size, Name: fmt.Sprintf("section%d", id), At: at, End: r.i}
		if int(id) < len(sectionNames) {
			s.Name = sectionNames[id]
		}
		switch id {
		case 0:
			name := body.name()
			s.Name = "custom:" + name
			if name == "name" {
				readNames(&body, names)
				m.Named = len(names) > 0
			}
		case 2:
			m.Imports = readImports(&body)
		case 10:
			for n := body.u32(); n > 0 && body.err == nil; n-- {
				l := body.u32()
				m.Funcs = append(m.Funcs, Func{Size: l})
				body.skip(l)
			}
		case 11:
			m.Data = readData(&body)
		}
		if body.err != nil {
			return nil, fmt.Errorf("%s section: %w", s.Name, body.err)
		}
		m.Sections = append(m.Sections, s)
	}
	if r.err != nil {
		return nil, r.err
	}
	for i := range m.Funcs {
		if n, ok := names[m.Imports+i]; ok {
			m.Funcs[i].Name = n
		} else {
			m.Funcs[i].Name = fmt.Sprintf("func[%d]", m.Imports+i)
		}
	}
	return m, nil
}

// readImports counts the imported functions.
func readImports(r *reader) int {
	funcs := 0
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		r.name()
		r.name()
		switch kind := r.byte(); kind {
		case 0: // function: type index
			r.u32()
			funcs++
		case 1: // table: reftype, limits
			r.byte()
			r.limits()
		case 2: // memory: limits
			r.limits()
		case 3: // global: valtype, mutability
			r.byte()
			r.byte()
		case 4: // tag: attribute, type index
			r.byte()
			r.u32()
		default:
			r.fail(fmt.Errorf("import kind %d", kind))
		}
	}
	return funcs
}

// readData reads the data segments. Go writes active segments of memory 0
// (flag 0, an i32.const offset expression); the other forms are read too,
// with offset -1 when it is not an i32.const.
func readData(r *reader) []Segment {
	var segs []Segment
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		offset := -1
		switch flag := r.u32(); flag {
		case 0:
			offset = r.constExpr()
		case 1:
		case 2:
			r.u32()
			offset = r.constExpr()
		default:
			r.fail(fmt.Errorf("data segment flag %d", flag))
		}
		l := r.u32()
		start := r.i
		r.skip(l)
		if r.err == nil {
			segs = append(segs, Segment{Offset: offset, Bytes: r.b[start:r.i:r.i]})
		}
	}
	return segs
}

// readNames reads the function names (subsection 1) of a name section.
func readNames(r *reader, names map[int]string) {
	for r.i < len(r.b) && r.err == nil {
		sub := r.byte()
		l := r.u32()
		end := r.i + l
		if r.err != nil || end > len(r.b) {
			r.fail(errors.New("name subsection runs past its section"))
			return
		}
		if sub == 1 {
			s := reader{b: r.b[:end], i: r.i}
			for n := s.u32(); n > 0 && s.err == nil; n-- {
				idx := s.u32()
				names[idx] = s.name()
			}
			if s.err != nil {
				r.fail(s.err)
			}
		}
		r.i = end
	}
}

// reader reads the binary format's primitives, remembering the first
// error; after one, every read returns zero.
type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.i = len(r.b)
}

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		r.fail(errors.New("unexpected end"))
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

// u32 reads an unsigned LEB128 of at most 32 bits.
func (r *reader) u32() int {
	var v uint64
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if v > 1<<32-1 {
				break
			}
			return int(v)
		}
	}
	r.fail(errors.New("bad unsigned LEB128"))
	return 0
}

func (r *reader) skip(n int) {
	if n > len(r.b)-r.i {
		r.fail(errors.New("unexpected end"))
		return
	}
	r.i += n
}

func (r *reader) name() string {
	l := r.u32()
	start := r.i
	r.skip(l)
	if r.err != nil {
		return ""
	}
	return strings.ToValidUTF8(string(r.b[start:r.i]), "\uFFFD")
}

func (r *reader) limits() {
	flag := r.byte()
	r.u32()
	if flag&1 != 0 {
		r.u32()
	}
}

// constExpr reads a constant expression up to its end opcode (0x0b) and
// returns its value if it is one i32.const, else -1. Data segment offsets
// are one i32.const (or global.get) and end.
func (r *reader) constExpr() int {
	v := -1
	for r.err == nil {
		switch op := r.byte(); op {
		case 0x0b:
			return v
		case 0x41: // i32.const: a signed LEB128
			var x int64
			shift := 0
			for r.err == nil {
				c := r.byte()
				x |= int64(c&0x7f) << shift
				shift += 7
				if c&0x80 == 0 {
					if shift < 64 && c&0x40 != 0 {
						x |= -1 << shift
					}
					break
				}
			}
			v = int(int32(x))
		case 0x23, 0x42: // global.get, i64.const
			for r.byte()&0x80 != 0 && r.err == nil {
			}
			v = -1
		default:
			r.fail(fmt.Errorf("opcode 0x%02x in a constant expression", op))
		}
	}
	return -1
}

// Strip returns the binary without its "name" section, as
// go build -ldflags=-s writes it.
func (m *Module) Strip() []byte {
	b := m.bin
	out := make([]byte, 0, len(b))
	prev := 0
	for _, s := range m.Sections {
		if s.Name == "custom:name" {
			out = append(out, b[prev:s.At]...)
			prev = s.End
		}
	}
	return append(out, b[prev:]...)
}

package pylist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/shmkit/shmkit/shm"
)

// A Type is the Python type of an item.
type Type int

// The types a ShareableList holds.
const (
	Int   Type = iota + 1 // int, stored as a signed 64-bit integer ("q")
	Float                 // float, a 64-bit IEEE 754 double ("d")
	Bool                  // bool, one byte at the end of the slot ("xxxxxxx?")
	Str                   // str, UTF-8 in a NUL-padded slot ("<n>s")
	Bytes                 // bytes, in a NUL-padded slot ("<n>s")
	None                  // None ("xxxxxx?x")
)

// String returns the Python name of the type: "int", "float", "bool",
// "str", "bytes" or "None".
func (t Type) String() string {
	switch t {
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case Str:
		return "str"
	case Bytes:
		return "bytes"
	case None:
		return "None"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Options configures Open and Create. A nil Options means the defaults.
type Options struct {
	// Layout is the CPython layout to assume; the zero value is
	// Layout39, what CPython 3.9 through 3.14 write. LayoutFor picks
	// it from a version.
	Layout Layout

	// ReadOnly maps the segment read-only (Open only): Set then fails
	// with ErrReadOnly.
	ReadOnly bool

	// AllowOtherUsers accepts a segment that another user owns or that
	// is writable by group or others (see shm.Options). Python makes
	// its segments 0600, so this is rarely needed.
	AllowOtherUsers bool
}

// A List is a mapped ShareableList.
//
// Its methods may be called from several goroutines, but, as in Python,
// nothing orders the reads and writes of an item against each other: see
// the package documentation. Close must not run while another goroutine
// still uses the List.
type List struct {
	name     string
	layout   Layout
	seg      *shm.Segment
	mem      []byte // the mapping; nil once closed
	g        *geometry
	readOnly bool
}

// Open maps the ShareableList that Python calls name (sl.shm.name, without
// the leading slash: "psm_1a2b3c4d", or the name given to ShareableList),
// the file /dev/shm/NAME; a name containing '/' is a file path (names are
// held to package shm's rules: letters, digits, '.', '_' and '-'). A
// missing segment fails with an error wrapping fs.ErrNotExist.
//
// Open reads the item count and the slots' offsets once, as Python does,
// and checks them against the file's size, failing with an error wrapping
// ErrCorrupt if they do not fit. An item's format and code, which any
// process may rewrite at any time, are read and checked each time the
// item is: a corrupt item fails alone, with ErrCorrupt, as in Python.
//
// The list is never unlinked by this package: the process that created it
// removes it (Python's sl.shm.unlink(), or shm.Remove).
func Open(name string, opts *Options) (*List, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if !o.Layout.valid() {
		return nil, opError("open", name, fmt.Errorf("unknown layout %d", int(o.Layout)))
	}
	seg, err := shm.OpenRaw(name, &shm.Options{ReadOnly: o.ReadOnly, AllowOtherUsers: o.AllowOtherUsers})
	if err != nil {
		if errors.Is(err, shm.ErrInvalidSize) { // an empty file
			return nil, fmt.Errorf("pylist: %w: %w", ErrCorrupt, err)
		}
		return nil, fmt.Errorf("pylist: %w", err)
	}
	l := &List{name: name, layout: o.Layout, seg: seg, mem: seg.Payload(), readOnly: o.ReadOnly}
	if l.g, err = parseGeometry(l.mem, o.Layout); err != nil {
		seg.Close()
		return nil, opError("open", name, err)
	}
	return l, nil
}

// Name returns the name the list was opened or created by.
func (l *List) Name() string { return l.name }

// Layout returns the layout the list was opened with.
func (l *List) Layout() Layout { return l.layout }

// Len returns the number of items, read once at Open: like Python's, a
// ShareableList never changes its length.
func (l *List) Len() int { return l.g.n }

// Close unmaps the list. It does not remove the segment. Close is
// idempotent; every other method fails with ErrClosed after it.
func (l *List) Close() error {
	if l.mem == nil {
		return nil
	}
	l.mem = nil
	if err := l.seg.Close(); err != nil {
		return fmt.Errorf("pylist: %w", err)
	}
	return nil
}

// check returns the error for an index out of range or a closed list.
func (l *List) check(i int) error {
	if l.mem == nil {
		return ErrClosed
	}
	if i < 0 || i >= l.g.n {
		return fmt.Errorf("%w: %d, length %d", ErrIndex, i, l.g.n)
	}
	return nil
}

// item reads and checks item i's format and code, which another process
// may change at any time, and returns its type and, for str and bytes, the
// n of its "<n>s" format.
func (l *List) item(i int) (Type, int, error) {
	var f [word]byte
	binary.NativeEndian.PutUint64(f[:], load64(l.mem, l.g.formats+i*word))
	code := int8(l.mem[l.g.codes+i])
	t, n, ok := parseFormat(f)
	if !ok {
		return 0, 0, fmt.Errorf("%w: format %q is none that ShareableList writes", ErrCorrupt, bytes.TrimRight(f[:], "\x00"))
	}
	_, size := l.g.slot(i)
	switch {
	case t == Str && n > size:
		return 0, 0, fmt.Errorf("%w: format %q is longer than the item's slot of %d bytes", ErrCorrupt, strFormat(n), size)
	case t == Str && code == codeStr:
		return Str, n, nil
	case t == Str && code == codeBytes:
		return Bytes, n, nil
	case t == None && code == codeNone:
		return None, 0, nil
	case (t == Int || t == Float || t == Bool) && code == codeValue:
		return t, 0, nil
	}
	return 0, 0, fmt.Errorf("%w: format %q with back-transform code %d", ErrCorrupt, bytes.TrimRight(f[:], "\x00"), code)
}

// Type returns the type of item i.
func (l *List) Type(i int) (Type, error) {
	if err := l.check(i); err != nil {
		return 0, itemError("type", l.name, i, err)
	}
	t, _, err := l.item(i)
	if err != nil {
		return 0, itemError("type", l.name, i, err)
	}
	return t, nil
}

// StructFormat returns item i's struct format, as Python's sl.format
// lists them: "q", "d", "xxxxxxx?" (bool), "xxxxxx?x" (None), or "<n>s"
// for a str or bytes in a slot of n bytes.
func (l *List) StructFormat(i int) (string, error) {
	if err := l.check(i); err != nil {
		return "", itemError("format", l.name, i, err)
	}
	t, n, err := l.item(i)
	if err != nil {
		return "", itemError("format", l.name, i, err)
	}
	switch t {
	case Int:
		return formatInt, nil
	case Float:
		return formatFloat, nil
	case Bool:
		return formatBool, nil
	case None:
		return formatNone, nil
	}
	return strFormat(n), nil
}

// Cap returns the size of item i's slot: the longest str (in UTF-8 bytes)
// or bytes that Set can store there. It is fixed when the list is created:
// 8 for an int, float, bool or None, and for a str or bytes of k bytes
// the next multiple of 8 above k (CPython counts a str's code points, not
// its bytes).
func (l *List) Cap(i int) (int, error) {
	if err := l.check(i); err != nil {
		return 0, itemError("cap", l.name, i, err)
	}
	_, size := l.g.slot(i)
	return size, nil
}

// Get returns item i as Python would read it: an int64, float64, bool,
// string, []byte (a copy) or nil for None. A str or bytes comes back
// without its trailing NUL bytes, which Python strips too.
func (l *List) Get(i int) (any, error) {
	if err := l.check(i); err != nil {
		return nil, itemError("get", l.name, i, err)
	}
	t, n, err := l.item(i)
	if err != nil {
		return nil, itemError("get", l.name, i, err)
	}
	v, err := l.value(i, t, n)
	if err != nil {
		return nil, itemError("get", l.name, i, err)
	}
	return v, nil
}

// value reads item i, of type t and format n, from its slot.
func (l *List) value(i int, t Type, n int) (any, error) {
	off, _ := l.g.slot(i)
	switch t {
	case Int:
		return int64(load64(l.mem, off)), nil
	case Float:
		return math.Float64frombits(load64(l.mem, off)), nil
	case Bool:
		return l.mem[off+word-1] != 0, nil
	case None:
		return nil, nil
	}
	b := bytes.TrimRight(l.mem[off:off+n], "\x00")
	if t == Bytes {
		return bytes.Clone(b), nil
	}
	s := string(b) // a copy first: the bytes may change under the check
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: str is not valid UTF-8, and Python's read raises UnicodeDecodeError (a str of multi-byte characters outgrew the slot CPython sized by its code points, and was cut)", ErrCorrupt)
	}
	return s, nil
}

// get reads item i, which must be of type want.
func (l *List) get(op string, i int, want Type) (any, error) {
	if err := l.check(i); err != nil {
		return nil, itemError(op, l.name, i, err)
	}
	t, n, err := l.item(i)
	if err != nil {
		return nil, itemError(op, l.name, i, err)
	}
	if t != want {
		return nil, itemError(op, l.name, i, fmt.Errorf("%w: item is %s, not %s", ErrType, t, want))
	}
	v, err := l.value(i, t, n)
	if err != nil {
		return nil, itemError(op, l.name, i, err)
	}
	return v, nil
}

// Int returns item i, which must be an int.
func (l *List) Int(i int) (int64, error) {
	v, err := l.get("int", i, Int)
	if err != nil {
		return 0, err
	}
	return v.(int64), nil
}

// Float returns item i, which must be a float.
func (l *List) Float(i int) (float64, error) {
	v, err := l.get("float", i, Float)
	if err != nil {
		return 0, err
	}
	return v.(float64), nil
}

// Bool returns item i, which must be a bool.
func (l *List) Bool(i int) (bool, error) {
	v, err := l.get("bool", i, Bool)
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

// String returns item i, which must be a str.
func (l *List) String(i int) (string, error) {
	v, err := l.get("str", i, Str)
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// Bytes returns a copy of item i, which must be a bytes.
func (l *List) Bytes(i int) ([]byte, error) {
	v, err := l.get("bytes", i, Bytes)
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// IsNone reports whether item i is None.
func (l *List) IsNone(i int) (bool, error) {
	t, err := l.Type(i)
	return t == None, err
}

// Set stores v as item i in place, as Python's sl[i] = v does. v is nil
// (None), a bool, an integer type (stored as int64; an unsigned value
// above math.MaxInt64 fails with ErrType, as Python's struct.error), a
// float32 or float64 (stored as float64), a string (str: its UTF-8 bytes)
// or a []byte (bytes); any other type fails with ErrType.
//
// As in Python, any item may take a value of any type: the slot keeps the
// size it was given when the list was created, and a str or bytes must
// fit it (Cap), or Set fails with ErrTooLong and writes nothing. A str or
// bytes shorter than the slot is padded with NULs, so trailing NULs of
// its own are lost on the next read, as in Python. Set writes, in
// Python's order, the format, the back-transform code and then the value;
// it checks everything before it writes anything (a failed assignment in
// Python may leave the new format over a zeroed slot). It does not read
// the item's current format: it rewrites the whole item, so it also
// repairs one that a faulty writer left corrupt (where Python's
// __setitem__ can fail on the old format).
func (l *List) Set(i int, v any) error {
	t, w, b, err := encode(v)
	if err != nil {
		return itemError("set", l.name, i, err)
	}
	return l.set("set", i, t, w, b)
}

// SetInt stores the int v as item i; see Set.
func (l *List) SetInt(i int, v int64) error { return l.set("set", i, Int, uint64(v), nil) }

// SetFloat stores the float v as item i; see Set.
func (l *List) SetFloat(i int, v float64) error {
	return l.set("set", i, Float, math.Float64bits(v), nil)
}

// SetBool stores the bool v as item i; see Set.
func (l *List) SetBool(i int, v bool) error { return l.set("set", i, Bool, boolWord(v), nil) }

// SetString stores the str v as item i; see Set.
func (l *List) SetString(i int, v string) error { return l.set("set", i, Str, 0, []byte(v)) }

// SetBytes stores the bytes v as item i; see Set.
func (l *List) SetBytes(i int, v []byte) error { return l.set("set", i, Bytes, 0, v) }

// SetNone stores None as item i; see Set.
func (l *List) SetNone(i int) error { return l.set("set", i, None, 0, nil) }

// set writes item i: for a number, bool or None the 8-byte word w, for a
// str or bytes the bytes b.
func (l *List) set(op string, i int, t Type, w uint64, b []byte) error {
	if err := l.check(i); err != nil {
		return itemError(op, l.name, i, err)
	}
	if l.readOnly {
		return itemError(op, l.name, i, ErrReadOnly)
	}
	off, size := l.g.slot(i)
	var format string
	var code byte
	switch t {
	case Int:
		format, code = formatInt, codeValue
	case Float:
		format, code = formatFloat, codeValue
	case Bool:
		format, code = formatBool, codeValue
	case None:
		format, code = formatNone, codeNone
	case Str, Bytes:
		if len(b) > size {
			return itemError(op, l.name, i, fmt.Errorf("%w: %s of %d bytes, slot of %d", ErrTooLong, t, len(b), size))
		}
		// __setitem__ keeps a "<n>s" format and writes "<slot>s" over
		// any other; CPython's n is always the slot's size, so writing
		// that is the same, and never cuts a value that fits.
		format, code = strFormat(size), codeStr
		if t == Bytes {
			code = codeBytes
		}
	}
	f := formatWord(format)
	store64(l.mem, l.g.formats+i*word, binary.NativeEndian.Uint64(f[:]))
	l.mem[l.g.codes+i] = code
	if t == Str || t == Bytes {
		slot := l.mem[off : off+size]
		clear(slot[copy(slot, b):])
	} else {
		store64(l.mem, off, w)
	}
	return nil
}

// boolWord is the slot of a bool as struct packs "xxxxxxx?": seven zero
// bytes and the bool.
func boolWord(v bool) uint64 {
	var s [word]byte
	if v {
		s[word-1] = 1
	}
	return binary.NativeEndian.Uint64(s[:])
}

// encode classifies a Go value as the item it stores: its type and, for a
// number, bool or None, its 8-byte slot word, or, for a str or bytes, its
// bytes.
func encode(v any) (Type, uint64, []byte, error) {
	switch x := v.(type) {
	case nil:
		return None, 0, nil, nil
	case bool:
		return Bool, boolWord(x), nil, nil
	case int:
		return Int, uint64(int64(x)), nil, nil
	case int8:
		return Int, uint64(int64(x)), nil, nil
	case int16:
		return Int, uint64(int64(x)), nil, nil
	case int32:
		return Int, uint64(int64(x)), nil, nil
	case int64:
		return Int, uint64(x), nil, nil
	case uint, uint8, uint16, uint32, uint64, uintptr:
		u := toUint64(x)
		if u > math.MaxInt64 {
			return 0, 0, nil, fmt.Errorf("%w: %T %d is out of the range of int (struct format \"q\")", ErrType, v, u)
		}
		return Int, u, nil, nil
	case float32:
		return Float, math.Float64bits(float64(x)), nil, nil
	case float64:
		return Float, math.Float64bits(x), nil, nil
	case string:
		return Str, 0, []byte(x), nil
	case []byte:
		return Bytes, 0, x, nil
	}
	return 0, 0, nil, fmt.Errorf("%w: %T has no ShareableList type (int, float, bool, str, bytes or None)", ErrType, v)
}

func toUint64(v any) uint64 {
	switch x := v.(type) {
	case uint:
		return uint64(x)
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	case uintptr:
		return uint64(x)
	}
	return 0
}

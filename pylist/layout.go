package pylist

import (
	"bytes"
	"fmt"
)

// A Layout is the byte layout of a ShareableList as one range of CPython
// versions writes it. The zero Layout is Layout39, what CPython 3.9
// through 3.14 write.
type Layout int

const (
	// Layout39 is the layout of CPython 3.9 through 3.14: after the
	// item count, N+1 running offsets of the items' slots, and the data
	// at byte 8(N+2).
	Layout39 Layout = iota

	// Layout38 is the layout of CPython 3.8: after the item count, the N
	// sizes of the items' slots, and the data at byte 8(N+1).
	Layout38
)

// String returns the CPython versions that use the layout.
func (l Layout) String() string {
	switch l {
	case Layout39:
		return "CPython 3.9-3.14"
	case Layout38:
		return "CPython 3.8"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// header returns the number of words before the data area besides the N
// offsets or sizes: the count, and in Layout39 the trailing offset.
func (l Layout) header() int {
	if l == Layout38 {
		return 1
	}
	return 2
}

func (l Layout) valid() bool { return l == Layout39 || l == Layout38 }

// LayoutFor returns the layout that CPython major.minor writes, or an
// error wrapping ErrVersion for a version this package was not checked
// against (before 3.8, which has no ShareableList, or after 3.14).
func LayoutFor(major, minor int) (Layout, error) {
	switch {
	case major == 3 && minor == 8:
		return Layout38, nil
	case major == 3 && 9 <= minor && minor <= 14:
		return Layout39, nil
	}
	return 0, fmt.Errorf("pylist: %w: %d.%d (known: 3.8 to 3.14)", ErrVersion, major, minor)
}

// Limits of the layout.
const (
	word = 8 // every number, offset and format string takes 8 bytes

	// maxSlot is the largest slot whose struct format ("9999999s") fits
	// the 8 bytes a format has; CPython asserts it when it creates a list.
	maxSlot = 9_999_999

	// minItem is the fewest bytes an item takes: its offset or size, a
	// slot of 8, its format and its code.
	minItem = word + word + word + 1
)

// The back-transform codes, which say how Python turns what struct
// unpacks into the item.
const (
	codeValue = 0 // int, float, bool: the unpacked value itself
	codeStr   = 1 // bytes, NULs stripped on the right, decoded as UTF-8
	codeBytes = 2 // bytes, NULs stripped on the right
	codeNone  = 3 // None, whatever was unpacked
)

// The fixed struct formats. str and bytes are "<slot size>s".
const (
	formatInt   = "q"
	formatFloat = "d"
	formatBool  = "xxxxxxx?" // the bool in the slot's last byte
	formatNone  = "xxxxxx?x" // a False in byte 6: Python unpacks and drops it
)

var shmkitMagic = []byte("SHMKIT\x00\x00")

// geometry is where a list's parts are, validated against the mapping
// and kept privately: like Python, the package reads the count and the
// offsets once, at open.
type geometry struct {
	n       int
	offsets []int // n+1 running offsets of the slots in the data area
	data    int   // byte offset of the data area
	formats int   // byte offset of the formats, 8 bytes per item
	codes   int   // byte offset of the codes, 1 byte per item
}

func (g *geometry) slot(i int) (off, size int) {
	return g.data + g.offsets[i], g.offsets[i+1] - g.offsets[i]
}

// parseGeometry reads and checks the count and the offsets (or sizes) of
// the list in b. It trusts nothing: every count and offset is checked
// against len(b) before it is used.
func parseGeometry(b []byte, l Layout) (*geometry, error) {
	hw := l.header()
	if len(b) < hw*word {
		return nil, fmt.Errorf("%w: file is %d bytes; a %s list takes at least %d", ErrCorrupt, len(b), l, hw*word)
	}
	if bytes.HasPrefix(b, shmkitMagic) {
		return nil, fmt.Errorf("%w: it is a shmkit segment, with a header (open it with shm.Open)", ErrCorrupt)
	}
	count := int64(load64(b, 0))
	if count < 0 || count > int64((len(b)-hw*word)/minItem) {
		return nil, fmt.Errorf("%w: item count %d does not fit in a file of %d bytes", ErrCorrupt, count, len(b))
	}
	n := int(count)
	g := &geometry{n: n, offsets: make([]int, n+1), data: (n + hw) * word}
	// The data area may take what is left after the header and the
	// formats and codes: at least 8n by the count check above.
	avail := uint64(len(b) - g.data - (word+1)*n)
	switch l {
	case Layout39:
		if first := load64(b, word); first != 0 {
			return nil, fmt.Errorf("%w: the first item's offset is %d, not 0", ErrCorrupt, first)
		}
		for i := 1; i <= n; i++ {
			off := load64(b, word+i*word)
			prev := uint64(g.offsets[i-1])
			if off < prev || off > avail {
				return nil, fmt.Errorf("%w: item %d ends at offset %d, outside %d to %d", ErrCorrupt, i-1, off, prev, avail)
			}
			if err := checkSlot(i-1, off-prev); err != nil {
				return nil, err
			}
			g.offsets[i] = int(off)
		}
	case Layout38:
		for i := range n {
			size := load64(b, word+i*word)
			if err := checkSlot(i, size); err != nil {
				return nil, err
			}
			if size > avail-uint64(g.offsets[i]) {
				return nil, fmt.Errorf("%w: item %d's slot of %d bytes ends past the file's %d bytes", ErrCorrupt, i, size, len(b))
			}
			g.offsets[i+1] = g.offsets[i] + int(size)
		}
	default:
		return nil, fmt.Errorf("pylist: unknown layout %d", int(l))
	}
	g.formats = g.data + g.offsets[n]
	g.codes = g.formats + word*n
	return g, nil
}

// checkSlot checks the size of item i's slot: CPython gives a number 8
// bytes and a str or bytes a multiple of 8, below maxSlot.
func checkSlot(i int, size uint64) error {
	if size < word || size%word != 0 || size > maxSlot {
		return fmt.Errorf("%w: item %d has a slot of %d bytes; CPython allocates multiples of 8 from 8 to %d", ErrCorrupt, i, size, maxSlot)
	}
	return nil
}

// parseFormat decodes an item's 8 format bytes, as Python does (NULs
// stripped on the right) but accepting only the formats ShareableList
// writes: it returns the type the format can hold (Str standing for both
// str and bytes, None for the None format) and, for "<n>s", n.
func parseFormat(f [word]byte) (Type, int, bool) {
	k := bytes.IndexByte(f[:], 0)
	if k < 0 {
		k = word
	}
	for _, c := range f[k:] {
		if c != 0 {
			return 0, 0, false // a NUL inside the format: struct refuses it
		}
	}
	switch string(f[:k]) {
	case formatInt:
		return Int, word, true
	case formatFloat:
		return Float, word, true
	case formatBool:
		return Bool, word, true
	case formatNone:
		return None, word, true
	}
	if k < 2 || f[k-1] != 's' || (f[0] == '0' && k > 2) {
		return 0, 0, false
	}
	n := 0
	for _, c := range f[:k-1] {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		n = n*10 + int(c-'0')
	}
	return Str, n, true
}

// formatWord returns the 8 format bytes of s, NUL-padded, as the word
// load64 would read.
func formatWord(s string) [word]byte {
	var f [word]byte
	copy(f[:], s)
	return f
}

// strFormat returns the struct format of a str or bytes slot of size
// bytes: "<size>s", as __setitem__ writes it.
func strFormat(size int) string { return fmt.Sprintf("%ds", size) }

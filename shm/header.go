package shm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"
	"unicode/utf8"
)

// The header page, as docs/FORMAT.md describes it. All integers are
// little-endian. header_test.go checks this table against the document.
const (
	HeaderSize = 4096 // bytes before the payload; the payload offset

	LayoutVersion = 1 // the header layout this build writes and reads

	// MaxPayloadSize bounds a segment's payload (1 TiB): anything larger is
	// a corrupt header or a caller's mistake, not a plan.
	MaxPayloadSize = 1 << 40

	// MaxKindLen and MaxTypeNameLen are the longest kind and element type
	// names the header holds.
	MaxKindLen     = 16
	MaxTypeNameLen = 128

	offMagic         = 0x000
	offVersion       = 0x008
	offHeaderSize    = 0x00C
	offPayloadSize   = 0x010
	offFlags         = 0x018
	offKindVersion   = 0x01C
	offKind          = 0x020
	offCreatorPID    = 0x030
	offCreatorUID    = 0x034
	offCreatorStart  = 0x038
	offBootID        = 0x040
	offCreatedAt     = 0x050
	offElemSize      = 0x058
	offElemAlign     = 0x060
	offElemCount     = 0x068
	offElemFinger    = 0x070
	offElemType      = 0x078
	offChecksum      = 0x0F8
	offReady         = 0x0FC
	checksummedBytes = offChecksum // checksum covers [0, offChecksum)

	// readyValue is stored in the ready word once initialization is done:
	// "REDY" in little-endian ASCII, so that a stray bit flip of 0 does not
	// read as ready.
	readyValue = 0x59444552
)

// magic opens every shmkit segment.
var magic = [8]byte{'S', 'H', 'M', 'K', 'I', 'T', 0, 0}

// headerField names one field of the header page for docs/FORMAT.md.
type headerField struct {
	name      string
	off, size int
}

var headerFields = []headerField{
	{"magic", offMagic, 8},
	{"layout_version", offVersion, 4},
	{"header_size", offHeaderSize, 4},
	{"payload_size", offPayloadSize, 8},
	{"flags", offFlags, 4},
	{"kind_version", offKindVersion, 4},
	{"kind", offKind, MaxKindLen},
	{"creator_pid", offCreatorPID, 4},
	{"creator_uid", offCreatorUID, 4},
	{"creator_start", offCreatorStart, 8},
	{"boot_id", offBootID, 16},
	{"created_at", offCreatedAt, 8},
	{"elem_size", offElemSize, 8},
	{"elem_align", offElemAlign, 8},
	{"elem_count", offElemCount, 8},
	{"elem_fingerprint", offElemFinger, 8},
	{"elem_type", offElemType, MaxTypeNameLen},
	{"checksum", offChecksum, 4},
	{"ready", offReady, 4},
	{"reserved", offReady + 4, HeaderSize - offReady - 4},
}

// TypeDesc describes the elements a segment's payload holds. Value and
// array segments fill it; a raw segment leaves it zero.
type TypeDesc struct {
	Name        string // Go type name, e.g. "float64" or "main.Point"
	Size        uint64 // bytes per element
	Align       uint64 // required alignment, a power of two
	Count       uint64 // number of elements
	Fingerprint uint64 // hash of the type's layout
}

// IsZero reports whether d describes nothing.
func (d TypeDesc) IsZero() bool { return d == TypeDesc{} }

// Header is a validated copy of a segment's header page, in private memory.
type Header struct {
	LayoutVersion uint32
	Kind          string // "raw", "mutex", "ring", ...
	KindVersion   uint32 // layout version of the kind's payload
	Flags         uint32
	PayloadOffset int // always HeaderSize in this layout
	PayloadSize   int
	CreatorPID    int
	CreatorUID    uint32
	CreatorStart  uint64   // creator's start time, clock ticks since boot
	BootID        [16]byte // kernel boot the creator ran in
	CreatedAt     time.Time
	Elem          TypeDesc
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodeHeader writes h into the first HeaderSize bytes of b, checksum
// included, with the ready word left at zero.
func encodeHeader(b []byte, h *Header) {
	b = b[:HeaderSize]
	clear(b)
	le := binary.LittleEndian
	copy(b[offMagic:], magic[:])
	le.PutUint32(b[offVersion:], LayoutVersion)
	le.PutUint32(b[offHeaderSize:], HeaderSize)
	le.PutUint64(b[offPayloadSize:], uint64(h.PayloadSize))
	le.PutUint32(b[offFlags:], h.Flags)
	le.PutUint32(b[offKindVersion:], h.KindVersion)
	copy(b[offKind:offKind+MaxKindLen], h.Kind)
	le.PutUint32(b[offCreatorPID:], uint32(h.CreatorPID))
	le.PutUint32(b[offCreatorUID:], h.CreatorUID)
	le.PutUint64(b[offCreatorStart:], h.CreatorStart)
	copy(b[offBootID:], h.BootID[:])
	le.PutUint64(b[offCreatedAt:], uint64(h.CreatedAt.UnixNano()))
	le.PutUint64(b[offElemSize:], h.Elem.Size)
	le.PutUint64(b[offElemAlign:], h.Elem.Align)
	le.PutUint64(b[offElemCount:], h.Elem.Count)
	le.PutUint64(b[offElemFinger:], h.Elem.Fingerprint)
	copy(b[offElemType:offElemType+MaxTypeNameLen], h.Elem.Name)
	le.PutUint32(b[offChecksum:], crc32.Checksum(b[:checksummedBytes], castagnoli))
}

// parseHeader validates b, the first bytes of a segment, in the order
// magic, layout version, checksum, ready, then field values, and returns
// the decoded header. b may be short or hostile.
//
// A creator links a segment's name only after its header is complete, so
// a file without the magic is not a shmkit segment, and a bad checksum is
// corruption, never work in progress. Only the ready word can lag.
func parseHeader(b []byte) (*Header, error) {
	if err := checkMagic(b); err != nil {
		return nil, err
	}
	if len(b) < HeaderSize {
		return nil, fmt.Errorf("%w: file is %d bytes, shorter than the %d-byte header", ErrCorrupt, len(b), HeaderSize)
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[offVersion:]); v != LayoutVersion {
		if v > LayoutVersion {
			return nil, fmt.Errorf("%w: layout version %d is newer than this build's %d", ErrIncompatible, v, LayoutVersion)
		}
		return nil, fmt.Errorf("%w: unknown layout version %d", ErrCorrupt, v)
	}
	if got, want := crc32.Checksum(b[:checksummedBytes], castagnoli), le.Uint32(b[offChecksum:]); got != want {
		return nil, fmt.Errorf("%w: header checksum %#08x, computed %#08x", ErrCorrupt, want, got)
	}
	switch ready := le.Uint32(b[offReady:]); ready {
	case readyValue:
	case 0:
		return nil, fmt.Errorf("%w: its creator has not published it (still at work, or died)", ErrNotReady)
	default:
		return nil, fmt.Errorf("%w: ready word %#08x", ErrCorrupt, ready)
	}
	h := &Header{
		LayoutVersion: LayoutVersion,
		KindVersion:   le.Uint32(b[offKindVersion:]),
		Flags:         le.Uint32(b[offFlags:]),
		PayloadOffset: int(le.Uint32(b[offHeaderSize:])),
		CreatorPID:    int(le.Uint32(b[offCreatorPID:])),
		CreatorUID:    le.Uint32(b[offCreatorUID:]),
		CreatorStart:  le.Uint64(b[offCreatorStart:]),
		CreatedAt:     time.Unix(0, int64(le.Uint64(b[offCreatedAt:]))),
		Elem: TypeDesc{
			Size:        le.Uint64(b[offElemSize:]),
			Align:       le.Uint64(b[offElemAlign:]),
			Count:       le.Uint64(b[offElemCount:]),
			Fingerprint: le.Uint64(b[offElemFinger:]),
		},
	}
	copy(h.BootID[:], b[offBootID:])
	var err error
	if h.Kind, err = cString(b[offKind : offKind+MaxKindLen]); err != nil {
		return nil, fmt.Errorf("%w: kind: %w", ErrCorrupt, err)
	}
	if h.Elem.Name, err = cString(b[offElemType : offElemType+MaxTypeNameLen]); err != nil {
		return nil, fmt.Errorf("%w: elem_type: %w", ErrCorrupt, err)
	}
	size := le.Uint64(b[offPayloadSize:])
	if size == 0 || size > MaxPayloadSize {
		return nil, fmt.Errorf("%w: payload size %d", ErrCorrupt, size)
	}
	h.PayloadSize = int(size)
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// checkMagic tells whether b, a file's first bytes, starts with the
// magic.
func checkMagic(b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("%w: %w: file is empty", ErrCorrupt, ErrBadMagic)
	}
	if head := b[:min(len(b), len(magic))]; !bytes.Equal(head, magic[:len(head)]) || len(b) < len(magic) {
		return fmt.Errorf("%w: %w: starts with %q", ErrCorrupt, ErrBadMagic, head)
	}
	return nil
}

// check validates field values a checksum cannot vouch for: a peer that
// can write the segment can also recompute the checksum.
func (h *Header) check() error {
	switch {
	case h.PayloadOffset != HeaderSize:
		return fmt.Errorf("%w: header size %d, want %d", ErrCorrupt, h.PayloadOffset, HeaderSize)
	case h.Flags != 0:
		return fmt.Errorf("%w: unknown flags %#x", ErrIncompatible, h.Flags)
	case checkKind(h.Kind) != nil:
		return fmt.Errorf("%w: %w", ErrCorrupt, checkKind(h.Kind))
	}
	e := h.Elem
	if e.Align != 0 && e.Align&(e.Align-1) != 0 {
		return fmt.Errorf("%w: element alignment %d is not a power of two", ErrCorrupt, e.Align)
	}
	if e.Size != 0 && e.Count > uint64(h.PayloadSize)/e.Size {
		return fmt.Errorf("%w: %d elements of %d bytes overflow a %d-byte payload", ErrCorrupt, e.Count, e.Size, h.PayloadSize)
	}
	return nil
}

// checkKind accepts 1 to MaxKindLen bytes of [a-z0-9-].
func checkKind(kind string) error {
	if kind == "" || len(kind) > MaxKindLen {
		return fmt.Errorf("kind %q must be 1 to %d bytes", kind, MaxKindLen)
	}
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Errorf("kind %q: only a-z, 0-9 and '-' are allowed", kind)
		}
	}
	return nil
}

// cString decodes a NUL-padded UTF-8 field.
func cString(b []byte) (string, error) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		if !allZero(b[i:]) {
			return "", fmt.Errorf("bytes after the terminating NUL")
		}
		b = b[:i]
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("not UTF-8")
	}
	return string(b), nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

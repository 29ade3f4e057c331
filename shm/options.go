package shm

import (
	"fmt"
	"io/fs"
	"time"
)

// Options configures Create, Open, OpenOrCreate and OpenRaw. A nil or zero
// Options means the defaults. Fields say which calls read them.
type Options struct {
	// Kind names what the payload holds ("raw" when empty): 1 to 16 bytes
	// of a-z, 0-9 and '-'. Create records it; Open, when it is set,
	// refuses a segment of another kind with ErrIncompatible.
	Kind string

	// KindVersion is the layout version of the kind's payload. Create
	// records it; Open, when it is non-zero, requires it.
	KindVersion uint32

	// Elem describes the payload's elements. Create records it; Open, when
	// it is non-zero, requires the same name, size, alignment and
	// fingerprint (and count, if non-zero) or fails with ErrTypeMismatch.
	Elem TypeDesc

	// Mode is the permission of a new segment (Create), set with fchmod so
	// that the umask does not matter. The default is 0600. It must
	// include 0600: the creator writes the header. A mode that lets group
	// or others write (0660, 0666) needs AllowOtherUsers, at Create as at
	// Open, which refuses such a file without it.
	Mode fs.FileMode

	// Init, if set, runs in the creator after the header is written and
	// before the segment is published as ready, so that openers never see
	// a payload before it is initialized. It gets the new segment, whose
	// payload it fills (through View, or Payload).
	Init func(seg *Segment) error

	// ReadOnly maps the segment with PROT_READ from a file opened
	// O_RDONLY (Open, OpenRaw): for observers, which must not write.
	ReadOnly bool

	// AllowOtherUsers lets Open and OpenRaw accept a file that another
	// user owns or that is writable by group or others, and Create make
	// one writable by group or others. By default such a
	// file is refused with ErrPermission: whoever can write it can feed
	// this process hostile bytes.
	AllowOtherUsers bool

	// Prefault populates the page tables at open or create, so that the
	// first touch of each page does not take a page fault on a hot path.
	Prefault bool

	// Lock pins the mapping in RAM with mlock(2), so that it is never
	// swapped. It needs RLIMIT_MEMLOCK (ulimit -l) to cover the segment.
	Lock bool

	// RemoveOnClose makes the creator's Close remove the segment's name
	// (Create, and OpenOrCreate when it creates), as Python's
	// SharedMemory.unlink() does: the segment lives as long as its
	// creator's handle. Processes that have it open keep their mapping
	// until they close it; a name taken meanwhile by another file is left
	// alone. Without it the name stays until Remove, shmtool rm, or (for a
	// dead creator's unpublished segment) shmtool gc.
	RemoveOnClose bool

	// Timeout bounds how long Open waits for another process to finish
	// initializing the segment. The default is 2 seconds.
	Timeout time.Duration
}

const defaultTimeout = 2 * time.Second

// withDefaults returns a copy of o with defaults filled in.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Kind == "" {
		c.Kind = "raw"
	}
	if c.Mode == 0 {
		c.Mode = 0o600
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	return c
}

// checkCreate validates what Create will write.
func (o *Options) checkCreate(size int) error {
	if size <= 0 || size > MaxPayloadSize {
		return fmt.Errorf("%w: %d bytes; want 1 to %d", ErrInvalidSize, size, MaxPayloadSize)
	}
	if err := checkKind(o.Kind); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	if o.Mode&^fs.ModePerm != 0 || o.Mode&0o600 != 0o600 {
		return fmt.Errorf("%w: mode %04o must be permission bits including 0600", ErrInvalidOptions, uint32(o.Mode))
	}
	if o.Mode&0o022 != 0 && !o.AllowOtherUsers {
		// Open refuses a file that others can write (they could feed it
		// hostile bytes): refuse to make one that nobody could open.
		return fmt.Errorf("%w: mode %04o lets group or others write the segment, which Open then refuses; set Options.AllowOtherUsers in the creator and in every opener to share it so", ErrInvalidOptions, uint32(o.Mode))
	}
	e := o.Elem
	switch {
	case len(e.Name) > MaxTypeNameLen:
		return fmt.Errorf("%w: type name %q is longer than %d bytes", ErrInvalidOptions, e.Name, MaxTypeNameLen)
	case e.Align&(e.Align-1) != 0:
		return fmt.Errorf("%w: element alignment %d is not a power of two", ErrInvalidOptions, e.Align)
	case e.Size != 0 && e.Count > uint64(size)/e.Size:
		return fmt.Errorf("%w: %d elements of %d bytes do not fit %d payload bytes", ErrInvalidOptions, e.Count, e.Size, size)
	}
	return nil
}

// expect checks a validated header against what the opener asked for.
func (o *Options) expect(h *Header) error {
	if o.Kind != "" && o.Kind != h.Kind {
		return fmt.Errorf("%w: kind is %q, want %q", ErrIncompatible, h.Kind, o.Kind)
	}
	if o.KindVersion != 0 && o.KindVersion != h.KindVersion {
		return fmt.Errorf("%w: %s version %d, want %d", ErrIncompatible, h.Kind, h.KindVersion, o.KindVersion)
	}
	want, got := o.Elem, h.Elem
	if want.IsZero() {
		return nil
	}
	if want.Count == 0 {
		want.Count = got.Count
	}
	if want != got {
		return fmt.Errorf("%w: segment holds %s (size %d, align %d, count %d, fingerprint %#x), want %s (size %d, align %d, count %d, fingerprint %#x)",
			ErrTypeMismatch, got.Name, got.Size, got.Align, got.Count, got.Fingerprint,
			want.Name, want.Size, want.Align, want.Count, want.Fingerprint)
	}
	return nil
}

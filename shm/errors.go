package shm

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
)

// Errors returned by this package, always wrapped with the operation and the
// segment's name ("shm: open orders: ..."). Test for them with [errors.Is].
var (
	// ErrNotExist is returned when no segment has the name. It is
	// [fs.ErrNotExist], so os.IsNotExist-style checks work too.
	ErrNotExist = fs.ErrNotExist

	// ErrExist is returned by Create when the name is taken. It is
	// [fs.ErrExist].
	ErrExist = fs.ErrExist

	// ErrPermission is returned when the file belongs to another user or is
	// writable by others and Options.AllowOtherUsers is not set, or when the
	// operating system refuses access. It is [fs.ErrPermission].
	ErrPermission = fs.ErrPermission

	// ErrNotReady is returned when the segment exists but its creator has
	// not finished initializing it: it is still at work, or it died. Open
	// again later; OpenOrCreate recovers a segment whose creator died.
	ErrNotReady = errors.New("segment not ready")

	// ErrCorrupt is returned when the header fails validation: wrong
	// magic, bad checksum, impossible field values, or a file size that
	// disagrees with the header.
	ErrCorrupt = errors.New("segment corrupt")

	// ErrTruncated is returned by Segment.Check, and by the waits of the
	// primitives that call it, when the file has become smaller than the
	// mapping: another process truncated it, and touching the lost pages
	// would raise SIGBUS. It wraps ErrCorrupt.
	ErrTruncated = fmt.Errorf("%w: truncated while mapped", ErrCorrupt)

	// ErrBadMagic accompanies ErrCorrupt when the file does not start with
	// the shmkit magic, as for segments made by other programs (map those
	// with OpenRaw) and shmkit's own liveness files. Such a file is never
	// locked, and Open does not wait for it.
	ErrBadMagic = errors.New("no shmkit header")

	// ErrIncompatible is returned when the header is valid but cannot be
	// used here: a newer layout version, unknown flags, or a different kind
	// or kind version than the caller expects.
	ErrIncompatible = errors.New("segment incompatible")

	// ErrTypeMismatch is returned when the element type recorded in the
	// header differs from the one the caller expects.
	ErrTypeMismatch = errors.New("element type mismatch")

	// ErrInvalidName is returned for a name that is empty, too long,
	// contains "..", or has characters outside [A-Za-z0-9._-].
	ErrInvalidName = errors.New("invalid segment name")

	// ErrInvalidSize is returned for a payload size that is zero, negative
	// or above MaxPayloadSize.
	ErrInvalidSize = errors.New("invalid segment size")

	// ErrInvalidOptions is returned by Create for Options it cannot
	// record: a malformed Kind, a Mode without 0600, or an Elem whose
	// alignment is not a power of two, whose name is too long, or whose
	// elements do not fit the payload.
	ErrInvalidOptions = errors.New("invalid options")

	// ErrNotRegular is returned when the name refers to a symlink,
	// directory, FIFO, device or socket rather than a regular file.
	ErrNotRegular = errors.New("not a regular file")

	// ErrNotSupported is returned on platforms other than Linux.
	// It wraps [errors.ErrUnsupported].
	ErrNotSupported = fmt.Errorf("shared memory segments need linux, not %s: %w", runtime.GOOS, errors.ErrUnsupported)
)

// opError wraps err with the operation and segment name.
func opError(op, name string, err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		err = pe.Err // the name is already in our prefix
	}
	return fmt.Errorf("shm: %s %s: %w", op, name, err)
}

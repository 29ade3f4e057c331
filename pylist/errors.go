package pylist

import (
	"errors"
	"fmt"
	"io/fs"
)

// Errors returned by this package, wrapped with the operation, the list's
// name and the item ("pylist: get psm_1a2b3c4d[3]: wrong type: ..."). Test
// for them with [errors.Is]. Errors from package shm (fs.ErrNotExist,
// shm.ErrPermission, shm.ErrInvalidName, ...) pass through wrapped too.
var (
	// ErrCorrupt is returned when the segment holds what no ShareableList
	// writes: an item count or offsets that do not fit the file, a format
	// string or back-transform code outside those CPython uses, a slot
	// too small for its format, or a str that is not valid UTF-8 (on
	// which Python's own read raises UnicodeDecodeError). A file too
	// small to hold a list, and a shmkit segment, are ErrCorrupt too.
	ErrCorrupt = errors.New("not a valid ShareableList")

	// ErrType is returned by a typed getter for an item of another type
	// (Int of a str item), and by Set and Create for a Go value that has
	// no ShareableList type (or an unsigned integer above math.MaxInt64).
	ErrType = errors.New("wrong type")

	// ErrTooLong is returned by Set for a str or bytes longer, encoded,
	// than the slot it was allocated when the list was created (Python
	// raises ValueError), and by Create for one whose slot would need a
	// struct format longer than 8 characters (Python's assertion).
	ErrTooLong = errors.New("str or bytes exceeds available storage")

	// ErrIndex is returned for an index outside 0 <= i < Len. Negative
	// indices do not count from the end, as they do in Python.
	ErrIndex = errors.New("index out of range")

	// ErrReadOnly is returned by Set on a list opened with
	// Options.ReadOnly.
	ErrReadOnly = errors.New("opened read-only")

	// ErrClosed is returned by every method after Close. It is
	// [fs.ErrClosed].
	ErrClosed = fs.ErrClosed

	// ErrVersion is returned by LayoutFor for a CPython version whose
	// ShareableList layout this package does not know.
	ErrVersion = errors.New("unknown CPython version")
)

// opError wraps err with the operation and the list's name.
func opError(op, name string, err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		err = pe.Err
	}
	return fmt.Errorf("pylist: %s %s: %w", op, name, err)
}

// itemError wraps err with the operation, the list's name and the index.
func itemError(op, name string, i int, err error) error {
	return fmt.Errorf("pylist: %s %s[%d]: %w", op, name, i, err)
}

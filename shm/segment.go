package shm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edsrzf/mmap-go"
)

// A Segment is a mapped shared-memory segment.
//
// Its methods are safe for concurrent use, but Close must not run while
// another goroutine still uses the Payload: after Close the memory is
// unmapped and touching it faults.
type Segment struct {
	name     string
	path     string
	header   Header // private copy; never re-read from shared memory
	raw      bool
	readOnly bool
	file     *os.File
	mapping  mmap.MMap
	mapped   int // len(mapping), kept apart: Close clears mapping, Check reads this
	payload  []byte

	closeOnce     sync.Once
	closeErr      error
	retired       atomic.Bool // Retire replaced the mapping; the file is closed
	removeOnClose atomic.Bool // Options.RemoveOnClose in the creator: remove the name at Close (or Retire)
}

// Name returns the name the segment was opened by.
func (s *Segment) Name() string { return s.name }

// Path returns the file that backs the segment.
func (s *Segment) Path() string { return s.path }

// Kind returns the kind recorded in the header, or "" for a raw mapping
// of a segment without a shmkit header (OpenRaw).
func (s *Segment) Kind() string { return s.header.Kind }

// Header returns the validated header, copied at open.
func (s *Segment) Header() Header { return s.header }

// Size returns the size of the whole file, header included.
func (s *Segment) Size() int { return s.mapped }

// ReadOnly reports whether the mapping is read-only.
func (s *Segment) ReadOnly() bool { return s.readOnly }

// Raw reports whether the segment was mapped by OpenRaw, without a header.
func (s *Segment) Raw() bool { return s.raw }

// Payload returns the mapped bytes after the header: the shared memory
// itself, not a copy. The slice is valid until Close; writes to it are
// seen by every process that maps the segment (a read-only segment's
// payload must not be written: that faults).
func (s *Segment) Payload() []byte { return s.payload }

// Check returns an error wrapping ErrTruncated if the backing file has
// become smaller than the mapping since it was mapped. Touching the lost
// pages would raise SIGBUS, so the primitives call Check on their slow
// paths (a wait that timed out or failed) before they touch the mapping
// again. It costs one fstat.
func (s *Segment) Check() error {
	if s == nil || s.file == nil {
		return nil
	}
	fi, err := s.file.Stat()
	switch {
	case errors.Is(err, os.ErrClosed):
		return nil // closed: nothing is mapped to fault
	case err != nil:
		return opError("check", s.name, err)
	case fi.Size() < int64(s.mapped):
		return opError("check", s.name, fmt.Errorf("%w: file is %d bytes, mapped %d", ErrTruncated, fi.Size(), s.mapped))
	}
	return nil
}

// Stat returns the current file information of the backing file.
func (s *Segment) Stat() (*Info, error) {
	fi, err := s.file.Stat()
	if err != nil {
		return nil, opError("stat", s.name, err)
	}
	return newInfo(s.name, s.path, fi, s.header), nil
}

// NewLocal returns a segment of size payload bytes over ordinary memory of
// this process (the Go heap), page-aligned and zeroed, with no file and no
// name: for objects shared by goroutines of one process only. Every
// primitive runs over it unchanged, and since the race detector watches
// the Go heap but not mmap'd files, in-process tests over local segments
// are how -race checks the primitives' orderings. Close is a no-op.
func NewLocal(size int) (*Segment, error) {
	if size <= 0 || size > MaxPayloadSize {
		return nil, opError("new local", "", fmt.Errorf("%w: %d bytes; want 1 to %d", ErrInvalidSize, size, MaxPayloadSize))
	}
	mem := localMemory(size)
	return &Segment{name: "(local)", payload: mem, mapped: size, raw: true}, nil
}

// Retire lets the segment's file go while keeping the address range of
// its mapping valid: the mapping is replaced, in place, by private zeroed
// memory, so that a goroutine of this process still inside it reads zeros
// and writes where no other process sees, instead of faulting. The file is
// closed; Close later releases the range. It is for handles that cannot
// know whether a goroutine is still inside, and never needed otherwise. A
// local segment (NewLocal) has nothing to retire.
func (s *Segment) Retire() error {
	if s.file == nil || s.mapping == nil || s.retired.Swap(true) {
		return nil
	}
	var errs []error
	errs = append(errs, s.removeName())
	if err := retire(s.mapping); err != nil {
		errs = append(errs, fmt.Errorf("remap: %w", err))
	}
	errs = append(errs, s.file.Close())
	if err := errors.Join(errs...); err != nil {
		return opError("retire", s.name, err)
	}
	return nil
}

// Close unmaps the segment and closes its file. It does not remove the
// segment (see Remove), unless it was created with Options.RemoveOnClose. Close is idempotent: calls after the first return
// nil.
func (s *Segment) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if !s.retired.Load() {
			errs = append(errs, s.removeName())
		}
		if s.mapping != nil {
			errs = append(errs, s.mapping.Unmap())
		}
		if s.file != nil && !s.retired.Load() {
			errs = append(errs, s.file.Close())
		}
		s.mapping, s.payload = nil, nil
		if err := errors.Join(errs...); err != nil {
			s.closeErr = opError("close", s.name, err)
		}
	})
	return s.closeErr
}

// Info describes a segment's file and header, as Stat and List report it.
type Info struct {
	Name    string
	Path    string
	Size    int64       // file size, header included
	Mode    fs.FileMode // permission bits
	UID     uint32      // owner
	ModTime time.Time
	Header  Header

	// Err is set, by List and ListAll only, for a file that carries the
	// shmkit magic but fails validation (not ready, corrupt,
	// incompatible), and by ListAll for a file without it (wrapping
	// ErrBadMagic); Header is then zero.
	Err error
}

// CreatorAlive reports whether the process that created the segment still
// runs: same boot, same pid and same start time, so that a reused pid does
// not count. Across pid namespaces the answer is false.
func (h Header) CreatorAlive() bool { return creatorAlive(&h) }

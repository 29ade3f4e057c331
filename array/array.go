package array

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/shm"
)

// Kind is the segment kind of an Array, and KindVersion its layout.
const (
	Kind        = "array"
	KindVersion = 1
)

// MaxLen bounds the length of an array.
const MaxLen = 1 << 40

// control follows the data, at a 64-byte boundary.
type control struct {
	mu futex.Mutex
}

// Array is a fixed-length array of T shared between processes.
//
// Its methods are safe for concurrent use; the elements are shared memory,
// with the synchronization rules of package doc.
//
// Close wakes this process's goroutines waiting in Lock or LockContext
// (they return os.ErrClosed) and waits until none is inside the mapping
// before it unmaps. The slice from Slice, and Mutex, are valid until Close.
type Array[T any] struct {
	seg  *shm.Segment
	gate gate.Gate
	data []T
	raw  []byte // the same elements as bytes
	ctl  *control
}

// geometry returns where the control block goes after n elements of size
// bytes, and the payload size; ok is false if that overflows.
func geometry(n, size uint64) (ctlOff, payload int, ok bool) {
	if size == 0 || n == 0 || n > MaxLen || n > (shm.MaxPayloadSize-64)/size {
		return 0, 0, false
	}
	ctlOff = int((n*size + 63) &^ 63)
	return ctlOff, ctlOff + 64, true
}

func options[T any](opts *shm.Options, n int) (*shm.Options, error) {
	desc, err := shm.DescribeType[T]()
	if err != nil {
		return nil, err
	}
	desc.Count = uint64(n)
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion, o.Elem = Kind, KindVersion, desc
	return &o, nil
}

// Create makes a segment called name holding n zeroed elements of T.
func Create[T any](name string, n int, opts *shm.Options) (*Array[T], error) {
	o, err := options[T](opts, n)
	if err != nil {
		return nil, fmt.Errorf("array: create %s: %w", name, err)
	}
	_, size, ok := geometry(uint64(n), o.Elem.Size)
	if n <= 0 || !ok {
		return nil, fmt.Errorf("array: create %s: %w: %d elements of %d bytes", name, shm.ErrInvalidSize, n, o.Elem.Size)
	}
	seg, err := shm.Create(name, size, o)
	if err != nil {
		return nil, err
	}
	return wrap[T](seg)
}

// Open opens the array segment called name, which must hold elements of T.
func Open[T any](name string, opts *shm.Options) (*Array[T], error) {
	o, err := options[T](opts, 0) // any length
	if err != nil {
		return nil, fmt.Errorf("array: open %s: %w", name, err)
	}
	seg, err := shm.Open(name, o)
	if err != nil {
		return nil, err
	}
	return wrap[T](seg)
}

// OpenOrCreate opens the array segment called name, which must hold n
// elements of T, or creates it with n zeroed elements if it does not
// exist; created reports which. An existing array of another length fails
// with shm.ErrTypeMismatch.
func OpenOrCreate[T any](name string, n int, opts *shm.Options) (a *Array[T], created bool, err error) {
	o, err := options[T](opts, n)
	if err != nil {
		return nil, false, fmt.Errorf("array: open or create %s: %w", name, err)
	}
	_, size, ok := geometry(uint64(n), o.Elem.Size)
	if n <= 0 || !ok {
		return nil, false, fmt.Errorf("array: open or create %s: %w: %d elements of %d bytes", name, shm.ErrInvalidSize, n, o.Elem.Size)
	}
	seg, created, err := shm.OpenOrCreate(name, size, o)
	if err != nil {
		return nil, false, err
	}
	a, err = wrap[T](seg)
	return a, created, err
}

// wrap checks seg's geometry, from its private header copy, and builds the
// views. A header that a peer forged is refused, never trusted.
func wrap[T any](seg *shm.Segment) (*Array[T], error) {
	h := seg.Header()
	ctlOff, size, ok := geometry(h.Elem.Count, h.Elem.Size)
	if !ok || h.PayloadSize != size {
		seg.Close()
		return nil, fmt.Errorf("array: open %s: %w: %d elements of %d bytes in a %d-byte payload", seg.Name(), shm.ErrCorrupt, h.Elem.Count, h.Elem.Size, h.PayloadSize)
	}
	n := int(h.Elem.Count)
	data, err := shm.ViewSlice[T](seg, 0, n)
	var ctl *control
	if err == nil {
		ctl, err = shm.View[control](seg, ctlOff)
	}
	if err != nil {
		seg.Close()
		return nil, err
	}
	return &Array[T]{seg: seg, data: data, raw: seg.Payload()[:uint64(n)*h.Elem.Size], ctl: ctl}, nil
}

// Len returns the number of elements.
func (a *Array[T]) Len() int { return len(a.data) }

// Slice returns the elements as a []T over the shared memory itself: no
// copy is made, writes are seen by every process, and other processes'
// writes appear in it. It is valid until Close; using it after Close
// faults. Do not append to it.
func (a *Array[T]) Slice() []T { return a.data }

// At returns element i. It panics if i is out of range.
func (a *Array[T]) At(i int) T { return a.data[i] }

// Set stores x in element i. It panics if i is out of range.
func (a *Array[T]) Set(i int, x T) { a.data[i] = x }

// Mutex returns the array's robust lock, shared by every process that maps
// the array: hold it for compound updates, as with Python's get_lock().
// Lock and LockContext take it too; a goroutine waiting in them is woken
// by Close, one waiting in the Mutex's own methods is not.
func (a *Array[T]) Mutex() *futex.Mutex { return &a.ctl.mu }

// Lock takes the array's lock (see Mutex). As futex.Mutex.Lock, it
// returns futex.ErrOwnerDead, with the lock held, when the previous holder
// died holding it: repair the elements, then call Mutex().MarkConsistent.
func (a *Array[T]) Lock() error { return a.LockContext(context.Background()) }

// LockContext is Lock that gives up when ctx ends, with ctx.Err(), or when
// the array is closed, with os.ErrClosed.
func (a *Array[T]) LockContext(ctx context.Context) error {
	if err := a.gate.Enter(); err != nil {
		return err
	}
	defer a.gate.Leave()
	ok, err := a.ctl.mu.TryLock()
	if ok || err != nil {
		return err
	}
	ctx, stop := a.gate.Context(ctx)
	defer stop()
	return a.gate.Cause(a.ctl.mu.LockContext(ctx))
}

// Unlock releases the array's lock.
func (a *Array[T]) Unlock() error {
	if err := a.gate.Enter(); err != nil {
		return err
	}
	defer a.gate.Leave()
	return a.ctl.mu.Unlock()
}

// ErrOutOfRange is returned by ReadAt and WriteAt for offsets outside the
// array's bytes.
var ErrOutOfRange = errors.New("array: offset out of range")

// ReadAt copies the array's bytes from offset off into p (io.ReaderAt). It
// returns io.EOF when fewer than len(p) bytes remain.
func (a *Array[T]) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(a.raw)) {
		return 0, fmt.Errorf("%w: %d of %d bytes", ErrOutOfRange, off, len(a.raw))
	}
	n := copy(p, a.raw[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt copies p into the array's bytes at offset off (io.WriterAt). It
// writes nothing and fails if p does not fit.
func (a *Array[T]) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(a.raw)) || int64(len(p)) > int64(len(a.raw))-off {
		return 0, fmt.Errorf("%w: %d bytes at %d of %d", ErrOutOfRange, len(p), off, len(a.raw))
	}
	return copy(a.raw[off:], p), nil
}

// Segment returns the segment that holds the array.
func (a *Array[T]) Segment() *shm.Segment { return a.seg }

// Close wakes this process's goroutines waiting in Lock (they return
// os.ErrClosed), waits until none is inside the mapping, and unmaps the
// array. It does not remove the segment; see shm.Remove. Close is
// idempotent.
func (a *Array[T]) Close() error { return a.gate.Close(a.seg.Close) }

package shm

import (
	"fmt"
)

// Object is a segment that holds one T in place: a typed view of shared
// memory. Each shmkit primitive (futex.Mutex, futex.Event, ...) becomes a
// named object this way, and so can a user's own struct of primitives and
// plain fields:
//
//	type Shared struct {
//		Mu   futex.Mutex
//		Hits uint64
//	}
//	obj, err := shm.CreateObject[Shared]("stats", nil, nil)
//
// The segment's kind is T's ShmKind() if T has that method, "object"
// otherwise; its element type records T's name, size, alignment and
// layout fingerprint, and opening with another T fails with
// ErrTypeMismatch.
//
// The *T returned by Get points into the mapping: it is valid until Close,
// and other processes change it concurrently, so T's shared fields must
// be accessed atomically or under a lock.
type Object[T any] struct {
	seg *Segment
	v   *T
}

// Kinder is implemented by types that name their segment kind.
type Kinder interface{ ShmKind() string }

// CreateObject creates a segment called name that holds one T, zero-valued
// and then passed to init (if not nil) before the segment is published.
func CreateObject[T any](name string, init func(*T) error, opts *Options) (*Object[T], error) {
	o, err := objectOptions[T](opts, init)
	if err != nil {
		return nil, opError("create", name, err)
	}
	seg, err := Create(name, int(o.Elem.Size), o)
	if err != nil {
		return nil, err
	}
	return wrapObject[T](seg)
}

// OpenObject opens a segment made by CreateObject with the same T.
func OpenObject[T any](name string, opts *Options) (*Object[T], error) {
	o, err := objectOptions[T](opts, nil)
	if err != nil {
		return nil, opError("open", name, err)
	}
	seg, err := Open(name, o)
	if err != nil {
		return nil, err
	}
	return wrapObject[T](seg)
}

// OpenOrCreateObject opens the object called name, creating it (and running
// init) if it does not exist; see OpenOrCreate.
func OpenOrCreateObject[T any](name string, init func(*T) error, opts *Options) (*Object[T], bool, error) {
	o, err := objectOptions[T](opts, init)
	if err != nil {
		return nil, false, opError("open or create", name, err)
	}
	seg, created, err := OpenOrCreate(name, int(o.Elem.Size), o)
	if err != nil {
		return nil, false, err
	}
	obj, err := wrapObject[T](seg)
	return obj, created, err
}

// ObjectOf returns the T held by seg, an open segment made by CreateObject
// with the same T. The pointer is valid until seg is closed.
func ObjectOf[T any](seg *Segment) (*T, error) {
	want, err := DescribeType[T]()
	if err != nil {
		return nil, err
	}
	if got := seg.header.Elem; got != want || seg.raw || want.Size == 0 {
		return nil, opError("view", seg.name, fmt.Errorf("%w: segment holds %s (size %d, fingerprint %#x), want %s (size %d, fingerprint %#x)",
			ErrTypeMismatch, got.Name, got.Size, got.Fingerprint, want.Name, want.Size, want.Fingerprint))
	}
	return View[T](seg, 0)
}

// Get returns the shared T. It is valid until Close.
func (o *Object[T]) Get() *T { return o.v }

// Segment returns the segment that holds the object.
func (o *Object[T]) Segment() *Segment { return o.seg }

// Close unmaps the object; see Segment.Close.
func (o *Object[T]) Close() error { return o.seg.Close() }

func wrapObject[T any](seg *Segment) (*Object[T], error) {
	v, err := ObjectOf[T](seg)
	if err != nil {
		seg.Close()
		return nil, err
	}
	return &Object[T]{seg: seg, v: v}, nil
}

// objectOptions fills in the kind and element type of T.
func objectOptions[T any](opts *Options, init func(*T) error) (*Options, error) {
	desc, err := DescribeType[T]()
	if err != nil {
		return nil, err
	}
	if desc.Size == 0 {
		return nil, fmt.Errorf("%w: %s has size 0", ErrInvalidOptions, desc.Name)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Elem = desc
	if o.Kind == "" {
		o.Kind = "object"
		if k, ok := any((*T)(nil)).(Kinder); ok {
			o.Kind = k.ShmKind()
		}
	}
	if init != nil {
		o.Init = func(seg *Segment) error {
			v, err := View[T](seg, 0)
			if err != nil {
				return err
			}
			return init(v)
		}
	}
	return &o, nil
}

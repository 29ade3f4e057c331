package named

import (
	"context"

	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/shm"
)

// Object is one T in a segment of its own. It must not be copied after
// first use.
type Object[T any] struct {
	obj  *shm.Object[T]
	gate gate.Gate
}

// Create makes the segment called name holding one T, set up by init.
func Create[T any](name string, init func(*T) error, opts *shm.Options) (*Object[T], error) {
	obj, err := shm.CreateObject(name, init, opts)
	if err != nil {
		return nil, err
	}
	return &Object[T]{obj: obj}, nil
}

// Open opens the segment called name, which must hold one T.
func Open[T any](name string, opts *shm.Options) (*Object[T], error) {
	obj, err := shm.OpenObject[T](name, opts)
	if err != nil {
		return nil, err
	}
	return &Object[T]{obj: obj}, nil
}

// OpenOrCreate opens the segment called name, or creates it (running
// init) if it does not exist; created reports which.
func OpenOrCreate[T any](name string, init func(*T) error, opts *shm.Options) (*Object[T], bool, error) {
	obj, created, err := shm.OpenOrCreateObject(name, init, opts)
	if err != nil {
		return nil, false, err
	}
	return &Object[T]{obj: obj}, created, nil
}

// Inspect returns state(t) for the T in seg, a segment opened by an
// observer.
func Inspect[T, S any](seg *shm.Segment, state func(*T) S) (S, error) {
	var zero S
	v, err := shm.ObjectOf[T](seg)
	if err != nil {
		return zero, err
	}
	return state(v), nil
}

// Do runs f on the T unless the object is closed (os.ErrClosed).
func (o *Object[T]) Do(f func(*T) error) error {
	if err := o.gate.Enter(); err != nil {
		return err
	}
	defer o.gate.Leave()
	return f(o.obj.Get())
}

// Wait runs a blocking f on the T with a context that also ends when the
// object is closed; an f that ends for that reason returns os.ErrClosed.
func (o *Object[T]) Wait(ctx context.Context, f func(context.Context, *T) error) error {
	if err := o.gate.Enter(); err != nil {
		return err
	}
	defer o.gate.Leave()
	ctx, stop := o.gate.Context(ctx)
	defer stop()
	return o.gate.Cause(f(ctx, o.obj.Get()))
}

// Closing returns a context that ends when Close begins.
func (o *Object[T]) Closing() context.Context {
	ctx, _ := o.gate.Context(context.Background()) // the gate's own: nothing to release
	return ctx
}

// Get returns the T, or nil once the object is closed. For reads that
// cannot fail (a state snapshot), under Do.
func (o *Object[T]) Get() *T { return o.obj.Get() }

// Segment returns the object's segment.
func (o *Object[T]) Segment() *shm.Segment { return o.obj.Segment() }

// Close wakes this process's goroutines in Wait, waits for every one
// inside to leave, and unmaps the segment. It is idempotent.
func (o *Object[T]) Close() error { return o.gate.Close(o.obj.Close) }

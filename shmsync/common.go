package shmsync

import (
	"github.com/shmkit/shmkit/internal/named"
)

// wrap makes the handle h of o, or passes err on.
func wrap[T, H any](o *named.Object[T], err error, h func(*named.Object[T]) *H) (*H, error) {
	if err != nil {
		return nil, err
	}
	return h(o), nil
}

// state reads f of the object's T inside the gate, or returns the zero S
// after Close.
func state[T, S any](o *named.Object[T], f func(*T) S) S {
	var s S
	_ = o.Do(func(t *T) error { s = f(t); return nil })
	return s
}

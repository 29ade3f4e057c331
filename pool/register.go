package pool

import (
	"context"
	"fmt"
	"reflect"
	"sync"
)

// A Func is a function registered under a name, with the codecs that
// carry its input and output between processes. Register returns one;
// Map, Imap, ImapUnordered, Submit and Start take it.
type Func[In, Out any] struct {
	name string
	in   Codec[In]
	out  Codec[Out]
}

// Name returns the name fn was registered under.
func (fn *Func[In, Out]) Name() string { return fn.name }

// entry is a registered function as a worker runs it: bytes in, output
// appended to scratch.
type entry func(ctx context.Context, in, scratch []byte) ([]byte, error)

var (
	regMu    sync.RWMutex
	registry = map[string]entry{}
)

// Register registers fn under name in this binary and returns its handle.
// In and Out travel as their bytes: []byte and string as they are, and
// any fixed-size type free of pointers (ints, floats, arrays and structs
// of them) as its memory, with no encoding. For other types use
// RegisterCodec.
//
// Call Register at package level (var square = pool.Register(...)) or in
// init, so that a worker, the same binary re-executed, registers the same
// functions before Main runs it. Register panics if name is taken or
// empty, if it is longer than 255 bytes, or if In or Out needs a codec: those are
// mistakes in the program, found the first time it starts.
func Register[In, Out any](name string, fn func(ctx context.Context, in In) (Out, error)) *Func[In, Out] {
	in, err := defaultCodec[In]()
	if err == nil {
		var out Codec[Out]
		if out, err = defaultCodec[Out](); err == nil {
			return RegisterCodec(name, fn, in, out)
		}
	}
	panic(fmt.Sprintf("pool: Register %q: %v; use RegisterCodec with a codec such as pool.JSON or pool.Gob", name, err))
}

// RegisterCodec is Register with the codecs that carry In and Out.
func RegisterCodec[In, Out any](name string, fn func(ctx context.Context, in In) (Out, error), in Codec[In], out Codec[Out]) *Func[In, Out] {
	if fn == nil || in == nil || out == nil {
		panic(fmt.Sprintf("pool: RegisterCodec %q: nil function or codec", name))
	}
	add(name, func(ctx context.Context, b, scratch []byte) ([]byte, error) {
		v, err := in.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("decoding the input: %w", err)
		}
		r, err := fn(ctx, v)
		if err != nil {
			return nil, err
		}
		return out.Append(scratch, r)
	})
	return &Func[In, Out]{name: name, in: in, out: out}
}

// RegisterBytes registers fn, which takes and returns bytes, under name:
// the byte API, which Pool's methods (Map, Imap, ImapUnordered, Submit)
// call by name. in is the task's input in shared memory, valid only until
// fn returns: fn must not keep it (copy what it needs). It returns the
// handle for the typed functions, as Register does.
func RegisterBytes(name string, fn func(ctx context.Context, in []byte) ([]byte, error)) *Func[[]byte, []byte] {
	if fn == nil {
		panic(fmt.Sprintf("pool: RegisterBytes %q: nil function", name))
	}
	add(name, func(ctx context.Context, b, scratch []byte) ([]byte, error) { return fn(ctx, b) })
	return &Func[[]byte, []byte]{name: name, in: Bytes(), out: Bytes()}
}

func add(name string, e entry) {
	if name == "" || len(name) > maxName {
		panic(fmt.Sprintf("pool: register %q: a name is 1 to %d bytes", name, maxName))
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("pool: %q registered twice", name))
	}
	registry[name] = e
}

// lookup returns the function registered as name.
func lookup(name string) (entry, bool) {
	regMu.RLock()
	e, ok := registry[name]
	regMu.RUnlock()
	return e, ok
}

// Registered reports whether a function is registered as name in this
// binary.
func Registered(name string) bool {
	_, ok := lookup(name)
	return ok
}

// checkName is the check Submit and Map make before a task leaves.
func checkName(name string) error {
	if !Registered(name) {
		return fmt.Errorf("%w: %q (register it with pool.Register, in every process, before pool.Main)", ErrUnknownFunc, name)
	}
	return nil
}

// maxName bounds a function's name (it travels in every task message).
const maxName = 255

// typeName is for messages.
func typeName[T any]() string { return reflect.TypeFor[T]().String() }

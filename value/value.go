package value

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/shm"
)

// Kind is the segment kind of a Value, and KindVersion its payload layout.
const (
	Kind        = "value"
	KindVersion = 1
)

// ErrCorrupt is returned by Load, ReadBytes, Update and UpdateLocked when
// the value is torn: a writer died in the middle of a Store of a T wider
// than a word. The next Store or StoreLocked repairs it.
var ErrCorrupt = errors.New("value: torn by a writer that died mid-write")

// control follows the value in the payload, at a 64-byte boundary.
type control struct {
	seq atomic.Uint32 // odd while a write is in progress
	_   uint32
	mu  futex.Mutex // serializes writers
}

// Value is one T shared between processes through a named segment.
//
// Its methods are safe for concurrent use by goroutines and processes.
// Load never blocks; Store and Update take the writers' lock, as Lock
// does; Add, CompareAndSwap and Swap never wait for it.
//
// Memory model: every write (Store, Update, StoreLocked, UpdateLocked,
// Add, Swap, a CompareAndSwap that swaps) is linearizable: it takes
// effect at one instant between its call and its return, all of them in
// one order, in every process, and a Load returns the value as the last
// write before it left it. A write synchronizes before every Load and
// atomic operation that observes its value, as sync/atomic's operations
// do; the n'th release of the writers' lock (by Unlock, Store or Update)
// synchronizes before the (n+1)'th acquisition returns. See the package
// doc for how the writers mix.
//
// Close wakes this process's goroutines waiting for the writers' lock
// (they return os.ErrClosed) and waits until none is inside the mapping
// before it unmaps.
type Value[T any] struct {
	gate gate.Gate
	p    *T          // the value, in the mapping
	word bool        // a T of 1, 2, 4 or 8 bytes: written with one atomic instruction
	held atomic.Bool // this handle's Lock holds the writers' lock
	// scratch is update's copy of the value for f, kept for the next
	// call: a pointer handed to an unknown f escapes, and a fresh copy
	// would cost an allocation per Update. Taken with a swap, so that
	// concurrent updates (UpdateLocked's on a word) never share one.
	scratch atomic.Pointer[T]
	view
}

// geometry returns where the control block goes after a T, and the
// payload size.
func geometry(size uint64) (ctlOff, payload int) {
	ctlOff = int((size + 63) &^ 63)
	return ctlOff, ctlOff + 64
}

func options[T any](opts *shm.Options) (*shm.Options, shm.TypeDesc, error) {
	desc, err := shm.DescribeType[T]()
	if err != nil {
		return nil, desc, err
	}
	if desc.Size == 0 {
		return nil, desc, fmt.Errorf("%w: %s has size 0", shm.ErrInvalidOptions, desc.Name)
	}
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion, o.Elem = Kind, KindVersion, desc
	return &o, desc, nil
}

// Create makes a segment called name holding initial.
func Create[T any](name string, initial T, opts *shm.Options) (*Value[T], error) {
	o, desc, err := options[T](opts)
	if err != nil {
		return nil, fmt.Errorf("value: create %s: %w", name, err)
	}
	_, size := geometry(desc.Size)
	o.Init = initWith(initial)
	seg, err := shm.Create(name, size, o)
	if err != nil {
		return nil, err
	}
	return wrap[T](seg)
}

// Open opens the value segment called name, which must hold a T.
func Open[T any](name string, opts *shm.Options) (*Value[T], error) {
	o, _, err := options[T](opts)
	if err != nil {
		return nil, fmt.Errorf("value: open %s: %w", name, err)
	}
	seg, err := shm.Open(name, o)
	if err != nil {
		return nil, err
	}
	return wrap[T](seg)
}

// OpenOrCreate opens the value segment called name, which must hold a T,
// or creates it holding initial if it does not exist; created reports
// which. Of several processes racing to create it, one does and the
// others open what it made.
func OpenOrCreate[T any](name string, initial T, opts *shm.Options) (v *Value[T], created bool, err error) {
	o, desc, err := options[T](opts)
	if err != nil {
		return nil, false, fmt.Errorf("value: open or create %s: %w", name, err)
	}
	_, size := geometry(desc.Size)
	o.Init = initWith(initial)
	seg, created, err := shm.OpenOrCreate(name, size, o)
	if err != nil {
		return nil, false, err
	}
	v, err = wrap[T](seg)
	return v, created, err
}

func initWith[T any](initial T) func(*shm.Segment) error {
	return func(seg *shm.Segment) error {
		p, err := shm.View[T](seg, 0)
		if err == nil {
			*p = initial
		}
		return err
	}
}

// wrap checks seg's geometry, from its private header copy, and builds the
// views. A header that a peer forged is refused, never trusted.
func wrap[T any](seg *shm.Segment) (*Value[T], error) {
	v, err := wrapView(seg)
	var p *T
	if err == nil {
		p, err = shm.View[T](seg, 0)
	}
	if err != nil {
		seg.Close()
		return nil, err
	}
	val := &Value[T]{p: p, word: isWord[T](), view: v}
	val.gate.OnClose(val.rouse)
	return val, nil
}

// view is the type-free part of a Value: its segment, words and control
// block.
type view struct {
	seg   *shm.Segment
	words []atomic.Uint64
	ctl   *control
}

// wrapView checks seg's geometry from its private header copy.
func wrapView(seg *shm.Segment) (view, error) {
	h := seg.Header()
	ctlOff, size := geometry(h.Elem.Size)
	if h.Elem.Count != 1 || h.Elem.Size == 0 || h.PayloadSize != size {
		return view{}, fmt.Errorf("value: open %s: %w: %d elements in %d bytes, want 1 in %d", seg.Name(), shm.ErrCorrupt, h.Elem.Count, h.PayloadSize, size)
	}
	words, err := shm.ViewSlice[atomic.Uint64](seg, 0, ctlOff/8)
	if err != nil {
		return view{}, err
	}
	ctl, err := shm.View[control](seg, ctlOff)
	if err != nil {
		return view{}, err
	}
	return view{seg: seg, words: words, ctl: ctl}, nil
}

// Segment returns the segment that holds the value.
func (v *Value[T]) Segment() *shm.Segment { return v.seg }

// Close wakes this process's goroutines waiting for the writers' lock in
// Store, Update or Lock (they return os.ErrClosed), waits until none is
// inside the mapping, and unmaps the value. It does not remove the
// segment (see shm.Remove), nor release a lock that Lock holds. Close is
// idempotent.
func (v *Value[T]) Close() error { return v.gate.Close(v.seg.Close) }

// rouse is a no-op: goroutines wait for the lock through the gate's
// context, which Close cancels.
func (v *Value[T]) rouse() {}

// Store replaces the value. It also repairs a value torn by a writer that
// died mid-write.
//
// It takes the writers' lock, so it waits while a Lock holds it; the
// goroutine that holds it writes with StoreLocked instead. If the
// previous holder died holding it, Store recovers the lock (it marks it
// consistent) and stores.
func (v *Value[T]) Store(x T) error { return v.StoreContext(context.Background(), x) }

// StoreContext is Store that gives up waiting for the writers' lock when
// ctx ends, with ctx.Err(), or when the Value is closed, with
// os.ErrClosed.
func (v *Value[T]) StoreContext(ctx context.Context, x T) error {
	if err := v.gate.Enter(); err != nil {
		return err
	}
	defer v.gate.Leave()
	if err := v.lock(ctx); err != nil && !errors.Is(err, ErrCorrupt) {
		return err
	}
	v.write(x)
	return v.ctl.mu.Unlock()
}

// Update replaces the value with f's change of it, under the writers'
// lock. f gets a private copy of the current value, and must not retain
// the pointer. On a torn value it fails with ErrCorrupt without calling f.
// The lock is taken as by Store.
//
// For a T of 1, 2, 4 or 8 bytes, Update stores f's result with a
// compare-and-swap, so that an Add, CompareAndSwap or Swap (which do not
// wait for the lock) that lands while f runs is never overwritten: then f
// runs again, on the new value, and only its last run's result is stored.
// Write f so that running it more than once does no harm: a pure function
// of the value, or one whose side effects only the last run's matter.
func (v *Value[T]) Update(f func(*T)) error { return v.UpdateContext(context.Background(), f) }

// UpdateContext is Update that gives up waiting for the writers' lock when
// ctx ends, with ctx.Err(), or when the Value is closed, with
// os.ErrClosed.
func (v *Value[T]) UpdateContext(ctx context.Context, f func(*T)) error {
	if err := v.gate.Enter(); err != nil {
		return err
	}
	defer v.gate.Leave()
	if err := v.lock(ctx); err != nil {
		if errors.Is(err, ErrCorrupt) {
			v.ctl.mu.Unlock()
		}
		return err
	}
	v.update(f)
	return v.ctl.mu.Unlock()
}

// acquire takes the writers' lock, with futex.Mutex.Lock's results,
// waiting through the gate's context so that Close wakes it.
func (v *Value[T]) acquire(ctx context.Context) error {
	ok, err := v.ctl.mu.TryLock() // uncontended: no context to set up
	if !ok && err == nil {
		ctx, stop := v.gate.Context(ctx)
		err = v.gate.Cause(v.ctl.mu.LockContext(ctx))
		stop()
	}
	return err
}

// lock takes the writers' lock for Store and Update. A dead previous
// holder is recovered from: if it died mid-write the sequence is odd and
// the value torn, reported as ErrCorrupt with the lock held. The sequence
// stays odd, so readers keep reporting the value torn, until a write
// completes.
func (v *Value[T]) lock(ctx context.Context) error {
	err := v.acquire(ctx)
	if !errors.Is(err, futex.ErrOwnerDead) {
		if err == nil && v.ctl.seq.Load()&1 == 1 {
			return ErrCorrupt // torn earlier, and not yet repaired by a Store
		}
		return err
	}
	if err := v.ctl.mu.MarkConsistent(); err != nil {
		return err
	}
	if v.ctl.seq.Load()&1 == 1 {
		return ErrCorrupt
	}
	return nil
}

// write stores x; the caller holds the lock. A word is stored with one
// atomic store, which an Add that lands before or after cannot be lost
// to. A wider T is stored between making the sequence odd (unless a dead
// writer left it odd) and making it even; see storeValue for why the data
// stores stay between the two.
func (v *Value[T]) write(x T) {
	if v.word {
		storeWord(v.p, wordBits(&x))
		if v.ctl.seq.Load()&1 == 1 {
			v.ctl.seq.Add(1) // even: a value torn earlier is whole again, after the store
		}
		return
	}
	if v.ctl.seq.Load()&1 == 0 {
		v.ctl.seq.Add(1) // odd: readers retry
	}
	if failpointArmed {
		tornWrite(v.p, x) // half a value, for tests that kill a writer here
	}
	storeValue(v.p, v.words, &x)
	v.ctl.seq.Add(1) // even: the new value is published
}

// update replaces the value with f's change of it; the caller holds the
// lock, so no other Store or Update runs. A word is replaced with a
// compare-and-swap of the bits f saw, retried with f on the new value if
// an atomic operation changed it meanwhile: the update takes effect at
// the swap, linearizable with them.
func (v *Value[T]) update(f func(*T)) {
	cur := v.scratch.Swap(nil)
	if cur == nil {
		cur = new(T) // the first update, or a concurrent one holds it
	}
	if !v.word {
		*cur = *v.p // no writer can run: we hold the lock, and atomics need a word
		f(cur)
		v.write(*cur)
		v.scratch.Store(cur)
		return
	}
	for {
		old := loadWord(v.p)
		*cur = fromBits[T](old)
		f(cur)
		if casWord(v.p, old, wordBits(cur)) {
			v.scratch.Store(cur)
			return
		}
	}
}

// failpointArmed is set when the test environment arms the torn-write
// failpoint, so that a normal Store pays one predictable branch.
var failpointArmed = os.Getenv(failpoint.EnvVar) != ""

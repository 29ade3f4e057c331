package value

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
)

// loadBudget is how long a reader waits while the sequence stays on one
// odd value and the writer that made it odd lives: a stopped process.
var loadBudget = time.Second

// readSpins is how many times a reader retries at once, before it yields
// between tries and watches for a dead or stuck writer: writes take
// nanoseconds.
const readSpins = 64

// Load returns a consistent snapshot of the value, retrying while a write is
// in flight, for as long as writes progress. It fails with ErrCorrupt if a
// writer died mid-write, and with os.ErrDeadlineExceeded if a live writer
// stays in the middle of one write for over a second (it was stopped).
//
// After Close it returns os.ErrClosed.
func (v *Value[T]) Load() (T, error) {
	var out T
	if err := v.gate.Enter(); err != nil {
		return out, err
	}
	defer v.gate.Leave()
	load := func() { loadWords(&out, v.words) }
	if s, ok := v.try(load); !ok { // read, by hand: try inlines here, and load in it
		if err := v.reread("load", load, s); err != nil {
			var zero T
			return zero, err
		}
	}
	return out, nil
}

// ReadBytes returns a consistent snapshot of the bytes of the value held by
// seg, a value segment of any element type, open read-only or not: for
// observers such as shmtool, which do not know T. It retries and gives up
// as Load does.
func ReadBytes(seg *shm.Segment) ([]byte, error) {
	if seg.Kind() != Kind {
		return nil, fmt.Errorf("value: %s is a %q segment, not a value", seg.Name(), seg.Kind())
	}
	v, err := wrapView(seg)
	if err != nil {
		return nil, err
	}
	out := make([]uint64, len(v.words))
	err = v.read("read", func() {
		for j := range out {
			out[j] = v.words[j].Load()
		}
	})
	if err != nil {
		return nil, err
	}
	return wordBytes(out)[:seg.Header().Elem.Size], nil
}

// read is the seqlock reader of Load and ReadBytes: it copies the value
// with load while the sequence is even and unchanged, and retries
// otherwise. It gives up only when no write progresses: with ErrCorrupt
// when the sequence stays odd and the writer that made it odd is gone,
// and with os.ErrDeadlineExceeded when the sequence stays on one odd
// value for loadBudget with that writer alive. Each new sequence value is
// progress and starts the budget over, so a reader never gives up while
// writes go on, however long they keep it retrying.
func (v *view) read(op string, load func()) error {
	if s, ok := v.try(load); !ok {
		return v.reread(op, load, s)
	}
	return nil
}

// reread is read's loop, after a first try that began at sequence s
// failed.
func (v *view) reread(op string, load func(), s uint32) error {
	var r retrier
	for {
		if err := r.retry(v, op, s); err != nil {
			return err
		}
		var ok bool
		if s, ok = v.try(load); ok {
			return nil
		}
	}
}

// try copies the value with load if the sequence is even, and reports
// the sequence it began at and whether the copy is consistent: the
// sequence was even and unchanged across it.
func (v *view) try(load func()) (s uint32, ok bool) {
	s = v.ctl.seq.Load()
	if s&1 == 1 {
		return s, false
	}
	// Atomic loads: each orders the next (acquire on arm64), so the
	// second sequence load cannot pass the data loads.
	load()
	return s, v.ctl.seq.Load() == s
}

// retrier is a reader's state between tries.
type retrier struct {
	tries int       // failed tries so far
	seq   uint32    // the sequence the last try saw first
	since time.Time // when the sequence was first seen stuck at seq; zero until then
}

// retry decides, after a try that began at sequence s and failed, whether
// to try again (nil, after yielding once past the spins), or to give up.
// An even s that failed was changed during the copy: progress, always.
func (r *retrier) retry(v *view, op string, s uint32) error {
	r.tries++
	if s != r.seq {
		r.seq, r.since = s, time.Time{} // progress: the budget starts over
	}
	if r.tries < readSpins {
		return nil
	}
	if s&1 == 1 {
		// Odd, and still the same odd value after the lock was seen free
		// or its holder dead: the writer that made it odd is gone for
		// good. (A live writer makes it even before it unlocks.)
		if r.tries%readSpins == 0 && writerGone(&v.ctl.mu) && v.ctl.seq.Load() == s {
			return ErrCorrupt
		}
		// The sequence only grows, so one value seen at two instants was
		// there all along. since is read after s was first seen, and the
		// sequence again after the clock: s may be stale (this goroutine
		// may have slept since it loaded s), the sequence read last is not.
		if r.since.IsZero() {
			r.since = time.Now()
		} else if time.Since(r.since) > loadBudget && v.ctl.seq.Load() == s {
			return fmt.Errorf("value: %s %s: a live writer stayed mid-write for %v: %w", op, v.seg.Name(), loadBudget, os.ErrDeadlineExceeded)
		}
	}
	runtime.Gosched()
	return nil
}

// writerGone reports whether no live process holds mu: then the writer
// that made the sequence odd, which holds the lock until it makes it even,
// is dead. A holder that took the lock from a dead one and has not yet
// marked it consistent is alive, and may be writing its repair
// (StoreLocked before MarkConsistent): HeldByLiveOwner, the cheap test,
// says false for it, and the lock's state, which reads the owner's
// liveness file, settles it.
func writerGone(mu *futex.Mutex) bool {
	if mu.HeldByLiveOwner() {
		return false
	}
	st := mu.State()
	return !st.Locked || !st.OwnerAlive
}

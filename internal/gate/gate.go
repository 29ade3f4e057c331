package gate

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// closing is added to Gate.n by Close: from then on n < 0, and n-closing
// counts the goroutines still inside.
const closing = -1 << 62

// Gate guards one handle's mapping. The zero value is open and ready to
// use; it must not be copied after first use.
type Gate struct {
	n      atomic.Int64 // goroutines inside, plus closing once closed
	once   sync.Once    // makes ctx
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	holders int          // handles holding the mapping (Hold)
	pending func() error // Close's release, deferred until the last holder lets go
	retire  func() error // what Close does meanwhile (OnRetire)
	wakers  []func()
	done    bool
	err     error
}

// Enter admits a goroutine into the mapping, or returns os.ErrClosed once
// Close has begun. Every successful Enter must be paired with a Leave.
func (g *Gate) Enter() error {
	if g.n.Add(1) < 0 {
		g.n.Add(-1)
		return os.ErrClosed
	}
	return nil
}

// Leave ends an Enter.
func (g *Gate) Leave() { g.n.Add(-1) }

// Closed reports whether Close has begun. It is one atomic load, for wait
// loops that look for it after each wake-up.
func (g *Gate) Closed() bool { return g.n.Load() < 0 }

// Err returns os.ErrClosed if Close has begun, and nil otherwise.
func (g *Gate) Err() error {
	if g.Closed() {
		return os.ErrClosed
	}
	return nil
}

// ctxs makes the gate's context on first use.
func (g *Gate) ctxs() context.Context {
	g.once.Do(func() { g.ctx, g.cancel = context.WithCancel(context.Background()) })
	return g.ctx
}

// Context returns a context that ends when ctx does or when Close begins,
// and a function to release it. Blocking calls that wait through a
// context (futex.Mutex.LockContext, ...) use it, and turn its end into
// os.ErrClosed with Cause. A ctx without Done costs no allocation.
func (g *Gate) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	gc := g.ctxs()
	if ctx.Done() == nil {
		return gc, func() {}
	}
	merged, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(gc, cancel)
	return merged, func() { stop(); cancel() }
}

// Cause turns an error from a wait on a Context into os.ErrClosed when it
// ended because Close began, and returns it unchanged otherwise.
func (g *Gate) Cause(err error) error {
	if err != nil && g.Closed() && (errors.Is(err, context.Canceled) || errors.Is(err, os.ErrClosed)) {
		return os.ErrClosed
	}
	return err
}

// OnClose registers wake, which Close calls (and calls again while it
// waits) to rouse goroutines of this process parked on a futex word: it
// must change the word and wake its sleepers, and it must be harmless to
// other processes' waiters, which see a spurious wake-up.
func (g *Gate) OnClose(wake func()) {
	g.mu.Lock()
	g.wakers = append(g.wakers, wake)
	g.mu.Unlock()
}

// Close shuts the gate: new Enters fail, contexts from Context end, the
// wakers run, and Close waits until no goroutine is inside. Then it calls
// release (the unmap), once, and later Closes return its result again;
// but while handles still Hold the mapping, the release is left to the
// last one's Unhold, and Close calls the OnRetire function instead.
func (g *Gate) Close(release func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done {
		return g.err
	}
	g.done = true
	g.n.Add(closing)
	g.ctxs()
	g.cancel()
	wait := 20 * time.Microsecond
	for i := 0; g.n.Load() != closing; i++ {
		for _, wake := range g.wakers {
			wake()
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Millisecond)
	}
	if g.holders > 0 {
		g.pending = release
		if g.retire != nil {
			return g.retire()
		}
		return nil
	}
	if release != nil {
		g.err = release()
	}
	return g.err
}

// OnRetire registers what Close does when it must leave the release to
// holders: shm.Segment.Retire, which lets the file go at once and keeps
// only the address range, so that a holder never closed leaks no
// segment.
func (g *Gate) OnRetire(retire func() error) {
	g.mu.Lock()
	g.retire = retire
	g.mu.Unlock()
}

// Hold registers a handle that one goroutine uses at a time (a ring's or
// a queue's Producer or Consumer) as holding the mapping until it calls
// Unhold, or returns os.ErrClosed once Close has begun. Such a handle does
// not Enter for each call, which would cost two locked instructions per
// message: it only checks Closed, one plain load, and Close leaves the
// unmap to the last holder's Unhold, so that a call in flight never finds
// the mapping gone.
func (g *Gate) Hold() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done {
		return os.ErrClosed
	}
	g.holders++
	return nil
}

// Unhold ends a Hold. The last holder after Close runs Close's release
// and returns its error.
func (g *Gate) Unhold() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holders--
	if g.holders > 0 || g.pending == nil {
		return nil
	}
	release := g.pending
	g.pending = nil
	g.err = release()
	return g.err
}

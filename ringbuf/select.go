package ringbuf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/spin"
)

// Select waits until one of the consumers has a message (or its producer
// closed or died), in the manner of select, and returns its index; the
// message is then read from that consumer as usual. It fails with ctx.Err()
// when ctx ends. Each consumer announces itself parked on its own ring, and
// all of them sleep in one FUTEX_WAITV (Linux 5.16+; older kernels poll
// every millisecond).
func Select(ctx context.Context, cs ...*Consumer) (int, error) {
	if len(cs) == 0 || len(cs) > futex.MaxWaitMany {
		return -1, fmt.Errorf("ringbuf: select over %d rings (want 1 to %d)", len(cs), futex.MaxWaitMany)
	}
	words := make([]*atomic.Uint32, len(cs))
	vals := make([]uint32, len(cs))
	for i, c := range cs {
		words[i] = &c.r.consFlag.wakes
	}
	recheck := spin.RecheckMin
	for {
		if i := readyIndex(cs); i >= 0 {
			return i, nil
		}
		// As in waitFor: read each wake counter, announce, look again.
		deadline := time.Now().Add(recheck)
		fence := false
		for i, c := range cs {
			vals[i] = c.r.consFlag.wakes.Load()
			c.r.consFlag.parked.Store(1)
			fence = fence || c.r.prodFlag.relaxed.Load() == 1
		}
		if fence && spin.GlobalBarrier() != nil { // see fence.go
			deadline = time.Now().Add(spin.RecheckMin)
		}
		i := readyIndex(cs)
		if i < 0 {
			_, err := futex.WaitMany(ctx, words, vals, deadline)
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				recheck = min(2*recheck, spin.RecheckMax)
				for j, c := range cs { // a dead producer makes its ring ready, with ErrPeerDead
					if deadOwner(c.r.prod) != 0 {
						i = j
					}
				}
			case err != nil:
				unpark(cs)
				return -1, err
			}
		}
		unpark(cs)
		if i >= 0 {
			return i, nil
		}
	}
}

func unpark(cs []*Consumer) {
	for _, c := range cs {
		c.r.consFlag.parked.Store(0)
	}
}

// readyIndex returns the index of a consumer with something to read (a
// message, its producer's Close, or its own ring's Close in this process,
// which the read then reports as os.ErrClosed), or -1.
func readyIndex(cs []*Consumer) int {
	for i, c := range cs {
		if c.r.gate.Closed() || c.r.prod.pos.Load() != c.next || c.r.prodFlag.closed.Load() == 1 {
			return i
		}
	}
	return -1
}

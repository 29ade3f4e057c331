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

// A Selectable is a consumer that Select can wait on: a ring's Consumer
// (*Consumer) or a queue's (*queue.Consumer), in any mix.
type Selectable interface {
	SelectCase() spin.Case
}

// Select waits until one of the consumers has something to read (a
// message, its producers' end, or a closed handle), in the manner of
// select, and returns its index; the message is then read from that
// consumer as usual, with Next or Read, which report the end as io.EOF
// (TryNext and TryRead report it as ErrEmpty, and an ended consumer
// stays ready: drop it from the set once it has said io.EOF). It fails with ctx.Err() when ctx ends. Rings and
// queues may be mixed. Each consumer announces itself parked as its own
// waits do, and all of them sleep in one FUTEX_WAITV (Linux 5.16+; older
// kernels poll every millisecond).
func Select(ctx context.Context, cs ...Selectable) (int, error) {
	if len(cs) == 0 || len(cs) > futex.MaxWaitMany {
		return -1, fmt.Errorf("ringbuf: select over %d consumers (want 1 to %d)", len(cs), futex.MaxWaitMany)
	}
	cases := make([]spin.Case, len(cs))
	for i, c := range cs {
		cases[i] = c.SelectCase()
	}
	words := make([]*atomic.Uint32, len(cs))
	vals := make([]uint32, len(cs))
	recheck := spin.RecheckMin
	for {
		if i := readyIndex(cases); i >= 0 {
			return i, nil
		}
		// As in each one's own wait: announce, then look again.
		deadline := time.Now().Add(recheck)
		for i, c := range cases {
			var unsure bool
			words[i], vals[i], unsure = c.Park()
			if unsure {
				deadline = time.Now().Add(spin.RecheckMin)
			}
		}
		i := readyIndex(cases)
		if i < 0 {
			_, err := futex.WaitMany(ctx, words, vals, deadline)
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				recheck = min(2*recheck, spin.RecheckMax)
				for j, c := range cases {
					if c.Recheck() {
						i = j
					}
				}
			case err != nil:
				unpark(cases)
				return -1, err
			}
		}
		unpark(cases)
		if i >= 0 {
			return i, nil
		}
	}
}

func unpark(cases []spin.Case) {
	for _, c := range cases {
		c.Unpark()
	}
}

// readyIndex returns the index of a case with something to read, or -1.
func readyIndex(cases []spin.Case) int {
	for i, c := range cases {
		if c.Ready() {
			return i
		}
	}
	return -1
}

// SelectCase makes c a Selectable.
func (c *Consumer) SelectCase() spin.Case { return ringCase{c} }

type ringCase struct{ c *Consumer }

// Ready: a message, its producer's Close, or its own ring's Close in this
// process, which the read then reports as os.ErrClosed.
func (rc ringCase) Ready() bool {
	c := rc.c
	return c.r.gate.Closed() || c.committed() || c.r.prodFlag.closed.Load() == 1
}

func (rc ringCase) Park() (*atomic.Uint32, uint32, bool) {
	c := rc.c
	v := c.r.consFlag.wakes.Load()
	c.r.consFlag.parked.Store(1)
	unsure := c.r.prodFlag.relaxed.Load() == 1 && spin.GlobalBarrier() != nil // see spin's fence.go
	return &c.r.consFlag.wakes, v, unsure
}

func (rc ringCase) Unpark() { rc.c.r.consFlag.parked.Store(0) }

// Recheck: a dead producer makes the ring ready, with ErrPeerDead.
func (rc ringCase) Recheck() bool { return deadOwner(rc.c.r.prod) != 0 }

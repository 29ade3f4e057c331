package queue

import (
	"context"
	"os"

	"github.com/shmkit/shmkit/internal/spin"
)

// WriteBatch copies msgs into the queue in order, waiting for room as
// WriteContext does, and returns how many it wrote: all of them, or the
// first n and the error that stopped it (ctx's, os.ErrClosed,
// ErrTooLarge for msgs[n]).
//
// Each message takes its own slot, claimed, written and committed as by
// Write: consumers take the first messages while the rest are written, a
// wait for room comes between two messages, and a producer that dies
// mid-batch leaves one claimed slot at most, skipped as a dead Write's
// is. What a batch saves is the per-message cost of telling consumers: the
// commits in a row are plain stores that the next claim's CAS fences, and
// the look for parked consumers (and the wake-up) comes once, after the
// last commit before the batch ends or waits.
func (p *Producer) WriteBatch(ctx context.Context, msgs [][]byte) (int, error) {
	n, err := p.writeBatch(ctx, msgs)
	if err != nil {
		err = p.q.named(err)
	}
	return n, err
}

func (p *Producer) writeBatch(ctx context.Context, msgs [][]byte) (int, error) {
	if p.closed() {
		return 0, os.ErrClosed
	}
	recheck := spin.RecheckMin
	n := 0
	for {
		k, err := p.tryWriteBatch(msgs[n:])
		n += k
		if err != ErrFull {
			return n, err
		}
		if recheck, err = p.q.await(ctx, &p.attached, p.q.prodWait, p.room, false, recheck); err != nil {
			return n, err
		}
		if err := p.q.gate.Err(); err != nil {
			return n, err
		}
	}
}

// tryWriteBatch writes as many of msgs as there is room for now, and
// tells consumers once.
func (p *Producer) tryWriteBatch(msgs [][]byte) (int, error) {
	var err error
	n := 0
	for _, msg := range msgs {
		var t uint64
		if t, err = p.put(msg); err != nil {
			break
		}
		spin.Release(p.q.seqAt(t), t+1) // the commit, plain: the next claim's CAS, or the Store below, fences it
		p.tally.add(p.q.produced, uint64(len(msg)))
		n++
	}
	if n > 0 {
		p.store(&p.me.claim, 0) // fenced, so that every commit is seen before the parked bits are loaded, or relaxed (relax.go)
		p.q.wakeOne(p.q.consWait, &p.tally)
	}
	return n, err
}

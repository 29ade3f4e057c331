package queue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/spin"
)

// ErrTooManyDone is returned by TaskDone called more times than messages
// were put, as Python's JoinableQueue.task_done raises ValueError.
var ErrTooManyDone = errors.New("queue: TaskDone called more times than messages were put")

// Python's JoinableQueue: every message put is a task; a consumer that has
// handled one calls TaskDone, and Join waits until every task put so far
// is done. The counts live in the segment, so producers, consumers and
// joiners may be in any processes.
//
// A consumer killed between taking a message and its TaskDone leaves that
// task not done: Join keeps waiting (give it a context), and Unfinished
// counts it. A message its producer died writing was never put.

// puts is how many messages have been put: claimed positions, less the
// claims of producers that died before committing.
func (q *Queue) puts() uint64 { return q.tail.Load() - q.recov.skipped.Load() }

// TaskDone marks one task done: a message taken and handled. It fails
// with ErrTooManyDone rather than count past the messages put.
func (q *Queue) TaskDone() error {
	if err := q.gate.Enter(); err != nil {
		return err
	}
	defer q.gate.Leave()
	for {
		d := q.recov.done.Load()
		if d >= q.puts() {
			return fmt.Errorf("%w (%d put)", ErrTooManyDone, q.puts())
		}
		if q.recov.done.CompareAndSwap(d, d+1) {
			break
		}
	}
	if q.recov.joiners.Load() != 0 { // the add above is a full fence: a joiner counted before it is woken
		q.recov.joinSeq.Add(1)
		_, _ = futex.Wake(&q.recov.joinSeq, futex.All)
	}
	return nil
}

// Unfinished returns how many tasks are put and not yet done (a snapshot).
func (q *Queue) Unfinished() int {
	if q.gate.Enter() != nil {
		return 0
	}
	defer q.gate.Leave()
	p, d := q.puts(), q.recov.done.Load()
	if d > p {
		return 0
	}
	return int(p - d)
}

// Join waits until every task put so far is done (Unfinished is 0), ctx
// ends (ctx.Err()), or q is closed in this process (os.ErrClosed).
//
// Memory model: the TaskDone that completes the last task synchronizes
// before Join returns.
func (q *Queue) Join(ctx context.Context) error {
	if err := q.gate.Enter(); err != nil {
		return err
	}
	defer q.gate.Leave()
	ctx, stop := q.gate.Context(ctx)
	defer stop()
	recheck := spin.RecheckMin
	for {
		seq := q.recov.joinSeq.Load()
		q.recov.joiners.Add(1)
		if q.recov.done.Load() >= q.puts() {
			q.recov.joiners.Add(^uint32(0))
			return nil
		}
		// A TaskDone after the look above bumps seq (it sees us counted),
		// so the wait returns at once; a joiner in a process killed here
		// leaves joiners one too high, which costs TaskDone a wake-up.
		err := futex.WaitContextUntil(ctx, &q.recov.joinSeq, seq, time.Now().Add(recheck))
		q.recov.joiners.Add(^uint32(0))
		switch {
		case err == nil, errors.Is(err, os.ErrDeadlineExceeded):
			recheck = min(2*recheck, spin.RecheckMax)
		default:
			return q.gate.Cause(err)
		}
	}
}

// Len returns how many messages are in the queue (put or being put, and
// not yet taken): a snapshot, stale as soon as it returns.
func (q *Queue) Len() int {
	if q.gate.Enter() != nil {
		return 0
	}
	defer q.gate.Leave()
	h, t := q.head.Load(), q.tail.Load()
	if t < h || t-h > q.geo.slots {
		return 0 // a hostile peer's positions: nothing to count on
	}
	return int(t - h)
}

// Cap returns how many messages the queue holds at most: its slots.
func (q *Queue) Cap() int { return int(q.geo.slots) }

// Empty reports whether Len is 0: a snapshot.
func (q *Queue) Empty() bool { return q.Len() == 0 }

// Full reports whether Len is Cap: a snapshot.
func (q *Queue) Full() bool { return q.Len() == q.Cap() }

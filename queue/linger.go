package queue

import (
	"context"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
)

// SetLinger lets ReadBatch, once a message is there, wait up to d for
// more before it takes them, until producers have claimed a full batch
// (as many slots as the batch may take: max, at most 256 and an eighth
// of the slots). A consumer as fast as its producers otherwise takes
// each message as it is committed, polling the very slot a producer is
// writing: every look takes the slot's line away and makes the
// producer's next store wait for it. Lingering, it looks at the tail
// instead, about every half a microsecond, and one take then carries a
// batch. That can double throughput, at the price of up to d of
// latency. A linger ends early when ReadBatch's context ends, or the
// Queue is closed, and ReadBatch then takes what is there. Zero (the
// default) turns it off; Read and TryRead never linger. It is
// Consumer.SetLinger of package ringbuf, for a queue.
func (c *Consumer) SetLinger(d time.Duration) {
	c.linger = int(d.Nanoseconds() / spin.PauseNanos())
	if d > 0 {
		c.linger = max(c.linger, 1)
	}
}

// lingerStep is the PAUSEs between looks at the tail while lingering:
// each look takes the tail's line from the producers, whose next claim
// then waits for it, so they come seldom (32 PAUSEs, as a ring's).
const lingerStep = 32

// batchLimit is how many slots a batch read of up to max messages takes
// at most.
func (c *Consumer) batchLimit(max int) uint64 {
	return min(uint64(max), maxSpan, c.q.geo.slots/batchShare)
}

// lingerFor spins up to c.linger PAUSEs until producers have claimed at
// least want slots past the head, ctx ends or the Queue is closed. The claims
// need not be committed yet: take then takes what is. A tail behind the
// head (scribbled) reads as a full batch, and ends the linger at once.
func (c *Consumer) lingerFor(ctx context.Context, want uint64) {
	h := c.q.head.Load()
	for i := 0; i < c.linger; i += lingerStep {
		if c.q.tail.Load()-h >= want || c.q.gate.Closed() || ctx.Err() != nil {
			return
		}
		spin.Pause(lingerStep)
	}
}

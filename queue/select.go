package queue

import (
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/spin"
)

// SelectCase makes c a ringbuf.Selectable, so that ringbuf.Select waits
// on it beside rings and other queues.
func (c *Consumer) SelectCase() spin.Case { return &queueCase{c: c} }

type queueCase struct {
	c    *Consumer
	owed bool // Park cleared a woken bit: a wake-up is owed if a message is there
}

// Ready: a message at the head, the end of the stream, or q closed in
// this process.
func (qc *queueCase) Ready() bool {
	q := qc.c.q
	return q.gate.Closed() || qc.c.ready() || q.ended()
}

// Park is await's announcement: never sleep on a word with the woken bit
// set, then set this consumer's parked bit.
func (qc *queueCase) Park() (*atomic.Uint32, uint32, bool) {
	ws := qc.c.q.consWait
	seq := ws.wakes.Load()
	for seq&wokenBit != 0 {
		qc.owed = clearWoken(ws) || qc.owed
		seq = ws.wakes.Load()
	}
	ws.park(qc.c.idx)
	return &ws.wakes, seq, qc.c.q.fenceParked()
}

// Unpark clears the parked bit first, so that a wake-up passed on is not
// for us, then passes on what is owed.
func (qc *queueCase) Unpark() {
	q := qc.c.q
	q.consWait.unpark(qc.c.idx)
	if clearWoken(q.consWait) || qc.owed {
		q.passOn(q.consWait, qc.c.ready)
	}
	qc.owed = false
}

// Recheck settles a dead producer's claim at the head, after which the
// queue may be ready.
func (qc *queueCase) Recheck() bool {
	c := qc.c
	if h := c.q.head.Load(); c.stuck.due(h) {
		_ = c.q.settleAt(h) // a corrupt slot shows at the read
	}
	return qc.Ready()
}

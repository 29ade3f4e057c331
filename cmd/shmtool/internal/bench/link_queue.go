package bench

import (
	"context"

	"github.com/shmkit/shmkit/queue"
)

// queue: one queue each way, copying.

// queueTx and queueRx wait on the link's context: a context per message
// would cost an allocation each.
type queueTx struct {
	ctx context.Context
	p   *queue.Producer
}

func (s queueTx) send(msg []byte) error { return s.p.WriteContext(s.ctx, msg) }

type queueRx struct {
	ctx context.Context
	c   *queue.Consumer
}

func (r queueRx) recv(buf []byte) ([]byte, error) {
	n, err := r.c.ReadContext(r.ctx, buf)
	return buf[:n], err
}

// recvBatch hands fn the messages at the head, in place, taken with one
// CAS and released with one fence (ReadBatch): how a queue is read for
// throughput, as a ring is.
func (r queueRx) recvBatch(fn func(msg []byte) error) error {
	_, err := r.c.ReadBatch(r.ctx, 256, fn)
	return err
}

func queueLink(ctx context.Context, parent bool, mode string, size int, args []string) (*link, error) {
	out, in, names, cleanup, err := objectPair(parent, args,
		func(name string) (*queue.Queue, error) {
			return queue.Create(name, queue.Config{Slots: max(64, queue.SlotsFor(capacityFor("queue", size), size)), MaxMessage: size}, nil)
		},
		func(name string) (*queue.Queue, error) { return queue.Open(name, nil) })
	if err != nil {
		return nil, err
	}
	p, err := out.Producer()
	if err != nil {
		cleanup()
		return nil, err
	}
	c, err := in.Consumer()
	if err != nil {
		p.Close()
		cleanup()
		return nil, err
	}
	p.SetWait(waitFor(mode))
	c.SetWait(waitFor(mode))
	c.SetLinger(linger) // ReadBatch's, as a ring's; Read does not linger
	wakeups := func() uint64 { return queueWakeups(out.State()) + queueWakeups(in.State()) }
	flush := func() { p.Close(); c.Close() }
	return &link{tx: queueTx{ctx, p}, rx: queueRx{ctx, c}, args: names, closer: func() { flush(); cleanup() }, wakeups: wakeups, flush: flush}, nil
}

// queueWakeups is what the producers and consumers of a queue have woken
// the other side, from its shared counters.
func queueWakeups(st queue.State) uint64 {
	return st.Counters.Produced.Wakeups + st.Counters.Consumed.Wakeups
}

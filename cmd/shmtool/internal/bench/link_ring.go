package bench

import (
	"context"
	"io"
	"time"

	"github.com/shmkit/shmkit/ringbuf"
)

// ring and stream: one ring each way, zero-copy on both sides for ring.

// linger is how long a ring, stream or queue reader's batch waits for
// more (SetLinger of ringbuf.Consumer, StreamReader and queue.Consumer):
// throughput is measured with batch reads, round trips with single ones,
// which do not linger. 4µs: the queue's 8-byte rows doubled from 2µs to
// 4µs (a batch of 256 then fills), and the rings' held (interleaved runs).
const linger = 4 * time.Microsecond

// A link's ring, stream or queue holds capacityFor bytes, where each
// link ran fastest on the project's VM (interleaved runs; a core's L2 is
// 2 MiB). Two effects pull apart:
//
//   - Where the producer outruns the consumer (messages of 1 KiB and
//     more, and batch writes of any size), the ring runs full and the
//     consumer reads what was written a lap ago: the lap should fit in
//     L2. In 4 MiB the ring lost 30% at 1 KiB and a seventh at 64 KiB,
//     ring-batch a tenth at 8 bytes and a fifth at 64, the floor a
//     third at 64 bytes and a seventh at 64 KiB.
//   - Where the consumer keeps up (single writes below 1 KiB), the ring
//     stays nearly empty, and its depth only decides how often a
//     blocking producer parks on a full one: in 1 MiB the block rows
//     lost a tenth (ring) to a fifth (stream) at 8 bytes, the queue a
//     quarter at 64.
const (
	lapCapacity  = 1 << 20
	deepCapacity = 4 << 20
)

// capacityFor is the ring size of transport's links for messages of size
// bytes: deepCapacity for single writes below 1 KiB; else lapCapacity,
// doubled up to deepCapacity while it holds fewer than 32 messages (at
// 64 KiB, 2 MiB ran as fast as 1 MiB and woke a parked writer a third as
// often: 0.02 a message against 0.056), except the floor's, which stays
// at lapCapacity. Always enough that a quarter holds a record.
func capacityFor(transport string, size int) int {
	switch {
	case transport == "floor":
		return growFor(lapCapacity, size)
	case size < 1<<10 && transport != "ring-batch":
		return growFor(deepCapacity, size)
	}
	c := lapCapacity
	for c < 32*size && c < deepCapacity {
		c *= 2
	}
	return growFor(c, size)
}

// growFor doubles c until a quarter of it holds a record of size bytes
// (its 8-byte header included), as a ring requires.
func growFor(c, size int) int {
	for c/4-8 < size {
		c *= 2
	}
	return c
}

type ringTx struct {
	p *ringbuf.Producer
}

// send copies msg in with Write, as a program sending a prepared message
// would (Reserve, copy and Commit are the same work in two calls).
func (s ringTx) send(msg []byte) error { return s.p.Write(msg) } // a dead peer is ErrPeerDead

type ringRx struct {
	c *ringbuf.Consumer
}

func (r ringRx) recv([]byte) ([]byte, error) { return r.c.Next(context.Background()) }

// recvBatch hands fn every message available, in place, and releases them
// all with one update of the consumer position: how a ring is read for
// throughput.
func (r ringRx) recvBatch(fn func(msg []byte) error) error {
	_, err := r.c.ReadBatch(context.Background(), 256, fn)
	return err
}

// ringLink makes (parent) or opens (child) the two rings of a ring,
// ring-batch or stream link.
func ringLink(parent bool, transport, mode string, size int, args []string) (*link, error) {
	if transport == "stream" {
		return pairLink(parent, args, func(name string) (*ringbuf.Stream, error) {
			return ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: capacityFor(transport, size)}, nil)
		}, func(name string) (*ringbuf.Stream, error) { return ringbuf.OpenStream(name, nil) },
			func(out, in *ringbuf.Stream) (*link, error) { return streamEnds(out, in, waitFor(mode), size) })
	}
	return pairLink(parent, args, func(name string) (*ringbuf.Ring, error) {
		return ringbuf.Create(name, ringbuf.Config{Capacity: capacityFor(transport, size), MaxMessage: max(size, 8)}, nil)
	}, func(name string) (*ringbuf.Ring, error) { return ringbuf.Open(name, nil) },
		func(out, in *ringbuf.Ring) (*link, error) {
			l, err := ringEnds(out, in, waitFor(mode))
			if err == nil && transport == "ring-batch" {
				l.tx = ringBatchTx{l.tx.(ringTx), batchLen(size)}
			}
			return l, err
		})
}

// pairLink makes or opens a pair of objects (objectPair) and attaches the
// link's ends to them with ends.
func pairLink[T interface{ Close() error }](parent bool, args []string, create, open func(string) (T, error), ends func(out, in T) (*link, error)) (*link, error) {
	out, in, names, cleanup, err := objectPair(parent, args, create, open)
	if err != nil {
		return nil, err
	}
	l, err := ends(out, in)
	if err != nil {
		cleanup()
		return nil, err
	}
	l.args, l.closer = names, cleanup
	return l, nil
}

// streamEnds attaches a stream writer to out and a lingering reader to in, for
// messages of size bytes.
func streamEnds(out, in *ringbuf.Stream, wait ringbuf.Wait, size int) (*link, error) {
	w, err := out.Writer()
	if err != nil {
		return nil, err
	}
	r, err := in.Reader()
	if err != nil {
		return nil, err
	}
	w.SetWait(wait)
	r.SetWait(wait)
	r.SetLinger(linger) // WriteTo's batches, as a ring reader's; Read does not linger
	wakeups := func() uint64 { return streamWakeups(out) + streamWakeups(in) }
	flush := func() { w.Close(); r.Close() }
	rx := &streamRx{readerRx: readerRx{r}, r: r, carry: make([]byte, 0, size)}
	return &link{tx: writerTx{w}, rx: rx, wakeups: wakeups, flush: flush}, nil
}

// ringEnds attaches a producer to out and a lingering consumer to in.
func ringEnds(out, in *ringbuf.Ring, wait ringbuf.Wait) (*link, error) {
	p, err := out.Producer()
	if err != nil {
		return nil, err
	}
	c, err := in.Consumer()
	if err != nil {
		return nil, err
	}
	p.SetWait(wait)
	c.SetWait(wait)
	c.SetLinger(linger)
	wakeups := func() uint64 { return ringWakeups(out.State()) + ringWakeups(in.State()) }
	flush := func() { p.Close(); c.Close() }
	return &link{tx: ringTx{p}, rx: ringRx{c}, wakeups: wakeups, flush: flush}, nil
}

// ringWakeups is what both sides of a ring have woken the other, from
// its shared counters.
func ringWakeups(st ringbuf.State) uint64 {
	return st.Counters.Produced.Wakeups + st.Counters.Consumed.Wakeups
}

// streamWakeups is ringWakeups for a stream, which shows its ring only to
// Inspect.
func streamWakeups(s *ringbuf.Stream) uint64 {
	st, err := ringbuf.Inspect(s.Segment())
	if err != nil {
		return 0
	}
	return ringWakeups(st)
}

// writerTx and readerRx carry fixed-size messages over a byte stream.
type writerTx struct{ w io.Writer }

func (s writerTx) send(msg []byte) error {
	_, err := s.w.Write(msg)
	return err
}

type readerRx struct{ r io.Reader }

func (r readerRx) recv(buf []byte) ([]byte, error) {
	_, err := io.ReadFull(r.r, buf)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return buf, err
}

// streamRx reads a stream: a round trip's messages with Read (readerRx),
// throughput with WriteTo, which hands over the stream's bytes in place
// (io.Copy's path), cut back into messages.
type streamRx struct {
	readerRx
	r     *ringbuf.StreamReader
	carry []byte // a message split between two of WriteTo's chunks
}

func (s *streamRx) recvBatch(fn func(msg []byte) error) error {
	_, err := s.r.WriteTo(&messageCutter{s: s, fn: fn})
	if err == nil {
		err = io.EOF
	}
	return err
}

// messageCutter is the io.Writer streamRx gives WriteTo: it calls fn on
// each whole message of len(carry's capacity) bytes, in place where it
// can, and stops (with fn's error) at the first error, having consumed
// the bytes up to the end of that message.
type messageCutter struct {
	s  *streamRx
	fn func(msg []byte) error
}

func (m *messageCutter) Write(p []byte) (int, error) {
	s, size, done := m.s, cap(m.s.carry), 0
	if len(s.carry) > 0 {
		k := copy(s.carry[len(s.carry):size], p)
		s.carry, done = s.carry[:len(s.carry)+k], k
		if len(s.carry) < size {
			return done, nil
		}
		msg := s.carry
		s.carry = s.carry[:0]
		if err := m.fn(msg); err != nil {
			return done, err
		}
	}
	for len(p)-done >= size {
		msg := p[done : done+size : done+size]
		done += size
		if err := m.fn(msg); err != nil {
			return done, err
		}
	}
	s.carry = append(s.carry, p[done:]...)
	return len(p), nil
}

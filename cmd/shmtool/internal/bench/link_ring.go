package bench

import (
	"context"
	"io"
	"time"

	"github.com/shmkit/shmkit/ringbuf"
)

// ring and stream: one ring each way, zero-copy on both sides for ring.

// linger is how long a ring reader's batch waits for more messages
// (ringbuf.Consumer.SetLinger): throughput is measured with batch reads,
// round trips with single ones, which do not linger.
const linger = 2 * time.Microsecond

// ringCapacity is each ring's size, and so about what a link may hold.
const ringCapacity = 4 << 20

type ringTx struct {
	p *ringbuf.Producer
}

func (s ringTx) send(msg []byte) error {
	b, err := s.p.Reserve(context.Background(), len(msg)) // a dead peer is ErrPeerDead
	if err != nil {
		return err
	}
	copy(b, msg)
	return s.p.Commit()
}

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

// ringLink makes (parent) or opens (child) the two rings of a ring or
// stream link.
func ringLink(parent bool, stream bool, mode string, size int, args []string) (*link, error) {
	create := func(name string) (*ringbuf.Ring, error) { return ringbuf.Create(name, ringCapacity, max(size, 8), nil) }
	open := func(name string) (*ringbuf.Ring, error) { return ringbuf.Open(name, nil) }
	if stream {
		create = func(name string) (*ringbuf.Ring, error) { return ringbuf.CreateStream(name, ringCapacity, nil) }
		open = func(name string) (*ringbuf.Ring, error) { return ringbuf.OpenStream(name, nil) }
	}
	out, in, names, cleanup, err := objectPair(parent, args, create, open)
	if err != nil {
		return nil, err
	}
	l, err := ringEnds(out, in, stream, waitFor(mode))
	if err != nil {
		cleanup()
		return nil, err
	}
	l.args, l.closer = names, cleanup
	return l, nil
}

// ringEnds attaches the sending end to out and the receiving end to in:
// a stream writer and reader, or a producer and a lingering consumer.
func ringEnds(out, in *ringbuf.Ring, stream bool, wait ringbuf.Wait) (*link, error) {
	if stream {
		w, err := out.StreamWriter()
		if err != nil {
			return nil, err
		}
		r, err := in.StreamReader()
		if err != nil {
			return nil, err
		}
		w.SetWait(wait)
		r.SetWait(wait)
		return &link{tx: writerTx{w}, rx: readerRx{r}}, nil
	}
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
	return &link{tx: ringTx{p}, rx: ringRx{c}}, nil
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

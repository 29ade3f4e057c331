package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// A link joins the bench's two processes: tx carries this process's
// messages to the other, rx the other's to this one. The parent makes the
// resources (segments, descriptors) and tells the child how to find them:
// args for names, files for descriptors (fd 3, 4, ... in the child).
type link struct {
	tx     sender
	rx     receiver
	args   []string
	files  []*os.File
	closer func()
}

type sender interface {
	send(msg []byte) error
}

// receiver returns the next message, possibly in place: valid until the
// next call.
type receiver interface {
	recv(buf []byte) ([]byte, error)
}

// benchLinger is how long a ring reader's batch waits for more messages
// (ringbuf.Consumer.SetLinger): throughput is measured with batch reads,
// round trips with single ones, which do not linger.
var benchLinger = 2 * time.Microsecond

// benchTimeout bounds every wait on the other process, which may have died.
const benchTimeout = 30 * time.Second

// benchSegment names a segment of this bench run.
func benchSegment(tag string) string {
	return fmt.Sprintf("shmtool-bench-%d-%s", os.Getpid(), tag)
}

// --- ring: one ring each way, zero-copy on both sides ---

// benchCtx bounds a whole bench run's waits on the other process (a
// context per message would cost an allocation each).
var benchCtx, _ = context.WithTimeout(context.Background(), 30*time.Minute) //nolint:govet // lives as long as the process

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

// objectPair makes (parent, with create) or opens (child, with open, from
// args) one object each way, and returns the one this process writes, the
// one it reads, their names and how to close (and, in the parent,
// remove) them. The parent writes "fwd" and reads "back"; the child the
// other way.
func objectPair[T interface{ Close() error }](parent bool, args []string, create, open func(name string) (T, error)) (out, in T, names []string, cleanup func(), err error) {
	names = args
	if parent {
		names = []string{benchSegment("fwd"), benchSegment("back")}
	}
	var objs [2]T
	made := 0
	cleanup = func() {
		for i := range made {
			objs[i].Close()
			if parent {
				shm.Remove(names[i])
			}
		}
	}
	for i, name := range names {
		if parent {
			objs[i], err = create(name)
		} else {
			objs[i], err = open(name)
		}
		if err != nil {
			cleanup()
			return out, in, nil, nil, err
		}
		made++
	}
	if parent {
		return objs[0], objs[1], names, cleanup, nil
	}
	return objs[1], objs[0], names, cleanup, nil
}

// benchWait is the wait strategy of a bench mode.
func benchWait(mode string) ringbuf.Wait {
	if mode == "block" {
		return ringbuf.Block
	}
	return ringbuf.Spin
}

// ringLink makes (parent) or opens (child) the two rings of a ring or
// stream link.
func ringLink(parent bool, stream bool, mode string, size int, args []string) (*link, error) {
	const capacity = 4 << 20
	create := func(name string) (*ringbuf.Ring, error) { return ringbuf.Create(name, capacity, max(size, 8), nil) }
	open := func(name string) (*ringbuf.Ring, error) { return ringbuf.Open(name, nil) }
	if stream {
		create = func(name string) (*ringbuf.Ring, error) { return ringbuf.CreateStream(name, capacity, nil) }
		open = func(name string) (*ringbuf.Ring, error) { return ringbuf.OpenStream(name, nil) }
	}
	out, in, names, cleanup, err := objectPair(parent, args, create, open)
	if err != nil {
		return nil, err
	}
	l, err := ringEnds(out, in, stream, benchWait(mode))
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
	c.SetLinger(benchLinger)
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

// --- queue: one queue each way, copying ---

type queueTx struct {
	p *ringbuf.QueueProducer
}

func (s queueTx) send(msg []byte) error { return s.p.WriteContext(benchCtx, msg) }

type queueRx struct {
	c *ringbuf.QueueConsumer
}

func (r queueRx) recv(buf []byte) ([]byte, error) {
	n, err := r.c.ReadContext(benchCtx, buf)
	return buf[:n], err
}

func queueLink(parent bool, mode string, size int, args []string) (*link, error) {
	out, in, names, cleanup, err := objectPair(parent, args,
		func(name string) (*ringbuf.Queue, error) {
			return ringbuf.CreateQueue(name, ringbuf.QueueConfig{Slots: max(64, ringbuf.QueueSlotsFor(4<<20, size)), MaxMessage: size}, nil)
		},
		func(name string) (*ringbuf.Queue, error) { return ringbuf.OpenQueue(name, nil) })
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
		cleanup()
		return nil, err
	}
	p.SetWait(benchWait(mode))
	c.SetWait(benchWait(mode))
	return &link{tx: queueTx{p}, rx: queueRx{c}, args: names, closer: func() { p.Close(); c.Close(); cleanup() }}, nil
}

// --- limit and futex: one turn word and one buffer, strictly alternating ---

// turnLink is both ends of a ping-pong over one shared buffer: a side may
// write when the turn word equals its count v, and its peer's answer has
// come when the word is v+1. limit spins on the word (the hardware floor
// for a round trip), futex parks on it (the floor for a blocking one).
type turnLink struct {
	word  *atomic.Uint32
	buf   []byte
	v     uint32
	block bool
}

func (t *turnLink) await(want uint32) error {
	deadline := time.Now().Add(benchTimeout)
	for i := 0; ; i++ {
		cur := t.word.Load()
		if cur == want {
			return nil
		}
		if t.block {
			if err := futex.WaitUntil(t.word, cur, deadline); err != nil {
				return err
			}
		} else if i%(1<<20) == 0 && time.Now().After(deadline) {
			return os.ErrDeadlineExceeded
		}
	}
}

func (t *turnLink) send(msg []byte) error {
	if err := t.await(t.v); err != nil {
		return err
	}
	copy(t.buf, msg)
	t.v++
	t.word.Store(t.v)
	if t.block {
		_, err := futex.Wake(t.word, 1)
		return err
	}
	return nil
}

func (t *turnLink) recv(buf []byte) ([]byte, error) {
	if err := t.await(t.v + 1); err != nil {
		return nil, err
	}
	t.v++
	return t.buf[:len(buf)], nil
}

func turnLinkFor(parent bool, mode string, size int, args []string) (*link, error) {
	var seg *shm.Segment
	var err error
	name := benchSegment("turn")
	if parent {
		seg, err = shm.Create(name, int64(64+size), nil)
	} else {
		name = args[0]
		seg, err = shm.Open(name, &shm.Options{Kind: "raw"})
	}
	if err != nil {
		return nil, err
	}
	p := seg.Payload()
	if len(p) < 64+size {
		seg.Close()
		return nil, fmt.Errorf("turn segment of %d bytes, want %d", len(p), 64+size)
	}
	t := &turnLink{word: wordAt(p, 0), buf: p[64 : 64+size], block: mode == "block"}
	return &link{tx: t, rx: t, args: []string{name}, closer: func() {
		seg.Close()
		if parent {
			shm.Remove(name)
		}
	}}, nil
}

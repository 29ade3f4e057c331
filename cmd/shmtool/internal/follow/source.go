package follow

import (
	"context"
	"errors"
	"time"

	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// A source gives the next message, appended to buf[:0] or in a buffer of
// its own, and releases what it holds when done.
type source struct {
	next func(ctx context.Context, buf []byte) ([]byte, error)
	done func() error
}

// poll is how often an observer looks for a new message: an observer
// cannot park, since it writes nothing a producer would wake.
const poll = 5 * time.Millisecond

// open returns the source of the ring, stream or queue called name,
// watching or consuming.
func open(name string, consume bool) (source, error) {
	seg, err := shm.Open(name, &shm.Options{ReadOnly: true, AllowOtherUsers: true})
	if err != nil {
		return source{}, err
	}
	kind := seg.Kind()
	if consume {
		seg.Close() // the kind's own Open maps it again, writable
		switch kind {
		case ringbuf.Kind:
			return consumeRing(name)
		case ringbuf.StreamKind:
			return consumeStream(name)
		case queue.Kind:
			return consumeQueue(name)
		}
		return source{}, &KindError{"tail", name, kind}
	}
	var next func(context.Context, []byte) ([]byte, error)
	switch kind {
	case ringbuf.Kind, ringbuf.StreamKind:
		o, err := ringbuf.Observe(seg)
		if err != nil {
			seg.Close()
			return source{}, err
		}
		next = func(ctx context.Context, buf []byte) ([]byte, error) { return o.Next(ctx, buf, poll) }
	case queue.Kind:
		o, err := queue.Observe(seg)
		if err != nil {
			seg.Close()
			return source{}, err
		}
		next = func(ctx context.Context, buf []byte) ([]byte, error) { return o.Next(ctx, buf, poll) }
	default:
		seg.Close()
		return source{}, &KindError{"tail", name, kind}
	}
	return source{next, seg.Close}, nil
}

func consumeRing(name string) (source, error) {
	r, err := ringbuf.Open(name, nil)
	if err != nil {
		return source{}, err
	}
	c, err := r.Consumer()
	if err != nil {
		r.Close()
		return source{}, err
	}
	next := func(ctx context.Context, buf []byte) ([]byte, error) {
		msg, err := c.Next(ctx)
		return append(buf[:0], msg...), err // msg is the ring's until the next Next
	}
	return source{next, func() error { return errors.Join(c.Close(), r.Close()) }}, nil
}

// consumeStream reads a stream's bytes, in the chunks they come in.
func consumeStream(name string) (source, error) {
	s, err := ringbuf.OpenStream(name, nil)
	if err != nil {
		return source{}, err
	}
	rd, err := s.Reader()
	if err != nil {
		s.Close()
		return source{}, err
	}
	next := func(ctx context.Context, buf []byte) ([]byte, error) {
		buf = buf[:cap(buf)]
		if len(buf) < 64<<10 {
			buf = make([]byte, 64<<10)
		}
		n, err := rd.ReadContext(ctx, buf)
		return buf[:n], err
	}
	return source{next, func() error { return errors.Join(rd.Close(), s.Close()) }}, nil
}

func consumeQueue(name string) (source, error) {
	q, err := queue.Open(name, nil)
	if err != nil {
		return source{}, err
	}
	c, err := q.Consumer()
	if err != nil {
		q.Close()
		return source{}, err
	}
	next := func(ctx context.Context, buf []byte) ([]byte, error) {
		buf = buf[:cap(buf)]
		if len(buf) < q.MaxMessage() {
			buf = make([]byte, q.MaxMessage())
		}
		n, err := c.ReadContext(ctx, buf)
		return buf[:n], err
	}
	return source{next, func() error { return errors.Join(c.Close(), q.Close()) }}, nil
}

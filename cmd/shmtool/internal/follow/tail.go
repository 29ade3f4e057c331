package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
)

// TailConfig says how Tail follows and when it stops.
type TailConfig struct {
	Consume bool          // take the messages, as a consumer, rather than observe
	Count   int           // stop after this many messages; 0: never
	Wait    time.Duration // stop after this long without one; 0: never
}

// Message is one message a Tailer returns.
type Message struct {
	Seq  int    // 0 for the first message the Tailer returned
	Data []byte // the Tailer's buffer: valid until the next call of Next
}

// A Tailer follows one ring, stream or queue. It must not be used from
// more than one goroutine at once.
type Tailer struct {
	src    source
	cfg    TailConfig
	seq    int
	buf    []byte
	ended  bool
	closed bool
}

// Tail starts following the ring, stream or queue called name, from the
// next message committed (an observer) or the next one not yet taken
// (with cfg.Consume).
func Tail(name string, cfg TailConfig) (*Tailer, error) {
	if cfg.Count < 0 || cfg.Wait < 0 {
		return nil, fmt.Errorf("%w: Count %d, Wait %v: want neither negative", ErrInvalidConfig, cfg.Count, cfg.Wait)
	}
	src, err := open(name, cfg.Consume)
	if err != nil {
		return nil, err
	}
	return &Tailer{src: src, cfg: cfg}, nil
}

// Next waits for the next message. It returns io.EOF once Count messages
// were returned, after Wait without one, or at the end of a stream;
// ErrLapped when an observer missed messages, after which Next goes on;
// and the context's error if ctx ends first.
func (t *Tailer) Next(ctx context.Context) (Message, error) {
	if t.ended || t.cfg.Count > 0 && t.seq >= t.cfg.Count {
		return Message{}, io.EOF
	}
	wctx, cancel := ctx, context.CancelFunc(func() {})
	if t.cfg.Wait > 0 {
		wctx, cancel = context.WithTimeout(ctx, t.cfg.Wait)
	}
	msg, err := t.src.next(wctx, t.buf)
	cancel()
	switch {
	case errors.Is(err, ringbuf.ErrLapped), errors.Is(err, queue.ErrLapped):
		return Message{}, ErrLapped
	case errors.Is(err, context.DeadlineExceeded) && t.cfg.Wait > 0, errors.Is(err, io.EOF):
		t.ended = true
		return Message{}, io.EOF
	case err != nil:
		return Message{}, err
	}
	t.buf = msg
	m := Message{Seq: t.seq, Data: msg}
	t.seq++
	return m, nil
}

// Close releases the segment, and the consumer's place with Consume. It
// is idempotent.
func (t *Tailer) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	return t.src.done()
}

package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
)

// An observer sees the messages committed after it started, numbered from
// 0, and takes none; a consumer takes them from the oldest.
func TestTailRing(t *testing.T) {
	name := path(t, "ring")
	r := createRing(t, name)
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Write([]byte("before"))
	obs := tail(t, name, TailConfig{Count: 2})
	p.Write([]byte("one"))
	p.Write([]byte("two"))
	for i, want := range []string{"one", "two"} {
		if m := next(t, obs); m.Seq != i || string(m.Data) != want {
			t.Fatalf("observer's Next() = %d %q, want %d %q", m.Seq, m.Data, i, want)
		}
	}
	if _, err := obs.Next(context.Background()); err != io.EOF {
		t.Fatalf("Next() after Count messages = %v, want io.EOF", err)
	}
	if st := r.State(); st.ConsumerPos != 0 {
		t.Fatalf("an observer consumed: consumer position %d", st.ConsumerPos)
	}
	c := tail(t, name, TailConfig{Consume: true, Wait: 20 * time.Millisecond})
	for i, want := range []string{"before", "one", "two"} {
		if m := next(t, c); m.Seq != i || string(m.Data) != want {
			t.Fatalf("consumer's Next() = %d %q, want %d %q", m.Seq, m.Data, i, want)
		}
	}
	for range 2 { // the end stays the end
		if _, err := c.Next(context.Background()); err != io.EOF {
			t.Fatalf("Next() after Wait without a message = %v, want io.EOF", err)
		}
	}
	if err := c.Close(); err != nil || c.Close() != nil {
		t.Fatalf("Close twice = %v", err)
	}
}

// An observer that the producer laps says so with ErrLapped, and then
// follows on from the producer's position.
func TestTailRingLapped(t *testing.T) {
	name := path(t, "ring")
	r := createRing(t, name)
	p, _ := r.Producer()
	defer p.Close()
	c, _ := r.Consumer()
	defer c.Close()
	obs := tail(t, name, TailConfig{})
	for i := range 100 { // 100 records of over 100 bytes: more than the ring holds
		if err := p.Write(fmt.Appendf(nil, "message %100d", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.TryNext(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := obs.Next(context.Background()); !errors.Is(err, ErrLapped) {
		t.Fatalf("Next() of a lapped observer = %v, want ErrLapped", err)
	}
	p.Write([]byte("after"))
	if m := next(t, obs); m.Seq != 0 || string(m.Data) != "after" {
		t.Fatalf("Next() after ErrLapped = %d %q, want 0 \"after\"", m.Seq, m.Data)
	}
}

// A stream's bytes come in the chunks they were written in, and its end
// is io.EOF.
func TestTailStream(t *testing.T) {
	name := path(t, "stream")
	s, err := ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: 4096}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.Writer()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello, stream"))
	c := tail(t, name, TailConfig{Consume: true})
	if m := next(t, c); string(m.Data) != "hello, stream" {
		t.Fatalf("Next() = %q, want the chunk written", m.Data)
	}
	w.Close()
	if _, err := c.Next(context.Background()); err != io.EOF {
		t.Fatalf("Next() after the writer closed = %v, want io.EOF", err)
	}
}

// A queue's observer sees messages without taking them; a consumer takes
// them.
func TestTailQueue(t *testing.T) {
	name := path(t, "queue")
	q := createQueue(t, name)
	p, _ := q.Producer()
	defer p.Close()
	obs := tail(t, name, TailConfig{})
	p.Write([]byte("one"))
	if m := next(t, obs); string(m.Data) != "one" {
		t.Fatalf("observer's Next() = %q, want \"one\"", m.Data)
	}
	if st := q.State(); st.Head != 0 {
		t.Fatalf("an observer took messages: head %d", st.Head)
	}
	c := tail(t, name, TailConfig{Consume: true, Count: 1})
	if m := next(t, c); string(m.Data) != "one" {
		t.Fatalf("consumer's Next() = %q, want \"one\"", m.Data)
	}
	if st := q.State(); st.Head != 1 {
		t.Fatalf("a consumer took %d messages, want 1", st.Head)
	}
}

// A Next that the context ends returns the context's error: only Wait
// ends a tail quietly.
func TestTailContext(t *testing.T) {
	name := path(t, "ring")
	createRing(t, name)
	obs := tail(t, name, TailConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := obs.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next(cancelled) = %v, want context.Canceled", err)
	}
}

// A queue's observer that a consumer beat to a message says so with
// ErrLapped, as a ring's does, and goes on with the next one.
func TestTailQueueLapped(t *testing.T) {
	name := path(t, "queue")
	q := createQueue(t, name)
	p, _ := q.Producer()
	defer p.Close()
	c, _ := q.Consumer()
	defer c.Close()
	obs := tail(t, name, TailConfig{})
	p.Write([]byte("taken"))
	p.Write([]byte("seen"))
	if _, err := c.TryRead(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if _, err := obs.Next(context.Background()); !errors.Is(err, ErrLapped) {
		t.Fatalf("Next() after a consumer took the first message = %v, want ErrLapped", err)
	}
	if m := next(t, obs); m.Seq != 0 || string(m.Data) != "seen" {
		t.Fatalf("Next() after ErrLapped = %d %q, want 0 \"seen\"", m.Seq, m.Data)
	}
}

// createRing makes the ring at name (4 KiB, messages up to 1000 bytes),
// closed when the test ends.
func createRing(t *testing.T, name string) *ringbuf.Ring {
	t.Helper()
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 4096, MaxMessage: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// createQueue makes the queue at name (8 slots of 100 bytes), closed when
// the test ends.
func createQueue(t *testing.T, name string) *queue.Queue {
	t.Helper()
	q, err := queue.Create(name, queue.Config{Slots: 8, MaxMessage: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

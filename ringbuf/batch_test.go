package ringbuf_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
)

// A batch larger than the ring goes through whole and in order while a
// consumer reads, empty messages and wrap-around padding included.
func TestWriteBatchLargerThanRing(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 4096, MaxMessage: 512})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Producer()
	c, _ := r.Consumer()
	var batch [][]byte
	for i := range 2000 {
		batch = append(batch, bytes.Repeat([]byte{byte(i)}, i%300)) // 0 to 299 bytes: about 70 rings' worth
	}
	done := make(chan error, 1)
	go func() {
		n, err := p.WriteBatch(context.Background(), batch)
		if err == nil && n != len(batch) {
			err = fmt.Errorf("WriteBatch wrote %d of %d", n, len(batch))
		}
		p.Close()
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	for i, want := range batch {
		msg, err := c.Next(ctx)
		if err != nil || !bytes.Equal(msg, want) {
			t.Fatalf("message %d: %d bytes, %v; want %d bytes of %d", i, len(msg), err, len(want), byte(i))
		}
	}
	if _, err := c.Next(ctx); err != io.EOF {
		t.Fatalf("after the batch: %v, want io.EOF", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A message too large stops the batch: those before it are committed,
// and their count returned.
func TestWriteBatchTooLarge(t *testing.T) {
	r, _ := ringbuf.New(ringbuf.Config{Capacity: 4096, MaxMessage: 100})
	p, _ := r.Producer()
	c, _ := r.Consumer()
	n, err := p.WriteBatch(context.Background(), [][]byte{[]byte("a"), []byte("b"), make([]byte, 101), []byte("d")})
	if n != 2 || !errors.Is(err, ringbuf.ErrTooLarge) {
		t.Fatalf("WriteBatch = %d, %v; want 2, ErrTooLarge", n, err)
	}
	for _, want := range []string{"a", "b"} {
		if msg, err := c.TryNext(); err != nil || string(msg) != want {
			t.Fatalf("TryNext = %q, %v; want %q", msg, err, want)
		}
	}
	if _, err := c.TryNext(); err != ringbuf.ErrEmpty {
		t.Fatalf("after the committed part: %v, want ErrEmpty", err)
	}
	if n, err := p.WriteBatch(context.Background(), nil); n != 0 || err != nil {
		t.Fatalf("empty WriteBatch = %d, %v", n, err)
	}
	// A full ring and a context that ends: what fitted is committed.
	msgs := make([][]byte, 100)
	for i := range msgs {
		msgs[i] = make([]byte, 100)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err = p.WriteBatch(ctx, msgs)
	if !errors.Is(err, context.Canceled) || n == 0 || n >= len(msgs) {
		t.Fatalf("WriteBatch into a full ring, cancelled = %d, %v", n, err)
	}
	for i := range n {
		if msg, err := c.TryNext(); err != nil || len(msg) != 100 {
			t.Fatalf("message %d of the committed %d: %d bytes, %v", i, n, len(msg), err)
		}
	}
	r.Close()
	if _, err := p.WriteBatch(context.Background(), msgs[:1]); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("WriteBatch after Close = %v, want os.ErrClosed", err)
	}
}

// WriteBatch, Write and Next allocate nothing.
func TestWriteBatchAllocs(t *testing.T) {
	if ringbuf.RaceEnabled {
		t.Skip("the race detector allocates")
	}
	r, _ := ringbuf.New(ringbuf.Config{Capacity: 1 << 16, MaxMessage: 1024})
	p, _ := r.Producer()
	c, _ := r.Consumer()
	batch := [][]byte{make([]byte, 8), make([]byte, 64), make([]byte, 1000)}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		p.WriteBatch(ctx, batch)
		p.Write(batch[1])
		for range 4 {
			c.Next(ctx)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per batch, write and reads", allocs)
	}
}

// A producer that waits for room on a consumer that releases after
// every message is woken once per half of the ring freed at most, not
// once per message; and a stream's reader once per Write (or quarter of
// the ring) at most.
func TestWakeThreshold(t *testing.T) {
	const capacity, msg, total = 1 << 16, 1024, 16 << 20
	r, _ := ringbuf.New(ringbuf.Config{Capacity: capacity, MaxMessage: msg})
	p, _ := r.Producer()
	c, _ := r.Consumer()
	p.SetWait(ringbuf.Block)
	c.SetWait(ringbuf.Block)
	go func() {
		b := make([]byte, msg)
		for range total / msg {
			p.Write(b)
		}
		p.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	for {
		if _, err := c.Next(ctx); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	st := r.State()
	if most := uint64(total/(capacity/2) + 2); st.Counters.Consumed.Wakeups > most {
		t.Errorf("the consumer woke the producer %d times for %d messages, want at most %d", st.Counters.Consumed.Wakeups, total/msg, most)
	}

	s, _ := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: capacity})
	w, _ := s.Writer()
	rd, _ := s.Reader()
	w.SetWait(ringbuf.Block)
	rd.SetWait(ringbuf.Block)
	const writes = 16
	go func() {
		b := make([]byte, total/writes)
		for range writes {
			w.Write(b)
		}
		w.Close()
	}()
	if n, err := io.Copy(io.Discard, rd); n != total || err != nil {
		t.Fatalf("stream carried %d of %d bytes: %v", n, total, err)
	}
	st = s.State()
	// A wake-up per Write, per quarter of the ring written, and per time
	// the writer waits (it wakes the reader before it sleeps).
	if most := writes + total/(capacity/4) + st.Counters.Produced.Waits + 1; st.Counters.Produced.Wakeups > most {
		t.Errorf("the writer woke the reader %d times (%d writes, %d waits), want at most %d", st.Counters.Produced.Wakeups, writes, st.Counters.Produced.Waits, most)
	}
}

// A producer parked on a full ring is woken once half the ring is free,
// not before: the consumer's releases up to just under half leave it
// parked, the one that crosses half lets its write through.
func TestWakeAtHalf(t *testing.T) {
	const capacity, msg = 1 << 16, 1024
	r, _ := ringbuf.New(ringbuf.Config{Capacity: capacity, MaxMessage: msg})
	defer r.Close()
	p, _ := r.Producer()
	c, _ := r.Consumer()
	p.SetWait(ringbuf.Block)
	b := make([]byte, msg)
	for p.TryWrite(b) == nil {
	}
	full := r.State().ProducerPos
	done := make(chan error, 1)
	go func() { done <- p.Write(b) }()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	for !r.State().ProducerWait {
		if ctx.Err() != nil {
			t.Fatal("the producer never parked on the full ring")
		}
		time.Sleep(time.Millisecond)
	}
	readOne := func() {
		t.Helper()
		if n, err := c.ReadBatch(ctx, 1, func([]byte) error { return nil }); n != 1 || err != nil {
			t.Fatalf("ReadBatch = %d, %v", n, err)
		}
	}
	for r.State().ConsumerPos+recordOf(msg) < full-capacity/2 {
		readOne()
	}
	select {
	case err := <-done:
		t.Fatalf("the producer's write went through (%v) with %d bytes free, less than half the ring", err, capacity-(full-r.State().ConsumerPos))
	case <-time.After(100 * time.Millisecond): // it stays parked: nothing wakes it
	}
	readOne()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatalf("the producer was not woken with %d bytes free", capacity-(full-r.State().ConsumerPos))
	}
}

// recordOf is a ring record's size for an n-byte message: its header and
// the message, rounded up to 8 bytes.
func recordOf(n int) uint64 { return uint64(8 + (n+7)&^7) }

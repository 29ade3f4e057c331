package queue

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
)

// deadToken returns the liveness token of a process that has died.
func deadToken(t *testing.T) uint64 {
	p, tok := testutil.LiveToken(t)
	p.Kill()
	return uint64(tok)
}

// A producer that died holding position 0 is skipped by a consumer that
// only polls with TryRead, and by one blocked in ReadContext while other
// producers' commits keep waking it more often than its recheck.
func TestQueueSettlesDeadWriter(t *testing.T) {
	dead := deadToken(t)
	for _, mode := range []string{"try", "blocking"} {
		t.Run(mode, func(t *testing.T) {
			q, _ := New(Config{Slots: 64, MaxMessage: 8})
			d, _ := q.Producer()
			if _, err := d.claim(); err != nil { // claims position 0, never commits
				t.Fatal(err)
			}
			d.me.token.Store(dead)
			p, _ := q.Producer()
			c, _ := q.Consumer()
			defer c.Close()
			const n = 20
			done := make(chan struct{})
			defer func() { <-done; p.Close() }()
			go func() {
				defer close(done)
				for i := range n {
					p.Write([]byte{byte(i)})
					time.Sleep(500 * time.Microsecond) // wakes the consumer every 0.5ms
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			buf := make([]byte, 8)
			for i := range n {
				var k int
				var err error
				if mode == "try" {
					for k, err = c.TryRead(buf); err == ErrEmpty && ctx.Err() == nil; k, err = c.TryRead(buf) {
						time.Sleep(50 * time.Microsecond)
					}
				} else {
					k, err = c.ReadContext(ctx, buf)
				}
				if err != nil || k != 1 || buf[0] != byte(i) {
					t.Fatalf("read %d = %d %v, %v", i, k, buf[:k], err)
				}
			}
			if st := q.State(); st.Counters.Skipped != 1 {
				t.Fatalf("skipped %d, want 1", st.Counters.Skipped)
			}
		})
	}
}

// A consumer that died holding a message has its slot released by a
// producer that only uses TryWrite, once the queue is otherwise empty.
func TestQueueSettlesDeadReader(t *testing.T) {
	dead := deadToken(t)
	q, _ := New(Config{Slots: 4, MaxMessage: 8})
	p, _ := q.Producer()
	defer p.Close()
	d, _ := q.Consumer()
	for i := range 4 {
		p.TryWrite([]byte{byte(i)})
	}
	// d takes position 0 and dies before releasing it: its claim stays.
	d.me.claim.Store(1)
	if !q.head.CompareAndSwap(0, 1) {
		t.Fatal("head moved")
	}
	d.me.token.Store(dead)
	c, _ := q.Consumer()
	defer c.Close()
	buf := make([]byte, 8)
	for i := 1; i < 4; i++ {
		if k, err := c.TryRead(buf); err != nil || buf[0] != byte(i) {
			t.Fatalf("read %d = %d %v, %v", i, k, buf[:k], err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	err := p.TryWrite([]byte{9})
	for err == ErrFull && time.Now().Before(deadline) {
		time.Sleep(50 * time.Microsecond)
		err = p.TryWrite([]byte{9})
	}
	if err != nil {
		t.Fatalf("TryWrite into a queue emptied but for a dead reader's slot: %v", err)
	}
	if st := q.State(); st.Counters.Dropped != 1 {
		t.Fatalf("dropped %d, want 1", st.Counters.Dropped)
	}
	// The dead reader's entry is taken over by the next consumer.
	for range MaxPeers - 1 {
		if _, err := q.Consumer(); err != nil {
			t.Fatalf("attach over the dead entry: %v", err)
		}
	}
}

// deadSpanQueue returns a queue of 64 slots holding 10 messages, the first
// 8 taken with one CAS by a consumer whose entry claims span slots from
// position 0, and which died.
func deadSpanQueue(t *testing.T, span uint64) *Queue {
	t.Helper()
	q, err := New(Config{Slots: 64, MaxMessage: 8})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	for range 10 {
		if err := p.TryWrite([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	e := &q.conss[5].peer
	e.token.Store(deadToken(t))
	e.span.Store(span)
	e.claim.Store(1)
	q.head.Store(8)
	return q
}

// A producer stuck behind a dead consumer's span releases the whole span
// at once, not one slot per stuck wait.
func TestSettleDeadSpanWhole(t *testing.T) {
	q := deadSpanQueue(t, 8)
	if err := q.settleAt(64); err != nil { // where a producer a lap on waits for slot 0
		t.Fatal(err)
	}
	for pos := range uint64(8) {
		if s := q.seqAt(pos).Load(); s != pos+64 {
			t.Fatalf("slot %d: sequence %d, want %d (released)", pos, s, pos+64)
		}
	}
	if s := q.seqAt(8).Load(); s != 9 {
		t.Fatalf("slot 8: sequence %d, want 9 (committed, past the span)", s)
	}
	if d := q.recov.dropped.Load(); d != 8 {
		t.Fatalf("%d dropped, want 8", d)
	}
}

// A held skip (a dead producer's slot) before a message too long for
// Read's buffer: the message stays held, with io.ErrShortBuffer, and is
// not cut to the buffer.
func TestReadHeldSkipThenShortBuffer(t *testing.T) {
	q, err := New(Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	c, _ := q.Consumer()
	for _, m := range []string{"m0", "m1", strings.Repeat("x", 40), "m3"} {
		if err := p.TryWrite([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	q.seqAt(1).Store(2 | skipBit) // as a settled dead producer leaves it
	stop := errors.New("stop")
	if _, err := c.ReadBatch(context.Background(), 3, func([]byte) error { return stop }); err != stop {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, err := c.TryRead(buf[:10]); !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("TryRead into 10 bytes = %d, %v; want io.ErrShortBuffer", n, err)
	}
	if n, err := c.TryRead(buf); err != nil || n != 40 {
		t.Fatalf("TryRead = %d, %v; want the 40-byte message", n, err)
	}
}

package queue_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

// A queue message names its producer and sequence number in its first 8
// bytes (the key), then carries bytes derived from the key: 8 to 256
// bytes in all.
func qMsgLen(key uint64) int {
	h := key*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	h ^= h >> 31
	return 8 + int(h%249)
}

func qKey(producer, seq int) uint64 { return uint64(producer)<<32 | uint64(seq) }

// qMsg writes the message for key into buf and returns it.
func qMsg(buf []byte, key uint64) []byte {
	m := buf[:qMsgLen(key)]
	fill(m, key)
	return m
}

// qCheck decodes and verifies a queue message, returning its producer and
// sequence number.
func qCheck(msg []byte, scratch []byte) (producer, seq int, err error) {
	if len(msg) < 8 {
		return 0, 0, fmt.Errorf("message of %d bytes", len(msg))
	}
	key := binary.LittleEndian.Uint64(msg)
	if len(msg) != qMsgLen(key) || !bytes.Equal(msg, qMsg(scratch, key)) {
		return 0, 0, fmt.Errorf("message %d/%d: %d bytes, corrupted", key>>32, uint32(key), len(msg))
	}
	return int(key >> 32), int(uint32(key)), nil
}

// In one process over heap memory, so that the race detector checks the
// orderings: 4 producers and 4 consumers, every message exactly once.
func TestHeapQueue(t *testing.T) { heapQueueRun(t, 1, 0) }

// The same with the producers writing 7 messages at a time by WriteBatch:
// batches straddle the 64 slots' wrap and wait for room midway.
func TestHeapQueueBatch(t *testing.T) { heapQueueRun(t, 7, 0) }

// The same with two of the consumers reading by ReadBatch, 16 at most,
// mixed with Reads and with batches that stop early.
func TestHeapQueueReadBatch(t *testing.T) { heapQueueRun(t, 7, 16) }

// heapQueueRun runs the heap queue with producers writing batch messages
// at a time, and (readBatch > 0) consumers 0 and 2 reading up to readBatch
// at a time (readMixed).
func heapQueueRun(t *testing.T, batch, readBatch int) {
	const producers, consumers, per = 4, 4, 20_000
	q, err := queue.New(queue.Config{Slots: 64, MaxMessage: 256})
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]atomic.Uint32, producers*per)
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, producers+consumers)
	for id := range producers {
		p, err := q.Producer()
		if err != nil {
			t.Fatal(err)
		}
		p.SetWait([]queue.Wait{queue.Adaptive, queue.Spin, queue.Yield, queue.Block}[id])
		wg.Go(func() {
			defer p.Close()
			bufs, msgs := make([][]byte, batch), make([][]byte, batch)
			for i := range bufs {
				bufs[i] = make([]byte, 256)
			}
			for seq := 0; seq < per; seq += batch {
				msgs := msgs[:min(batch, per-seq)]
				for i := range msgs {
					msgs[i] = qMsg(bufs[i], qKey(id, seq+i))
				}
				var err error
				if batch == 1 {
					err = p.WriteContext(ctx, msgs[0])
				} else if n, berr := p.WriteBatch(ctx, msgs); berr != nil || n != len(msgs) {
					err = fmt.Errorf("WriteBatch of %d at %d: %d, %v", len(msgs), seq, n, berr)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var got atomic.Int64
	for id := range consumers {
		c, err := q.Consumer()
		if err != nil {
			t.Fatal(err)
		}
		c.SetWait([]queue.Wait{queue.Block, queue.Adaptive, queue.Spin, queue.Yield}[id])
		wg.Go(func() {
			defer c.Close()
			buf, scratch := make([]byte, 256), make([]byte, 256)
			check := func(msg []byte) error {
				pr, seq, err := qCheck(msg, scratch)
				if err != nil || pr >= producers || seq >= per {
					return fmt.Errorf("bad message %d/%d: %v", pr, seq, err)
				}
				seen[pr*per+seq].Add(1)
				got.Add(1)
				return nil
			}
			read := func(ctx context.Context) error {
				n, err := c.ReadContext(ctx, buf)
				if err == nil {
					err = check(buf[:n])
				}
				return err
			}
			if readBatch > 0 && id%2 == 0 {
				read = readMixed(c, readBatch, check, read)
			}
			for got.Load() < producers*per {
				rctx, rcancel := context.WithTimeout(ctx, 20*time.Millisecond)
				err := read(rctx)
				rcancel()
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					continue // look at the total again
				}
				if err == io.EOF {
					return // every producer closed and the queue is drained: the others took the rest
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range seen {
		if n := seen[i].Load(); n != 1 {
			t.Fatalf("message %d/%d delivered %d times", i/per, i%per, n)
		}
	}
	st := q.State()
	if st.Counters.Produced.Messages != producers*per || st.Counters.Consumed.Messages != producers*per ||
		st.Counters.Produced.Bytes != st.Counters.Consumed.Bytes || st.Used != 0 || len(st.ProducerPIDs) != 0 {
		t.Fatalf("state after the run: %+v", st)
	}
}

// readMixed returns a read for heapQueueRun's consumers that reads by
// ReadBatch (up to max, check on each message) twice in three calls and by
// read once, and whose batches stop after every 101st message: the next
// call hands over what the batch still holds.
func readMixed(c *queue.Consumer, max int, check func([]byte) error, read func(context.Context) error) func(context.Context) error {
	calls, seen := 0, 0
	stop := errors.New("stop")
	fn := func(msg []byte) error {
		if err := check(msg); err != nil {
			return err
		}
		if seen++; seen%101 == 0 {
			return stop
		}
		return nil
	}
	return func(ctx context.Context) error {
		if calls++; calls%3 == 0 {
			return read(ctx)
		}
		if _, err := c.ReadBatch(ctx, max, fn); err != stop {
			return err
		}
		return nil
	}
}

func TestQueueTryAndErrors(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 4, MaxMessage: 100})
	if err != nil {
		t.Fatal(err)
	}
	if q.Slots() != 4 || q.MaxMessage() != 100 {
		t.Fatalf("geometry %d slots of %d", q.Slots(), q.MaxMessage())
	}
	p, _ := q.Producer()
	c, _ := q.Consumer()
	defer p.Close()
	defer c.Close()
	if _, err := c.TryRead(make([]byte, 100)); err != queue.ErrEmpty {
		t.Fatalf("TryRead on empty = %v, want ErrEmpty", err)
	}
	if err := p.TryWrite(make([]byte, 101)); !errors.Is(err, queue.ErrTooLarge) {
		t.Fatalf("TryWrite too large = %v, want ErrTooLarge", err)
	}
	for i := range 4 {
		if err := p.TryWrite([]byte{byte(i), 1, 2}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.TryWrite(nil); err != queue.ErrFull {
		t.Fatalf("TryWrite on full = %v, want ErrFull", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := p.WriteContext(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WriteContext on full past the deadline = %v", err)
	}
	if _, err := c.TryRead(make([]byte, 2)); !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("TryRead into a short buffer = %v, want io.ErrShortBuffer", err)
	}
	buf := make([]byte, 100)
	for i := range 4 {
		if n, err := c.TryRead(buf); n != 3 || err != nil || buf[0] != byte(i) {
			t.Fatalf("read %d = %d, %v, %v: want the messages in order", i, n, err, buf[:n])
		}
	}
	if err := p.TryWrite(nil); err != nil { // empty messages are messages
		t.Fatal(err)
	}
	if n, err := c.TryRead(nil); n != 0 || err != nil {
		t.Fatalf("empty message read as %d, %v", n, err)
	}
	if _, err := c.ReadContext(ctx, buf); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadContext on empty past the deadline = %v", err)
	}
	for _, bad := range []queue.Config{{Slots: 3, MaxMessage: 8}, {Slots: 1, MaxMessage: 8}, {Slots: 4}, {Slots: 1 << 40, MaxMessage: 1 << 20}} {
		if _, err := queue.New(bad); !errors.Is(err, shm.ErrInvalidSize) {
			t.Errorf("New(%+v) = %v, want ErrInvalidSize", bad, err)
		}
	}
	if got := queue.SlotsFor(1<<20, 100); got != 8192 {
		t.Errorf("SlotsFor(1 MiB, 100) = %d, want 8192 (128-byte slots)", got)
	}
	if got := queue.SlotsFor(100, 100); got != 0 {
		t.Errorf("SlotsFor(100, 100) = %d, want 0", got)
	}
}

// More than MaxPeers live producers are refused; a closed one's
// entry is reused.
func TestQueuePeerTable(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 4, MaxMessage: 8})
	if err != nil {
		t.Fatal(err)
	}
	var ps []*queue.Producer
	for range queue.MaxPeers {
		p, err := q.Producer()
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if _, err := q.Producer(); !errors.Is(err, queue.ErrBusy) {
		t.Fatalf("producer %d = %v, want ErrBusy", queue.MaxPeers+1, err)
	}
	ps[7].Close()
	p, err := q.Producer()
	if err != nil {
		t.Fatalf("Producer after one closed: %v", err)
	}
	p.Close()
	for _, p := range ps {
		p.Close()
	}
}

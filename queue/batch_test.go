package queue_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/shmkit/shmkit/queue"
)

// WriteBatch writes what it can and says how far it got: an empty batch,
// a message too large midway, a queue that stays full until ctx ends, and
// a closed queue.
func TestWriteBatchErrors(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 4, MaxMessage: 8})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	defer p.Close()
	c, _ := q.Consumer()
	defer c.Close()
	ctx := context.Background()
	if n, err := p.WriteBatch(ctx, nil); n != 0 || err != nil {
		t.Fatalf("empty batch: %d, %v", n, err)
	}
	if n, err := p.WriteBatch(ctx, [][]byte{{1}, {2}, make([]byte, 9), {4}}); n != 2 || !errors.Is(err, queue.ErrTooLarge) {
		t.Fatalf("batch with a message too large third: %d, %v; want 2, ErrTooLarge", n, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if n, err := p.WriteBatch(cctx, [][]byte{{3}, {4}, {5}}); n != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("batch of 3 into 2 free slots, ctx done: %d, %v; want 2, context.Canceled", n, err)
	}
	buf := make([]byte, 8)
	for i := range 4 {
		if n, err := c.TryRead(buf); err != nil || n != 1 || buf[0] != byte(i+1) {
			t.Fatalf("read %d: %v %v, want [%d]", i, buf[:n], err, i+1)
		}
	}
	q.Close()
	if n, err := p.WriteBatch(ctx, [][]byte{{1}}); n != 0 || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("batch after Close: %d, %v", n, err)
	}
}

// A batch longer than the queue waits for room midway, and a consumer
// parked on the empty queue is woken for it.
func TestWriteBatchLongerThanQueue(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 4, MaxMessage: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	p, _ := q.Producer()
	c, _ := q.Consumer()
	defer c.Close()
	c.SetWait(queue.Block)
	const n = 100
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 8)
		for i := range n {
			k, err := c.Read(buf)
			if err == nil && (k != 1 || buf[0] != byte(i)) {
				err = errors.New("out of order")
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = []byte{byte(i)}
	}
	if k, err := p.WriteBatch(context.Background(), msgs); k != n || err != nil {
		t.Fatalf("WriteBatch: %d, %v", k, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p.Close() // publishes its counts
	if st := q.State(); st.Counters.Produced.Messages != n || st.Counters.Produced.Bytes != n {
		t.Fatalf("counted %+v, want %d messages of 1 byte", st.Counters.Produced, n)
	}
}

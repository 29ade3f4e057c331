package queue_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
)

// batchQueue returns a heap queue of 64 slots (a batch takes at most 8)
// holding the messages "m0" to "m<n-1>", and a consumer of it.
func batchQueue(t *testing.T, n int) (*queue.Queue, *queue.Producer, *queue.Consumer) {
	t.Helper()
	q, err := queue.New(queue.Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		t.Fatal(err)
	}
	p, err := q.Producer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); p.Close(); q.Close() })
	for i := range n {
		if err := p.Write(fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	return q, p, c
}

// secondConsumer attaches another consumer to q, closed at the test's end.
func secondConsumer(t *testing.T, q *queue.Queue) *queue.Consumer {
	t.Helper()
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// collect returns a ReadBatch fn that appends copies of the messages to
// *got, and fails with stop on the message named failOn.
func collect(got *[]string, failOn string, stop error) func([]byte) error {
	return func(msg []byte) error {
		*got = append(*got, string(msg))
		if string(msg) == failOn {
			return stop
		}
		return nil
	}
}

func names(from, to int) []string {
	var s []string
	for i := from; i < to; i++ {
		s = append(s, fmt.Sprintf("m%d", i))
	}
	return s
}

func wantRead(t *testing.T, c *queue.Consumer, want string) {
	t.Helper()
	buf := make([]byte, 64)
	n, err := c.TryRead(buf)
	if err != nil || string(buf[:n]) != want {
		t.Fatalf("TryRead = %q, %v; want %q", buf[:n], err, want)
	}
}

// A batch takes what is there, in order, up to max and an eighth of the
// slots, in place.
func TestReadBatch(t *testing.T) {
	_, _, c := batchQueue(t, 20)
	ctx := context.Background()
	var got []string
	if n, err := c.ReadBatch(ctx, 3, collect(&got, "", nil)); n != 3 || err != nil {
		t.Fatalf("ReadBatch(3) = %d, %v", n, err)
	}
	if n, err := c.ReadBatch(ctx, 100, collect(&got, "", nil)); n != 8 || err != nil {
		t.Fatalf("ReadBatch(100) of 64 slots = %d, %v; want 8 (an eighth)", n, err)
	}
	if n, err := c.ReadBatch(ctx, 0, collect(&got, "", nil)); n != 0 || err != nil {
		t.Fatalf("ReadBatch(0) = %d, %v", n, err)
	}
	wantRead(t, c, "m11")
	if n, err := c.ReadBatch(ctx, 100, collect(&got, "", nil)); n != 8 || err != nil {
		t.Fatalf("ReadBatch(100) = %d, %v", n, err)
	}
	if fmt.Sprint(got) != fmt.Sprint(append(names(0, 11), names(12, 20)...)) {
		t.Fatalf("got %v", got)
	}
	if _, err := c.TryRead(make([]byte, 64)); err != queue.ErrEmpty {
		t.Fatalf("TryRead of a drained queue = %v", err)
	}
}

// holding returns a ReadBatch fn that appends copies of the messages to
// *got and fails with stop on the message named failOn, after other took
// the message at the head: a batch cut short while others read.
func holding(got *[]string, failOn string, stop error, other *queue.Consumer, otherGot *[]string) func([]byte) error {
	return func(msg []byte) error {
		*got = append(*got, string(msg))
		if string(msg) != failOn {
			return nil
		}
		buf := make([]byte, 64)
		if n, err := other.TryRead(buf); err == nil {
			*otherGot = append(*otherGot, string(buf[:n]))
		}
		return stop
	}
}

// An error from fn stops the batch after the message it failed on; the
// rest stays with the consumer, for its next read, and no other consumer
// sees it.
func TestReadBatchStopHolds(t *testing.T) {
	q, _, c := batchQueue(t, 12)
	other := secondConsumer(t, q)
	stop := errors.New("stop")
	var got []string
	if n, err := c.ReadBatch(context.Background(), 8, collect(&got, "m2", stop)); n != 3 || err != stop {
		t.Fatalf("ReadBatch = %d, %v; want 3 and fn's error", n, err)
	}
	wantRead(t, other, "m8")
	wantRead(t, c, "m3")
	if st := q.State(); st.Head != 9 || st.Counters.Dropped != 0 {
		t.Fatalf("state %+v: want the head at 9, nothing dropped", st)
	}
}

// The rest of a batch cut short stays with its consumer, however the
// others read meanwhile, and its next reads of any kind hand it over, in
// order.
func TestReadBatchStopsAndHolds(t *testing.T) {
	q, _, c := batchQueue(t, 12)
	other := secondConsumer(t, q)
	stop := errors.New("stop")
	var got, otherGot []string
	if n, err := c.ReadBatch(context.Background(), 8, holding(&got, "m2", stop, other, &otherGot)); n != 3 || err != stop {
		t.Fatalf("ReadBatch = %d, %v; want 3 and fn's error", n, err)
	}
	wantRead(t, other, "m9") // m3 to m7 are c's
	wantRead(t, c, "m3")
	if st := q.State(); st.Head != 10 {
		t.Fatalf("head %d, want 10", st.Head)
	}
	if n, err := c.ReadBatch(context.Background(), 2, collect(&got, "", nil)); n != 2 || err != nil {
		t.Fatalf("ReadBatch from what c holds = %d, %v", n, err)
	}
	buf := make([]byte, 64)
	if n, err := c.ReadContext(context.Background(), buf); err != nil || string(buf[:n]) != "m6" {
		t.Fatalf("ReadContext = %q, %v", buf[:n], err)
	}
	if n, err := c.ReadBatch(context.Background(), 8, collect(&got, "", nil)); n != 1 || err != nil {
		t.Fatalf("ReadBatch of the last one held = %d, %v; want 1: a batch ends with what c holds", n, err)
	}
	if fmt.Sprint(got) != "[m0 m1 m2 m4 m5 m7]" || fmt.Sprint(otherGot) != "[m8]" {
		t.Fatalf("batches saw %v, the other consumer %v", got, otherGot)
	}
	wantRead(t, c, "m10")
}

// A held message too long for Read's buffer stays held.
func TestReadBatchHeldShortBuffer(t *testing.T) {
	q, _, c := batchQueue(t, 6)
	other := secondConsumer(t, q)
	stop := errors.New("stop")
	var got, otherGot []string
	if _, err := c.ReadBatch(context.Background(), 4, holding(&got, "m0", stop, other, &otherGot)); err != stop {
		t.Fatal(err)
	}
	if _, err := c.TryRead(make([]byte, 1)); !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("TryRead into 1 byte = %v, want io.ErrShortBuffer", err)
	}
	wantRead(t, c, "m1")
}

// Closing a consumer that holds messages drops them, and counts them; the
// others go on past them.
func TestReadBatchCloseDropsHeld(t *testing.T) {
	q, _, c := batchQueue(t, 20)
	other := secondConsumer(t, q)
	stop := errors.New("stop")
	var got, otherGot []string
	if _, err := c.ReadBatch(context.Background(), 8, holding(&got, "m0", stop, other, &otherGot)); err != stop {
		t.Fatal(err)
	}
	c.Close()
	if st := q.State(); st.Counters.Dropped != 7 {
		t.Fatalf("%d dropped, want the 7 messages c held", st.Counters.Dropped)
	}
	wantRead(t, other, "m9")
}

// The end of the stream comes after what a consumer holds: the holder gets
// its messages, then io.EOF.
func TestReadBatchEOF(t *testing.T) {
	q, p, c := batchQueue(t, 6)
	other := secondConsumer(t, q)
	stop := errors.New("stop")
	var got, otherGot []string
	if _, err := c.ReadBatch(context.Background(), 5, holding(&got, "m0", stop, other, &otherGot)); err != stop {
		t.Fatal(err)
	}
	p.Close()
	if _, err := other.ReadBatch(context.Background(), 8, collect(&otherGot, "", nil)); err != io.EOF {
		t.Fatalf("another consumer's ReadBatch = %v, want io.EOF: c holds the rest", err)
	}
	if n, err := c.ReadBatch(context.Background(), 8, collect(&got, "", nil)); n != 4 || err != nil {
		t.Fatalf("the holder's ReadBatch = %d, %v; want its 4", n, err)
	}
	if _, err := c.ReadBatch(context.Background(), 8, collect(&got, "", nil)); err != io.EOF {
		t.Fatalf("then = %v, want io.EOF", err)
	}
	if fmt.Sprint(got) != fmt.Sprint(names(0, 5)) || fmt.Sprint(otherGot) != "[m5]" {
		t.Fatalf("got %v, the other consumer %v", got, otherGot)
	}
}

// A batch waits for its first message as Read does, and ends with its
// context; fn sees each message in place, valid while it runs.
func TestReadBatchWaits(t *testing.T) {
	q, p, c := batchQueue(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ReadBatch(ctx, 8, func([]byte) error { return nil }); err != context.Canceled {
		t.Fatalf("ReadBatch with a canceled context = %v", err)
	}
	done := make(chan error)
	go func() {
		_, err := c.ReadBatch(context.Background(), 8, func(msg []byte) error {
			if !bytes.Equal(msg, []byte("late")) {
				return fmt.Errorf("got %q", msg)
			}
			return nil
		})
		done <- err
	}()
	if err := p.Write([]byte("late")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	q.Close()
	if _, err := c.ReadBatch(context.Background(), 8, func([]byte) error { return nil }); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("ReadBatch after Close = %v", err)
	}
}

// A consumer that holds a batch's messages is ready for Select, even with
// nothing left in the queue.
func TestReadBatchHeldSelect(t *testing.T) {
	q, _, c := batchQueue(t, 3)
	other := secondConsumer(t, q)
	stop := errors.New("stop")
	var got, otherGot []string
	if _, err := c.ReadBatch(context.Background(), 2, holding(&got, "m0", stop, other, &otherGot)); err != stop {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if i, err := ringbuf.Select(ctx, c); i != 0 || err != nil {
		t.Fatalf("Select = %d, %v", i, err)
	}
	wantRead(t, c, "m1")
}

// A panic in fn ends the batch as an error does: the message it panicked
// on is released (never handed over again), the rest stay for the next
// read.
func TestReadBatchFnPanics(t *testing.T) {
	q, _, c := batchQueue(t, 8)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("fn's panic did not reach ReadBatch's caller")
			}
		}()
		c.ReadBatch(context.Background(), 8, func(msg []byte) error {
			if string(msg) == "m1" {
				panic("fn")
			}
			return nil
		})
	}()
	wantRead(t, c, "m2")
	if st := q.State(); st.Head != 8 || st.Counters.Dropped != 0 {
		t.Fatalf("state %+v: want the head past the batch, at 8", st)
	}
}

// A Close of the Queue while fn runs ends the batch with os.ErrClosed, not
// with what the retired mapping reads.
func TestReadBatchQueueClosedInFn(t *testing.T) {
	q, _, c := batchQueue(t, 8)
	n, err := c.ReadBatch(context.Background(), 8, func([]byte) error { return q.Close() })
	if n != 1 || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("ReadBatch = %d, %v; want 1 and os.ErrClosed", n, err)
	}
}

// A closed producer or consumer fails every call with os.ErrClosed.
func TestUseAfterClose(t *testing.T) {
	_, p, c := batchQueue(t, 8)
	stop := errors.New("stop")
	var got []string
	c.ReadBatch(context.Background(), 8, collect(&got, "m0", stop))
	c.Close()
	p.Close()
	buf := make([]byte, 64)
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"TryRead":     func() error { _, err := c.TryRead(buf); return err },
		"Read":        func() error { _, err := c.Read(buf); return err },
		"ReadContext": func() error { _, err := c.ReadContext(ctx, buf); return err },
		"ReadBatch":   func() error { _, err := c.ReadBatch(ctx, 8, collect(&got, "", nil)); return err },
		"TryWrite":    func() error { return p.TryWrite(buf) },
		"Write":       func() error { return p.Write(buf) },
		"WriteBatch":  func() error { _, err := p.WriteBatch(ctx, [][]byte{buf}); return err },
	} {
		if err := call(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("%s after Close = %v, want os.ErrClosed", name, err)
		}
	}
}

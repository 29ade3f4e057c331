package queue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

const observerPoll = 100 * time.Microsecond

// A queue observer sees each committed message intact, while consumers
// race it for the slots: one taken first is reported as ErrLapped. The
// consumer pauses now and then, so that there is something to see.
func TestQueueObserverUnderConsumers(t *testing.T) {
	name := testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 64, MaxMessage: 256}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer q.Close()
	o, err := queue.Observe(q.Segment())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	const per = 50_000
	var wg sync.WaitGroup
	for id := range 2 {
		p, err := q.Producer()
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			buf := make([]byte, 256)
			for seq := range per {
				if err := p.WriteContext(ctx, qMsg(buf, qKey(id, seq))); err != nil {
					t.Errorf("write: %v", err)
					return
				}
			}
		})
	}
	cons, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() {
		buf := make([]byte, 256)
		for i := range 2 * per {
			if i%1024 == 0 { // now and then the queue fills, for the observer to see
				time.Sleep(time.Millisecond)
			}
			if _, err := cons.ReadContext(ctx, buf); err != nil {
				t.Errorf("read: %v", err)
				return
			}
		}
	})

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	defer func() { cancel(); <-done }() // before the queue is unmapped, even if the test fails
	scratch := make([]byte, 256)
	last := [2]int{-1, -1}
	seen, lapped := 0, 0
	observeUntil(t, ctx, done, func(ctx context.Context, buf []byte) ([]byte, error) {
		return o.Next(ctx, buf, observerPoll)
	}, func(msg []byte) {
		id, seq, err := qCheck(msg, scratch)
		if err != nil {
			t.Fatalf("observed: %v", err)
		}
		if id > 1 || seq <= last[id] {
			t.Fatalf("producer %d message %d after %d", id, seq, last[id])
		}
		last[id], seen = seq, seen+1
	}, &lapped)
	if seen == 0 {
		t.Fatal("observed nothing")
	}
	t.Logf("observed %d of %d messages intact, lapped %d times", seen, 2*per, lapped)
}

// observeUntil calls next until done is closed and next has nothing more,
// passing each message to see and counting ErrLapped in lapped.
func observeUntil(t *testing.T, ctx context.Context, done <-chan struct{}, next func(context.Context, []byte) ([]byte, error), see func([]byte), lapped *int) {
	t.Helper()
	var buf []byte
	for {
		var err error
		finished := false
		select {
		case <-done:
			finished = true
		default:
		}
		look, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		buf, err = next(look, buf)
		cancel()
		switch {
		case errors.Is(err, queue.ErrLapped):
			*lapped++
		case err == context.DeadlineExceeded && ctx.Err() == nil:
			if finished {
				return
			}
		case err != nil:
			t.Fatal(err)
		default:
			see(buf)
		}
	}
}

// Observe refuses a segment of another kind.
func TestObserveWrongKind(t *testing.T) {
	name := testutil.Name(t)
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 16}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer r.Close()
	if _, err := queue.Observe(r.Segment()); err == nil {
		t.Fatal("queue.Observe accepted a ring")
	}
}

package ringbuf_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testmsg"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

const observerPoll = 100 * time.Microsecond

// An observer that keeps up sees every committed message, in order, while
// a consumer takes them; one that falls a lap behind gets ErrLapped and
// then the messages after the lap.
func TestObserverFollowsRing(t *testing.T) {
	r := createRing(t)
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	o, err := ringbuf.Observe(r.Segment())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	scratch := make([]byte, 4096)
	var buf []byte

	if err := produce(p, 0, 100, "write"); err != nil {
		t.Fatal(err)
	}
	for seq := range uint64(100) {
		if buf, err = o.Next(ctx, buf, observerPoll); err != nil {
			t.Fatalf("observing %d: %v", seq, err)
		}
		if err := check(buf, seq, scratch); err != nil {
			t.Fatal(err)
		}
	}
	if err := consume(ctx, c, 0, 100, "next"); err != nil {
		t.Fatal(err)
	}

	// Two laps go by while the observer looks away.
	const lap = 2 * (1 << 20) / 2048
	consumed := make(chan error, 1)
	go func() { consumed <- consume(ctx, c, 100, lap, "batch") }()
	if err := produce(p, 100, lap, "write"); err != nil {
		t.Fatal(err)
	}
	if err := <-consumed; err != nil {
		t.Fatal(err)
	}
	if _, err := o.Next(ctx, buf, observerPoll); !errors.Is(err, ringbuf.ErrLapped) {
		t.Fatalf("after two laps: %v, want ErrLapped", err)
	}
	if err := produce(p, 100+lap, 1, "write"); err != nil {
		t.Fatal(err)
	}
	if buf, err = o.Next(ctx, buf, observerPoll); err != nil {
		t.Fatal(err)
	}
	if err := check(buf, 100+lap, scratch); err != nil {
		t.Fatalf("after the lap: %v", err)
	}

	short, cancelShort := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancelShort()
	if _, err := o.Next(short, buf, observerPoll); err != context.DeadlineExceeded {
		t.Fatalf("with nothing new: %v, want DeadlineExceeded", err)
	}
}

// Racing a producer that overwrites the ring as fast as a consumer frees
// it, the observer never returns a message that is torn or out of order:
// each copy is checked against the positions after it was made.
func TestObserverUnderOverwrite(t *testing.T) {
	r := createRing(t)
	p, _ := r.Producer()
	c, _ := r.Consumer()
	o, err := ringbuf.Observe(r.Segment())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	n := uint64(min(300_000, crossProcessMessages/2))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { _ = consume(ctx, c, 0, n, "batch") })
	wg.Go(func() {
		for seq := range n {
			if seq%(n/10) == n/20 {
				// A pause now and then, in which the observer catches
				// up: run beside other tests, it could otherwise be
				// lapped on every look and observe nothing.
				time.Sleep(time.Millisecond)
			}
			b, err := p.Reserve(ctx, msgLen(seq))
			if err != nil {
				return
			}
			fill(b, seq)
			p.Commit()
		}
	})
	go func() { wg.Wait(); close(done) }()
	defer func() { cancel(); <-done }() // before the ring is unmapped, even if the test fails

	scratch := make([]byte, 4096)
	seen, short, lapped, next := 0, 0, 0, uint64(0)
	testmsg.ObserveUntil(t, ctx, done, ringbuf.ErrLapped, func(ctx context.Context, buf []byte) ([]byte, error) {
		return o.Next(ctx, buf, observerPoll)
	}, func(msg []byte) {
		if len(msg) < 8 { // too short to carry its whole sequence number
			short++
			return
		}
		seq := binary.LittleEndian.Uint64(msg)
		if seq < next {
			t.Fatalf("message %d after %d", seq, next)
		}
		if err := check(msg, seq, scratch); err != nil {
			t.Fatalf("observed: %v", err)
		}
		next, seen = seq+1, seen+1
	}, &lapped)
	if seen == 0 {
		t.Fatal("observed nothing")
	}
	t.Logf("observed %d of %d messages intact (and %d too short to check), lapped %d times", seen, n, short, lapped)
}

// Observers refuse a segment of another kind.
func TestObserveWrongKind(t *testing.T) {
	name := testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 16, MaxMessage: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer q.Close()
	if _, err := ringbuf.Observe(q.Segment()); err == nil {
		t.Fatal("Observe accepted a queue")
	}
}

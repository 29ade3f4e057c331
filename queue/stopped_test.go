package queue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

// A queue producer stopped holding a claim is never robbed: consumers wait
// and nothing is skipped. Killed, and its pid taken by a live process, its
// claim is skipped and the queue goes on.
func TestQueueProducerStoppedThenPIDReused(t *testing.T) {
	q := createQueue(t, 256)
	name := q.Segment().Name()
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=queue/claimed=stop"}, "queue-produce", name, "0", "1")
	p.WaitStopped()
	buf := make([]byte, 256)
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err = c.ReadContext(short, buf)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || q.State().Counters.Skipped != 0 {
		t.Fatalf("Read beside a stopped claimant = %v, %d skipped; want DeadlineExceeded and nothing skipped", err, q.State().Counters.Skipped)
	}
	pid := p.Pid()
	p.Kill()
	testutil.ReusePID(t, pid)
	w, err := q.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write([]byte("after")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	n, err := c.ReadContext(ctx, buf)
	if err != nil || string(buf[:n]) != "after" || q.State().Counters.Skipped != 1 {
		t.Fatalf("Read after the claimant died = %q, %v, %d skipped; want \"after\" and 1 skipped", buf[:n], err, q.State().Counters.Skipped)
	}
}

// createQueue makes a queue of 16 slots of maxMsg bytes, removed when the
// test ends.
func createQueue(t *testing.T, maxMsg int) *queue.Queue {
	t.Helper()
	name := testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 16, MaxMessage: maxMsg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		q.Close()
		shm.Remove(name)
	})
	return q
}

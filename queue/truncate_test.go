package queue_test

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// truncateSoon has another process truncate seg's file to nothing while
// this one waits on it.
func truncateSoon(t *testing.T, seg *shm.Segment) {
	t.Helper()
	time.AfterFunc(50*time.Millisecond, func() {
		if out, err := exec.Command("truncate", "-s", "0", seg.Path()).CombinedOutput(); err != nil {
			t.Errorf("truncate: %v: %s", err, out)
		}
	})
}

// A queue reader waiting on a queue whose file another process truncates
// gets shm.ErrTruncated, not SIGBUS, and can still close.
func TestQueueTruncatedWhileWaiting(t *testing.T) {
	q := createQueue(t, 64)
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	c.SetWait(ringbuf.Block)
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	truncateSoon(t, q.Segment())
	if _, err := c.ReadContext(ctx, make([]byte, 64)); !errors.Is(err, shm.ErrTruncated) {
		t.Fatalf("Read on a truncated queue = %v, want ErrTruncated", err)
	}
	if err := c.Close(); !errors.Is(err, shm.ErrTruncated) {
		t.Fatalf("Close = %v, want ErrTruncated", err)
	}
}

package ringbuf_test

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

// A side waiting on a ring whose file another process truncates gets
// shm.ErrTruncated, not SIGBUS, and can still close.
func TestRingTruncatedWhileWaiting(t *testing.T) {
	for _, side := range []string{"consumer", "producer"} {
		t.Run(side, func(t *testing.T) {
			name := testutil.Name(t)
			r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 4096, MaxMessage: 100}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer shm.Remove(name)
			defer r.Close()
			ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
			defer cancel()
			if side == "consumer" {
				c, err := r.Consumer()
				if err != nil {
					t.Fatal(err)
				}
				c.SetWait(ringbuf.Block)
				truncateSoon(t, r.Segment())
				if _, err := c.Next(ctx); !errors.Is(err, shm.ErrTruncated) || !errors.Is(err, shm.ErrCorrupt) {
					t.Fatalf("Next on a truncated ring = %v, want ErrTruncated", err)
				}
				if err := c.Close(); !errors.Is(err, shm.ErrTruncated) {
					t.Fatalf("Close = %v, want ErrTruncated", err)
				}
				return
			}
			p, err := r.Producer()
			if err != nil {
				t.Fatal(err)
			}
			p.SetWait(ringbuf.Block)
			for p.TryWrite(make([]byte, 100)) == nil {
			}
			truncateSoon(t, r.Segment())
			if err := p.WriteContext(ctx, make([]byte, 100)); !errors.Is(err, shm.ErrTruncated) {
				t.Fatalf("Write on a truncated ring = %v, want ErrTruncated", err)
			}
			if err := p.Close(); !errors.Is(err, shm.ErrTruncated) {
				t.Fatalf("Close = %v, want ErrTruncated", err)
			}
		})
	}
}

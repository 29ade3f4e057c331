package ringbuf_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
)

// A producer stopped between Reserve and Commit is alive: the consumer
// waits (here until its deadline), never reporting it dead. Killed, and
// its pid taken by a live process, it is dead: ErrPeerDead.
func TestRingProducerStoppedThenPIDReused(t *testing.T) {
	r := createRing(t)
	c, err := r.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=ringbuf/commit/before=stop@11"}, "produce", r.Segment().Name(), "100", "0", "reserve")
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := consume(ctx, c, 0, 10, "next"); err != nil {
		t.Fatal(err)
	}
	p.WaitStopped()
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = c.Next(short)
	cancelShort()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next beside a stopped producer = %v, want DeadlineExceeded", err)
	}
	pid := p.Pid()
	p.Kill()
	testutil.ReusePID(t, pid)
	if _, err := c.Next(ctx); !errors.Is(err, ringbuf.ErrPeerDead) {
		t.Fatalf("Next after the producer died and its pid was reused = %v, want ErrPeerDead", err)
	}
}

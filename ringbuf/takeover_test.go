package ringbuf_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
)

func init() { testutil.Child("hold-reader", childHoldReader) }

// childHoldReader takes the reading role of args[0], a ring's consumer or
// (args[1] "stream") a stream's reader, says so, and waits to be killed.
func childHoldReader(args []string) error {
	var closer interface{ Close() error }
	var err error
	if len(args) > 1 && args[1] == "stream" {
		var s *ringbuf.Stream
		if s, err = ringbuf.OpenStream(args[0], nil); err == nil {
			closer = s
			_, err = s.Reader()
		}
	} else {
		var r *ringbuf.Ring
		if r, err = ringbuf.Open(args[0], nil); err == nil {
			closer = r
			_, err = r.Consumer()
		}
	}
	if closer != nil {
		defer closer.Close()
	}
	if err != nil {
		return err
	}
	testutil.Send("reading")
	testutil.Recv()
	return nil
}

// A producer that takes over from a dead one and finds the ring corrupt
// (a misaligned position) fails with ErrCorrupt, and leaves the role to
// the dead producer: the consumer, which has read everything committed,
// then gets ErrPeerDead instead of waiting for a producer it would take
// for one that never came. (A consumer parked through the takeover may
// see the death itself first, so it shows nothing either way.)
func TestFailedProducerTakeoverKeepsPeerDead(t *testing.T) {
	r := createRing(t)
	c, err := r.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	c.SetWait(ringbuf.Block)
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=ringbuf/commit/before=kill@6"}, "produce", r.Segment().Name(), "100", "0", "write")
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := consume(ctx, c, 0, 5, "next"); err != nil {
		t.Fatal(err)
	}
	if sig := p.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("producer ended by %v, want SIGKILL", sig)
	}
	// Misaligned and below the consumer: a position that is only the
	// takeover's to refuse.
	pos := r.State().ProducerPos
	ringbuf.ScribblePos(r, true, pos-3)
	if _, err := r.Producer(); !errors.Is(err, ringbuf.ErrCorrupt) { // at once: the role of a process just reaped is free
		t.Fatalf("taking over at a misaligned position: %v, want ErrCorrupt", err)
	}
	if st := r.State(); st.ProducerPID != p.Pid() {
		t.Fatalf("after the failed takeover the producer is pid %d, want the dead %d", st.ProducerPID, p.Pid())
	}
	ringbuf.ScribblePos(r, true, pos)
	if _, err := c.Next(ctx); !errors.Is(err, ringbuf.ErrPeerDead) {
		t.Fatalf("Next after the failed takeover: %v, want ErrPeerDead", err)
	}
}

// The same for a consumer's takeover: the producer waiting for room
// beside a dead consumer still gets ErrPeerDead after another process's
// attempt fails on a misaligned consumer position.
func TestFailedConsumerTakeoverKeepsPeerDead(t *testing.T) {
	r := createRing(t)
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	p.SetWait(ringbuf.Block)
	child := testutil.Start(t, "hold-reader", r.Segment().Name())
	child.Expect("reading")
	child.Kill()
	msg := make([]byte, 4096)
	for p.TryWrite(msg) == nil { // fill the ring: the next write waits for room
	}
	pos := r.State().ConsumerPos
	ringbuf.ScribblePos(r, false, pos+5)
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if _, err := r.Consumer(); !errors.Is(err, ringbuf.ErrCorrupt) {
		t.Fatalf("taking over at a misaligned position: %v, want ErrCorrupt", err)
	}
	ringbuf.ScribblePos(r, false, pos)
	if err := p.WriteContext(ctx, msg); !errors.Is(err, ringbuf.ErrPeerDead) {
		t.Fatalf("Write into a full ring after the failed takeover: %v, want ErrPeerDead", err)
	}
}

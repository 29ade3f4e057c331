package ringbuf_test

import (
	"context"
	"encoding/binary"
	"strconv"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func init() { testutil.Child("pingpong", childPingPong) }

// pingPongWait returns the wait strategy of a ping-pong mode, and how
// long each side dawdles before it answers.
func pingPongWait(mode string) (ringbuf.Wait, time.Duration) {
	if mode == "adaptive" {
		return ringbuf.Adaptive, 150 * time.Microsecond // well past the spin: the other side parks
	}
	return ringbuf.Block, 0
}

// childPingPong answers each message from ring args[0] with the same
// message on ring args[1], n (args[2]) times, waiting as mode (args[3])
// says.
func childPingPong(args []string) error {
	in, err := ringbuf.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := ringbuf.Open(args[1], nil)
	if err != nil {
		return err
	}
	defer out.Close()
	c, _ := in.Consumer()
	p, _ := out.Producer()
	wait, dawdle := pingPongWait(args[3])
	c.SetWait(wait)
	p.SetWait(wait)
	n, _ := strconv.Atoi(args[2])
	testutil.Send("ready")
	buf := make([]byte, 64)
	for range n {
		k, err := c.ReadContext(context.Background(), buf)
		if err != nil {
			return err
		}
		testutil.SpinFor(dawdle)
		if err := p.Write(buf[:k]); err != nil {
			return err
		}
	}
	testutil.Send("%d", ringbuf.LateWakeups())
	c.Close()
	return p.Close()
}

// Every message of a ping-pong needs a wake-up: none may be lost. (A lost
// one would still arrive, when the park times out after 2 to 50ms;
// LateWakeups counts those.) In block mode both sides park at once and ask
// the other for fenced stores; in adaptive mode each side dawdles past the
// other's spin, so that it parks while the other publishes with plain
// release stores, the case the barrier of fence.go is for (in builds
// without the race detector; with it, every store is fenced). The race
// that barrier closes is a few nanoseconds wide, so this test exercises
// the path but cannot show the barrier necessary: passing without it is
// no proof, and the argument is in fence.go.
func TestBlockingPingPong(t *testing.T) {
	for _, mode := range []string{"block", "adaptive"} {
		t.Run(mode, func(t *testing.T) {
			n := 20_000
			if mode == "adaptive" {
				n = 4_000
			}
			pingPong(t, mode, n)
		})
	}
}

func pingPong(t *testing.T, mode string, n int) {
	ping, pong := testutil.Name(t), testutil.Name(t)
	a, err := ringbuf.Create(ping, ringbuf.Config{Capacity: 4096, MaxMessage: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Close(); shm.Remove(ping) }()
	b, err := ringbuf.Create(pong, ringbuf.Config{Capacity: 4096, MaxMessage: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { b.Close(); shm.Remove(pong) }()
	p, _ := a.Producer()
	c, _ := b.Consumer()
	wait, dawdle := pingPongWait(mode)
	p.SetWait(wait)
	c.SetWait(wait)
	child := testutil.Start(t, "pingpong", ping, pong, strconv.Itoa(n), mode)
	child.Expect("ready")
	before := ringbuf.LateWakeups()
	msg, buf := make([]byte, 8), make([]byte, 64)
	for i := range n {
		binary.LittleEndian.PutUint64(msg, uint64(i))
		if err := p.Write(msg); err != nil {
			t.Fatal(err)
		}
		k, err := c.ReadContext(context.Background(), buf)
		if err != nil || k != 8 || binary.LittleEndian.Uint64(buf) != uint64(i) {
			t.Fatalf("round trip %d: %d bytes %x, %v", i, k, buf[:k], err)
		}
		testutil.SpinFor(dawdle)
	}
	childLate := child.ReadLine()
	child.Wait()
	// A late wake-up is also what a waker preempted for over 2ms between
	// its store and its wake-up looks like, which happens when the tests of
	// several packages share two cores; so allow one in 500 (alone, this
	// test sees none).
	late := ringbuf.LateWakeups() - before
	cl, _ := strconv.ParseInt(childLate, 10, 64)
	st := a.State()
	t.Logf("%d round trips; relaxed stores: %v; consumer parks %d, wake-ups %d; late wake-ups %d here, %d in the child",
		n, ringbuf.RelaxedStores(), st.Counters.Consumed.Waits, st.Counters.Produced.Wakeups, late, cl)
	if late+cl > int64(n/500) {
		t.Fatalf("%d round trips: %d late wake-ups here, %d in the child", n, late, cl)
	}
	if st.Counters.Consumed.Waits < uint64(n/2) {
		t.Fatalf("the consumer parked %d times in %d round trips: the test did not test parking", st.Counters.Consumed.Waits, n)
	}
}

package ringbuf_test

import (
	"context"
	"encoding/binary"
	"strconv"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func init() { testutil.Child("pingpong", childPingPong) }

// pong answers each message from ring args[0] with the same message on
// ring args[1], n (args[2]) times, parking between them.
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
	c.SetWait(ringbuf.Block)
	p.SetWait(ringbuf.Block)
	n, _ := strconv.Atoi(args[2])
	testutil.Send("ready")
	buf := make([]byte, 64)
	for range n {
		k, err := c.ReadContext(context.Background(), buf)
		if err != nil {
			return err
		}
		if err := p.Write(buf[:k]); err != nil {
			return err
		}
	}
	testutil.Send("%d", ringbuf.LateWakeups())
	c.Close()
	return p.Close()
}

// Both sides park for every message of a ping-pong, so every message needs
// a wake-up: none may be lost. (A lost one would still arrive, when the
// park times out after 2 to 50ms; LateWakeups counts those.) This is the
// test of the parking protocol with relaxed position stores (fence.go),
// which builds without the race detector use.
func TestBlockingPingPong(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	ping, pong := testutil.Name(t), testutil.Name(t)
	a, err := ringbuf.Create(ping, 4096, 64, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Close(); shm.Remove(ping) }()
	b, err := ringbuf.Create(pong, 4096, 64, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { b.Close(); shm.Remove(pong) }()
	p, _ := a.Producer()
	c, _ := b.Consumer()
	p.SetWait(ringbuf.Block)
	c.SetWait(ringbuf.Block)
	child := testutil.Start(t, "pingpong", ping, pong, strconv.Itoa(n))
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
	}
	childLate := child.ReadLine()
	child.Wait()
	// A late wake-up is also what a waker that the hypervisor stalls for
	// over 2ms between its store and its wake-up looks like, so allow one
	// in 5,000; a lost wake-up in the protocol would be much more common.
	late := ringbuf.LateWakeups() - before
	cl, _ := strconv.ParseInt(childLate, 10, 64)
	if late+cl > int64(n/5000) {
		t.Fatalf("%d round trips: %d late wake-ups here, %d in the child", n, late, cl)
	}
	st := a.State()
	t.Logf("%d round trips; relaxed stores: %v; producer parks %d, consumer parks %d, wake-ups %d",
		n, ringbuf.RelaxedStores(), st.Counters.Produced.Waits, st.Counters.Consumed.Waits, st.Counters.Produced.Wakeups)
}

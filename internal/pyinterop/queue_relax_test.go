//go:build linux

package pyinterop_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
)

// Go producers commit with plain stores where they can (queue/relax.go);
// Python's queue must fence them when it parks and remove a dead Go
// peer's count when it takes the entry over.

func init() {
	testutil.Child("queue-counted", func(args []string) error {
		q, err := queue.Open(args[0], nil)
		if err != nil {
			return err
		}
		p, err := q.Producer()
		if err != nil {
			return err
		}
		if err := p.Write(message(nil, 0)); err != nil {
			return err
		}
		c, err := q.Consumer()
		if err != nil {
			return err
		}
		c.SetWait(queue.Block) // counts itself in fence
		testutil.Send("counted")
		testutil.Recv()
		return nil
	})
}

// relaxedCount is RelaxedProducers for one Go producer that committed
// while no consumer asked for fences.
func relaxedCount() uint32 {
	if spin.CanRelax() {
		return 1
	}
	return 0
}

func queueCounts(q *queue.Queue) string {
	st := q.State()
	return fmt.Sprintf("relaxed %d, fencing %d", st.RelaxedProducers, st.FencingConsumers)
}

// A Go process SIGKILLed while its producer counts itself relaxed and
// its Block consumer fencing: a Python consumer that takes the dead
// consumer's entry over removes its fence count, and takes the message;
// a Python producer that takes the dead producer's entry removes its
// relaxed count (Python's producers always commit fenced).
func TestQueuePythonTakesOverCountedEntries(t *testing.T) {
	q, name := newQueue(t)
	child := testutil.Start(t, "queue-counted", name)
	child.Expect("counted")
	child.Kill()
	if got, want := queueCounts(q), fmt.Sprintf("relaxed %d, fencing 1", relaxedCount()); got != want {
		t.Fatalf("after the Go child's SIGKILL: %s, want %s", got, want)
	}
	py := startPy(t, "queue-consume", name)
	py.expect("ready")
	py.send("go")
	if n, _, _ := pyDone(t, py); n != 1 {
		t.Fatalf("python took %d messages, want the dead producer's 1", n)
	}
	if got := q.State().FencingConsumers; got != 0 {
		t.Fatalf("after python took the dead consumer's entry: fencing %d, want 0", got)
	}
	py = startPy(t, "queue-produce", name, "1", "1")
	py.expect("ready")
	py.send("go")
	pyDone(t, py)
	if got, want := queueCounts(q), "relaxed 0, fencing 0"; got != want {
		t.Fatalf("after python took the dead producer's entry: %s, want %s", got, want)
	}
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64)
	n, err := c.TryRead(buf)
	if err != nil || string(buf[:n]) != string(message(nil, 1)) {
		t.Fatalf("python's message: %x, %v", buf[:n], err)
	}
}

// A ping-pong between a relaxed Go producer and a Python consumer that
// parks before every message: each needs a wake-up, and none may be lost
// (a lost one shows as a park that timed out with the message there).
func TestQueuePythonParksBesideRelaxedProducer(t *testing.T) {
	ping, pingName := newQueue(t)
	pong, pongName := newQueue(t)
	const rounds = 300
	py := startPy(t, "queue-echo", pingName, pongName, strconv.Itoa(rounds))
	py.expect("ready")
	p, err := ping.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := pong.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	py.send("go")
	var msg []byte
	buf := make([]byte, 64)
	for i := range rounds {
		time.Sleep(time.Millisecond) // past Python's adaptive spin (200µs): it parks
		msg = message(msg, i)
		if err := p.Write(msg); err != nil {
			t.Fatal(err)
		}
		n, err := c.ReadContext(context.Background(), buf)
		if err != nil || string(buf[:n]) != string(msg) {
			t.Fatalf("round %d: echo %x, %v", i, buf[:n], err)
		}
		if i == rounds/2 {
			if got, want := queueCounts(ping), fmt.Sprintf("relaxed %d, fencing 0", relaxedCount()); got != want {
				t.Fatalf("mid-run: %s, want %s", got, want)
			}
		}
	}
	f := py.expect("done")
	py.wait()
	late, err := strconv.Atoi(f[len(f)-1])
	if err != nil {
		t.Fatalf("done line %q", f)
	}
	waits := ping.State().Counters.Consumed.Waits
	t.Logf("%d rounds: python parked %d times, %d late", rounds, waits, late)
	if waits < rounds/2 {
		t.Fatalf("python parked %d times in %d rounds: the test did not test parking", waits, rounds)
	}
	// A Go producer preempted for over 2ms between its commit and its
	// wake-up looks late too, when tests share two cores: allow 1 in 100.
	if late > rounds/100 {
		t.Fatalf("%d of %d python parks timed out with the message there", late, rounds)
	}
}

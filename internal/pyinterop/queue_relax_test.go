//go:build linux

package pyinterop_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testmsg"
	"github.com/shmkit/shmkit/internal/testutil"
)

// Go producers commit with plain stores where they can (queue/relax.go);
// Python's queue must fence them when it parks and remove a dead Go
// peer's count when it takes the entry over.

func init() {
	testutil.Child("queue-counted", func(args []string) error {
		if err := testmsg.CountPeers(args[0], message(nil, 0), true); err != nil {
			return err
		}
		testutil.Send("counted")
		testutil.Recv()
		return nil
	})
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
	if got, want := testmsg.QueueCounts(q), fmt.Sprintf("relaxed %d, fencing 1", testmsg.Relaxed()); got != want {
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
	if got, want := testmsg.QueueCounts(q), "relaxed 0, fencing 0"; got != want {
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

// A ping-pong between a relaxed Go producer and Python consumers that
// park before every message: each needs a wake-up, and none may be lost
// (a lost one shows as a park that timed out with the message there).
// With two consumers and bursts of two, the second commit's wake-up is
// skipped while the first's is pending, and the woken consumer passes it
// on (Go's passOn). The race the barriers close is nanoseconds wide, so
// this exercises Python's paths; docs/models/queuewake.pml shows the
// barriers necessary.
func TestQueuePythonParksBesideRelaxedProducer(t *testing.T) {
	for _, consumers := range []int{1, 2} {
		t.Run(fmt.Sprintf("consumers=%d", consumers), func(t *testing.T) {
			pythonPingPong(t, consumers)
		})
	}
}

func pythonPingPong(t *testing.T, consumers int) {
	ping, pingName := newQueue(t)
	pong, pongName := newQueue(t)
	const rounds = 300
	pys := make([]*pyProc, consumers)
	for i := range pys {
		pys[i] = startPy(t, "queue-echo", pingName, pongName)
		pys[i].expect("ready")
	}
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
	for _, py := range pys {
		py.send("go")
	}
	var msgs [2][]byte
	buf := make([]byte, 64)
	seen := make(map[string]bool, 2)
	for r := range rounds {
		time.Sleep(time.Millisecond) // past Python's adaptive spin (200µs): they park
		for i := range consumers {
			msgs[i] = message(msgs[i], r*consumers+i)
			if err := p.Write(msgs[i]); err != nil {
				t.Fatal(err)
			}
		}
		clear(seen)
		for range consumers {
			n, err := c.ReadContext(context.Background(), buf)
			if err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
			m := string(buf[:n])
			if seen[m] || m != string(msgs[0]) && (consumers == 1 || m != string(msgs[1])) {
				t.Fatalf("round %d: echo %x is none of this round's, or came twice", r, buf[:min(n, 16)])
			}
			seen[m] = true
		}
		if r == rounds/2 {
			if got, want := testmsg.QueueCounts(ping), fmt.Sprintf("relaxed %d, fencing 0", testmsg.Relaxed()); got != want {
				t.Fatalf("mid-run: %s, want %s", got, want)
			}
		}
	}
	p.Close() // the end: each Python consumer sees it, and closes its producer
	echoed, late := 0, 0
	for _, py := range pys {
		f := py.expect("done")
		py.wait()
		var n, l int
		if _, err := fmt.Sscan(strings.Join(f, " "), &n, &l); err != nil {
			t.Fatalf("done line %q: %v", f, err)
		}
		echoed += n
		late += l
	}
	waits := ping.State().Counters.Consumed.Waits
	t.Logf("%d rounds of %d: python parked %d times, %d late", rounds, consumers, waits, late)
	if echoed != rounds*consumers {
		t.Fatalf("python echoed %d messages, want %d", echoed, rounds*consumers)
	}
	if waits < rounds/2 {
		t.Fatalf("python parked %d times in %d rounds: the test did not test parking", waits, rounds)
	}
	// A Go producer preempted for over 2ms between its commit and its
	// wake-up looks late too, when tests share two cores: allow 1 in 50.
	if late > rounds*consumers/50 {
		t.Fatalf("%d of %d messages found by a python park that timed out", late, rounds*consumers)
	}
}

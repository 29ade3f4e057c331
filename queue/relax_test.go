package queue_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/internal/testmsg"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
)

func init() {
	testutil.Child("queue-relax-peers", childRelaxPeers)
	testutil.Child("queue-echo", childQueueEcho)
}

// relaxed and counts are testmsg's, short.
var relaxed, counts = testmsg.Relaxed, testmsg.QueueCounts

// A producer counts itself relaxed from its first commit while no
// consumer waits with Block, leaves the count (and commits fenced) while
// one does, and when it closes; a Block consumer counts itself fencing
// until it changes its wait or closes.
func TestRelaxedCounts(t *testing.T) {
	q := createQueue(t, 8)
	msg, buf := make([]byte, 8), make([]byte, 8)
	p, _ := q.Producer()
	c, _ := q.Consumer()
	step := func(what, want string) {
		t.Helper()
		if got := counts(q); got != want {
			t.Fatalf("%s: %s, want %s", what, got, want)
		}
	}
	roundTrip := func() {
		t.Helper()
		if err := p.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	step("attached", "relaxed 0, fencing 0")
	roundTrip()
	step("after a commit", fmt.Sprintf("relaxed %d, fencing 0", relaxed()))
	c.SetWait(queue.Block)
	step("consumer in Block", fmt.Sprintf("relaxed %d, fencing 1", relaxed()))
	roundTrip()
	step("a commit with a Block consumer", "relaxed 0, fencing 1")
	c.SetWait(queue.Adaptive)
	roundTrip()
	step("the consumer back to Adaptive", fmt.Sprintf("relaxed %d, fencing 0", relaxed()))
	c.SetWait(queue.Block)
	p.Close()
	step("producer closed", "relaxed 0, fencing 1")
	c.Close()
	step("consumer closed", "relaxed 0, fencing 0")
}

// childRelaxPeers attaches a producer that commits a message to queue
// args[0] and, unless args[1] is "producer", a Block consumer; says so,
// and waits to be killed.
func childRelaxPeers(args []string) error {
	if err := testmsg.CountPeers(args[0], []byte("x"), len(args) < 2 || args[1] != "producer"); err != nil {
		return err
	}
	testutil.Send("counted %t", spin.CanRelax())
	testutil.Recv()
	return nil
}

// The counts of a SIGKILLed process's peers stay (which costs barriers
// and fences, never a wake-up) until a process takes their entries over.
func TestRelaxedCountsOfTheDead(t *testing.T) {
	q := createQueue(t, 8)
	child := testutil.Start(t, "queue-relax-peers", q.Segment().Name())
	line := child.ReadLine()
	child.Kill()
	if line != "counted true" && line != "counted false" {
		t.Fatalf("child said %q", line)
	}
	// The child's producer committed before its consumer asked for
	// fences, and never again.
	if got, want := counts(q), fmt.Sprintf("relaxed %d, fencing 1", relaxed()); got != want {
		t.Fatalf("after the child's SIGKILL: %s, want %s", got, want)
	}
	c, err := q.Consumer() // takes the dead consumer's entry over
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, want := counts(q), fmt.Sprintf("relaxed %d, fencing 0", relaxed()); got != want {
		t.Fatalf("after taking the dead consumer's entry: %s, want %s", got, want)
	}
	if _, err := c.TryRead(make([]byte, 8)); err != nil {
		t.Fatalf("the dead producer's message: %v", err)
	}
}

// A producer killed while counted relaxed leaves the count up (its
// consumers fence it for nothing) until a producer takes its entry over.
func TestRelaxedCountsOfADeadProducer(t *testing.T) {
	q := createQueue(t, 8)
	child := testutil.Start(t, "queue-relax-peers", q.Segment().Name(), "producer")
	child.ReadLine()
	child.Kill()
	if got, want := counts(q), fmt.Sprintf("relaxed %d, fencing 0", relaxed()); got != want {
		t.Fatalf("after the child's SIGKILL: %s, want %s", got, want)
	}
	p, err := q.Producer() // takes the dead producer's entry over
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got, want := counts(q), "relaxed 0, fencing 0"; got != want {
		t.Fatalf("after taking the dead producer's entry: %s, want %s", got, want)
	}
	if err := p.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	if got, want := counts(q), fmt.Sprintf("relaxed %d, fencing 0", relaxed()); got != want {
		t.Fatalf("after this producer's commit: %s, want %s", got, want)
	}
}

// childQueueEcho writes each message of queue args[0] back to queue
// args[1], by args[4] readers (goroutines, each with its own consumer and
// producer) that wait as args[3] says, until each has echoed one end (the
// number args[2]); then it sends its late wake-ups.
func childQueueEcho(args []string) error {
	in, err := queue.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := queue.Open(args[1], nil)
	if err != nil {
		return err
	}
	defer out.Close()
	n, _ := strconv.Atoi(args[2])
	readers, _ := strconv.Atoi(args[4])
	wait, _ := echoWait(args[3])
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	ready := make(chan struct{}, readers)
	for range readers {
		wg.Go(func() {
			c, err := in.Consumer()
			if err != nil {
				errs <- err
				return
			}
			p, err := out.Producer()
			if err != nil {
				errs <- err
				return
			}
			c.SetWait(wait)
			p.SetWait(wait)
			ready <- struct{}{}
			buf := make([]byte, 8)
			for {
				k, err := c.Read(buf)
				if err != nil {
					errs <- err
					return
				}
				if binary.LittleEndian.Uint64(buf[:k]) == uint64(n) { // an end, one for each reader: echo it and stop
					err := p.Write(buf[:k])
					c.Close()
					p.Close()
					errs <- err
					return
				}
				if err := p.Write(buf[:k]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range readers {
		<-ready
	}
	testutil.Send("ready")
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	testutil.Send("%d", queue.LateWakeups())
	return nil
}

// echoWait is a mode's wait, and how long the sender pauses between
// rounds: past the adaptive spin, so that the other side parks.
func echoWait(mode string) (queue.Wait, time.Duration) {
	if mode == "block" {
		return queue.Block, 0
	}
	return queue.Adaptive, 5 * spin.AdaptiveSpin
}

// Every message of a ping-pong over two queues, and of bursts that two
// parked consumers share, needs a wake-up: none may be lost. (A lost one
// would still arrive when the park times out, after 2 to 50ms; the late
// wake-ups count those.) In block mode the consumers ask for fenced
// commits; in adaptive mode the producers commit with plain stores and
// the consumers park past their spin, the case relax.go's barriers are
// for (without the race detector). The race those barriers close is a
// few nanoseconds wide, so this test exercises the paths but cannot show
// the barriers necessary: docs/models/queuewake.pml does.
func TestQueuePingPong(t *testing.T) {
	for _, tc := range []struct {
		mode           string
		rounds, burst  int
		childConsumers int
	}{
		{"block", 5000, 1, 1},
		{"adaptive", 2000, 1, 1},
		{"adaptive", 1000, 2, 2}, // two parked consumers: a woken one passes a wake-up on
		{"block", 1000, 2, 2},
	} {
		t.Run(fmt.Sprintf("%s/burst%d", tc.mode, tc.burst), func(t *testing.T) {
			queuePingPong(t, tc.mode, tc.rounds, tc.burst, tc.childConsumers)
		})
	}
}

// checkPingPongCounts checks, mid-run, that each side commits as its
// consumers' wait asks: relaxed while they wait Adaptive, fenced while
// they wait Block.
func checkPingPongCounts(t *testing.T, mode string, readers int, ping, pong *queue.Queue) {
	t.Helper()
	wantPing := fmt.Sprintf("relaxed %d, fencing 0", relaxed())
	if mode == "block" {
		wantPing = fmt.Sprintf("relaxed 0, fencing %d", readers)
	}
	if got := counts(ping); got != wantPing {
		t.Fatalf("mid-run, ping: %s, want %s", got, wantPing)
	}
	// The child's producers count themselves at their first commit, and
	// with two readers one may not have echoed anything yet.
	st := pong.State()
	lo, hi, fencing := relaxed(), uint32(readers)*relaxed(), uint32(0)
	if mode == "block" {
		lo, hi, fencing = 0, 0, 1
	}
	if st.RelaxedProducers < lo || st.RelaxedProducers > hi || st.FencingConsumers != fencing {
		t.Fatalf("mid-run, pong: %s, want relaxed %d to %d, fencing %d", counts(pong), lo, hi, fencing)
	}
}

func queuePingPong(t *testing.T, mode string, rounds, burst, readers int) {
	ping, pong := createQueue(t, 8), createQueue(t, 8)
	p, _ := ping.Producer()
	c, _ := pong.Consumer()
	defer p.Close()
	defer c.Close()
	wait, dawdle := echoWait(mode)
	p.SetWait(wait)
	c.SetWait(wait)
	n := rounds * burst
	child := testutil.Start(t, "queue-echo", ping.Segment().Name(), pong.Segment().Name(), strconv.Itoa(n), mode, strconv.Itoa(readers))
	child.Expect("ready")
	before := queue.LateWakeups()
	msg, buf := make([]byte, 8), make([]byte, 8)
	seen := make([]bool, n)
	for r := range rounds {
		for i := range burst {
			binary.LittleEndian.PutUint64(msg, uint64(r*burst+i))
			if err := p.Write(msg); err != nil {
				t.Fatal(err)
			}
		}
		for range burst {
			k, err := c.ReadContext(context.Background(), buf)
			if err != nil || k != 8 {
				t.Fatalf("round %d: %d bytes, %v", r, k, err)
			}
			if v := binary.LittleEndian.Uint64(buf); v >= uint64(n) || seen[v] || v/uint64(burst) != uint64(r) {
				t.Fatalf("round %d: message %d back (out of its round, or twice)", r, v)
			}
			seen[binary.LittleEndian.Uint64(buf)] = true
		}
		if r == rounds/2 {
			checkPingPongCounts(t, mode, readers, ping, pong)
		}
		testutil.SpinFor(dawdle)
	}
	binary.LittleEndian.PutUint64(msg, uint64(n)) // the end, one for each reader
	for range readers {
		if err := p.Write(msg); err != nil {
			t.Fatal(err)
		}
	}
	for range readers {
		if _, err := c.ReadContext(context.Background(), buf); err != nil {
			t.Fatal(err)
		}
	}
	childLate, _ := strconv.ParseInt(child.ReadLine(), 10, 64)
	child.Wait()
	late := queue.LateWakeups() - before
	st := ping.State()
	t.Logf("%d rounds of %d: consumer parks %d, wake-ups %d; late wake-ups %d here, %d in the child; ping: %s",
		rounds, burst, st.Counters.Consumed.Waits, st.Counters.Produced.Wakeups, late, childLate, counts(ping))
	// A waker preempted for over 2ms between its commit and its wake-up
	// looks late too, which happens when other work shares the two
	// cores: 0 late when the machine is idle, but CI's -race run saw 8 in
	// 2000, and a review with two busy loops beside the test 6 to 13 in
	// 2000 (burst2). Allow one in 50: a lost wake-up is lost on every
	// message its race catches, not a few in a thousand.
	if allowed := int64(n / 50); late+childLate > allowed {
		t.Fatalf("%d messages: %d late wake-ups here, %d in the child", n, late, childLate)
	}
	if st.Counters.Consumed.Waits < uint64(rounds/2) {
		t.Fatalf("the child's consumers parked %d times in %d rounds: the test did not test parking", st.Counters.Consumed.Waits, rounds)
	}
}

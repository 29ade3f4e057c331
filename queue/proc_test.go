package queue_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

func init() {
	testutil.Child("queue-produce", childQueueProduce)
	testutil.Child("queue-consume", childQueueConsume)
	testutil.Child("queue-read-one", childQueueReadOne)
	testutil.Child("queue-batch-once", childQueueBatchOnce)
}

// childQueueBatchOnce reads one batch of up to 256 from queue args[0].
func childQueueBatchOnce(args []string) error {
	return withConsumer(args[0], func(q *queue.Queue, c *queue.Consumer) error {
		_, err := c.ReadBatch(context.Background(), 256, func([]byte) error { return nil })
		return err
	})
}

// withConsumer opens queue name, attaches a consumer and calls fn with both.
func withConsumer(name string, fn func(*queue.Queue, *queue.Consumer) error) error {
	q, err := queue.Open(name, nil)
	if err != nil {
		return err
	}
	defer q.Close()
	c, err := q.Consumer()
	if err != nil {
		return err
	}
	return fn(q, c)
}

// childQueueReadOne reads one message from queue args[0].
func childQueueReadOne(args []string) error {
	return withConsumer(args[0], func(q *queue.Queue, c *queue.Consumer) error {
		c.SetWait(queue.Block)
		_, err := c.Read(make([]byte, q.MaxMessage()))
		return err
	})
}

// batchEnv, set in a producer child's environment, makes it write its
// messages this many at a time by WriteBatch.
const batchEnv = "SHMKIT_TEST_QUEUE_BATCH"

// childQueueProduce attaches a producer to queue args[0], says "ready",
// writes messages 0..args[2]-1 of producer args[1] (with args[3] "on-go",
// once told "go"; batchEnv at a time if set) and closes.
func childQueueProduce(args []string) error {
	q, err := queue.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer q.Close()
	p, err := q.Producer()
	if err != nil {
		return err
	}
	id, _ := strconv.Atoi(args[1])
	n, _ := strconv.Atoi(args[2])
	testutil.Send("ready")
	if len(args) > 3 && args[3] == "on-go" && testutil.Recv() != "go" { // attached: write when told
		return errors.New("no go")
	}
	if batch, _ := strconv.Atoi(os.Getenv(batchEnv)); batch > 0 {
		if err := produceBatches(p, id, n, batch); err != nil {
			return err
		}
		return p.Close()
	}
	buf := make([]byte, 256)
	for seq := range n {
		if err := p.Write(qMsg(buf, qKey(id, seq))); err != nil {
			return fmt.Errorf("write %d: %w", seq, err)
		}
	}
	return p.Close()
}

// produceBatches writes messages 0..n-1 of producer id, batch at a time.
func produceBatches(p *queue.Producer, id, n, batch int) error {
	bufs, msgs := make([][]byte, batch), make([][]byte, batch)
	for i := range bufs {
		bufs[i] = make([]byte, 256)
	}
	for seq := 0; seq < n; seq += batch {
		msgs := msgs[:min(batch, n-seq)]
		for i := range msgs {
			msgs[i] = qMsg(bufs[i], qKey(id, seq+i))
		}
		if k, err := p.WriteBatch(context.Background(), msgs); err != nil {
			return fmt.Errorf("batch at %d: %d written: %w", seq, k, err)
		}
	}
	return nil
}

// killed reports whether env arms a failpoint: then the child is to die
// by SIGKILL.
func killed(env []string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, failpoint.EnvVar+"=") {
			return true
		}
	}
	return false
}

// openConsumerSide opens what a consumer child uses: queue args[0], the
// uint32 array args[1] that counts deliveries, and a consumer; per is
// args[2]. closeAll closes the queue and the array.
func openConsumerSide(args []string) (q *queue.Queue, seen *array.Array[uint32], per int, c *queue.Consumer, closeAll func(), err error) {
	if q, err = queue.Open(args[0], nil); err != nil {
		return
	}
	if seen, err = array.Open[uint32](args[1], nil); err != nil {
		q.Close()
		return
	}
	per, _ = strconv.Atoi(args[2])
	if c, err = q.Consumer(); err != nil {
		seen.Close()
		q.Close()
		return
	}
	return q, seen, per, c, func() { seen.Close(); q.Close() }, nil
}

// childQueueConsume reads from queue args[0], checks every message and
// counts it in the uint32 array args[1] (producer × args[2] + seq), until
// it is told "stop".
func childQueueConsume(args []string) error {
	_, seen, per, c, closeAll, err := openConsumerSide(args)
	if err != nil {
		return err
	}
	defer closeAll()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { testutil.Recv(); cancel() }()
	testutil.Send("ready")
	buf, scratch := make([]byte, 256), make([]byte, 256)
	count := func(msg []byte) error {
		pr, seq, err := qCheck(msg, scratch)
		if err != nil {
			return err
		}
		i := pr*per + seq
		if seq >= per || i >= seen.Len() {
			return fmt.Errorf("message %d/%d out of range", pr, seq)
		}
		array.AddAt(seen, i, 1)
		return nil
	}
	if batch, _ := strconv.Atoi(os.Getenv(readBatchEnv)); batch > 0 {
		return consumeBatches(ctx, c, batch, count)
	}
	for {
		n, err := c.ReadContext(ctx, buf)
		if err == io.EOF { // every producer closed and the queue is drained: wait to be stopped
			<-ctx.Done()
			err = ctx.Err()
		}
		if err == context.Canceled {
			return c.Close()
		}
		if err != nil {
			return err
		}
		if err := count(buf[:n]); err != nil {
			return err
		}
	}
}

// readBatchEnv, set in a consumer child's environment, makes it read by
// ReadBatch, at most this many at a time, mixed with Reads: of every three
// reads one is a ReadContext, and the batch's fn fails on every 101st
// message, so that the next read hands over what the batch still holds.
const readBatchEnv = "SHMKIT_TEST_QUEUE_READBATCH"

// errPause is the error the batch's fn stops a batch with.
var errPause = errors.New("pause")

// consumeBatches is childQueueConsume's loop for readBatchEnv: count is
// called on every message.
func consumeBatches(ctx context.Context, c *queue.Consumer, batch int, count func([]byte) error) error {
	buf := make([]byte, 256)
	seen := 0
	fn := func(msg []byte) error {
		if err := count(msg); err != nil {
			return err
		}
		if seen++; seen%101 == 0 {
			return errPause
		}
		return nil
	}
	for i := 0; ; i++ {
		var err error
		if i%3 == 2 {
			var n int
			if n, err = c.ReadContext(ctx, buf); err == nil {
				err = count(buf[:n])
			}
		} else {
			_, err = c.ReadBatch(ctx, batch, fn)
		}
		if err == io.EOF { // every producer closed and the queue is drained: wait to be stopped
			<-ctx.Done()
			err = ctx.Err()
		}
		switch err {
		case nil, errPause:
		case context.Canceled:
			return c.Close()
		default:
			return err
		}
	}
}

// queueRun runs producers (env[i] is producer i's, which may arm failpoints) and
// consumers processes over a fresh queue, per messages each, and returns
// how many times each message was delivered, once the deliveries stop
// growing at want, and the queue's final state.
func queueRun(t *testing.T, producers, consumers, per int, env [][]string, want int, consEnv [][]string) ([]uint32, queue.State) {
	t.Helper()
	name, seenName := testutil.Name(t), testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 256, MaxMessage: 256}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); shm.Remove(name) })
	seen, err := array.Create[uint32](seenName, producers*per, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seen.Close(); shm.Remove(seenName) })
	var cs []*testutil.Proc
	for i := range consumers {
		var e []string
		if i < len(consEnv) {
			e = consEnv[i]
		}
		c := testutil.StartEnv(t, e, "queue-consume", name, seenName, strconv.Itoa(per))
		c.Expect("ready")
		cs = append(cs, c)
	}
	var ps []*testutil.Proc
	for i := range producers {
		var e []string
		if i < len(env) {
			e = env[i]
		}
		p := testutil.StartEnv(t, e, "queue-produce", name, strconv.Itoa(i), strconv.Itoa(per), "on-go")
		p.Expect("ready")
		ps = append(ps, p)
	}
	for _, p := range ps { // all attached first: the end comes only when the last one goes
		p.Send("go")
	}
	deadline := time.Now().Add(testutil.Timeout)
	total := func() int {
		n := 0
		for i := range seen.Len() {
			n += int(array.LoadAt(seen, i))
		}
		return n
	}
	if want < 0 { // a consumer dies holding an unknown number: wait for the drain instead
		want = drained(t, q, ps, total)
	}
	for total() < want && time.Now().Before(deadline) {
		for i, c := range cs {
			if c.Exited() && (i >= len(consEnv) || !killed(consEnv[i])) {
				c.Wait() // fails the test with the child's error
				t.Fatalf("consumer %d exited early", i)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a duplicate would show up now
	for i, p := range ps {
		if i < len(env) && killed(env[i]) {
			if err := p.WaitError(); testutil.ExitSignal(err) != syscall.SIGKILL {
				t.Fatalf("producer %d with a failpoint ended with %v, want SIGKILL", i, err)
			}
			continue
		}
		p.Wait()
	}
	for i, c := range cs {
		if i < len(consEnv) && killed(consEnv[i]) {
			if err := c.WaitError(); testutil.ExitSignal(err) != syscall.SIGKILL {
				t.Fatalf("consumer %d with a failpoint ended with %v, want SIGKILL", i, err)
			}
			continue
		}
		c.Send("stop")
		c.Wait()
	}
	out := make([]uint32, seen.Len())
	copy(out, seen.Slice())
	return out, q.State()
}

// countLost returns how many of the messages counted in seen (per per
// producer) never arrived, failing the test on one that arrived twice.
func countLost(t *testing.T, seen []uint32, per int) int {
	t.Helper()
	lost := 0
	for i, n := range seen {
		switch n {
		case 0:
			lost++
		case 1:
		default:
			t.Fatalf("message %d/%d delivered %d times", i/per, i%per, n)
		}
	}
	return lost
}

// drained waits until the producers ps have exited, the queue is empty
// and the deliveries counted by total have not grown for 200ms, and
// returns their number.
func drained(t *testing.T, q *queue.Queue, ps []*testutil.Proc, total func() int) int {
	t.Helper()
	deadline := time.Now().Add(testutil.Timeout)
	for _, p := range ps {
		for !p.Exited() {
			if time.Now().After(deadline) {
				t.Fatal("producers still running")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	n, since := total(), time.Now()
	for time.Since(since) < 200*time.Millisecond || q.State().Used != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the queue never drained: %+v", q.State())
		}
		if m := total(); m != n {
			n, since = m, time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return n
}

// 4 producer processes × 4 consumer processes: every message is delivered
// exactly once.
func TestQueueCrossProcess(t *testing.T) {
	const producers, consumers = 4, 4
	seen, st := queueRun(t, producers, consumers, queueMessages, nil, producers*queueMessages, nil)
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("message %d/%d delivered %d times", i/queueMessages, i%queueMessages, n)
		}
	}
	if st.Counters.Produced.Messages != producers*queueMessages || st.Counters.Consumed.Messages != producers*queueMessages || st.Used != 0 {
		t.Fatalf("final state %+v", st)
	}
	t.Logf("%d messages; producers parked %d times, consumers %d; %d + %d wake-ups",
		producers*queueMessages, st.Counters.Produced.Waits, st.Counters.Consumed.Waits, st.Counters.Produced.Wakeups, st.Counters.Consumed.Wakeups)
}

// The same with the producers writing 16 messages at a time (WriteBatch).
func TestQueueCrossProcessBatch(t *testing.T) {
	const producers, consumers = 4, 4
	env := make([][]string, producers)
	for i := range env {
		env[i] = []string{batchEnv + "=16"}
	}
	seen, st := queueRun(t, producers, consumers, queueMessages, env, producers*queueMessages, nil)
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("message %d/%d delivered %d times", i/queueMessages, i%queueMessages, n)
		}
	}
	if st.Counters.Produced.Messages != producers*queueMessages || st.Counters.Consumed.Messages != producers*queueMessages || st.Used != 0 {
		t.Fatalf("final state %+v", st)
	}
}

// Consumers reading by ReadBatch (mixed with Reads, and with batches that
// stop early and hand over the rest later), beside consumers that Read,
// from producers writing one at a time and in batches: every message is
// delivered exactly once.
func TestQueueCrossProcessReadBatch(t *testing.T) {
	const producers, consumers = 4, 4
	env := [][]string{{batchEnv + "=16"}, nil, {batchEnv + "=3"}, nil}
	consEnv := [][]string{{readBatchEnv + "=256"}, {readBatchEnv + "=5"}, nil, {readBatchEnv + "=1"}}
	seen, st := queueRun(t, producers, consumers, queueMessages, env, producers*queueMessages, consEnv)
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("message %d/%d delivered %d times", i/queueMessages, i%queueMessages, n)
		}
	}
	if st.Counters.Produced.Messages != producers*queueMessages || st.Counters.Consumed.Messages != producers*queueMessages || st.Used != 0 || st.Counters.Dropped != 0 {
		t.Fatalf("final state %+v", st)
	}
}

// A consumer SIGKILLed holding a batch read's span loses the messages of
// that span only: the producers go on (its slots are released, each
// counted as dropped), and every other message arrives once.
func TestQueueConsumerKilledMidBatch(t *testing.T) {
	const producers, consumers, per, killAt = 2, 2, 20_000, 50 // early, as for a Read
	consEnv := [][]string{{readBatchEnv + "=256", failpoint.EnvVar + "=queue/batch-taken=kill@" + strconv.Itoa(killAt)}, {readBatchEnv + "=8"}}
	seen, st := queueRun(t, producers, consumers, per, nil, -1, consEnv)
	lost := countLost(t, seen, per)
	if lost == 0 || lost > 256/8 || uint64(lost) != st.Counters.Dropped {
		t.Fatalf("%d messages lost, %d dropped: want the dead consumer's span, 1 to 32 messages, each counted", lost, st.Counters.Dropped)
	}
	t.Logf("the dead consumer's span held %d messages", lost)
}

// A consumer SIGKILLed holding a whole span (32 messages, an eighth of
// 256 slots) loses exactly those: a producer that laps the queue finds
// the dead span in its way and releases it slot by slot, and a consumer
// that attaches later reads every other message once.
func TestQueueConsumerKilledHoldingSpan(t *testing.T) {
	name := testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 256, MaxMessage: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); shm.Remove(name) })
	p, err := q.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const total = 1000
	msg := func(i int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(i)) }
	for i := range 100 {
		if err := p.Write(msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := q.Consumer() // first: the dead consumer's entry is not one that an attach takes over
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	child := testutil.StartEnv(t, []string{failpoint.EnvVar + "=queue/batch-taken=kill"}, "queue-batch-once", name)
	if sig := child.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("consumer ended by %v, want SIGKILL at the failpoint; stderr:\n%s", sig, child.Stderr())
	}
	got := make([]int, total)
	errc := make(chan error, 1)
	go func() {
		defer p.Close()
		for i := 100; i < total; i++ {
			if err := p.Write(msg(i)); err != nil {
				errc <- err
				return
			}
		}
		errc <- p.Close()
	}()
	buf := make([]byte, 64)
	for {
		n, err := c.Read(buf)
		if err == io.EOF {
			break
		}
		if err != nil || n != 8 {
			t.Fatalf("Read = %d, %v", n, err)
		}
		got[binary.LittleEndian.Uint64(buf)]++
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	for i, n := range got {
		if want := map[bool]int{true: 0, false: 1}[i < 32]; n != want {
			t.Fatalf("message %d delivered %d times, want %d", i, n, want)
		}
	}
	if st := q.State(); st.Counters.Dropped != 32 {
		t.Fatalf("%d dropped, want the span's 32", st.Counters.Dropped)
	}
}

// A producer SIGKILLed between claiming a slot and committing it (half
// its message written) is skipped: its earlier messages arrive once, the
// claimed one never, and every other producer's message arrives once. In
// the middle of a WriteBatch of 16 it is skipped as a dead Write is: the
// messages it committed before, in that batch and earlier ones, arrive
// once, the claimed one and the rest of the batch never.
func TestQueueProducerKilledMidClaim(t *testing.T) {
	const producers, consumers, per, killAt = 3, 2, 20_000, 5_000 // the 5000th write, message 4999, is the 8th of its batch
	for _, tc := range []struct{ name, batch, read string }{{"write", "", ""}, {"batch", batchEnv + "=16", ""}, {"read batch", "", readBatchEnv + "=64"}} {
		t.Run(tc.name, func(t *testing.T) {
			e := []string{failpoint.EnvVar + "=queue/claimed=kill@" + strconv.Itoa(killAt)}
			if tc.batch != "" {
				e = append(e, tc.batch)
			}
			var consEnv [][]string
			if tc.read != "" { // the skip comes inside a span
				consEnv = [][]string{{tc.read}, {tc.read}}
			}
			want := producers*per - (per - (killAt - 1))
			seen, st := queueRun(t, producers, consumers, per, [][]string{e}, want, consEnv)
			for i, n := range seen {
				pr, seq := i/per, i%per
				wantN := uint32(1)
				if pr == 0 && seq >= killAt-1 {
					wantN = 0 // the write that died, and the ones never made
				}
				if n != wantN {
					t.Fatalf("message %d/%d delivered %d times, want %d", pr, seq, n, wantN)
				}
			}
			if st.Counters.Skipped != 1 || st.Used != 0 {
				t.Fatalf("final state %+v: want exactly one skipped slot", st)
			}
		})
	}
}

// A consumer SIGKILLed holding a message loses that message only: the
// producers go on (its slot is released), and every other message
// arrives once.
func TestQueueConsumerKilledMidRead(t *testing.T) {
	const producers, consumers, per, killAt = 2, 2, 20_000, 200 // early: the other consumer may take most of the messages
	consEnv := [][]string{{failpoint.EnvVar + "=queue/taken=kill@" + strconv.Itoa(killAt)}}
	seen, st := queueRun(t, producers, consumers, per, nil, producers*per-1, consEnv)
	lost := countLost(t, seen, per)
	if lost != 1 || st.Counters.Dropped != 1 {
		t.Fatalf("%d messages lost, %d dropped: want exactly the one the dead consumer held", lost, st.Counters.Dropped)
	}
}

// A consumer killed just after it announced itself parked leaves its
// parked bit set, which costs producers a wake-up call per message; the
// process that takes over its entry clears it, so that nothing is left
// over.
func TestQueueKilledWhileParked(t *testing.T) {
	q := createQueue(t, 256)
	name := q.Segment().Name()
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=queue/parked=kill"}, "queue-read-one", name)
	if sig := p.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("consumer ended by %v, want SIGKILL at the failpoint; stderr:\n%s", sig, p.Stderr())
	}
	if n := q.State().ConsumersParked; n != 1 {
		t.Fatalf("after the parked consumer died: %d parked, want its bit still set", n)
	}
	c, err := q.Consumer() // takes over the dead consumer's entry, the first
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n := q.State().ConsumersParked; n != 0 {
		t.Fatalf("after its entry was taken over: %d parked, want 0", n)
	}
}

package queue_test

import (
	"context"
	"errors"
	"io"
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
	testutil.Child("queue-drain", childQueueDrain)
}

// childQueueDrain reads queue args[0] until io.EOF, counting each message
// in the uint32 array args[1] (producer × args[2] + seq) and marking each
// task done, then reports how many it read.
func childQueueDrain(args []string) error {
	q, seen, per, c, closeAll, err := openConsumerSide(args)
	if err != nil {
		return err
	}
	defer closeAll()
	defer c.Close()
	testutil.Send("ready")
	buf, scratch := make([]byte, 256), make([]byte, 256)
	n := 0
	for {
		k, err := c.Read(buf)
		if err == io.EOF {
			testutil.Send("eof %d", n)
			return nil
		}
		if err != nil {
			return err
		}
		pr, seq, err := qCheck(buf[:k], scratch)
		if err != nil {
			return err
		}
		array.AddAt(seen, pr*per+seq, 1)
		if err := q.TaskDone(); err != nil {
			return err
		}
		n++
	}
}

// Consumers in other processes read until io.EOF: once every producer has
// closed, or died (one is SIGKILLed mid-claim), and the queue is drained.
// Every message of the producers that lived arrives exactly once, of the
// one killed every message before the kill, and Join returns once every
// message taken is done. A new producer then opens the queue again.
func TestEndOfStreamAcrossProcesses(t *testing.T) {
	const producers, consumers, per, killAt = 3, 2, 5_000, 1_000
	name, seenName := testutil.Name(t), testutil.Name(t)+"-seen"
	q, err := queue.Create(name, queue.Config{Slots: 64, MaxMessage: 256}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer q.Close()
	seen, err := array.Create[uint32](seenName, producers*per, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(seenName)
	defer seen.Close()
	var cons []*testutil.Proc
	for range consumers {
		c := testutil.Start(t, "queue-drain", name, seenName, strconv.Itoa(per))
		c.Expect("ready")
		cons = append(cons, c)
	}
	var prods []*testutil.Proc // all attached before any writes: the end comes when the last one goes
	for id := range producers {
		var env []string
		if id == 0 {
			env = []string{failpoint.EnvVar + "=queue/claimed=kill@" + strconv.Itoa(killAt)}
		}
		p := testutil.StartEnv(t, env, "queue-produce", name, strconv.Itoa(id), strconv.Itoa(per), "on-go")
		p.Expect("ready")
		prods = append(prods, p)
	}
	for _, p := range prods {
		p.Send("go")
	}
	if sig := prods[0].Signal(); sig != syscall.SIGKILL {
		t.Fatalf("producer 0 ended by %v, want SIGKILL at its failpoint", sig)
	}
	for _, p := range prods[1:] {
		p.Wait()
	}
	total := 0
	for _, c := range cons {
		total += eofCount(t, c)
		c.Wait()
	}
	for i, n := range seen.Slice() {
		pr, seq := i/per, i%per
		want := uint32(1)
		if pr == 0 && seq >= killAt-1 {
			want = 0
		}
		if n != want {
			t.Fatalf("message %d/%d delivered %d times, want %d", pr, seq, n, want)
		}
	}
	if want := producers*per - (per - killAt + 1); total != want {
		t.Fatalf("consumers read %d messages before io.EOF, want %d", total, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := q.Join(ctx); err != nil {
		t.Fatalf("Join after every message was done = %v", err)
	}
	// A new producer opens it again: a consumer waits for its message,
	// then sees the new end. (A consumer that starts while the queue is
	// at its end sees that end at once.)
	p := testutil.Start(t, "queue-produce", name, "1", "1", "on-go")
	p.Expect("ready") // attached: the queue is open again
	c := testutil.Start(t, "queue-drain", name, seenName, strconv.Itoa(per))
	c.Expect("ready")
	p.Send("go")
	p.Wait()
	if got := eofCount(t, c); got != 1 {
		t.Fatalf("after a new producer, the consumer read %d messages before io.EOF, want 1", got)
	}
	c.Wait()
}

// eofCount reads a drainer's "eof N" line and returns N.
func eofCount(t *testing.T, c *testutil.Proc) int {
	t.Helper()
	line := c.ReadLine()
	n, err := strconv.Atoi(strings.TrimPrefix(line, "eof "))
	if err != nil || !strings.HasPrefix(line, "eof ") {
		t.Fatalf("drainer said %q, want \"eof N\"; stderr:\n%s", line, c.Stderr())
	}
	return n
}

// A queue no producer has attached to is empty, not ended; one whose
// producers have closed ends at once for a waiting consumer, which is
// woken for it.
func TestEndOfStream(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 4, MaxMessage: 8})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := q.Consumer()
	c.SetWait(queue.Block)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.ReadContext(ctx, make([]byte, 8)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read before any producer = %v, want a timeout (empty, not ended)", err)
	}
	p, _ := q.Producer()
	p.Write([]byte("last"))
	read := make(chan error, 2)
	go func() {
		buf := make([]byte, 8)
		for {
			if _, err := c.ReadContext(context.Background(), buf); err != nil {
				read <- err
				return
			}
		}
	}()
	p.Close()
	if err := <-read; err != io.EOF {
		t.Fatalf("Read after the only producer closed = %v, want io.EOF", err)
	}
	if n, err := c.TryRead(make([]byte, 8)); err != queue.ErrEmpty {
		t.Fatalf("TryRead of an ended queue = %d, %v; want ErrEmpty", n, err)
	}
}

// Len, Cap, Empty and Full are snapshots of the queue's fill; TaskDone
// past the messages put fails, and Unfinished counts what is not done.
func TestFillAndTasks(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 2, MaxMessage: 8})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	c, _ := q.Consumer()
	if q.Len() != 0 || q.Cap() != 2 || !q.Empty() || q.Full() {
		t.Fatalf("new queue: Len %d Cap %d Empty %v Full %v", q.Len(), q.Cap(), q.Empty(), q.Full())
	}
	p.Write([]byte("a"))
	p.Write([]byte("b"))
	if q.Len() != 2 || !q.Full() || q.Empty() || q.Unfinished() != 2 {
		t.Fatalf("full queue: Len %d Full %v Empty %v Unfinished %d", q.Len(), q.Full(), q.Empty(), q.Unfinished())
	}
	c.TryRead(make([]byte, 8))
	if err := q.TaskDone(); err != nil || q.Unfinished() != 1 || q.Len() != 1 {
		t.Fatalf("TaskDone = %v; Unfinished %d, Len %d", err, q.Unfinished(), q.Len())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Join(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Join with a task not done = %v, want a timeout", err)
	}
	q.TaskDone()
	if err := q.TaskDone(); !errors.Is(err, queue.ErrTooManyDone) {
		t.Fatalf("third TaskDone for two messages = %v, want ErrTooManyDone", err)
	}
	if err := q.Join(context.Background()); err != nil {
		t.Fatalf("Join with every task done = %v", err)
	}
}

// A consumer SIGKILLed between taking a message and its TaskDone leaves
// that task not done: Join waits (until its context ends) and Unfinished
// counts it; a TaskDone on its behalf lets Join return.
func TestJoinConsumerKilledBeforeDone(t *testing.T) {
	const per = 50
	name, seenName := testutil.Name(t), testutil.Name(t)+"-seen"
	q, err := queue.Create(name, queue.Config{Slots: 64, MaxMessage: 256}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer q.Close()
	seen, err := array.Create[uint32](seenName, per, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(seenName)
	defer seen.Close()
	p, _ := q.Producer()
	buf := make([]byte, 256)
	for seq := range per {
		if err := p.Write(qMsg(buf, qKey(0, seq))); err != nil {
			t.Fatal(err)
		}
	}
	c := testutil.StartEnv(t, []string{failpoint.EnvVar + "=queue/taken=kill@10"}, "queue-drain", name, seenName, strconv.Itoa(per))
	c.Expect("ready")
	if sig := c.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("consumer ended by %v, want SIGKILL at its failpoint", sig)
	}
	p.Close()
	d := testutil.Start(t, "queue-drain", name, seenName, strconv.Itoa(per))
	d.Expect("ready")
	if n := eofCount(t, d); n != per-10 {
		t.Fatalf("the second consumer read %d messages, want %d", n, per-10)
	}
	d.Wait()
	if u := q.Unfinished(); u != 1 {
		t.Fatalf("Unfinished = %d, want 1 (the message the killed consumer took)", u)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := q.Join(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Join with the killed consumer's task not done = %v, want a timeout", err)
	}
	if err := q.TaskDone(); err != nil {
		t.Fatal(err)
	}
	if err := q.Join(context.Background()); err != nil {
		t.Fatalf("Join = %v", err)
	}
}

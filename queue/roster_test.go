package queue

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// A process that died holding the producers' roster lock (killed while
// its producer joined) holds up neither a producer that attaches after it
// nor the end of the queue: each passes the dead holder over.
func TestRosterDeadHolder(t *testing.T) {
	dead := deadToken(t)
	t.Run("attach", func(t *testing.T) {
		q, _ := New(Config{Slots: 4, MaxMessage: 8})
		defer q.Close()
		q.recov.rosterOwner.Store(dead)
		gen := q.recov.rosterGen.Load()
		p, err := q.Producer()
		if err != nil {
			t.Fatalf("Producer with a dead roster holder: %v", err)
		}
		p.Close()
		if q.recov.rosterOwner.Load() != 0 || q.recov.rosterGen.Load() != gen+2 { // the dead holder's, and ours
			t.Fatalf("roster after: owner %#x, gen %d (was %d)", q.recov.rosterOwner.Load(), q.recov.rosterGen.Load(), gen)
		}
	})
	for name, scribble := range map[string]func(q *Queue){
		"end":     func(q *Queue) { q.recov.rosterOwner.Store(dead) },           // died joining after the last producer left
		"settler": func(q *Queue) { q.prods[5].token.Store(dead | reclaimBit) }, // died settling a dead producer's entry: closed too
	} {
		t.Run(name, func(t *testing.T) {
			q, c := endedQueue(t)
			scribble(q)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := c.ReadContext(ctx, make([]byte, 8)); err != io.EOF {
				t.Fatalf("Read of an ended queue: %v, want io.EOF", err)
			}
		})
	}
}

// endedQueue returns a queue whose only producer has closed, and a
// consumer of it.
func endedQueue(t *testing.T) (*Queue, *Consumer) {
	q, _ := New(Config{Slots: 4, MaxMessage: 8})
	t.Cleanup(func() { q.Close() })
	p, _ := q.Producer()
	c, _ := q.Consumer()
	t.Cleanup(func() { c.Close() })
	p.Close()
	return q, c
}

// A live holder of the roster lock that keeps it (stopped, or a hostile
// peer's token) makes a producer's attach fail after a second with
// ErrBusy, never hang, and keeps consumers from seeing an end meanwhile.
func TestRosterLiveHolder(t *testing.T) {
	p, tok := testutil.LiveToken(t)
	defer p.Kill()
	q, c := endedQueue(t)
	q.recov.rosterOwner.Store(uint64(tok))
	start := time.Now()
	if _, err := q.Producer(); !errors.Is(err, ErrBusy) {
		t.Fatalf("Producer with a live roster holder: %v, want ErrBusy", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Producer gave up after %v", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.ReadContext(ctx, make([]byte, 8)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read while a live process holds the roster: %v, want no end yet", err)
	}
	q.recov.rosterOwner.Store(0)
	if _, err := c.ReadContext(context.Background(), make([]byte, 8)); err != io.EOF {
		t.Fatalf("Read once the roster is free: %v, want io.EOF", err)
	}
}

// The end's second look loads the lock before the count: a join that took
// an entry during the look and has let go shows in the count, one that
// has not in the lock.
func TestRosterAfterLook(t *testing.T) {
	q, _ := New(Config{Slots: 4, MaxMessage: 8})
	defer q.Close()
	gen, free := q.rosterBefore()
	if !free || !q.rosterAfter(gen) {
		t.Fatal("an idle roster does not look still")
	}
	me, err := q.lockRoster()
	if err != nil {
		t.Fatal(err)
	}
	if q.rosterAfter(gen) {
		t.Fatal("a look during a join counts")
	}
	q.unlockRoster(me)
	if q.rosterAfter(gen) {
		t.Fatal("a look across a whole join counts")
	}
}

// A Close of the queue while a Producer waits for the roster lock ends
// the wait with os.ErrClosed, and leaves the shared lock as it was: Close
// waits for the attach rather than retiring the mapping under it.
func TestRosterCloseDuringAttach(t *testing.T) {
	p, tok := testutil.LiveToken(t)
	defer p.Kill()
	name := testutil.Name(t)
	q, err := Create(name, Config{Slots: 4, MaxMessage: 8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	other, err := Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.recov.rosterOwner.Store(uint64(tok)) // a live holder: Producer waits
	errc := make(chan error, 1)
	go func() {
		_, err := q.Producer()
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	q.Close()
	if err := <-errc; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Producer waiting for the roster when Close came: %v, want os.ErrClosed", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Close took %v to end the wait", d)
	}
	if o := other.recov.rosterOwner.Load(); o != uint64(tok) {
		t.Fatalf("roster owner after: %#x, want the holder's %#x", o, uint64(tok))
	}
	other.recov.rosterOwner.Store(0)
	pr, err := other.Producer()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
}

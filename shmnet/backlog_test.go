//go:build linux

package shmnet_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

func init() { testutil.Child("listen-never-accept", childListenNeverAccept) }

// childListenNeverAccept listens on args[0] with a backlog of 1, never
// accepts, and waits to be killed.
func childListenNeverAccept(args []string) error {
	l, err := shmnet.Listen(args[0], shmnet.Config{Backlog: 1, Capacity: shmnet.MinCapacity})
	if err != nil {
		return err
	}
	defer l.Close()
	testutil.Send("listening")
	select {}
}

// TestBacklogListenerKilled: a Dial waiting for a backlog slot when the
// listener's process is SIGKILLed fails at once, with an error matching
// ECONNREFUSED, as a Dial after its death does: it was never accepted.
func TestBacklogListenerKilled(t *testing.T) {
	name := testutil.Name(t)
	child := testutil.Start(t, "listen-never-accept", name)
	child.Expect("listening")
	first, err := shmnet.Dial(context.Background(), name) // set up, in the backlog
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	errc := make(chan error, 1)
	go func() {
		c, err := shmnet.Dial(context.Background(), name) // waits for a slot
		if err == nil {
			c.Close()
		}
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	child.Kill()
	select {
	case err := <-errc:
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("Dial waiting in the backlog of a killed listener: %v, want ECONNREFUSED", err)
		}
	case <-time.After(3 * time.Second): // the setup's own timeout is 5s
		t.Fatal("Dial still waiting 3s after its listener was killed")
	}
	if _, err := first.Read(make([]byte, 1)); !errors.Is(err, shmnet.ErrPeerDead) {
		t.Fatalf("Read of a connection its killed listener never accepted: %v, want ErrPeerDead", err)
	}
}

// A listener holds at most Backlog connections set up and not yet
// accepted: the next Dial waits, and fails when its context ends; once
// Accept takes one, a Dial gets through again.
func TestBacklog(t *testing.T) {
	name := testutil.Name(t)
	l := listen(t, name, shmnet.Config{Backlog: 2, Capacity: shmnet.MinCapacity})
	dial := func(d time.Duration) (*shmnet.Conn, error) {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return shmnet.Dial(ctx, name)
	}
	var conns []*shmnet.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 2 {
		c, err := dial(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if c, err := dial(300 * time.Millisecond); err == nil {
		c.Close()
		t.Fatal("a third Dial got through a backlog of 2 with none accepted")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third Dial: %v, want context.DeadlineExceeded", err)
	}
	a, err := l.AcceptShm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conns = append(conns, a)
	c, err := dial(5 * time.Second)
	if err != nil {
		t.Fatalf("Dial after an Accept freed a slot: %v", err)
	}
	conns = append(conns, c)
	for range 2 { // the second of the first two, and the last
		a, err := l.AcceptShm(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, a)
	}
	if _, err := shmnet.Listen(name+"-bad", shmnet.Config{Backlog: -1}); err == nil {
		t.Error("Listen with a backlog of -1: no error")
	}
}

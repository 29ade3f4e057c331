//go:build linux

package shmnet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

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

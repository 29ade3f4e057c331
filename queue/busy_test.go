package queue_test

import (
	"errors"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
)

func init() { testutil.Child("queue-fill-peers", childFillPeers) }

// childFillPeers attaches MaxPeers producers to queue args[0], says so
// and waits to be killed.
func childFillPeers(args []string) error {
	q, err := queue.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer q.Close()
	for range queue.MaxPeers {
		if _, err := q.Producer(); err != nil {
			return err
		}
	}
	testutil.Send("full")
	testutil.Recv()
	return nil
}

// A process holding every producer entry is SIGKILLed just after this
// process was refused (ErrBusy): the next attach, at once, takes a dead
// entry. Before, the refusal's look at the holder, cached for a few
// milliseconds, refused it again.
func TestQueueAttachRightAfterHolderDied(t *testing.T) {
	q := createQueue(t, 8)
	child := testutil.Start(t, "queue-fill-peers", q.Segment().Name())
	child.Expect("full")
	if _, err := q.Producer(); !errors.Is(err, queue.ErrBusy) {
		t.Fatalf("Producer beside %d live ones = %v, want ErrBusy", queue.MaxPeers, err)
	}
	child.Kill()
	p, err := q.Producer()
	if err != nil {
		t.Fatalf("Producer right after the holder died: %v", err)
	}
	if err := p.Write([]byte("after")); err != nil {
		t.Fatal(err)
	}
	p.Close()
}

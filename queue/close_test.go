package queue_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/shmkit/shmkit/queue"
)

// Close wakes every goroutine of this process parked on the queue, two
// consumers on an empty queue and, on another, two producers on a full
// one: each returns os.ErrClosed, and Close returns once they have left.
func TestCloseWakesParked(t *testing.T) {
	for _, w := range []queue.Wait{queue.Block, queue.Adaptive} {
		t.Run(w.String(), func(t *testing.T) {
			empty, err := queue.New(queue.Config{Slots: 4, MaxMessage: 64})
			if err != nil {
				t.Fatal(err)
			}
			full, err := queue.New(queue.Config{Slots: 4, MaxMessage: 64})
			if err != nil {
				t.Fatal(err)
			}
			fill, _ := full.Producer()
			for fill.TryWrite([]byte("x")) == nil {
			}
			errs := make(chan error, 4)
			for range 2 {
				c, _ := empty.Consumer()
				c.SetWait(w)
				go func() { _, err := c.ReadContext(context.Background(), make([]byte, 64)); errs <- err }()
				p, _ := full.Producer()
				p.SetWait(w)
				go func() { errs <- p.Write([]byte("y")) }()
			}
			if err := empty.Close(); err != nil {
				t.Fatal(err)
			}
			if err := full.Close(); err != nil {
				t.Fatal(err)
			}
			for range 4 {
				if err := <-errs; !errors.Is(err, os.ErrClosed) {
					t.Errorf("parked call after Close = %v, want os.ErrClosed", err)
				}
			}
			if err := fill.TryWrite([]byte("z")); !errors.Is(err, os.ErrClosed) {
				t.Errorf("TryWrite after Close = %v, want os.ErrClosed", err)
			}
			if _, err := full.Producer(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("Producer after Close = %v, want os.ErrClosed", err)
			}
		})
	}
}

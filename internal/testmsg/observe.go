package testmsg

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// ObserveUntil calls next until done is closed and next has nothing more,
// passing each message to see and counting lappedErr (the observer's
// ErrLapped) in lapped.
func ObserveUntil(t testing.TB, ctx context.Context, done <-chan struct{}, lappedErr error, next func(context.Context, []byte) ([]byte, error), see func([]byte), lapped *int) {
	t.Helper()
	var buf []byte
	for {
		var err error
		finished := false
		select {
		case <-done:
			finished = true
		default:
		}
		look, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		buf, err = next(look, buf)
		cancel()
		switch {
		case errors.Is(err, lappedErr):
			*lapped++
		case err == context.DeadlineExceeded && ctx.Err() == nil:
			if finished {
				return
			}
		case err != nil:
			t.Fatal(err)
		default:
			see(buf)
		}
	}
}

// TruncateSoon has another process truncate seg's file to nothing while
// this one waits on it.
func TruncateSoon(t testing.TB, seg *shm.Segment) {
	t.Helper()
	time.AfterFunc(50*time.Millisecond, func() {
		if out, err := exec.Command("truncate", "-s", "0", seg.Path()).CombinedOutput(); err != nil {
			t.Errorf("truncate: %v: %s", err, out)
		}
	})
}

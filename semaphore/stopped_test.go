package semaphore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
)

// A holder stopped inside the bookkeeping is alive and never robbed:
// Acquire waits until its context ends. Killed, and its pid taken by a
// live process, its half-done operation is undone and its permits return.
func TestTrackedHolderStoppedThenPIDReused(t *testing.T) {
	s, name := createTracked(t)
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=semaphore/acquire/taken=stop@2"}, "sem-cycle", name)
	p.WaitStopped()
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	err := s.Acquire(short, 1)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || s.TryAcquire(1) {
		t.Fatalf("Acquire beside a stopped holder = %v, want DeadlineExceeded and nothing taken", err)
	}
	pid := p.Pid()
	p.Kill()
	testutil.ReusePID(t, pid)
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := s.Acquire(ctx, 3); err != nil {
		t.Fatalf("Acquire(3) after the holder died and its pid was reused = %v", err)
	}
	if st := s.State(); st.Value != 0 || st.Rollbacks != 1 {
		t.Fatalf("State = %+v, want all 3 held here and 1 rollback", st)
	}
	if err := s.Release(3); err != nil {
		t.Fatal(err)
	}
}

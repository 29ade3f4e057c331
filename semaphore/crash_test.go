package semaphore_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/semaphore"
)

// childSemCycle acquires and releases 2 permits until a failpoint kills it.
func childSemCycle(args []string) error {
	obj, err := semaphore.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	s := obj
	for {
		if err := s.Acquire(context.Background(), 2); err != nil {
			return err
		}
		if err := s.Release(2); err != nil {
			return err
		}
	}
}

// A holder of a tracked semaphore killed at any step of Acquire or Release
// neither loses permits nor returns them twice: the next process undoes its
// half-done operation and reclaims what it held.
func TestTrackedKilledMidOperation(t *testing.T) {
	for _, tt := range []struct {
		point     string
		rollbacks uint64 // operations undone
		reclaimed uint64 // dead holders whose permits came back
	}{
		{"semaphore/acquire/taken=kill@1", 1, 0}, // value taken, count not yet: undone
		{"semaphore/acquire/taken=kill@3", 1, 0}, // as above, the child's slot left empty
		{"semaphore/release/given=kill@2", 1, 1}, // value given back, count not yet lowered
		{"futex/mutex/acquired=kill@1", 0, 0},    // died taking the lock, nothing begun
		{"futex/mutex/release=kill@1", 0, 1},     // died unlocking after an Acquire: holds 2
		{"futex/mutex/release=kill@2", 0, 0},     // died unlocking after a Release: holds nothing
	} {
		t.Run(tt.point, func(t *testing.T) {
			s, name := createTracked(t)
			p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=" + tt.point}, "sem-cycle", name)
			if err := p.WaitError(); testutil.ExitSignal(err) != 9 {
				t.Fatalf("child ended with %v, want SIGKILL at the failpoint", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
			defer cancel()
			if err := s.Acquire(ctx, 3); err != nil {
				t.Fatalf("Acquire(3) after the kill = %v (state %+v)", err, s.State())
			}
			if s.TryAcquire(1) {
				t.Fatal("a fourth permit of three: permits doubled")
			}
			if err := s.Release(3); err != nil {
				t.Fatal(err)
			}
			s.Reclaim() // the dead child's slot, if it still has one
			st := s.State()
			if st.Value != 3 || st.Rollbacks != tt.rollbacks || st.Reclaimed != tt.reclaimed {
				t.Fatalf("State = %+v, want value 3, %d rollbacks, %d reclaimed", st, tt.rollbacks, tt.reclaimed)
			}
		})
	}
}

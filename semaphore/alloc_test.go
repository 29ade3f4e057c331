package semaphore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
)

// Acquiring and releasing permits that are there allocates nothing,
// tracked or not.
func TestAllocs(t *testing.T) {
	ctx := context.Background()
	plain := testutil.Name(t)
	s, err := semaphore.Create(plain, semaphore.Config{Value: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(plain)
	defer s.Close()
	tracked, _ := createTracked(t)
	for name, s := range map[string]*semaphore.Named{"plain": s, "tracked": tracked} {
		testutil.NoAllocs(t, name+" Acquire+Release", func() error {
			if err := s.Acquire(ctx, 2); err != nil {
				return err
			}
			return s.Release(2)
		})
		testutil.NoAllocs(t, name+" TryAcquire+Release", func() error {
			if !s.TryAcquire(1) {
				return errors.New("TryAcquire of a free permit failed")
			}
			return s.Release(1)
		})
		if v := s.State().Value; v != 3 {
			t.Errorf("%s: %d permits after the calls, want 3", name, v)
		}
	}
}

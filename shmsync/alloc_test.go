package shmsync_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/shmsync"
)

// made closes and removes what create made under a test's name when the
// test ends.
func made[T interface{ Close() error }](t *testing.T, create func(name string) (T, error)) T {
	t.Helper()
	name := testutil.Name(t)
	x, err := create(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		x.Close()
		shm.Remove(name)
	})
	return x
}

// The calls that do not sleep allocate nothing.
func TestAllocs(t *testing.T) {
	ctx := context.Background()
	m := made(t, func(name string) (*shmsync.Mutex, error) { return shmsync.CreateMutex(name, nil) })
	testutil.NoAllocs(t, "Mutex Lock+Unlock", func() error {
		if err := m.Lock(); err != nil {
			return err
		}
		return m.Unlock()
	})
	testutil.NoAllocs(t, "Mutex LockContext+Unlock", func() error {
		if err := m.LockContext(ctx); err != nil {
			return err
		}
		return m.Unlock()
	})
	testutil.NoAllocs(t, "Mutex TryLock+Unlock", func() error {
		if ok, err := m.TryLock(); err != nil || !ok {
			return errors.Join(err, errors.New("TryLock of a free mutex failed"))
		}
		return m.Unlock()
	})

	e := made(t, func(name string) (*shmsync.Event, error) { return shmsync.CreateEvent(name, nil) })
	testutil.NoAllocs(t, "Event Set+IsSet+Wait+Clear", func() error {
		if err := e.Set(); err != nil {
			return err
		}
		if !e.IsSet() {
			return errors.New("IsSet false after Set")
		}
		if err := e.Wait(ctx); err != nil {
			return err
		}
		return e.Clear()
	})

	c := made(t, func(name string) (*shmsync.Cond, error) { return shmsync.CreateCond(name, nil) })
	testutil.NoAllocs(t, "Cond Lock+Signal+Broadcast+Unlock", func() error {
		if err := c.Lock(); err != nil {
			return err
		}
		if err := c.Signal(); err != nil {
			return err
		}
		if err := c.Broadcast(); err != nil {
			return err
		}
		return c.Unlock()
	})

	b := made(t, func(name string) (*shmsync.Barrier, error) {
		return shmsync.CreateBarrier(name, shmsync.BarrierConfig{Parties: 1}, nil)
	})
	testutil.NoAllocs(t, "Barrier Wait (one party)", func() error {
		_, err := b.Wait(ctx)
		return err
	})
}

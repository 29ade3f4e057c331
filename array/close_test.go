package array_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// Close wakes a goroutine parked in LockContext (it returns os.ErrClosed)
// while another holds the lock.
func TestCloseUnderLockWaiter(t *testing.T) {
	name := testutil.Name(t)
	a, err := array.Create[uint64](name, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- a.LockContext(context.Background()) }()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; !errors.Is(err, os.ErrClosed) {
		t.Errorf("LockContext parked at Close = %v, want os.ErrClosed", err)
	}
	if err := a.Unlock(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Unlock after Close = %v, want os.ErrClosed", err)
	}
}

// OpenOrCreate creates once, then opens; another length is refused.
func TestOpenOrCreate(t *testing.T) {
	name := testutil.Name(t)
	a, created, err := array.OpenOrCreate[int32](name, 8, nil)
	if err != nil || !created {
		t.Fatalf("OpenOrCreate = %v, created %v; want nil, true", err, created)
	}
	defer shm.Remove(name)
	defer a.Close()
	a.Set(3, 42)
	b, created, err := array.OpenOrCreate[int32](name, 8, nil)
	if err != nil || created {
		t.Fatalf("second OpenOrCreate = %v, created %v; want nil, false", err, created)
	}
	defer b.Close()
	if b.At(3) != 42 {
		t.Errorf("At(3) = %d, want 42", b.At(3))
	}
	if _, _, err := array.OpenOrCreate[int32](name, 9, nil); err == nil {
		t.Error("OpenOrCreate with another length succeeded")
	}
}

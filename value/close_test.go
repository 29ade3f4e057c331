package value_test

import (
	"errors"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// Close waits for an Update still inside (its function runs), wakes a
// Store parked on the writers' lock (it returns os.ErrClosed), and only
// then unmaps.
func TestCloseUnderWriters(t *testing.T) {
	name := testutil.Name(t)
	v, err := value.Create(name, uint64(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	inside, release := make(chan struct{}), make(chan struct{})
	updated := make(chan error, 1)
	go func() {
		updated <- v.Update(func(x *uint64) { close(inside); <-release; *x = 2 })
	}()
	<-inside
	stored := make(chan error, 1)
	go func() { stored <- v.Store(3) }() // parks: Update holds the lock
	closed := make(chan error, 1)
	go func() { closed <- v.Close() }()
	if err := <-stored; !errors.Is(err, os.ErrClosed) {
		t.Errorf("Store parked on the lock = %v after Close, want os.ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while Update was inside", err)
	default:
	}
	close(release)
	if err := <-updated; err != nil {
		t.Errorf("Update = %v, want nil", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := v.Load(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Load after Close = %v, want os.ErrClosed", err)
	}
	w, err := value.Open[uint64](name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if x, _ := w.Load(); x != 2 {
		t.Errorf("Load = %d, want 2 (the Update's)", x)
	}
}

// OpenOrCreate creates once, then opens with the value as it is.
func TestOpenOrCreate(t *testing.T) {
	name := testutil.Name(t)
	a, created, err := value.OpenOrCreate(name, int64(7), nil)
	if err != nil || !created {
		t.Fatalf("OpenOrCreate = %v, created %v; want nil, true", err, created)
	}
	defer shm.Remove(name)
	defer a.Close()
	value.Add(a, 1)
	b, created, err := value.OpenOrCreate(name, int64(100), nil)
	if err != nil || created {
		t.Fatalf("second OpenOrCreate = %v, created %v; want nil, false", err, created)
	}
	defer b.Close()
	if x, _ := b.Load(); x != 8 {
		t.Errorf("Load = %d, want 8", x)
	}
	if _, _, err := value.OpenOrCreate(name, uint32(0), nil); !errors.Is(err, shm.ErrTypeMismatch) {
		t.Errorf("OpenOrCreate with another type = %v, want ErrTypeMismatch", err)
	}
}

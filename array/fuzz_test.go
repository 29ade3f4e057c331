package array_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
)

// FuzzOpen writes arbitrary bytes over an array's payload (its elements
// and its mutex), then opens it, reads every element and takes the lock:
// every call returns, with data or a documented error, and never panics.
//
// One file serves every input, restored to its state as created before
// each: a Create per input cost 1 ms. The lock is taken by TryLock and by
// a LockContext whose context is done, both of which decide without
// parking: a LockContext that parks rechecks a dead owner only after 2 ms.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	f.Add(append(make([]byte, 64), 5, 0, 0, 0, 0, 0, 0, 0x40)) // a lock held by a dead token
	f.Add(append(make([]byte, 64), 0, 0, 0, 0, 0, 0, 0, 0, 2)) // unrecoverable
	path := filepath.Join(f.TempDir(), "a")
	a, err := array.Create[int32](path, 16, nil)
	if err != nil {
		f.Fatal(err)
	}
	a.Close()
	created, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	created = created[4096:] // the payload
	done, cancel := context.WithCancel(context.Background())
	cancel()
	f.Fuzz(func(t *testing.T, payload []byte) {
		b := append([]byte(nil), created...)
		copy(b, payload)
		testutil.Scribble(t, path, b, len(b))
		a, err := array.Open[int32](path, nil)
		if err != nil {
			t.Fatalf("open after a payload scribble: %v", err) // the header is intact
		}
		defer a.Close()
		var sum int64
		for i := range a.Len() {
			sum += int64(array.LoadAt(a, i)) + int64(a.At(i))
		}
		_ = sum
		array.AddAt(a, a.Len()-1, 1)
		mu := a.Mutex()
		switch err := mu.LockContext(done); {
		case err == nil:
			mu.Unlock()
		case errors.Is(err, futex.ErrOwnerDead):
			mu.MarkConsistent()
			mu.Unlock()
		case errors.Is(err, futex.ErrNotRecoverable), errors.Is(err, context.Canceled):
		default:
			t.Fatalf("LockContext: %v", err)
		}
		switch ok, err := mu.TryLock(); {
		case errors.Is(err, futex.ErrOwnerDead):
			mu.MarkConsistent()
			mu.Unlock()
		case err == nil && ok:
			mu.Unlock()
		case err == nil, errors.Is(err, futex.ErrNotRecoverable):
		default:
			t.Fatalf("TryLock: %v", err)
		}
	})
}

package array_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
)

// FuzzOpen writes arbitrary bytes over an array's payload (its elements
// and its mutex), then opens it, reads every element and takes the lock:
// every call returns, with data or a documented error, and never panics.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	f.Add(append(make([]byte, 64), 5, 0, 0, 0, 0, 0, 0, 0x40)) // a lock held by a dead token
	f.Add(append(make([]byte, 64), 0, 0, 0, 0, 0, 0, 0, 0, 2)) // unrecoverable
	f.Fuzz(func(t *testing.T, payload []byte) {
		path := filepath.Join(t.TempDir(), "a")
		a, err := array.Create[int32](path, 16, nil)
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		testutil.Scribble(t, path, payload, 128)
		a, err = array.Open[int32](path, nil)
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
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		switch err := a.Mutex().LockContext(ctx); {
		case err == nil:
			a.Mutex().Unlock()
		case errors.Is(err, futex.ErrOwnerDead):
			a.Mutex().MarkConsistent()
			a.Mutex().Unlock()
		case errors.Is(err, futex.ErrNotRecoverable), errors.Is(err, context.DeadlineExceeded):
		default:
			t.Fatalf("Lock: %v", err)
		}
	})
}

package value_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/value"
)

// FuzzOpen writes arbitrary bytes over a value's payload (the value, its
// sequence counter and the writers' mutex), then opens it and loads,
// updates, stores and locks: every call returns, with the value or a
// documented error, and never panics.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	f.Add(append(make([]byte, 64), 1))                                                                         // sequence odd: a writer died mid-write
	f.Add(append(make([]byte, 64), 2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0x40))                         // a mutex held by a dead token
	f.Add(append(make([]byte, 64), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)) // unrecoverable
	// One file serves every input, restored to its state as created
	// before each: a Create per input cost about 0.7 ms.
	path := filepath.Join(f.TempDir(), "v")
	v, err := value.Create[int64](path, 42, nil)
	if err != nil {
		f.Fatal(err)
	}
	v.Close()
	created, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	created = created[4096:] // the payload
	f.Fuzz(func(t *testing.T, payload []byte) {
		b := append([]byte(nil), created...)
		copy(b, payload)
		testutil.Scribble(t, path, b, len(b))
		v, err := value.Open[int64](path, nil)
		if err != nil {
			t.Fatalf("open after a payload scribble: %v", err) // the header is intact
		}
		defer v.Close()
		documented := func(err error) bool {
			return err == nil || errors.Is(err, value.ErrCorrupt) || errors.Is(err, os.ErrDeadlineExceeded) ||
				errors.Is(err, futex.ErrOwnerDead) || errors.Is(err, futex.ErrNotRecoverable) || errors.Is(err, futex.ErrNotOwner)
		}
		if _, err := v.Load(); !documented(err) {
			t.Fatalf("Load: %v", err)
		}
		if err := v.Update(func(x *int64) { *x++ }); !documented(err) {
			t.Fatalf("Update: %v", err)
		}
		storeErr := v.Store(7)
		if !documented(storeErr) {
			t.Fatalf("Store: %v", storeErr)
		}
		if storeErr == nil { // a store repairs a torn value
			if x, err := v.Load(); err != nil || x != 7 {
				t.Fatalf("Load after Store(7) = %d, %v", x, err)
			}
		}
		value.Add(v, 1)
		lockErr := v.Lock()
		if !documented(lockErr) {
			t.Fatalf("Lock: %v", lockErr)
		}
		if lockErr == nil || errors.Is(lockErr, futex.ErrOwnerDead) {
			if err := v.StoreLocked(9); err != nil {
				t.Fatalf("StoreLocked: %v", err)
			}
			if err := v.MarkConsistent(); err != nil {
				t.Fatalf("MarkConsistent: %v", err)
			}
			if err := v.Unlock(); err != nil {
				t.Fatalf("Unlock: %v", err)
			}
			if x, err := v.Load(); err != nil || x != 9 {
				t.Fatalf("Load after StoreLocked(9) = %d, %v", x, err)
			}
		}
	})
}

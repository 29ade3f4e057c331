package testutil

import (
	"testing"

	"github.com/shmkit/shmkit/internal/spin"
)

// NoAllocs fails the test if f allocates (counted over 100 calls, after
// one to warm up) or returns an error. Under the race detector, which
// allocates on its own, it only checks the errors.
func NoAllocs(t testing.TB, name string, f func() error) {
	t.Helper()
	var err error
	call := func() {
		if e := f(); err == nil {
			err = e
		}
	}
	if spin.RaceEnabled {
		call()
	} else if n := testing.AllocsPerRun(100, call); n != 0 {
		t.Errorf("%s: %v allocations a call, want 0", name, n)
	}
	if err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

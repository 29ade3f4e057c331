package value_test

import (
	"testing"

	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// create makes a Value of zero T, closed and removed at the test's end.
func create[T any](t testing.TB) *value.Value[T] {
	t.Helper()
	name := testutil.Name(t)
	var zero T
	v, err := value.Create(name, zero, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		v.Close()
		shm.Remove(name)
	})
	return v
}

// The per-call methods allocate nothing, on a word (updated by CAS) and
// on a larger T (copied under the lock) alike: Update's copy for f is
// kept between calls.
func TestAllocs(t *testing.T) {
	if spin.RaceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	n := create[int64](t)
	testutil.NoAllocs(t, "Update int64", func() error { return n.Update(func(x *int64) { *x++ }) })
	testutil.NoAllocs(t, "Store int64", func() error { return n.Store(7) })
	testutil.NoAllocs(t, "Load int64", func() error { _, err := n.Load(); return err })
	testutil.NoAllocs(t, "Add", func() error { value.Add(n, 1); return nil })
	type point struct{ X, Y, Z float64 }
	p := create[point](t)
	testutil.NoAllocs(t, "Update point", func() error { return p.Update(func(q *point) { q.X++ }) })
	testutil.NoAllocs(t, "Store point", func() error { return p.Store(point{1, 2, 3}) })
	testutil.NoAllocs(t, "Load point", func() error { _, err := p.Load(); return err })
	if err := p.Lock(); err != nil {
		t.Fatal(err)
	}
	testutil.NoAllocs(t, "UpdateLocked point", func() error { return p.UpdateLocked(func(q *point) { q.Y++ }) })
	if err := p.Unlock(); err != nil {
		t.Fatal(err)
	}
	// The Store's point, then 101 UpdateLocked calls (100 and
	// AllocsPerRun's warm-up) on Y.
	if got, err := p.Load(); err != nil || got != (point{1, 103, 3}) {
		t.Errorf("Load = %+v, %v; want {1 103 3}", got, err)
	}
	if got, err := n.Load(); err != nil || got != 7+101 {
		t.Errorf("Load = %d, %v; want 108 (the Store's 7, then 101 Adds)", got, err)
	}
}

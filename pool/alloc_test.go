package pool_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/pool"
)

// TestAllocsPerTask checks the parent's hot path: through the byte API a
// task allocates its output only; through the typed API with
// pointer-free types, nothing (the outputs land in the slice Map
// returns). What a call allocates once (its bookkeeping) is spread over
// its tasks.
func TestAllocsPerTask(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2})
	ctx := context.Background()
	const n = 20000
	in := make([][]byte, n)
	for i := range in {
		in[i] = []byte("12345678")
	}
	run := func() {
		if _, err := p.Map(ctx, "echo", in, pool.ChunkSize(1)); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if a := testing.AllocsPerRun(3, run) / n; a > 1.01 {
		t.Errorf("byte API: %.3f allocations per task, want 1 (the output)", a)
	}
	ints := ints(n)
	typed := func() {
		if _, err := pool.Map(ctx, p, sq8, ints, pool.ChunkSize(1)); err != nil {
			t.Fatal(err)
		}
	}
	typed()
	if a := testing.AllocsPerRun(3, typed) / n; a > 0.01 {
		t.Errorf("typed API: %.3f allocations per task, want 0", a)
	}
}

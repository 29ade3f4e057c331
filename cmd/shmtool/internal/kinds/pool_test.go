package kinds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pool"
	"github.com/shmkit/shmkit/shm"
)

// double is what the pools of these tests run; registered at package
// level so that the workers (this test binary, re-executed) have it.
var double = pool.Register("kinds-test-double", func(_ context.Context, x int64) (int64, error) { return 2 * x, nil })

// A pool is made by a running program: create refuses it as a usage
// error that says so, and CreatableNames leaves it out of what create
// offers.
func TestCreatePool(t *testing.T) {
	_, err := create(t, "pool", Params{})
	want := "--kind pool: a pool is created by pool.New in a program, not by shmtool create"
	if !errors.Is(err, ErrUsage) || err.Error() != want {
		t.Fatalf("Create(pool) = %v; want ErrUsage saying %q", err, want)
	}
	if k, _ := Lookup("pool"); k.Creatable() || slices.Contains(CreatableNames(), "pool") || !slices.Contains(Names(), "pool") {
		t.Fatalf("pool: Creatable %v, CreatableNames %v, Names %v; want it only in Names", k.Creatable(), CreatableNames(), Names())
	}
	if len(CreatableNames()) != len(Names())-1 {
		t.Fatalf("CreatableNames() = %v; want every kind of %v but pool", CreatableNames(), Names())
	}
}

// A live pool inspects as a pool.State, and its flow counts the tasks
// finished and how many of its workers there are.
func TestPoolFlow(t *testing.T) {
	name := testutil.Name(t)
	p, err := pool.New(context.Background(), pool.Config{Workers: 2, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := pool.Map(context.Background(), p, double, []int64{1, 2, 3, 4, 5}); err != nil {
		t.Fatal(err)
	}
	seg, err := shm.Open(name, &shm.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	st, err := Inspect(seg)
	if ps, ok := st.(pool.State); err != nil || !ok || ps.Done != 5 || len(ps.Workers) != 2 {
		t.Fatalf("Inspect = %#v, %v; want a pool.State of 5 tasks done by 2 workers", st, err)
	}
	fl, err := ReadFlow(seg)
	if err != nil || fl.Messages != 5 || fl.Bytes != 0 || fl.Capacity != 2 || fl.Used > 2 || !fl.Tasks ||
		fl.Peers != fmt.Sprintf("%d/2 workers", os.Getpid()) {
		t.Fatalf("ReadFlow = %+v, %v; want 5 tasks, 2 workers and this process as the parent", fl, err)
	}
}

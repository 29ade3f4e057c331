package pool_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/pool"
)

// The cases a review found: each hung, looped or leaked before.

func TestCloseWithTaskTimeout(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1, TaskTimeout: time.Second})
	if _, err := pool.Map(context.Background(), p, square, []int{1, 2}); err != nil {
		t.Fatal(err)
	}
	closeWithin(t, p.Close, 10*time.Second)
}

// closeWithin fails the test if fn does not return in d (a hang guard,
// not a measure).
func closeWithin(t *testing.T, fn func() error, d time.Duration) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- fn() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(d):
		t.Fatalf("still not returned after %v", d)
	}
}

// TestChunkOutputsOverflow: a chunk whose outputs pass one message is
// answered in several.
func TestChunkOutputsOverflow(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1})
	max := pool.DefaultMaxMessage
	in := []int{max - 16, max - 24, max, 100, 0, max}
	out, err := pool.Map(context.Background(), p, zeros, in, pool.ChunkSize(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range out {
		if len(b) != in[i] {
			t.Fatalf("output %d: %d bytes, want %d", i, len(b), in[i])
		}
	}
	// Over MaxMessage on its own: that input fails, the others do not.
	var te *pool.TaskError
	_, err = pool.Map(context.Background(), p, zeros, []int{5, max + 1, 5}, pool.ChunkSize(3))
	if !errors.As(err, &te) || te.Task != 1 || !errors.Is(err, pool.ErrTooLarge) || !strings.Contains(err.Error(), "MaxMessage") {
		t.Fatalf("an output over MaxMessage: %v", err)
	}
	if st := p.Stats(); st.Started != 1 || st.Failed != 1 {
		t.Fatalf("stats %+v: want one failure and no worker replaced", st)
	}
}

func TestGoexit(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1, Retries: 1})
	_, err := pool.Map(context.Background(), p, goexit, []int{1})
	var te *pool.TaskError
	if !errors.As(err, &te) || !errors.Is(err, pool.ErrWorkerDied) || te.Attempts != 2 {
		t.Fatalf("Map goexit: %v", err)
	}
}

func TestWorkersCannotStart(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2})
	ctx := context.Background()
	// From now on, new workers die before they are ready.
	t.Setenv("SHMKIT_FAILPOINT", "pool/worker/start=kill")
	for _, pid := range p.Workers() {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	r, err := pool.Submit(ctx, p, square, 3)
	if err == nil {
		_, err = r.Wait(ctx)
	}
	if err == nil || !strings.Contains(err.Error(), "start") {
		t.Fatalf("a task with no worker able to start: %v", err)
	}
	// Once workers can start again, the pool recovers.
	os.Unsetenv("SHMKIT_FAILPOINT")
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := pool.Submit(ctx, p, square, 3)
		if err == nil {
			var v int
			if v, err = r.Wait(ctx); err == nil && v == 9 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	closeWithin(t, p.Close, 10*time.Second)
}

func TestGrandchildHoldsStdout(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1})
	r, err := pool.Submit(context.Background(), p, grandchild, 0)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := r.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	closeWithin(t, p.Terminate, 10*time.Second)
}

func TestReplacedWorkersUnmap(t *testing.T) {
	before := vmSize(t)
	p := newPool(t, pool.Config{Workers: 2, MaxTasksPerWorker: 1})
	if _, err := pool.Map(context.Background(), p, square, make([]int, 20), pool.ChunkSize(1)); err != nil {
		t.Fatal(err)
	}
	closeWithin(t, p.Close, 30*time.Second)
	// 20 workers' rings are 20 × 16 MiB of address space; what is left
	// must be far less.
	if grown := vmSize(t) - before; grown > 128<<20 {
		t.Fatalf("address space grew by %d MiB over 20 replaced workers", grown>>20)
	}
}

func vmSize(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmSize:"); ok {
			var kb int64
			for _, c := range strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")) {
				kb = kb*10 + int64(c-'0')
			}
			return kb << 10
		}
	}
	t.Fatal("no VmSize")
	return 0
}

func TestTimeoutWithMapChunks(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1, TaskTimeout: 300 * time.Millisecond})
	in := make([]int, 40)
	for i := range in {
		in[i] = 30
	}
	if _, err := pool.Map(context.Background(), p, sleepMS, in); err != nil {
		t.Fatalf("40 tasks of 30ms under a 300ms timeout: %v", err)
	}
}

func TestStatsAddUp(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	pool.Map(ctx, p, sleepMS, []int{30, 30, 30, 30, 30, 30}, pool.ChunkSize(1))
	pool.Map(context.Background(), p, fail, []int{1, 2})
	closeWithin(t, p.Close, 10*time.Second)
	st := p.Stats()
	if st.Submitted != st.Done+st.Failed+st.Dropped || st.Dropped == 0 || st.Failed != 1 {
		t.Fatalf("stats do not add up: %+v", st)
	}
}

func TestNameTooLong(t *testing.T) {
	if p, err := pool.New(context.Background(), pool.Config{Workers: 1, Name: strings.Repeat("n", 201)}); err == nil {
		p.Terminate()
		t.Fatal("a 201-byte name accepted")
	}
}

func TestSubmitCancelledCtx(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pool.Submit(ctx, p, square, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit with a cancelled ctx: %v", err)
	}
}

type dieOnceIn struct {
	N      int    // bytes of output
	Marker string // if set and absent: create it, then die
}

// dieOnce returns N zero bytes, but the first time it sees a Marker
// that does not exist, it makes it and kills its worker.
var dieOnce = pool.RegisterCodec("die-once", func(ctx context.Context, in dieOnceIn) ([]byte, error) {
	if in.Marker != "" {
		if f, err := os.OpenFile(in.Marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
			f.Close()
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	return make([]byte, in.N), nil
}, pool.JSON[dieOnceIn](), pool.Bytes())

// TestDiesAfterPartResult: a chunk's worker sends the first part of its
// outputs, then dies; the chunk runs again, and each output is taken
// once.
func TestDiesAfterPartResult(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1, Retries: 1})
	big := pool.DefaultMaxMessage - 16 // two fill more than a result message
	marker := t.TempDir() + "/died"
	in := []dieOnceIn{{N: big}, {N: big}, {N: 10, Marker: marker}, {N: 20}}
	out, err := pool.Map(context.Background(), p, dieOnce, in, pool.ChunkSize(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range out {
		if len(b) != in[i].N {
			t.Fatalf("output %d: %d bytes", i, len(b))
		}
	}
	if st := p.Stats(); st.Done != 4 || st.Retried != 4 || st.Started != 2 {
		t.Fatalf("stats %+v: want 4 done once, the chunk of 4 retried, one replacement", st)
	}
}

// TestYoungDeathsBackOff: workers that die as soon as they run, with
// nothing answered, are replaced after a growing pause, not in a loop.
func TestYoungDeathsBackOff(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1, Retries: 1000})
	r, err := pool.Submit(context.Background(), p, die, -1) // kills every worker that runs it
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if st := p.Stats(); st.Started > 20 {
		t.Fatalf("%d workers started in 2s for a task that kills each", st.Started)
	}
	p.Terminate()
	if _, err := r.Wait(context.Background()); !errors.Is(err, pool.ErrTerminated) {
		t.Fatalf("after Terminate: %v", err)
	}
}

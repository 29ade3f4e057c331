package pool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pool"
)

func newPool(t testing.TB, cfg pool.Config) *pool.Pool {
	t.Helper()
	cfg.Name = testutil.Name(t)
	p, err := pool.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Terminate() })
	return p
}

func ints(n int) []int64 {
	in := make([]int64, n)
	for i := range in {
		in[i] = int64(i)
	}
	return in
}

func TestMapInOrder(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 3})
	ctx := context.Background()
	for _, n := range []int{0, 1, 7, 1000, 100000} {
		for _, chunk := range []int{0, 1, 13} {
			var opts []pool.Option
			if chunk > 0 {
				opts = append(opts, pool.ChunkSize(chunk))
			}
			in := make([]int, n)
			for i := range in {
				in[i] = i - n/2
			}
			out, err := pool.Map(ctx, p, square, in, opts...)
			if err != nil {
				t.Fatalf("n=%d chunk=%d: %v", n, chunk, err)
			}
			if len(out) != n {
				t.Fatalf("n=%d: %d outputs", n, len(out))
			}
			// The gauges are settled by the time the call returns.
			if st := p.Stats(); st.Queued != 0 || st.InFlight != 0 {
				t.Fatalf("n=%d chunk=%d: after Map, %+v", n, chunk, st)
			}
			for i, v := range out {
				if v != in[i]*in[i] {
					t.Fatalf("n=%d chunk=%d: out[%d] = %d, want %d", n, chunk, i, v, in[i]*in[i])
				}
			}
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestByteAPI(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2})
	ctx := context.Background()
	var in [][]byte
	for i := range 500 {
		in = append(in, []byte(strconv.Itoa(i)))
	}
	out, err := p.Map(ctx, "cube", in)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range out {
		if want := strconv.Itoa(i * i * i); string(b) != want {
			t.Fatalf("cube(%d) = %q, want %s", i, b, want)
		}
	}
	r, err := p.Submit(ctx, "cube", []byte("12"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := r.Wait(ctx); err != nil || string(b) != "1728" {
		t.Fatalf("Submit cube 12 = %q, %v", b, err)
	}
	// The function's own error comes back as the task's.
	_, err = p.Map(ctx, "cube", [][]byte{[]byte("1"), []byte("x")})
	var te *pool.TaskError
	if !errors.As(err, &te) || te.Task != 1 || te.Func != "cube" || !strings.Contains(err.Error(), `parsing "x"`) {
		t.Fatalf("Map with a bad input: %v", err)
	}
}

func TestUnknownFunc(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1})
	ctx := context.Background()
	if _, err := p.Submit(ctx, "nosuch", nil); !errors.Is(err, pool.ErrUnknownFunc) || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Fatalf("Submit nosuch: %v", err)
	}
	if _, err := p.Map(ctx, "nosuch", [][]byte{nil}); !errors.Is(err, pool.ErrUnknownFunc) {
		t.Fatalf("Map nosuch: %v", err)
	}
	for _, err := range p.Imap(ctx, "nosuch", [][]byte{nil}) {
		if !errors.Is(err, pool.ErrUnknownFunc) {
			t.Fatalf("Imap nosuch: %v", err)
		}
	}
	// The pool is fine afterwards.
	if out, err := pool.Map(ctx, p, square, []int{9}); err != nil || out[0] != 81 {
		t.Fatalf("Map after: %v %v", out, err)
	}
}

func TestImap(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 3})
	ctx := context.Background()
	in := []int{30, 1, 20, 2, 10, 3}
	var got []int
	for pid, err := range pool.Imap(ctx, p, sleepMS, in) {
		if err != nil || pid <= 0 {
			t.Fatal(pid, err)
		}
		got = append(got, pid)
	}
	if len(got) != len(in) {
		t.Fatalf("Imap yielded %d", len(got))
	}
	// In order: square's outputs say which input they were.
	sq := []int{5, 4, 3, 2, 1}
	i := 0
	for v, err := range pool.Imap(ctx, p, square, sq, pool.ChunkSize(2)) {
		if err != nil || v != sq[i]*sq[i] {
			t.Fatalf("Imap[%d] = %d, %v", i, v, err)
		}
		i++
	}
	// Unordered: every output once.
	var outs []int
	for v, err := range pool.ImapUnordered(ctx, p, square, ints32(200)) {
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, v)
	}
	slices.Sort(outs)
	for i, v := range outs {
		if v != i*i {
			t.Fatalf("ImapUnordered sorted[%d] = %d", i, v)
		}
	}
	// Breaking out drops the rest, and the pool goes on.
	n := 0
	for range pool.Imap(ctx, p, sleepMS, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}) {
		if n++; n == 2 {
			break
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Queued != 0 || st.InFlight != 0 {
		t.Fatalf("after Close: %+v", st)
	}
}

func ints32(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	return in
}

func TestErrorsAndPanics(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2})
	ctx := context.Background()
	_, err := pool.Map(ctx, p, fail, []int{0, 2, 4, 5, 6, 7}, pool.ChunkSize(2))
	var te *pool.TaskError
	if !errors.As(err, &te) || te.Task != 3 || !strings.Contains(err.Error(), "odd input 5") {
		t.Fatalf("Map fail: %v", err)
	}
	// Imap gives each input its own outcome.
	var errs []int
	for i, err := range enumerate(pool.Imap(ctx, p, fail, []int{1, 2, 3, 4})) {
		if err != nil {
			errs = append(errs, i)
		}
	}
	if !slices.Equal(errs, []int{0, 2}) {
		t.Fatalf("Imap errors at %v, want [0 2]", errs)
	}
	// A panic: the message and the worker's stack, and the worker lives on.
	pidsBefore := p.Workers()
	_, err = pool.Map(ctx, p, boom, []int{1, 2, 3, 4})
	if !errors.As(err, &te) || !errors.Is(err, pool.ErrPanic) || te.Task != 2 ||
		!strings.Contains(err.Error(), "three is not allowed") || !strings.Contains(te.Stack, "funcs_test.go") {
		t.Fatalf("Map boom: %v\nstack: %s", err, te.Stack)
	}
	if out, err := pool.Map(ctx, p, boom, []int{1, 2, 4}); err != nil || !slices.Equal(out, []int{1, 2, 4}) {
		t.Fatalf("after the panic: %v %v", out, err)
	}
	if !slices.Equal(pidsBefore, p.Workers()) {
		t.Fatalf("workers %v became %v after a panic", pidsBefore, p.Workers())
	}
	if st := p.Stats(); st.Failed < 4 || st.Started != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// enumerate numbers the pairs of a Seq2.
func enumerate[V any](seq func(func(V, error) bool)) func(func(int, error) bool) {
	return func(yield func(int, error) bool) {
		i := 0
		seq(func(_ V, err error) bool {
			ok := yield(i, err)
			i++
			return ok
		})
	}
}

func TestCodecs(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1})
	ctx := context.Background()
	r, err := pool.Submit(ctx, p, scale, point{Name: "a", X: 1.5, Tags: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Wait(ctx)
	if err != nil || got.Name != "a!" || got.X != 3 || !slices.Equal(got.Tags, []string{"x", "scaled"}) {
		t.Fatalf("scale = %+v, %v", got, err)
	}
	<-r.Done()
	// A type with pointers needs a codec.
	func() {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "RegisterCodec") {
				t.Errorf("Register of a type with pointers: recover() = %v", v)
			}
		}()
		pool.Register("needs-codec", func(ctx context.Context, in point) (int, error) { return 0, nil })
	}()
}

func TestLargeMessages(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2, MaxMessage: 2 << 20})
	ctx := context.Background()
	var in [][]byte
	var sums []uint32
	for i := range 24 {
		b := make([]byte, 1<<20+i*4093) // up to 1.09 MiB
		for k := range b {
			b[k] = byte(k*7 + i)
		}
		in = append(in, b)
		sums = append(sums, crc32.ChecksumIEEE(b))
	}
	got, err := pool.Map(ctx, p, crc, in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, sums) {
		t.Fatal("CRCs of large inputs differ")
	}
	out, err := p.Map(ctx, "echo", in, pool.ChunkSize(3))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !bytes.Equal(out[i], in[i]) {
			t.Fatalf("echo %d: %d bytes back of %d", i, len(out[i]), len(in[i]))
		}
	}
	// Over MaxMessage: refused at once, naming the limit.
	if _, err := p.Submit(ctx, "echo", make([]byte, 2<<20+1)); !errors.Is(err, pool.ErrTooLarge) || !strings.Contains(err.Error(), "MaxMessage") {
		t.Fatalf("Submit too large: %v", err)
	}
}

// killer SIGKILLs a random worker of p every period until stopped, and
// returns how many it killed.
func killer(p *pool.Pool, period time.Duration) (stop func() int) {
	done := make(chan struct{})
	killed := make(chan int)
	go func() {
		n := 0
		defer func() { killed <- n }()
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				pids := p.Workers()
				if pid := pids[rand.IntN(len(pids))]; pid > 0 && syscall.Kill(pid, syscall.SIGKILL) == nil {
					n++
				}
			}
		}
	}()
	return func() int {
		close(done)
		return <-killed
	}
}

func TestWorkerKilledMidTask(t *testing.T) {
	const tasks, workers = 10000, 4
	p := newPool(t, pool.Config{Workers: workers, Retries: 50})
	ctx := context.Background()
	in := ints(tasks)

	// Map: every output, in order, correct.
	stop := killer(p, 50*time.Millisecond)
	out, err := pool.Map(ctx, p, slowSquare, in, pool.ChunkSize(1))
	kills := stop()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != in[i]*in[i] {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
	st := p.Stats()
	t.Logf("Map: %d tasks, %d kills: %+v", tasks, kills, st)
	if kills < 3 || st.Retried == 0 || st.Done != tasks {
		t.Fatalf("%d kills: %+v; want retries > 0 and every task done once", kills, st)
	}

	// ImapUnordered, chunked: each output (a square names its input)
	// arrives exactly once.
	stop = killer(p, 50*time.Millisecond)
	seen := make([]int, tasks)
	n := 0
	for v, err := range pool.ImapUnordered(ctx, p, slowSquare, in, pool.ChunkSize(7)) {
		if err != nil {
			t.Fatal(err)
		}
		x := int(math.Round(math.Sqrt(float64(v))))
		if x < 0 || x >= tasks || int64(x)*int64(x) != v {
			t.Fatalf("output %d is no input's square", v)
		}
		seen[x]++
		n++
	}
	kills = stop()
	for x, c := range seen {
		if c != 1 {
			t.Fatalf("input %d: %d outputs", x, c)
		}
	}
	st2 := p.Stats()
	t.Logf("ImapUnordered: %d outputs, %d kills: %+v", n, kills, st2)
	if kills < 3 || st2.Retried == st.Retried || st2.Done != 2*tasks {
		t.Fatalf("%d kills: %+v", kills, st2)
	}

	// Many goroutines submitting at once.
	stop = killer(p, 50*time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				x := int64(g*1000 + i)
				r, err := pool.Submit(ctx, p, slowSquare, x)
				if err == nil {
					var v int64
					if v, err = r.Wait(ctx); err == nil && v != x*x {
						err = fmt.Errorf("square of %d = %d", x, v)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	stop()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRetriesRunOut(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2, Retries: 2})
	ctx := context.Background()
	out, err := pool.Map(ctx, p, die, []int{1, 2, -3, 4}, pool.ChunkSize(1))
	var te *pool.TaskError
	if !errors.As(err, &te) || !errors.Is(err, pool.ErrWorkerDied) || te.Task != 2 || te.Attempts != 3 || te.Signal != syscall.SIGKILL ||
		!strings.Contains(err.Error(), "task 2 (die)") || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Map die: %v, %v (%+v)", out, err, te)
	}
	// The pool replaced its workers and goes on.
	if out, err := pool.Map(ctx, p, die, []int{5, 6}); err != nil || !slices.Equal(out, []int{5, 6}) {
		t.Fatalf("after: %v %v", out, err)
	}
	for deadline := time.Now().Add(10 * time.Second); p.Stats().Started < 5 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // the last replacement starts after the error
	}
	if st := p.Stats(); st.Started != 5 || st.Retried != 2 {
		t.Fatalf("stats %+v; want 3 replacements and 2 retries", st)
	}
}

func TestTaskTimeout(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2, TaskTimeout: 100 * time.Millisecond, Retries: 1})
	ctx := context.Background()
	out, err := pool.Map(ctx, p, sleepMS, []int{1, 5000, 1}, pool.ChunkSize(1))
	var te *pool.TaskError
	if !errors.As(err, &te) || !errors.Is(err, pool.ErrTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) || te.Task != 1 || te.Attempts != 2 {
		t.Fatalf("Map past the timeout: %v, %v", out, err)
	}
	if out, err := pool.Map(ctx, p, sleepMS, []int{1, 2}); err != nil || len(out) != 2 {
		t.Fatalf("after: %v %v", out, err)
	}
}

func TestMaxTasksPerWorker(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2, MaxTasksPerWorker: 10})
	out, err := pool.Map(context.Background(), p, pid, make([]int, 100), pool.ChunkSize(1))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]int{}
	for _, pid := range out {
		seen[pid]++
	}
	for pid, n := range seen {
		if n > 10 {
			t.Fatalf("worker %d ran %d tasks", pid, n)
		}
	}
	if len(seen) < 10 {
		t.Fatalf("%d workers ran 100 tasks", len(seen))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseFinishesQueued(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2})
	ctx := context.Background()
	var rs []*pool.Result[int]
	for range 6 {
		r, err := pool.Submit(ctx, p, sleepMS, 20)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if pid, err := r.Wait(ctx); err != nil || pid == 0 {
			t.Fatalf("task %d after Close: %d, %v", i, pid, err)
		}
	}
	if _, err := pool.Submit(ctx, p, sleepMS, 1); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Submit after Close: %v", err)
	}
	if _, err := os.Stat("/dev/shm/" + p.Name()); !os.IsNotExist(err) {
		t.Fatalf("segment after Close: %v", err)
	}
}

func TestTerminate(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2})
	ctx := context.Background()
	pids := p.Workers()
	r, err := pool.Submit(ctx, p, sleepMS, 60000)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.Terminate(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Wait(ctx); !errors.Is(err, pool.ErrTerminated) || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("task after Terminate: %v", err)
	}
	for _, pid := range pids {
		if syscall.Kill(pid, 0) == nil {
			t.Fatalf("worker %d alive after Terminate (%v)", pid, time.Since(start))
		}
	}
}

func TestContextEndsPool(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, err := pool.New(ctx, pool.Config{Workers: 1, Name: testutil.Name(t)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := pool.Submit(context.Background(), p, sleepMS, 60000)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := r.Wait(context.Background()); !errors.Is(err, pool.ErrTerminated) {
		t.Fatalf("task after the pool's ctx ended: %v", err)
	}
	if err := p.Close(); !errors.Is(err, os.ErrClosed) { // waits for the end of the termination
		t.Fatalf("Close after the ctx ended: %v", err)
	}
}

func TestMapContext(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := pool.Map(ctx, p, sleepMS, []int{20, 20, 20, 20, 20, 20, 20, 20}, pool.ChunkSize(1))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Map past its ctx: %v", err)
	}
	if err := p.Close(); err != nil { // the abandoned tasks do not hold Close
		t.Fatal(err)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []pool.Config{{Workers: -1}, {Workers: pool.MaxWorkers + 1}, {Retries: -1}, {MaxMessage: -5}, {TaskTimeout: -1}} {
		if p, err := pool.New(context.Background(), cfg); err == nil {
			p.Terminate()
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	if _, err := pool.Map(context.Background(), newPool(t, pool.Config{Workers: 1}), square, []int{1}, pool.ChunkSize(0)); err == nil {
		t.Error("ChunkSize(0) accepted")
	}
}

// TestKilledAtEachStep kills workers at the protocol's steps: a task
// marked running but not started, and a result written but not
// committed. Each runs again (the dead worker's successors die the same
// way, every third task), and every output is right.
func TestKilledAtEachStep(t *testing.T) {
	for _, point := range []string{"pool/task/running", "pool/result/written"} {
		t.Run(strings.ReplaceAll(point, "/", "-"), func(t *testing.T) {
			p := newPool(t, pool.Config{Workers: 2, Retries: 3, Env: []string{"SHMKIT_FAILPOINT=" + point + "=kill@3"}})
			out, err := pool.Map(context.Background(), p, square, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, pool.ChunkSize(1))
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range out {
				if v != i*i {
					t.Fatalf("out[%d] = %d", i, v)
				}
			}
			if st := p.Stats(); st.Retried == 0 || st.Started < 4 {
				t.Fatalf("stats %+v: want workers killed and tasks retried", st)
			}
		})
	}
}

// TestThreadsEnd checks that workers survive the end of OS threads: Go
// ends a thread when a goroutine locked to it exits, and a child's
// PR_SET_PDEATHSIG fires when the thread that started it ends.
func TestThreadsEnd(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 4})
	pids := p.Workers()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			runtime.LockOSThread() // and exit locked: the thread ends
			testutil.SpinFor(time.Millisecond)
		})
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // a SIGKILL, if one was sent, has landed
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("worker %d died when threads ended", pid)
		}
	}
	if out, err := pool.Map(context.Background(), p, square, []int{1, 2, 3}); err != nil || out[2] != 9 {
		t.Fatal(out, err)
	}
	if st := p.Stats(); st.Started != 4 {
		t.Fatalf("workers were replaced: %+v", st)
	}
}

// TestSmallMaxMessage: with rings smaller than Map's usual chunk, chunks
// shrink to fit.
func TestSmallMaxMessage(t *testing.T) {
	p := newPool(t, pool.Config{Workers: 2, MaxMessage: 8})
	in := ints32(20000)
	out, err := pool.Map(context.Background(), p, square, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != i*i {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
	if _, err := p.Submit(context.Background(), "echo", make([]byte, 9)); !errors.Is(err, pool.ErrTooLarge) {
		t.Fatalf("9 bytes with MaxMessage 8: %v", err)
	}
}

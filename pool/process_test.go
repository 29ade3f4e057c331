package pool_test

import (
	"context"
	"errors"
	"hash/crc32"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pool"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

// produce opens the queue its input names and writes n messages to it:
// a named object passed by name.
var produce = pool.Register("produce", func(ctx context.Context, name string) (int, error) {
	q, err := queue.Open(name, nil)
	if err != nil {
		return 0, err
	}
	defer q.Close()
	p, err := q.Producer()
	if err != nil {
		return 0, err
	}
	defer p.Close()
	for i := range 100 {
		if err := p.WriteContext(ctx, []byte{byte(i)}); err != nil {
			return i, err
		}
	}
	return os.Getpid(), nil
})

func TestProcessResult(t *testing.T) {
	ctx := context.Background()
	pr, err := pool.Start(ctx, square, 12)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Pid() <= 0 {
		t.Fatalf("pid %d", pr.Pid())
	}
	v, err := pr.Result(ctx)
	if err != nil || v != 144 {
		t.Fatalf("Result = %d, %v", v, err)
	}
	st, err := pr.Wait(ctx)
	if err != nil || !st.Success() || pr.Alive() {
		t.Fatalf("Wait = %v, %v; alive %v", st, err, pr.Alive())
	}
}

func TestProcessErrors(t *testing.T) {
	ctx := context.Background()
	// The function's error.
	pr, err := pool.Start(ctx, fail, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.Result(ctx); err == nil || !strings.Contains(err.Error(), "odd input 7") {
		t.Fatalf("Result of fail(7): %v", err)
	}
	// A panic, with the child's stack.
	pr, err = pool.Start(ctx, boom, 3)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pr.Result(ctx)
	var te *pool.TaskError
	if !errors.As(err, &te) || !errors.Is(err, pool.ErrPanic) || !strings.Contains(te.Stack, "funcs_test.go") {
		t.Fatalf("Result of boom(3): %v", err)
	}
	// Killed: the signal, in the error and in the exit state.
	pr, err = pool.Start(ctx, sleepMS, 60000)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Alive() {
		t.Fatal("not alive")
	}
	if err := pr.Kill(); err != nil {
		t.Fatal(err)
	}
	_, err = pr.Result(ctx)
	if !errors.As(err, &te) || !errors.Is(err, pool.ErrWorkerDied) || te.Signal != syscall.SIGKILL {
		t.Fatalf("Result after Kill: %v", err)
	}
	st, _ := pr.Wait(ctx)
	if ws, ok := st.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("Wait after Kill: %v", st)
	}
	// Wait gives up with its ctx; the child runs on.
	pr, err = pool.Start(ctx, sleepMS, 60000)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := pr.Wait(short); !errors.Is(err, context.DeadlineExceeded) || !pr.Alive() {
		t.Fatalf("Wait(short) = %v, alive %v", err, pr.Alive())
	}
	pr.Kill()
}

func TestProcessCtxKills(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, err := pool.Start(ctx, sleepMS, 60000)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := pr.Result(context.Background()); !errors.Is(err, pool.ErrWorkerDied) {
		t.Fatalf("Result after ctx: %v", err)
	}
}

func TestProcessNamedObject(t *testing.T) {
	name := testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 256, MaxMessage: 8}, &shm.Options{RemoveOnClose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pr, err := pool.Start(ctx, produce, name)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	for i := range 100 {
		n, err := c.ReadContext(ctx, buf)
		if err != nil || n != 1 || buf[0] != byte(i) {
			t.Fatalf("message %d: %v %v", i, buf[:n], err)
		}
	}
	if pid, err := pr.Result(ctx); err != nil || pid != pr.Pid() {
		t.Fatalf("Result = %d, %v (pid %d)", pid, err, pr.Pid())
	}
}

func TestProcessLargeInput(t *testing.T) {
	in := make([]byte, 3<<20)
	for i := range in {
		in[i] = byte(i * 13)
	}
	pr, err := pool.Start(context.Background(), crc, in)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := pr.Result(context.Background()); err != nil || got != crc32.ChecksumIEEE(in) {
		t.Fatalf("crc of 3 MiB = %x, %v", got, err)
	}
}

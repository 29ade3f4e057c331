package pool_test

import (
	"context"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pool"
)

// The functions the tests' workers run, registered at package level as a
// program would.
var (
	// cube is the byte API: a decimal number in, its cube out.
	_ = pool.RegisterBytes("cube", func(ctx context.Context, in []byte) ([]byte, error) {
		x, err := strconv.Atoi(string(in))
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(x*x*x), 10), nil
	})
	// slowSquare takes about 200µs, so that kills land mid-task.
	slowSquare = pool.Register("slow-square", func(ctx context.Context, x int64) (int64, error) {
		testutil.SpinFor(200 * time.Microsecond)
		return x * x, nil
	})
	// crc returns the CRC-32 of its input, read in place.
	crc = pool.Register("crc", func(ctx context.Context, in []byte) (uint32, error) {
		return crc32.ChecksumIEEE(in), nil
	})
	// echo returns its input: outputs as large as inputs.
	_ = pool.RegisterBytes("echo", func(ctx context.Context, in []byte) ([]byte, error) {
		return append([]byte(nil), in...), nil
	})
	// fail returns an error for odd inputs.
	fail = pool.Register("fail", func(ctx context.Context, x int) (int, error) {
		if x%2 == 1 {
			return 0, errors.New("odd input " + strconv.Itoa(x))
		}
		return x, nil
	})
	// boom panics on 3.
	boom = pool.Register("boom", func(ctx context.Context, x int) (int, error) {
		if x == 3 {
			panic("three is not allowed")
		}
		return x, nil
	})
	// sleepMS sleeps for its input, in milliseconds, ignoring ctx.
	sleepMS = pool.Register("sleep-ms", func(ctx context.Context, ms int) (int, error) {
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return os.Getpid(), nil
	})
	// die kills its own worker when the input is negative.
	die = pool.Register("die", func(ctx context.Context, x int) (int, error) {
		if x < 0 {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		return x, nil
	})
	// pid returns the worker's pid.
	pid = pool.Register("pid", func(ctx context.Context, _ int) (int, error) { return os.Getpid(), nil })
	// point is a typed function through the JSON codec.
	scale = pool.RegisterCodec("scale", func(ctx context.Context, in point) (point, error) {
		return point{Name: in.Name + "!", X: in.X * 2, Tags: append(in.Tags, "scaled")}, nil
	}, pool.JSON[point](), pool.JSON[point]())
)

type point struct {
	Name string
	X    float64
	Tags []string
}

var (
	// zeros returns n zero bytes.
	zeros = pool.Register("zeros", func(ctx context.Context, n int) ([]byte, error) { return make([]byte, n), nil })
	// goexit ends its goroutine without returning.
	goexit = pool.Register("goexit", func(ctx context.Context, _ int) (int, error) {
		runtime.Goexit()
		return 0, nil
	})
	// grandchild starts a sleep that holds the worker's stdout, and
	// returns its pid.
	grandchild = pool.Register("grandchild", func(ctx context.Context, _ int) (int, error) {
		cmd := exec.Command("sleep", "60")
		cmd.Stdout = os.Stdout
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		return cmd.Process.Pid, nil
	})
)

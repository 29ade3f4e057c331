package ringbuf_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
)

func init() { testutil.Child("idle-consumer", childIdleConsumer) }

// childIdleConsumer reports the CPU time its whole process uses while it
// sleeps 2 s (the runtime's own baseline: GC, sysmon, the race detector),
// then while it waits 2 s for a message that never comes.
func childIdleConsumer(args []string) error {
	r, err := ringbuf.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer r.Close()
	c, err := r.Consumer()
	if err != nil {
		return err
	}
	base := cpuDuring(func() { time.Sleep(2 * time.Second) })
	var err2 error
	parked := cpuDuring(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
			err2 = err
		}
	})
	if err2 != nil {
		return err2
	}
	testutil.Send("base %d parked %d wall %d", base, parked, 2*time.Second)
	return nil
}

// cpuDuring returns the CPU time the process uses while f runs.
func cpuDuring(f func()) time.Duration {
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	f()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	return time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
}

// A consumer parked for 2 seconds on an empty ring uses under 1% CPU
// beyond what the idle process uses anyway (3% under the race detector,
// whose own work varies with the machine's load; CI checks the 1% without
// it).
func TestIdleConsumerCPU(t *testing.T) {
	r := createRing(t)
	p := testutil.Start(t, "idle-consumer", r.Segment().Name())
	f := strings.Fields(p.ReadLine())
	p.Wait()
	base, _ := strconv.ParseInt(f[1], 10, 64)
	parked, _ := strconv.ParseInt(f[3], 10, 64)
	wall, _ := strconv.ParseInt(f[5], 10, 64)
	share := float64(parked-base) / float64(wall)
	t.Logf("idle consumer: %v CPU parked, %v asleep, in %v each (%.3f%% for the ring)", time.Duration(parked), time.Duration(base), time.Duration(wall), 100*share)
	limit := 0.01
	if ringbuf.RaceEnabled {
		limit = 0.03
	}
	if share >= limit {
		t.Fatalf("idle consumer used %.2f%% CPU, want under %.0f%%", 100*share, 100*limit)
	}
}

package pool_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pool"
)

// spinForever is a task that never returns and ignores its ctx.
var spinForever = pool.Register("spin-forever", func(ctx context.Context, _ int) (int, error) {
	for {
		testutil.SpinFor(time.Second)
	}
})

func init() {
	// pool-parent starts a pool of 2 busy workers and a Process, says
	// their pids, and waits to be killed.
	testutil.Child("pool-parent", func(args []string) error {
		ctx := context.Background()
		p, err := pool.New(ctx, pool.Config{Workers: 2, Name: args[0]})
		if err != nil {
			return err
		}
		for range 2 {
			if _, err := pool.Submit(ctx, p, spinForever, 0); err != nil {
				return err
			}
		}
		pr, err := pool.Start(ctx, spinForever, 0)
		if err != nil {
			return err
		}
		for p.Stats().InFlight < 2 {
			time.Sleep(time.Millisecond)
		}
		pids := append(p.Workers(), pr.Pid())
		testutil.Send("pids %s", strings.Trim(fmt.Sprint(pids), "[]"))
		select {}
	})
}

// alive reports whether pid runs (a zombie does not: it waits to be
// reaped, by whoever adopted it).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func TestParentKilled(t *testing.T) {
	name := testutil.Name(t)
	parent := testutil.Start(t, "pool-parent", name)
	line := parent.ReadLine()
	fields := strings.Fields(strings.TrimPrefix(line, "pids "))
	if len(fields) != 3 {
		t.Fatalf("parent said %q", line)
	}
	var pids []int
	for _, f := range fields {
		pid, err := strconv.Atoi(f)
		if err != nil || !alive(pid) {
			t.Fatalf("pid %q: %v, alive %v", f, err, alive(pid))
		}
		pids = append(pids, pid)
	}
	parent.Kill()
	killed := time.Now()
	for _, pid := range pids {
		for alive(pid) {
			if time.Since(killed) > 5*time.Second {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Fatalf("worker %d alive %v after its parent was killed", pid, time.Since(killed))
			}
			time.Sleep(time.Millisecond)
		}
	}
	t.Logf("every worker gone %v after the parent's SIGKILL", time.Since(killed))
	// The dead parent's segment is for gc; this test removes it.
	os.Remove("/dev/shm/" + name)
}

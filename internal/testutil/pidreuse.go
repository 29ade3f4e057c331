package testutil

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/live"
)

// clockTick is the resolution of a process start time in /proc.
const clockTick = 10 * time.Millisecond

// ReusePID starts a child with the pid of a process that has died and been
// reaped, as LiveToken does: alive, with a liveness token of its own. It
// asks the kernel for that pid by writing the one before it to
// /proc/sys/kernel/ns_last_pid, which needs CAP_SYS_ADMIN; the test is
// skipped without it, or if other processes keep taking the pid first.
func ReusePID(t testing.TB, pid int) (*Proc, live.Token) {
	t.Helper()
	// /proc gives start times in clock ticks (10ms): a pid reused within
	// the tick its last owner started in looks like the same process to
	// any check, but real reuse takes a wrap of pid_max. Wait out the tick.
	time.Sleep(2 * clockTick)
	for range 100 {
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0); err != nil {
			t.Skipf("cannot reuse pid %d (needs CAP_SYS_ADMIN in the pid namespace): %v", pid, err)
		}
		p := Start(t, "testutil-live-token")
		if p.Pid() != pid {
			p.Kill()
			continue
		}
		v, err := strconv.ParseUint(p.ReadLine(), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return p, live.Token(v)
	}
	t.Skipf("pid %d was taken by another process 100 times running", pid)
	return nil, 0
}

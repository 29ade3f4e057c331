//go:build !race

// Under the race detector a SIGBUS can land inside the race runtime's C
// code, where Go cannot turn it into a panic (the process dies with
// "traceback did not unwind completely"): this test runs in CI's pass
// without -race.

package main

import (
	"os"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// watch and tail, following a ring or a queue whose file another process
// truncates, end with an error that says so: never a crash.
func TestTruncatedWhileFollowed(t *testing.T) {
	for _, kind := range []string{"ring", "queue"} {
		for _, cmd := range [][]string{{"watch", "--interval", "20ms"}, {"tail"}} {
			t.Run(kind+"/"+cmd[0], func(t *testing.T) {
				name := testutil.Name(t)
				mustRun(t, "create", "--kind", kind, "--size", "64K", name)
				defer shm.Remove(name)
				path, _ := shm.Path(name)
				p := testutil.Start(t, "shmtool", append(cmd, name)...)
				p.WaitMapped(path)
				if err := os.Truncate(path, 0); err != nil {
					t.Fatal(err)
				}
				err := p.WaitError()
				if ee, ok := err.(interface{ ExitCode() int }); !ok || ee.ExitCode() != 1 {
					t.Fatalf("%s after truncation ended with %v, want exit 1\n%s", cmd[0], err, p.Stderr())
				}
				// "truncated while mapped" from a check, or "shrank while
				// mapped (truncated by another process?)" from a fault
				// while the header was still being read.
				if s := p.Stderr(); !strings.Contains(s, "truncated") || strings.Contains(s, "goroutine") {
					t.Fatalf("%s stderr = %q, want a truncation error", cmd[0], s)
				}
			})
		}
	}
}

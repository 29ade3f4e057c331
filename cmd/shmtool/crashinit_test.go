package main

import (
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// createFlags of every kind shmtool creates.
var crashKinds = []string{
	"--kind raw --size 4K",
	"--kind mutex",
	"--kind event",
	"--kind barrier --parties 2",
	"--kind semaphore --value 2 --tracked",
	"--kind value --type int64",
	"--kind array --type uint32 --len 100",
	"--kind ring --size 64K",
	"--kind stream --size 64K",
	"--kind queue --size 64K",
}

// A creator killed at any step of creation, for every kind: the name is
// either absent or a not-ready leftover; inspect says so (exit 1, never a
// crash), rm removes the leftover, and the kind can then be created and
// inspected. (Not gc: it would take other tests' segments in /dev/shm.)
func TestCreatorKilledMidInitEveryKind(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("starts 200 processes; CI runs it without -race")
	}
	for _, flags := range crashKinds {
		for _, point := range []string{"shm/create/sized", "shm/create/init", "shm/create/built", "shm/create/linked"} {
			t.Run(strings.Fields(flags)[1]+"/"+point, func(t *testing.T) {
				name := testutil.Name(t)
				defer shm.Remove(name)
				create := append(append([]string{"create"}, strings.Fields(flags)...), name)
				if _, stderr, code := shmtoolProcess(t, []string{"SHMKIT_FAILPOINT=" + point + "=kill"}, create...); code != -1 {
					t.Fatalf("create killed at %s: exit %d, want death by SIGKILL\n%s", point, code, stderr)
				}
				_, stderr, code := shmtool(t, "inspect", name)
				wantErr := "no such file"
				if point == "shm/create/linked" {
					wantErr = "not ready"
				}
				if code != 1 || !strings.Contains(stderr, wantErr) || strings.Contains(stderr, "panic") {
					t.Fatalf("inspect after the creator died: exit %d, stderr %q; want exit 1 and %q", code, stderr, wantErr)
				}
				mustRun(t, "ls")
				if point == "shm/create/linked" {
					mustRun(t, "rm", name)
				}
				mustRun(t, create...)
				mustRun(t, "inspect", "--json", name)
			})
		}
	}
}

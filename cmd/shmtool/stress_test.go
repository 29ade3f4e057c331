package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/stress"
	"github.com/shmkit/shmkit/internal/testutil"
)

// stress with kills: workers die at random and inside the protocols, the
// survivors recover, and nothing is violated or hangs.
func TestStress(t *testing.T) {
	for _, kind := range stress.Kinds() {
		t.Run(kind, func(t *testing.T) {
			out, stderr, code := shmtool(t, "stress", "--kind", kind, "--procs", "3", "--duration", "2s", "--kill-every", "100ms", "--seed", "1", "--json")
			var res stress.Report
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("stress printed %q (exit %d): %v\n%s", out, code, err, stderr)
			}
			t.Logf("%+v", res)
			if code != 0 || res.Violations != 0 || res.Hangs != 0 {
				t.Fatalf("stress %s: exit %d, %+v\n%s", kind, code, res, stderr)
			}
			if res.Kills == 0 || res.Recoveries == 0 || res.Ops == 0 || res.Seed != 1 || res.Procs != 3 {
				t.Fatalf("stress %s did not stress: %+v", kind, res)
			}
		})
	}
}

func TestStressUsage(t *testing.T) {
	for _, args := range [][]string{
		{"stress", "--kind", "teapot"},
		{"stress", "--kind", "mutex", "--procs", "0"},
		{"stress", "--kind", "mutex", "--duration", "0s"},
	} {
		if _, _, code := shmtool(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// Ctrl-C ends a run early, as its duration would: the report prints, the
// run exits 0, and its segments are gone.
func TestStressInterrupted(t *testing.T) {
	for _, kind := range []string{"queue", "pool"} {
		t.Run(kind, func(t *testing.T) {
			p := testutil.StartEnv(t, nil, "shmtool", "stress", "--kind", kind, "--procs", "2", "--duration", "10m", "--kill-every", "100ms", "--json")
			time.Sleep(time.Second)
			if err := syscall.Kill(p.Pid(), syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			var res stress.Report
			if line := p.ReadLine(); json.Unmarshal([]byte(line), &res) != nil {
				t.Fatalf("stress printed %q", line)
			}
			p.Wait()
			if res.Ops == 0 || res.Violations != 0 || res.Hangs != 0 || res.DurationS > 60 {
				t.Fatalf("interrupted stress %s: %+v", kind, res)
			}
			left, _ := filepath.Glob(fmt.Sprintf("/dev/shm/shmtool-stress-%d-*", p.Pid()))
			if len(left) > 0 {
				for _, f := range left {
					os.Remove(f)
				}
				t.Fatalf("an interrupted run left %v", left)
			}
		})
	}
}

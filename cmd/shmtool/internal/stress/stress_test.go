package stress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
)

func TestMain(m *testing.M) {
	RegisterRoles() // Run's workers are this test binary, re-executed
	testutil.Main(m)
}

// Every kind, two workers for 300ms and no kills: work gets done, nothing
// is violated, and the run's segments are gone.
func TestRun(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			var progress bytes.Buffer
			rep, err := Run(context.Background(), Config{Kind: kind, Procs: 2, Duration: 300 * time.Millisecond, Seed: 7, Progress: &progress})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Violations != 0 || rep.Hangs != 0 || len(rep.Problems) != 0 {
				t.Fatalf("Run(%s) = %+v, want no violations\n%s", kind, rep, progress.String())
			}
			if rep.Ops == 0 || rep.Kills != 0 || rep.Kind != kind || rep.Procs != 2 || rep.Seed != 7 || rep.DurationS < 0.3 {
				t.Fatalf("Run(%s) = %+v, want ops, no kills, and the config", kind, rep)
			}
			if left, _ := filepath.Glob(fmt.Sprintf("/dev/shm/shmtool-stress-%d-*", os.Getpid())); len(left) > 0 {
				t.Fatalf("Run left %v", left)
			}
		})
	}
}

// Kills are counted, and a seed of 0 picks one.
func TestRunKills(t *testing.T) {
	rep, err := Run(context.Background(), Config{Kind: "mutex", Procs: 2, Duration: 300 * time.Millisecond, KillEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Violations != 0 || rep.Kills == 0 || rep.Seed == 0 {
		t.Fatalf("Run(mutex, kills) = %+v, want kills, a seed and no violations", rep)
	}
}

func TestRunInvalidConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"unknown kind", Config{Kind: "teapot", Procs: 1, Duration: time.Second}},
		{"no procs", Config{Kind: "mutex", Procs: 0, Duration: time.Second}},
		{"too many procs", Config{Kind: "mutex", Procs: MaxProcs + 1, Duration: time.Second}},
		{"no duration", Config{Kind: "mutex", Procs: 1}},
		{"negative kills", Config{Kind: "mutex", Procs: 1, Duration: time.Second, KillEvery: -1}},
		{"barrier too wide", Config{Kind: "barrier", Procs: MaxProcs, Duration: time.Second}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Run(context.Background(), tt.cfg); !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Run(%+v) = %v, want ErrInvalidConfig", tt.cfg, err)
			}
		})
	}
	if left, _ := filepath.Glob(fmt.Sprintf("/dev/shm/shmtool-stress-%d-*", os.Getpid())); len(left) > 0 {
		t.Fatalf("Run left %v", left)
	}
}

// A worker that ends with an error, not killed, is a violation that says
// how it ended.
func TestWorkerFails(t *testing.T) {
	p := testutil.Start(t, workerRole, "mutex", "no-such-segment", "0")
	if err := p.WaitError(); err == nil || p.Stderr() == "" {
		t.Fatalf("worker on a missing segment: %v, stderr %q; want a failure", err, p.Stderr())
	}
}

// A pool whose workers are killed at random: every task still comes back
// exactly once and right, and the tasks the dead were running ran again.
func TestRunPoolKills(t *testing.T) {
	var progress bytes.Buffer
	rep, err := Run(context.Background(), Config{Kind: "pool", Procs: 3, Duration: time.Second, KillEvery: 50 * time.Millisecond, Seed: 3, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if rep.Violations != 0 || rep.Hangs != 0 || rep.Kills == 0 || rep.Recoveries == 0 || rep.Ops == 0 {
		t.Fatalf("Run(pool, kills) = %+v, want kills, recoveries and no violations\n%s", rep, progress.String())
	}
	if left, _ := filepath.Glob(fmt.Sprintf("/dev/shm/shmtool-stress-%d-*", os.Getpid())); len(left) > 0 {
		t.Fatalf("Run left %v", left)
	}
}

package gc

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// run is Run over dir, by segment name.
func run(t *testing.T, cfg Config) map[string]Entry {
	t.Helper()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run(%+v): %v", cfg, err)
	}
	// Not ProcsInspected: a sandbox may hide even pid 1's maps from root.
	if rep.Segments == nil || rep.LivenessSwept != 0 {
		t.Fatalf("Run(%+v) = %+v, want segments and no sweep outside /dev/shm", cfg, rep)
	}
	m := map[string]Entry{}
	for _, e := range rep.Segments {
		m[e.Name] = e
	}
	return m
}

// Run removes the segment nobody uses, keeps those this process maps or
// holds open, never touches a file without a shmkit header, and only
// says with DryRun. (In a directory of its own: gc in /dev/shm would take
// other tests' segments between two uses.)
func TestRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("no /proc")
	}
	dir := t.TempDir()
	mapped, held, unused, foreign := filepath.Join(dir, "mapped"), filepath.Join(dir, "held"), filepath.Join(dir, "unused"), filepath.Join(dir, "foreign")
	for _, path := range []string{mapped, held, unused} {
		seg, err := shm.Create(path, 4096, nil)
		if err != nil {
			t.Fatal(err)
		}
		if path == mapped {
			defer seg.Close()
		} else {
			seg.Close()
		}
	}
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(foreign, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}

	me := "in use by pid " + strconv.Itoa(os.Getpid())
	dry := run(t, Config{Dir: dir, DryRun: true})
	if dry[unused].Action != WouldRemove || dry[mapped] != (Entry{mapped, "raw", 8192, Kept, me}) || dry[held].Why != me {
		t.Fatalf("Run(DryRun) = %+v", dry)
	}
	if _, err := shm.Stat(unused); err != nil {
		t.Fatalf("DryRun removed %s: %v", unused, err)
	}
	got := run(t, Config{Dir: dir})
	if got[unused].Action != Removed || got[mapped].Action != Kept || got[held].Action != Kept {
		t.Fatalf("Run = %+v", got)
	}
	if _, listed := got[foreign]; listed {
		t.Fatalf("Run looked at a file without a shmkit header: %+v", got[foreign])
	}
	if _, err := shm.Stat(unused); err == nil {
		t.Fatalf("%s is still there", unused)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Fatalf("Run removed a foreign file: %v", err)
	}

	f.Close()
	if got := run(t, Config{Dir: dir, MinAge: time.Hour}); got[held].Action != Kept || got[held].Why != "younger than --min-age" {
		t.Fatalf("Run(MinAge 1h) of a fresh segment: %+v", got[held])
	}
	if got := run(t, Config{Dir: dir}); got[held].Action != Removed || got[mapped].Action != Kept {
		t.Fatalf("Run after the file was closed: %+v", got)
	}
}

func TestRunInvalidConfig(t *testing.T) {
	if _, err := Run(context.Background(), Config{Dir: t.TempDir(), MinAge: -time.Second}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("Run(MinAge -1s) = %v, want ErrInvalidConfig", err)
	}
}

func TestRunMissingDir(t *testing.T) {
	if _, err := Run(context.Background(), Config{Dir: filepath.Join(t.TempDir(), "nothing")}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Run(missing dir) = %v, want os.ErrNotExist", err)
	}
}

package gc

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/live"
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

// unreadableProcs counts, apart from procscan, the processes whose maps
// or descriptors exist but cannot be read, as gc's report should.
func unreadableProcs(t *testing.T) int {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no processes in /proc: %v", err)
	}
	n := 0
	for _, dir := range dirs {
		_, merr := os.ReadFile(filepath.Join(dir, "maps"))
		_, ferr := os.ReadDir(filepath.Join(dir, "fd"))
		if merr != nil && !errors.Is(merr, fs.ErrNotExist) || ferr != nil && !errors.Is(ferr, fs.ErrNotExist) {
			n++
		}
	}
	return n
}

// The report says whether every process could be inspected, and how many
// could not, as a look of its own at /proc finds them. (Here that is
// usually some: a sandbox may hide even pid 1's maps from root.)
func TestRunReportsInspection(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("no /proc")
	}
	want := unreadableProcs(t)
	rep, err := Run(context.Background(), Config{Dir: t.TempDir(), DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ProcsScanned == 0 || rep.UnreadableProcs != want || rep.ProcsInspected != (want == 0 && !rep.HiddenProcs) {
		t.Fatalf("Run: all_processes_inspected %v, %d unreadable of %d scanned; a look at /proc finds %d unreadable",
			rep.ProcsInspected, rep.UnreadableProcs, rep.ProcsScanned, want)
	}
}

// Liveness files whose lock nobody holds are those of dead processes:
// DryRun lists them and removes nothing, a run sweeps them; a held one is
// never touched.
func TestSweepLiveness(t *testing.T) {
	segs, lives := t.TempDir(), t.TempDir()
	dead, held := filepath.Join(lives, live.Prefix+"00000000000dead1"), filepath.Join(lives, live.Prefix+"00000000000a11e1")
	other := filepath.Join(lives, "not-a-liveness-file")
	for _, p := range []string{dead, held, other} {
		if err := os.WriteFile(p, []byte("pid=4242 start=7\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testutil.HoldFlock(t, held)

	rep, err := Run(context.Background(), Config{Dir: segs, DryRun: true, liveDir: lives})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Liveness) != 1 || rep.Liveness[0] != (LiveEntry{Path: dead, PID: 4242, Action: WouldSweep}) || rep.LivenessSwept != 0 || !rep.DryRun {
		t.Fatalf("Run(DryRun) liveness = %+v, swept %d; want %s only, to sweep", rep.Liveness, rep.LivenessSwept, dead)
	}
	for _, p := range []string{dead, held, other} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("DryRun removed %s: %v", p, err)
		}
	}
	rep, err = Run(context.Background(), Config{Dir: segs, liveDir: lives})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Liveness) != 1 || rep.Liveness[0] != (LiveEntry{Path: dead, PID: 4242, Action: Swept}) || rep.LivenessSwept != 1 {
		t.Fatalf("Run liveness = %+v, swept %d; want %s swept", rep.Liveness, rep.LivenessSwept, dead)
	}
	if _, err := os.Stat(dead); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is still there after the sweep: %v", dead, err)
	}
	for _, p := range []string{held, other} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("the sweep removed %s: %v", p, err)
		}
	}
	// Outside /dev/shm, and without liveDir, liveness files are not looked at.
	if rep, err := Run(context.Background(), Config{Dir: segs, DryRun: true}); err != nil || rep.Liveness == nil || len(rep.Liveness) != 0 {
		t.Fatalf("Run(Dir) = %+v, %v; want no liveness files, as []", rep.Liveness, err)
	}
}

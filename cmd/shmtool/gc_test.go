package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/gc"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func init() {
	testutil.Child("hold-segment", func(args []string) error {
		seg, err := shm.Open(args[0], nil)
		if err != nil {
			return err
		}
		defer seg.Close()
		testutil.Send("holding")
		testutil.Recv()
		return nil
	})
}

// gc removes the segment no process maps, keeps the one a live process
// maps, and never touches a file without a shmkit header; --dry-run only
// says. (In a directory of its own: other packages' tests run alongside,
// and gc in /dev/shm would take their segments between two uses.)
func TestGC(t *testing.T) {
	dir := t.TempDir()
	used, unused, foreign := filepath.Join(dir, "used"), filepath.Join(dir, "unused"), filepath.Join(dir, "foreign")
	for _, name := range []string{used, unused} {
		mustRun(t, "create", "--size", "4K", name)
	}
	if err := os.WriteFile(foreign, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	holder := testutil.Start(t, "hold-segment", used)
	holder.Expect("holding")

	report := func(args ...string) map[string]gc.Entry {
		var out struct {
			Segments []gc.Entry `json:"segments"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, append([]string{"gc", "--json", "--dir", dir}, args...)...)), &out); err != nil {
			t.Fatal(err)
		}
		m := map[string]gc.Entry{}
		for _, e := range out.Segments {
			m[e.Name] = e
		}
		return m
	}
	dry := report("--dry-run")
	if dry[unused].Action != "would remove" || dry[used].Action != "kept" {
		t.Fatalf("gc --dry-run: unused %+v, used %+v", dry[unused], dry[used])
	}
	if _, err := shm.Stat(unused); err != nil {
		t.Fatalf("--dry-run removed %s: %v", unused, err)
	}
	got := report()
	if got[unused].Action != "removed" || got[used].Action != "kept" {
		t.Fatalf("gc: unused %+v, used %+v", got[unused], got[used])
	}
	if _, listed := got[foreign]; listed {
		t.Fatalf("gc looked at a file without a shmkit header: %+v", got[foreign])
	}
	if _, err := shm.Stat(unused); err == nil {
		t.Fatalf("%s is still there", unused)
	}
	if _, err := shm.Stat(used); err != nil {
		t.Fatalf("gc removed the mapped %s: %v", used, err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Fatalf("gc removed a foreign file: %v", err)
	}
	holder.Send("done")
	holder.Wait()
	if got := report("--min-age", "1h"); got[used].Action != "kept" {
		t.Fatalf("gc --min-age 1h removed a fresh segment: %+v", got[used])
	}
	if got := report(); got[used].Action != "removed" {
		t.Fatalf("gc after its holder exited: %+v", got[used])
	}
}

func init() {
	// The tool run by another user: it drops to the uid (and gid) in
	// args[0] first, which takes root.
	testutil.Child("shmtool-as", func(args []string) error {
		id, err := strconv.Atoi(args[0])
		if err != nil {
			return err
		}
		if err := syscall.Setgroups(nil); err != nil {
			return err
		}
		if err := syscall.Setgid(id); err != nil {
			return err
		}
		if err := syscall.Setuid(id); err != nil {
			return err
		}
		os.Exit(run(args[1:], os.Stdout, os.Stderr))
		return nil
	})
}

// unreadableProcs counts, apart from procscan, the processes whose maps
// or descriptors exist but cannot be read.
func unreadableProcs(t *testing.T) int {
	t.Helper()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	if len(dirs) == 0 {
		t.Skip("no /proc")
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

// gc --json says whether it could inspect every process, truthfully: as
// a look of its own at /proc finds (as root in a sandbox, some may still
// be closed), and, run as another user than this test's (nobody, when
// the test runs as root), false, with the count, since this test's own
// process is not that user's to read; the text says so too.
func TestGCReportsInspection(t *testing.T) {
	want := unreadableProcs(t)
	var rep gc.Report
	if err := json.Unmarshal([]byte(mustRun(t, "gc", "--json", "--dry-run", "--dir", t.TempDir())), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.ProcsScanned == 0 || rep.UnreadableProcs != want || rep.ProcsInspected != (want == 0 && !rep.HiddenProcs) {
		t.Errorf("gc --json: all_processes_inspected %v, unreadable_processes %d of %d; /proc has %d unreadable",
			rep.ProcsInspected, rep.UnreadableProcs, rep.ProcsScanned, want)
	}
	text := mustRun(t, "gc", "--dry-run", "--dir", t.TempDir())
	if note := "processes could not be inspected"; strings.Contains(text, note) != !rep.ProcsInspected {
		t.Errorf("gc --dry-run:\n%s\nsays %q: %v, want %v", text, note, !rep.ProcsInspected, !rep.ProcsInspected)
	}

	if os.Geteuid() != 0 {
		t.Skip("running gc as another user takes root")
	}
	dir, err := os.MkdirTemp("", "shmtool-gc-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // nobody lists it
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--json"}, {}} {
		p := testutil.Start(t, "shmtool-as", append([]string{"65534", "gc", "--dry-run", "--dir", dir}, args...)...)
		var out strings.Builder
		for {
			line, ok := p.TryReadLine()
			if !ok {
				break
			}
			out.WriteString(line + "\n")
		}
		if err := p.WaitError(); err != nil {
			t.Fatalf("gc as nobody: %v; stderr:\n%s", err, p.Stderr())
		}
		if len(args) == 0 {
			if !strings.Contains(out.String(), "processes could not be inspected") {
				t.Errorf("gc as nobody:\n%s\nwant a note of the processes it could not inspect", out.String())
			}
			continue
		}
		var nobody gc.Report
		if err := json.Unmarshal([]byte(out.String()), &nobody); err != nil {
			t.Fatalf("gc --json as nobody: %v\n%s", err, out.String())
		}
		if nobody.ProcsInspected || nobody.UnreadableProcs < 1 || nobody.UnreadableProcs > nobody.ProcsScanned {
			t.Errorf("gc --json as nobody: all_processes_inspected %v, unreadable_processes %d of %d; want false and at least this test's process",
				nobody.ProcsInspected, nobody.UnreadableProcs, nobody.ProcsScanned)
		}
	}
}

// gc --dry-run says which liveness files it would sweep, those of dead
// processes, and sweeps none; a live process's is not among them.
func TestGCDryRunLiveness(t *testing.T) {
	_, aliveTok := testutil.LiveToken(t)
	for attempt := 1; ; attempt++ {
		child, tok := testutil.LiveToken(t)
		pid := child.Pid()
		child.Kill() // its file stays, unlocked: a dead process's
		path := live.Path(tok)
		t.Cleanup(func() { os.Remove(path) })
		out := mustRun(t, "gc", "--json", "--dry-run")
		text := mustRun(t, "gc", "--dry-run")
		if _, err := os.Stat(path); err != nil {
			// Another test process's sweep (each sweeps as it registers:
			// a pool's tests start hundreds) may take it between two
			// looks: try again, as many times as it takes a burst to pass.
			if attempt == 50 {
				t.Fatalf("%s was removed during gc --dry-run, %d times: %v", path, attempt, err)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		var rep gc.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		var e *gc.LiveEntry
		for i := range rep.Liveness {
			switch rep.Liveness[i].Path {
			case path:
				e = &rep.Liveness[i]
			case live.Path(aliveTok):
				t.Errorf("gc --dry-run would sweep the live process's %s", live.Path(aliveTok))
			}
		}
		if e == nil || e.Action != gc.WouldSweep || e.PID != pid || !rep.DryRun || rep.LivenessSwept != 0 {
			t.Fatalf("gc --dry-run --json: liveness %+v, swept %d; want %s (pid %d) to sweep", rep.Liveness, rep.LivenessSwept, path, pid)
		}
		want := fmt.Sprintf("would sweep  %s (liveness file of dead pid %d)", path, pid)
		if !strings.Contains(text, want) || !strings.Contains(text, "dry run: nothing was removed") {
			t.Fatalf("gc --dry-run:\n%s\nwant %q", text, want)
		}
		return
	}
}

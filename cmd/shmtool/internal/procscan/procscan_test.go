package procscan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestMapsIDs(t *testing.T) {
	maps := `7f0000000000-7f0000001000 rw-s 00000000 00:1a 12345 /dev/shm/x
7f0000002000-7f0000003000 r--p 00000000 08:01 12345 /usr/lib/y
7f0000004000-7f0000005000 rw-p 00000000 00:00 0 [heap]
short line
`
	ids := mapsIDs(strings.NewReader(maps))
	for _, tt := range []struct {
		id   FileID
		want bool
	}{{FileID{"00:1a", 12345}, true}, {FileID{"00:1b", 12345}, false}, {FileID{"08:01", 1}, false}, {FileID{"00:00", 0}, false}} {
		if got := slices.Contains(ids, tt.id); got != tt.want {
			t.Errorf("mapsIDs(...) has %v = %v, want %v", tt.id, got, tt.want)
		}
	}
	if len(ids) != 2 {
		t.Errorf("mapsIDs(...) = %v, want 2 files", ids)
	}
}

// skipUnlessProc skips where there is no /proc to scan.
func skipUnlessProc(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("no /proc")
	}
}

// A mapping of this process's shows as Mapped, and is gone once closed;
// a descriptor shows as Open and not as Mapped.
func TestScanThisProcess(t *testing.T) {
	skipUnlessProc(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "seg")
	seg, err := shm.Create(path, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	id, err := Identify(path)
	if err != nil {
		t.Fatal(err)
	}
	me := os.Getpid()
	if pids := Scan(Mapped).PIDs(id); !slices.Contains(pids, me) {
		t.Fatalf("Scan(Mapped).PIDs(%v) = %v, want %d among them", id, pids, me)
	}
	procs, err := Mappers(path)
	if err != nil || len(procs) != 1 || procs[0].PID != me || procs[0].Command == "" {
		t.Fatalf("Mappers(%s) = %+v, %v; want this process, named", path, procs, err)
	}
	seg.Close()
	if procs, err := Mappers(path); err != nil || procs == nil || len(procs) != 0 {
		t.Fatalf("Mappers(%s) after Close = %#v, %v; want an empty list", path, procs, err)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if pids := Scan(Open).PIDs(id); !slices.Contains(pids, me) {
		t.Fatalf("Scan(Open).PIDs = %v with the file open, want %d among them", pids, me)
	}
	if pids := Scan(Mapped).PIDs(id); slices.Contains(pids, me) {
		t.Fatalf("Scan(Mapped).PIDs = %v with the file only open, want %d not among them", pids, me)
	}
}

func TestIdentifyMissing(t *testing.T) {
	if _, err := Identify(filepath.Join(t.TempDir(), "nothing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Identify(missing) = %v, want fs.ErrNotExist", err)
	}
}

// fakeProc builds a proc tree under a temporary directory: for each pid,
// the files it is given (a "maps" text, or a symlink when the value
// starts with "->").
func fakeProc(t *testing.T, procs map[string]map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for pid, files := range procs {
		for name, content := range files {
			path := filepath.Join(root, pid, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			var err error
			if target, ok := strings.CutPrefix(content, "->"); ok {
				err = os.Symlink(target, path)
			} else {
				err = os.WriteFile(path, []byte(content), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// An entry that is gone belonged to a process that exited; one that
// exists but cannot be read leaves the snapshot incomplete.
func TestScanComplete(t *testing.T) {
	skipUnlessProc(t)
	target := filepath.Join(t.TempDir(), "held")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := Identify(target)
	if err != nil {
		t.Fatal(err)
	}
	line := "7f0000000000-7f0000001000 rw-s 00000000 00:1a 77 /dev/shm/x\n"
	for _, tt := range []struct {
		name     string
		procs    map[string]map[string]string
		uses     Use
		complete bool
		pids     map[FileID][]int
	}{
		{"readable", map[string]map[string]string{"20": {"maps": line}, "3": {"maps": line}}, Mapped, true,
			map[FileID][]int{{"00:1a", 77}: {3, 20}}},
		{"exited", map[string]map[string]string{"5": {"maps": "->nowhere"}}, Mapped | Open, true, nil},
		{"unreadable maps", map[string]map[string]string{"5": {"maps": "->maps"}}, Mapped, false, nil}, // ELOOP
		{"unreadable fd", map[string]map[string]string{"5": {"maps": "", "fd": "not a directory"}}, Mapped | Open, false, nil},
		{"fd not looked at", map[string]map[string]string{"5": {"maps": "", "fd": "not a directory"}}, Mapped, true, nil},
		{"open file", map[string]map[string]string{"9": {"maps": line, "fd/3": "->" + target}}, Mapped | Open, true,
			map[FileID][]int{{"00:1a", 77}: {9}, held: {9}}},
		{"open file, maps only", map[string]map[string]string{"9": {"maps": "", "fd/3": "->" + target}}, Mapped, true,
			map[FileID][]int{held: nil}},
		{"not a process", map[string]map[string]string{"self": {"maps": line}}, Mapped, true,
			map[FileID][]int{{"00:1a", 77}: nil}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := scan(fakeProc(t, tt.procs), tt.uses)
			if s.Complete != tt.complete {
				t.Errorf("scan(...).Complete = %v, want %v", s.Complete, tt.complete)
			}
			for id, want := range tt.pids {
				if got := s.PIDs(id); !slices.Equal(got, want) {
					t.Errorf("scan(...).PIDs(%v) = %v, want %v", id, got, want)
				}
			}
		})
	}
}

// Processes names each process by its comm, and reads as [] when there
// is none.
func TestProcesses(t *testing.T) {
	line := "7f0000000000-7f0000001000 rw-s 00000000 00:1a 77 /dev/shm/x\n"
	root := fakeProc(t, map[string]map[string]string{"4": {"maps": line, "comm": "worker\n"}, "8": {"maps": line}})
	s := scan(root, Mapped)
	got := s.Processes(FileID{"00:1a", 77})
	want := []Process{{4, "worker"}, {8, ""}}
	if !slices.Equal(got, want) {
		t.Errorf("Processes = %+v, want %+v", got, want)
	}
	if none := s.Processes(FileID{"00:1a", 78}); none == nil || len(none) != 0 {
		t.Errorf("Processes(unused) = %#v, want an empty, non-nil slice", none)
	}
}

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
	procs, snap, err := Users(path)
	if err != nil || len(procs) != 1 || procs[0].PID != me || procs[0].Command == "" || !procs[0].Mapped ||
		procs[0].UID == nil || *procs[0].UID != uint64(os.Geteuid()) {
		t.Fatalf("Users(%s) = %+v, %v; want this process, named, with its uid, mapping it", path, procs, err)
	}
	if snap.Scanned < 1 || snap.Count(id) != 1 || snap.Err != nil {
		t.Fatalf("Users(%s): snapshot %+v, want this process counted", path, snap)
	}
	seg.Close()
	if procs, _, err := Users(path); err != nil || procs == nil || len(procs) != 0 {
		t.Fatalf("Users(%s) after Close = %#v, %v; want an empty list", path, procs, err)
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
	if procs, _, err := Users(path); err != nil || len(procs) != 1 || procs[0].PID != me || procs[0].Mapped || !procs[0].Open {
		t.Fatalf("Users(%s) with the file only open = %+v, %v; want this process, open, not mapped", path, procs, err)
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
// exists but cannot be read counts its process as unreadable and leaves
// the snapshot incomplete, and what could be read still counts.
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
	line := "7f0000000000-7f0000001000 rw-s 00000000 00:1a 77 /dev/shm/x\n" +
		"7f0000002000-7f0000003000 rw-p 00000000 00:00 0 [heap]\n"
	x := FileID{"00:1a", 77}
	for _, tt := range []struct {
		name       string
		procs      map[string]map[string]string
		uses       Use
		scanned    int
		unreadable int
		pids       map[FileID][]int
	}{
		{"readable", map[string]map[string]string{"20": {"maps": line}, "3": {"maps": line}}, Mapped, 2, 0,
			map[FileID][]int{x: {3, 20}, {"00:00", 0}: {}}},
		{"exited", map[string]map[string]string{"5": {"maps": "->nowhere"}}, All, 1, 0, nil},
		{"unreadable maps", map[string]map[string]string{"5": {"maps": "->maps"}}, Mapped, 1, 1, nil}, // ELOOP
		{"unreadable maps, readable fd", map[string]map[string]string{"5": {"maps": "->maps", "fd/3": "->" + target}}, All, 1, 1,
			map[FileID][]int{held: {5}}},
		{"unparsable maps", map[string]map[string]string{"5": {"maps": "garbage in a maps file\n"}}, Mapped, 1, 1, nil},
		{"unreadable fd", map[string]map[string]string{"5": {"maps": "", "fd": "not a directory"}}, All, 1, 1, nil},
		{"unreadable descriptor", map[string]map[string]string{"5": {"maps": "", "fd/3": "->3"}}, All, 1, 1, nil}, // ELOOP
		{"descriptor closed meanwhile", map[string]map[string]string{"5": {"maps": "", "fd/3": "->/nonexistent"}}, All, 1, 0, nil},
		{"fd not looked at", map[string]map[string]string{"5": {"maps": "", "fd": "not a directory"}}, Mapped, 1, 0, nil},
		{"open file", map[string]map[string]string{"9": {"maps": line, "fd/3": "->" + target}}, All, 1, 0,
			map[FileID][]int{x: {9}, held: {9}}},
		{"open file, maps only", map[string]map[string]string{"9": {"maps": "", "fd/3": "->" + target}}, Mapped, 1, 0,
			map[FileID][]int{held: {}}},
		{"not a process", map[string]map[string]string{"self": {"maps": line}}, Mapped, 0, 0,
			map[FileID][]int{x: {}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := scan(fakeProc(t, tt.procs), tt.uses)
			if s.Scanned != tt.scanned || s.Unreadable != tt.unreadable || s.Complete != (tt.unreadable == 0) || s.Hidden || s.Err != nil {
				t.Errorf("scan(...) = {Complete %v, Scanned %d, Unreadable %d, Hidden %v, Err %v}, want %d scanned, %d unreadable",
					s.Complete, s.Scanned, s.Unreadable, s.Hidden, s.Err, tt.scanned, tt.unreadable)
			}
			for id, want := range tt.pids {
				if got := s.PIDs(id); !slices.Equal(got, want) || s.Count(id) != len(want) {
					t.Errorf("scan(...).PIDs(%v) = %v (Count %d), want %v", id, got, s.Count(id), want)
				}
			}
		})
	}
}

// Without a /proc to list, a scan finds nobody and says it is not
// complete: nobody was inspected.
func TestScanNoProc(t *testing.T) {
	s := scan(filepath.Join(t.TempDir(), "no-proc"), All)
	if s.Complete || s.Err == nil || s.Scanned != 0 {
		t.Fatalf("scan(missing root) = %+v, want incomplete, with an error", s)
	}
}

// Processes names each process by its comm and uid, says how it uses the
// file, and reads as [] when there is none.
func TestProcesses(t *testing.T) {
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
	root := fakeProc(t, map[string]map[string]string{
		"4": {"maps": line, "comm": "worker\n", "status": "Name:\tworker\nUid:\t1000\t1001\t1000\t1000\n", "fd/3": "->" + target},
		"8": {"maps": line},
		"9": {"maps": "", "fd/7": "->" + target},
	})
	s := scan(root, All)
	uid := uint64(1001)
	got := s.Processes(FileID{"00:1a", 77})
	want := []Process{{PID: 4, Command: "worker", UID: &uid, Mapped: true}, {PID: 8, Mapped: true}}
	if len(got) != 2 || got[0].UID == nil || *got[0].UID != 1001 {
		t.Fatalf("Processes = %+v, want %+v", got, want)
	}
	got[0].UID = &uid
	if !slices.Equal(got, want) {
		t.Errorf("Processes = %+v, want %+v", got, want)
	}
	if got := s.Processes(held); len(got) != 2 || got[0].PID != 4 || got[0].Mapped || !got[0].Open ||
		got[1] != (Process{PID: 9, Open: true}) {
		t.Errorf("Processes(held) = %+v, want 4 (open) and 9 (open only)", got)
	}
	if none := s.Processes(FileID{"00:1a", 78}); none == nil || len(none) != 0 {
		t.Errorf("Processes(unused) = %#v, want an empty, non-nil slice", none)
	}
}

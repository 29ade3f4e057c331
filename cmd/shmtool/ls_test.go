package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// notOurs writes, in dir, another program's file and a liveness file as
// live makes them, and returns their paths.
func notOurs(t *testing.T, dir string) (foreign, liveness string) {
	t.Helper()
	foreign, liveness = filepath.Join(dir, "other-program.lock"), filepath.Join(dir, live.Prefix+"00000000deadbeef")
	if err := os.WriteFile(foreign, []byte("another program's lock file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(liveness, fmt.Appendf(nil, "pid=%d start=1\n", os.Getpid()), 0o644); err != nil {
		t.Fatal(err)
	}
	return foreign, liveness
}

func lsJSON(t *testing.T, args ...string) []segmentJSON {
	t.Helper()
	var list []segmentJSON
	if err := json.Unmarshal([]byte(mustRun(t, append([]string{"ls", "--json"}, args...)...)), &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// ls reads each file's magic before it locks anything. In a directory
// that holds a segment, another program's file and a liveness file, the
// latter two locked exclusively by another process throughout, ls lists
// only the segment (not "segment not ready"), and inspect fails on the
// others at once instead of waiting for their locks.
func TestLsListsOnlySegments(t *testing.T) {
	dir := t.TempDir()
	seg := filepath.Join(dir, "seg")
	mustRun(t, "create", "--size", "4K", seg)
	foreign, liveness := notOurs(t, dir)
	testutil.HoldFlock(t, foreign, liveness)

	if list := lsJSON(t, dir); len(list) != 1 || list[0].Name != seg || list[0].Error != "" {
		t.Errorf("ls --json %s = %+v, want only %s", dir, list, seg)
	}
	out := mustRun(t, "ls", dir)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], seg+" ") {
		t.Errorf("ls %s =\n%s\nwant the header and %s only", dir, out, seg)
	}
	for _, tt := range []struct{ path, want string }{{foreign, "no shmkit header"}, {liveness, "liveness file"}} {
		start := time.Now()
		_, errOut, code := shmtool(t, "inspect", tt.path)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("inspect %s: exit %d, stderr %q; want 1 and %q", tt.path, code, errOut, tt.want)
		}
		if d := time.Since(start); d >= 2*time.Second { // Open's default timeout: a wait for the lock uses it up
			t.Errorf("inspect %s took %v: it waited for the file's lock", tt.path, d)
		}
	}
	for _, path := range []string{foreign, liveness} {
		if !testutil.Flocked(t, path) {
			t.Fatalf("%s is no longer locked by its holder", path) // the checks above were vacuous
		}
	}
}

// The same in /dev/shm itself, with real liveness files of live
// processes; only this test's own files are looked at.
func TestLsDevShm(t *testing.T) {
	seg, foreign := testutil.Name(t), testutil.Name(t)
	mustRun(t, "create", "--size", "4K", seg)
	defer shm.Remove(seg)
	if err := os.WriteFile(filepath.Join(shm.DefaultDir, foreign), []byte("another program's lock file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(filepath.Join(shm.DefaultDir, foreign))
	testutil.HoldFlock(t, filepath.Join(shm.DefaultDir, foreign))
	_, tok1 := testutil.LiveToken(t)
	_, tok2 := testutil.LiveToken(t)
	listed := map[string]bool{}
	for _, s := range lsJSON(t) {
		listed[s.Name] = true
	}
	if !listed[seg] {
		t.Errorf("ls --json does not list %s", seg)
	}
	for _, name := range []string{foreign, filepath.Base(live.Path(tok1)), filepath.Base(live.Path(tok2))} {
		if listed[name] {
			t.Errorf("ls --json lists %s, which is no segment", name)
		}
	}
}

// ls --all shows the files without the shmkit magic too, as foreign.
func TestLsAll(t *testing.T) {
	dir := t.TempDir()
	seg := filepath.Join(dir, "seg")
	mustRun(t, "create", "--size", "4K", seg)
	foreign, liveness := notOurs(t, dir)
	testutil.HoldFlock(t, foreign, liveness)

	list := lsJSON(t, "--all", dir)
	got := map[string]segmentJSON{}
	for _, s := range list {
		got[s.Name] = s
	}
	if s := got[seg]; len(list) != 3 || s.Foreign || s.Kind != "raw" || s.Error != "" {
		t.Errorf("ls --all --json %s = %+v, want %s as a raw segment and two foreign files", dir, list, seg)
	}
	for _, path := range []string{foreign, liveness} {
		if s := got[path]; !s.Foreign || s.Kind != "" || s.Size == 0 {
			t.Errorf("ls --all --json lists %s as %+v, want foreign", path, s)
		}
	}
	out := mustRun(t, "ls", "--all", dir)
	for _, want := range []string{seg + " raw ", foreign + " foreign ", liveness + " liveness "} {
		if !strings.Contains(strings.Join(strings.Fields(out), " ")+" ", want) {
			t.Errorf("ls --all %s =\n%s\nwant a row %q", dir, out, want)
		}
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/gc"
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

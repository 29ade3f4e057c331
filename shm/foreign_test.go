package shm_test

import (
	"errors"
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

// foreignDir returns a directory holding a segment, another program's file
// and a liveness file, both of the latter held under an exclusive flock by
// a child, as their owners hold them.
func foreignDir(t *testing.T) (dir, seg, foreign, liveness string) {
	t.Helper()
	dir = t.TempDir()
	seg, foreign, liveness = dir+"/seg", dir+"/other-program.lock", dir+"/"+live.Prefix+"00000000deadbeef"
	create(t, seg, 64, nil).Close()
	if err := os.WriteFile(foreign, []byte("another program's lock file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(liveness, fmt.Appendf(nil, "pid=%d start=1\n", os.Getpid()), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.HoldFlock(t, foreign, liveness)
	return dir, seg, foreign, liveness
}

// List reads a file's magic before it locks anything: another program's
// flock-held file and a liveness file are left out, not listed as "not
// ready", and Stat and Open fail on them at once with ErrBadMagic instead
// of waiting for a lock that is not theirs.
func TestForeignFilesLeftAlone(t *testing.T) {
	dir, seg, foreign, liveness := foreignDir(t)
	list, err := shm.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != seg || list[0].Err != nil {
		t.Errorf("List(%s) = %+v, want only %s", dir, list, seg)
	}
	for _, path := range []string{foreign, liveness} {
		if _, err := shm.Stat(path); !errors.Is(err, shm.ErrBadMagic) {
			t.Errorf("Stat(%s) = %v, want ErrBadMagic", path, err)
		}
		opts := &shm.Options{Timeout: 10 * time.Second}
		start := time.Now()
		s, err := shm.Open(path, opts)
		if err == nil {
			s.Close()
		}
		if !errors.Is(err, shm.ErrBadMagic) {
			t.Errorf("Open(%s) = %v, want ErrBadMagic", path, err)
		}
		if d := time.Since(start); d >= opts.Timeout {
			t.Errorf("Open(%s) took %v: it waited for the file's lock", path, d)
		}
		if !testutil.Flocked(t, path) {
			t.Fatalf("%s is no longer locked by its holder", path) // the checks above were vacuous
		}
	}
	if _, err := shm.Stat(liveness); err == nil || !strings.Contains(err.Error(), "liveness file") {
		t.Errorf("Stat(liveness file) = %v, want it to say what the file is", err)
	}
}

// A real liveness file, of a live process, in /dev/shm.
func TestLivenessFileLeftAlone(t *testing.T) {
	_, tok := testutil.LiveToken(t)
	path := live.Path(tok)
	start := time.Now()
	s, err := shm.Open(path, &shm.Options{Timeout: 10 * time.Second})
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, shm.ErrBadMagic) || !strings.Contains(err.Error(), "liveness file") {
		t.Errorf("Open(%s) = %v, want ErrBadMagic saying it is a liveness file", path, err)
	}
	if d := time.Since(start); d >= 10*time.Second {
		t.Errorf("Open(%s) took %v: it waited for the file's lock", path, d)
	}
	list, err := shm.List("")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == filepath.Base(path) {
			t.Errorf("List() includes the liveness file %s: %+v", e.Name, e)
		}
	}
}

// ListAll lists the files List leaves out, each with ErrBadMagic, and the
// liveness file saying what it is.
func TestListAll(t *testing.T) {
	dir, seg, foreign, liveness := foreignDir(t)
	all, err := shm.ListAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]shm.Info{}
	for _, e := range all {
		got[e.Name] = e
	}
	if e := got[seg]; len(all) != 3 || e.Err != nil || e.Header.Kind != "raw" {
		t.Fatalf("ListAll(%s) = %+v, want %s and two foreign files", dir, all, seg)
	}
	for _, path := range []string{foreign, liveness} {
		if e := got[path]; !errors.Is(e.Err, shm.ErrBadMagic) || e.Size == 0 || e.Mode == 0 {
			t.Errorf("ListAll lists %s as %+v, want ErrBadMagic with its size and mode", path, e)
		}
	}
	if err := got[liveness].Err; err == nil || !strings.Contains(err.Error(), "liveness file") {
		t.Errorf("ListAll: liveness file's Err = %v, want it to say what the file is", err)
	}
}

package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// shmDir is where bare segment names live (shm.DefaultDir; testutil does
// not import shm so that shm's own tests can use it).
const shmDir = "/dev/shm"

var seq atomic.Int64

// prefix starts every name this test process makes, so that leftovers can
// be traced to the run that made them.
var prefix = fmt.Sprintf("shmkit-test-%d-", os.Getpid())

// Name returns a segment name unique to this test and this run, and fails
// the test if a segment by that name still exists when the test ends (the
// leftover is then removed).
func Name(t testing.TB) string {
	t.Helper()
	base := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	if len(base) > 40 {
		base = base[len(base)-40:]
	}
	name := fmt.Sprintf("%s%d-%s", prefix, seq.Add(1), base)
	path := filepath.Join(shmDir, name)
	t.Cleanup(func() {
		if _, err := os.Lstat(path); err == nil {
			t.Errorf("test leaked segment %s", path)
			_ = os.Remove(path)
		}
	})
	return name
}

// findLeaks lists segments, descriptors and mappings of this run's names
// that are still there.
func findLeaks() []string {
	var leaks []string
	matches, _ := filepath.Glob(filepath.Join(shmDir, prefix+"*"))
	for _, m := range matches {
		leaks = append(leaks, "segment "+m)
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.Contains(target, prefix) {
			leaks = append(leaks, "descriptor "+fd.Name()+" -> "+target)
		}
	}
	if maps, err := os.ReadFile("/proc/self/maps"); err == nil {
		for _, line := range strings.Split(string(maps), "\n") {
			if strings.Contains(line, prefix) {
				leaks = append(leaks, "mapping "+line)
			}
		}
	}
	return leaks
}

func cleanLeaks() {
	matches, _ := filepath.Glob(filepath.Join(shmDir, prefix+"*"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}

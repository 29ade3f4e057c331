package testutil

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
)

func init() {
	Child("testutil-hold-flock", func(paths []string) error {
		files := make([]*os.File, 0, len(paths))
		for _, path := range paths {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
				return fmt.Errorf("flock %s: %w", path, err)
			}
			files = append(files, f)
		}
		Send("locked")
		Recv()                   // until killed
		runtime.KeepAlive(files) // a collected *os.File closes its descriptor, and the lock goes with it
		return nil
	})
}

// HoldFlock starts a child that holds an exclusive flock on each of paths,
// as another program would, until it is killed or the test ends. It
// returns once every lock is held.
func HoldFlock(t testing.TB, paths ...string) *Proc {
	t.Helper()
	p := Start(t, "testutil-hold-flock", paths...)
	p.Expect("locked")
	for _, path := range paths {
		if !Flocked(t, path) {
			t.Fatalf("Flocked(%s) = false after the child locked it", path)
		}
	}
	return p
}

// Flocked reports whether another open file description holds an
// exclusive flock on path. It tries a shared lock without waiting, on a
// descriptor of its own, and closes it at once.
func Flocked(t testing.TB, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); {
	case err == nil:
		return false
	case errors.Is(err, syscall.EWOULDBLOCK):
		return true
	default:
		t.Fatalf("flock %s: %v", path, err)
		return false
	}
}

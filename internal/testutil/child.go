package testutil

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/reexec"
)

// Child registers fn to run when the test binary is started as the child
// called name (a reexec role). The child exits 0 when fn returns nil, and
// 1, with the error on stderr, otherwise. Call Child before Main.
func Child(name string, fn func(args []string) error) {
	reexec.Register(name, func(_ context.Context, args []string) error { return fn(args) })
}

// Main runs the tests, or, in a child process, the role the environment
// names (see internal/reexec: roles registered there directly run too).
// After the tests it fails the run if any segment, descriptor or mapping
// made by a test is left behind.
func Main(m *testing.M) {
	reexec.Main()
	code := m.Run()
	// Liveness files: ours goes now, and dead children's are swept.
	live.Release()
	live.Sweep()
	if leaks := findLeaks(); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "testutil: tests leaked:\n\t%s\n", strings.Join(leaks, "\n\t"))
		cleanLeaks()
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Send writes one line to the parent; for use in a child.
func Send(format string, args ...any) { _ = reexec.Send(format, args...) }

// Recv reads one line from the parent; for use in a child. It returns ""
// when the parent has closed the pipe.
func Recv() string {
	line, _ := reexec.Recv()
	return line
}

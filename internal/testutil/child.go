package testutil

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/live"
)

const childEnv = "SHMKIT_TEST_CHILD"

var children = map[string]func(args []string) error{}

// Child registers fn to run when the test binary is started as the child
// called name. The child exits 0 when fn returns nil, and 1, with the error
// on stderr, otherwise. Call Child before Main.
func Child(name string, fn func(args []string) error) {
	if _, dup := children[name]; dup {
		panic("testutil: child " + name + " registered twice")
	}
	children[name] = fn
}

// Main runs the tests, or, in a child process, the child the environment
// names. After the tests it fails the run if any segment, descriptor or
// mapping made by a test is left behind.
func Main(m *testing.M) {
	if name, ok := os.LookupEnv(childEnv); ok {
		os.Exit(runChild(name))
	}
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

func runChild(name string) int {
	fn := children[name]
	if fn == nil {
		names := make([]string, 0, len(children))
		for n := range children {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "testutil: no child %q (have %v)\n", name, names)
		return 2
	}
	if err := fn(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "child %s: %v\n", name, err)
		return 1
	}
	return 0
}

var stdin = bufio.NewReader(os.Stdin)

// Send writes one line to the parent; for use in a child.
func Send(format string, args ...any) {
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

// Recv reads one line from the parent; for use in a child. It returns ""
// when the parent has closed the pipe.
func Recv() string {
	line, _ := stdin.ReadString('\n')
	return strings.TrimSuffix(line, "\n")
}

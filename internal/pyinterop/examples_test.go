//go:build linux

package pyinterop_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

// The examples in examples/python-go, as their README runs them: each
// producer, then its consumer, which reads every message and removes the
// segment.
func TestExamples(t *testing.T) {
	py := testutil.Python3(t)
	root, _ := filepath.Abs("../..")
	run := func(t *testing.T, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonDir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goBin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	t.Run("python-to-go", func(t *testing.T) {
		name := testutil.Name(t)
		run(t, py, "examples/python-go/producer.py", name)
		out := run(t, goBin, "run", "./examples/python-go/consumer", "-name", name)
		if strings.Count(out, "go got tick") != 10 || !strings.Contains(out, "go got tick 9") {
			t.Fatalf("the Go consumer printed:\n%s", out)
		}
	})
	t.Run("go-to-python", func(t *testing.T) {
		name := testutil.Name(t)
		run(t, goBin, "run", "./examples/python-go/producer", "-name", name)
		out := run(t, py, "examples/python-go/consumer.py", name)
		if strings.Count(out, "python got job") != 10 || !strings.Contains(out, "python got job 9") {
			t.Fatalf("the Python consumer printed:\n%s", out)
		}
	})
}

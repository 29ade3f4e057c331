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

// runSuite runs the Python package's own tests (python/tests/test_*.py)
// with interpreter py, failing with their output if any fails.
func runSuite(t *testing.T, py string, env ...string) string {
	t.Helper()
	cmd := exec.Command(py, "-m", "unittest", "discover", "-s", filepath.Join(pythonDir, "tests"), "-t", filepath.Join(pythonDir, "tests"))
	cmd.Env = append(append(os.Environ(), "PYTHONPATH="+pythonDir, "PYTHONDONTWRITEBYTECODE=1"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: python's tests failed: %v\n%s", py, err, out)
	}
	return string(out)
}

// The Python package's unittest suite, with the machine's python3: every
// kind between Python threads and processes, and 2,000 hostile scribbles.
func TestPythonSuite(t *testing.T) {
	out := runSuite(t, testutil.Python3(t))
	t.Log(lastLines(out, 4))
}

// The package runs on CPython 3.9 and later: the suite again with every
// other interpreter of 3.9 or later this machine has (pyenv's, or
// python3.X on PATH). python3 itself runs in TestPythonSuite.
func TestPythonVersions(t *testing.T) {
	out, err := exec.Command(testutil.Python3(t), "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, v := range []string{"3.9", "3.10", "3.11", "3.12", "3.13", "3.14"} {
		if v == strings.TrimSpace(string(out)) {
			continue // python3's own
		}
		if py := interpreter(v); py != "" {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		t.Skip("no other python3.X here than python3, which TestPythonSuite runs")
	}
	for _, py := range found {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(py)))+"/"+filepath.Base(py), func(t *testing.T) {
			runSuite(t, py, "SHMKIT_HOSTILE_ROUNDS=500")
		})
	}
}

// interpreter returns a python3.X (X from v) that really runs: pyenv's
// shims name versions that are not selected, so each is tried.
func interpreter(v string) string {
	candidates, _ := filepath.Glob(filepath.Join(os.Getenv("HOME"), ".pyenv/versions", v+".*", "bin", "python"+v))
	if p, err := exec.LookPath("python" + v); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if exec.Command(c, "-c", "import sys; assert sys.version_info >= (3, 9)").Run() == nil {
			return c
		}
	}
	return ""
}

// Array.numpy() with an interpreter that has numpy (CI installs Debian's
// python3-numpy for /usr/bin/python3): a view of the shared bytes, no copy.
func TestNumpy(t *testing.T) {
	testutil.Python3(t)
	py := ""
	for _, c := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(c, "-c", "import numpy").Run() == nil {
			py = c
			break
		}
	}
	if py == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no python3 with numpy: CI installs python3-numpy")
		}
		t.Skip("no python3 with numpy here")
	}
	cmd := exec.Command(py, "-m", "unittest", "-v", "test_value.TestArray.test_numpy_view")
	cmd.Dir = filepath.Join(pythonDir, "tests")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonDir, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") || strings.Contains(string(out), "skipped") {
		t.Fatalf("%s: numpy test: %v\n%s", py, err, out)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// pip install ./python works offline (the in-tree build backend needs
// nothing downloaded), and the installed package works from anywhere.
func TestPipInstall(t *testing.T) {
	py := testutil.Python3(t)
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(py, "-m", "venv", venv).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 -m venv: %v\n%s", err, out)
		}
		t.Skipf("no venv module here: %s", out)
	}
	pip := exec.Command(filepath.Join(venv, "bin", "pip"), "install", "--no-index", "--disable-pip-version-check", "-q", pythonDir)
	if out, err := pip.CombinedOutput(); err != nil {
		t.Fatalf("pip install ./python: %v\n%s", err, out)
	}
	name := testutil.Name(t)
	check := exec.Command(filepath.Join(venv, "bin", "python"), "-c", `
import sys, shmkit
assert shmkit.__file__.startswith(sys.prefix), shmkit.__file__
r = shmkit.Ring(sys.argv[1], create=True, capacity=4096)
p, c = r.producer(), r.consumer()
p.write(b"installed")
assert c.read() == b"installed"
p.close(); c.close(); r.close(); r.unlink()
print("ok")`, name)
	check.Dir = t.TempDir() // not the checkout: the installed copy must be the one imported
	if out, err := check.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("the installed package: %v\n%s", err, out)
	}
}

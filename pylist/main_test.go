package pylist_test

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pylist"
)

func TestMain(m *testing.M) {
	testutil.Main(m)
}

// python returns the interpreter the interop tests drive: $PYLIST_PYTHON
// if set (to run the suite against another CPython, e.g.
// PYLIST_PYTHON=/usr/bin/python3.13), else python3, which the tests skip
// without, or fail without under CI=true.
func python(t *testing.T) string {
	t.Helper()
	if py := os.Getenv("PYLIST_PYTHON"); py != "" {
		return py
	}
	return testutil.Python3(t)
}

// pyLayout returns the layout the interpreter py writes, failing the test
// if pylist does not know its version.
func pyLayout(t *testing.T, py string) pylist.Layout {
	t.Helper()
	major, minor := pyVersion(t, py)
	l, err := pylist.LayoutFor(major, minor)
	if err != nil {
		t.Fatalf("%s is CPython %d.%d, whose ShareableList layout pylist does not know: "+
			"read its Lib/multiprocessing/shared_memory.py, compare it with the table in doc.go "+
			"and extend LayoutFor (%v)", py, major, minor, err)
	}
	return l
}

func pyVersion(t *testing.T, py string) (major, minor int) {
	t.Helper()
	out, err := exec.Command(py, "testdata/sl.py", "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", py, err, out)
	}
	if _, err := fmt.Sscan(string(out), &major, &minor); err != nil {
		t.Fatalf("%s version said %q: %v", py, out, err)
	}
	return major, minor
}

// A pyProc is testdata/sl.py running one command, spoken to line by line.
type pyProc struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin interface {
		Write([]byte) (int, error)
		Close() error
	}
	lines chan string
}

func startPy(t *testing.T, py string, args ...string) *pyProc {
	t.Helper()
	cmd := exec.Command(py, append([]string{"testdata/sl.py"}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &pyProc{t: t, cmd: cmd, stdin: stdin, lines: make(chan string)}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		stdin.Close()
		for range p.lines { // drain, so that python can exit
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("python %v: %v\n%s", args, err, stderr.String())
		} else if s := strings.TrimSpace(stderr.String()); s != "" {
			t.Errorf("python %v wrote to stderr (a resource_tracker warning is a leak):\n%s", args, s)
		}
	})
	return p
}

// line returns python's next line.
func (p *pyProc) line() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.t.Fatal("python exited early")
		}
		return l
	case <-time.After(60 * time.Second):
		p.t.Fatal("python said nothing for 60 s")
	}
	return ""
}

func (p *pyProc) expect(want string) {
	p.t.Helper()
	if got := p.line(); got != want {
		p.t.Fatalf("python said %q, want %q", got, want)
	}
}

func (p *pyProc) send(format string, args ...any) {
	p.t.Helper()
	if _, err := fmt.Fprintf(p.stdin, format+"\n", args...); err != nil {
		p.t.Fatal(err)
	}
}

// quit asks a serving python to unlink its list and exit.
func (p *pyProc) quit() {
	p.t.Helper()
	p.send("quit")
	p.expect("bye")
}

// A dump is what sl.py prints of a list: each item as [type, text], and
// each item's struct format.
type dump struct {
	Items   [][2]string `json:"items"`
	Formats []string    `json:"formats"`
}

func (p *pyProc) dump() dump {
	p.t.Helper()
	var d dump
	if l := p.line(); json.Unmarshal([]byte(l), &d) != nil {
		p.t.Fatalf("python's dump is not JSON: %q", l)
	}
	return d
}

// tag returns v as sl.py's dump tags it.
func tag(v any) [2]string {
	switch x := v.(type) {
	case nil:
		return [2]string{"None", ""}
	case bool:
		if x {
			return [2]string{"bool", "True"}
		}
		return [2]string{"bool", "False"}
	case int64:
		return [2]string{"int", fmt.Sprint(x)}
	case float64:
		return [2]string{"float", hex.EncodeToString(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))}
	case string:
		return [2]string{"str", hex.EncodeToString([]byte(x))}
	case []byte:
		return [2]string{"bytes", hex.EncodeToString(x)}
	case error:
		return [2]string{"error", x.Error()}
	}
	panic(fmt.Sprintf("tag %T", v))
}

// pyArg returns v as sl.py's set command takes it: "TYPE HEX".
func pyArg(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "bool 01"
		}
		return "bool 00"
	case int64:
		return "int " + hex.EncodeToString([]byte(fmt.Sprint(x)))
	case float64:
		return "float " + hex.EncodeToString(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))
	case string:
		return "str " + hex.EncodeToString([]byte(x))
	case []byte:
		return "bytes " + hex.EncodeToString(x)
	}
	panic(fmt.Sprintf("pyArg %T", v))
}

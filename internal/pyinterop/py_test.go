//go:build linux

package pyinterop_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
)

// pythonDir is the Python package's directory, python/ at the root.
var pythonDir, _ = filepath.Abs("../../python")

// pyProc is a python3 running python/tests/peer.py.
type pyProc struct {
	t     testing.TB
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	errb  strings.Builder
	done  chan struct{}
	err   error
}

// startPy runs peer.py with args, and kills it when the test ends.
func startPy(t testing.TB, args ...string) *pyProc {
	t.Helper()
	py := testutil.Python3(t)
	cmd := exec.Command(py, append([]string{filepath.Join(pythonDir, "tests", "peer.py")}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonDir, "PYTHONDONTWRITEBYTECODE=1")
	p := &pyProc{t: t, cmd: cmd, lines: make(chan string, 64), done: make(chan struct{})}
	cmd.Stderr = &p.errb
	p.stdin, _ = cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	return p
}

// line returns the next line python printed, failing after a minute.
func (p *pyProc) line() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			<-p.done
			p.t.Fatalf("python exited (%v) before saying more; stderr:\n%s", p.err, p.errb.String())
		}
		return l
	case <-time.After(time.Minute):
		p.t.Fatalf("python said nothing for a minute; stderr:\n%s", p.errb.String())
	}
	return ""
}

// expect fails unless python's next line starts with word; it returns the
// fields after it.
func (p *pyProc) expect(word string) []string {
	p.t.Helper()
	l := p.line()
	f := strings.Fields(l)
	if len(f) == 0 || f[0] != word {
		p.t.Fatalf("python said %q, want %q...; stderr:\n%s", l, word, p.errb.String())
	}
	return f[1:]
}

// done waits for "done COUNT CRC" and returns them.
func (p *pyProc) finish() (n int, crc uint32) {
	p.t.Helper()
	f := p.expect("done")
	if _, err := fmt.Sscan(strings.Join(f, " "), &n, &crc); err != nil {
		p.t.Fatalf("python's done line %q: %v", f, err)
	}
	p.wait()
	return n, crc
}

func (p *pyProc) send(s string) { fmt.Fprintln(p.stdin, s) }

// wait waits for python to exit 0.
func (p *pyProc) wait() {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		p.t.Fatal("python did not exit")
	}
	if p.err != nil {
		p.t.Fatalf("python: %v; stderr:\n%s", p.err, p.errb.String())
	}
}

// kill SIGKILLs python and waits for it.
func (p *pyProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// pattern and message are peer.py's: message i is i's 8 bytes, then 0 to
// 56 bytes of pattern from i % 251, so both languages make the same ones.
var pattern = func() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	return b
}()

func message(buf []byte, i int) []byte {
	k := i % 251
	buf = binary.LittleEndian.AppendUint64(buf[:0], uint64(i))
	return append(buf, pattern[k:k+i%57]...)
}

// checker follows a sequence of messages: each must be message(i) for
// the next i; crc is their CRC-32 (IEEE, as Python's zlib.crc32).
type checker struct {
	t   testing.TB
	n   int
	crc uint32
	buf []byte
}

// add checks m; on a mismatch it fails the test (Errorf: it may run in
// a goroutine) and reports false.
func (c *checker) add(m []byte) bool {
	want := message(c.buf, c.n)
	c.buf = want
	if string(m) != string(want) {
		c.t.Errorf("message %d: got %x, want %x", c.n, m[:min(len(m), 16)], want[:min(len(want), 16)])
		return false
	}
	c.crc = crc32.Update(c.crc, crc32.IEEETable, m)
	c.n++
	return true
}

// messages is how many each interop run sends: 10^6, or 10^5 with -short.
func messages() int {
	if testing.Short() {
		return 100_000
	}
	return 1_000_000
}

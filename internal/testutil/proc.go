package testutil

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Timeout bounds every wait on a child, so that a hung child fails its
// test instead of the whole run.
var Timeout = 60 * time.Second

// Proc is a running child process.
type Proc struct {
	t      testing.TB
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *lineQueue
	stderr lockedBuffer
	done   chan struct{}
	err    error // valid once done is closed
}

// Start re-executes the test binary as the child called name with args.
// The child is killed, if still running, when the test ends.
func Start(t testing.TB, name string, args ...string) *Proc {
	t.Helper()
	return StartEnv(t, nil, name, args...)
}

// StartEnv is Start with extra environment variables ("K=V"), for example
// to arm a failpoint in the child.
func StartEnv(t testing.TB, env []string, name string, args ...string) *Proc {
	t.Helper()
	return start(t, env, nil, name, args)
}

// StartFiles is Start with extra open files, which the child sees as
// descriptors 3, 4, ... (exec.Cmd.ExtraFiles): for raw pipes that bypass
// the line handshake.
func StartFiles(t testing.TB, files []*os.File, name string, args ...string) *Proc {
	t.Helper()
	return start(t, nil, files, name, args)
}

func start(t testing.TB, env []string, files []*os.File, name string, args []string) *Proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append(os.Environ(), childEnv+"="+name), env...)
	cmd.ExtraFiles = files
	p := &Proc{t: t, name: name, cmd: cmd, lines: newLineQueue(), done: make(chan struct{})}
	cmd.Stderr = &p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child %s: %v", name, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines.push(sc.Text())
		}
		p.lines.close()
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// Pid returns the child's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// ReadLine returns the child's next line of output. It fails the test if
// the child exits or stays silent for Timeout.
func (p *Proc) ReadLine() string {
	p.t.Helper()
	line, ok := p.TryReadLine()
	if !ok {
		p.wait()
		p.t.Fatalf("child %s exited (%v) before writing a line; stderr:\n%s", p.name, p.err, p.stderr.String())
	}
	return line
}

// TryReadLine returns the child's next line, or false once the child has
// closed its stdout. It fails the test if the child stays silent and
// running for Timeout.
func (p *Proc) TryReadLine() (string, bool) {
	p.t.Helper()
	line, ok, timedOut := p.lines.next(Timeout)
	if timedOut {
		_ = p.cmd.Process.Kill()
		p.t.Fatalf("child %s wrote nothing for %v; stderr:\n%s", p.name, Timeout, p.stderr.String())
	}
	return line, ok
}

// Expect reads the child's next line and fails the test unless it is want.
func (p *Proc) Expect(want string) {
	p.t.Helper()
	if got := p.ReadLine(); got != want {
		p.t.Fatalf("child %s said %q, want %q; stderr:\n%s", p.name, got, want, p.stderr.String())
	}
}

// Send writes one line to the child's stdin.
func (p *Proc) Send(format string, args ...any) {
	p.t.Helper()
	if _, err := fmt.Fprintf(p.stdin, format+"\n", args...); err != nil {
		p.t.Fatalf("send to child %s: %v", p.name, err)
	}
}

// Wait waits for the child to exit and fails the test unless it exited 0.
func (p *Proc) Wait() {
	p.t.Helper()
	if err := p.wait(); err != nil {
		p.t.Fatalf("child %s: %v; stderr:\n%s", p.name, err, p.stderr.String())
	}
}

// WaitError waits for the child to exit and returns its exit error (nil
// for exit status 0). It fails the test if the child outlives Timeout.
func (p *Proc) WaitError() error {
	p.t.Helper()
	return p.wait()
}

func (p *Proc) wait() error {
	p.t.Helper()
	_ = p.stdin.Close()
	select {
	case <-p.done:
		return p.err
	case <-time.After(Timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("child %s still running after %v; killed; stderr:\n%s", p.name, Timeout, p.stderr.String())
		return nil
	}
}

// Kill sends SIGKILL to the child and waits for it to die.
func (p *Proc) Kill() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	if sig := p.Signal(); sig != syscall.SIGKILL {
		p.t.Fatalf("child %s ended by %v, want SIGKILL", p.name, sig)
	}
}

// Signal waits for the child to exit and returns the signal that ended it,
// or 0 if it exited normally.
func (p *Proc) Signal() syscall.Signal {
	p.t.Helper()
	return ExitSignal(p.wait())
}

// Exited reports whether the child has exited, without waiting.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stderr returns what the child has written to stderr so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// ExitSignal returns the signal that ended a process, from the error of
// exec.Cmd.Wait, or 0 if the process was not killed by a signal.
func ExitSignal(err error) syscall.Signal {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal()
		}
	}
	return 0
}

// lockedBuffer is a bytes.Buffer safe for the writer goroutine of exec and
// a reading test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}

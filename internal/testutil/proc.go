package testutil

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
)

// Timeout bounds every wait on a child, so that a hung child fails its
// test instead of the whole run.
var Timeout = 60 * time.Second

// Proc is a running child process: a reexec.Child whose failures fail
// the test.
type Proc struct {
	t    testing.TB
	name string
	c    *reexec.Child
}

// Start re-executes the test binary as the child called name with args.
// The child is killed, if still running, when the test ends.
func Start(t testing.TB, name string, args ...string) *Proc {
	t.Helper()
	return start(t, name, reexec.Options{Args: args})
}

// StartEnv is Start with extra environment variables ("K=V"), for example
// to arm a failpoint in the child.
func StartEnv(t testing.TB, env []string, name string, args ...string) *Proc {
	t.Helper()
	return start(t, name, reexec.Options{Args: args, Env: env})
}

// StartFiles is Start with extra open files, which the child sees as
// descriptors 3, 4, ... (exec.Cmd.ExtraFiles): for raw pipes that bypass
// the line handshake.
func StartFiles(t testing.TB, files []*os.File, name string, args ...string) *Proc {
	t.Helper()
	return start(t, name, reexec.Options{Args: args, Files: files})
}

// StartOptions is Start with every reexec option: extra files and
// environment together, as an exec.Cmd prepared by another package
// (shmnet's Attach) carries them.
func StartOptions(t testing.TB, name string, o reexec.Options) *Proc {
	t.Helper()
	return start(t, name, o)
}

func start(t testing.TB, name string, o reexec.Options) *Proc {
	t.Helper()
	c, err := reexec.Start(context.Background(), name, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Kill() })
	return &Proc{t: t, name: name, c: c}
}

// Pid returns the child's process id.
func (p *Proc) Pid() int { return p.c.Pid() }

// ReadLine returns the child's next line of output. It fails the test if
// the child exits or stays silent for Timeout.
func (p *Proc) ReadLine() string {
	p.t.Helper()
	line, ok := p.TryReadLine()
	if !ok {
		err := p.wait()
		p.t.Fatalf("child %s exited (%v) before writing a line; stderr:\n%s", p.name, err, p.Stderr())
	}
	return line
}

// TryReadLine returns the child's next line, or false once the child has
// closed its stdout. It fails the test if the child stays silent and
// running for Timeout.
func (p *Proc) TryReadLine() (string, bool) {
	p.t.Helper()
	line, err := p.c.ReadLine(Timeout)
	switch {
	case err == io.EOF:
		return "", false
	case err != nil:
		_ = p.c.Kill()
		p.t.Fatalf("%v; stderr:\n%s", err, p.Stderr())
	}
	return line, true
}

// Expect reads the child's next line and fails the test unless it is want.
func (p *Proc) Expect(want string) {
	p.t.Helper()
	rest, err := p.c.Expect(want, Timeout)
	switch {
	case err != nil:
		p.t.Fatal(err)
	case rest != "":
		p.t.Fatalf("child %s said %q, want %q; stderr:\n%s", p.name, want+" "+rest, want, p.Stderr())
	}
}

// Send writes one line to the child's stdin.
func (p *Proc) Send(format string, args ...any) {
	p.t.Helper()
	if err := p.c.Send(format, args...); err != nil {
		p.t.Fatal(err)
	}
}

// Wait waits for the child to exit and fails the test unless it exited 0.
func (p *Proc) Wait() {
	p.t.Helper()
	if err := p.wait(); err != nil {
		p.t.Fatalf("child %s: %v; stderr:\n%s", p.name, err, p.Stderr())
	}
}

// WaitError waits for the child to exit and returns its exit error (nil
// for exit status 0, an *exec.ExitError otherwise). It fails the test if
// the child outlives Timeout.
func (p *Proc) WaitError() error {
	p.t.Helper()
	return p.wait()
}

// wait closes the child's stdin, waits for it and returns its exit error.
func (p *Proc) wait() error {
	p.t.Helper()
	if err := p.c.Wait(Timeout); errors.Is(err, os.ErrDeadlineExceeded) {
		p.t.Fatal(err)
	}
	return p.c.Err()
}

// Kill sends SIGKILL to the child and waits for it to die.
func (p *Proc) Kill() {
	p.t.Helper()
	_ = p.c.Signal(syscall.SIGKILL)
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
	case <-p.c.Done():
		return true
	default:
		return false
	}
}

// Stderr returns what the child has written to stderr so far.
func (p *Proc) Stderr() string { return strings.TrimSpace(p.c.Stderr()) }

// ExitSignal returns the signal that ended a process, from the error of
// exec.Cmd.Wait, or 0 if the process was not killed by a signal.
func ExitSignal(err error) syscall.Signal { return reexec.ExitSignal(err) }

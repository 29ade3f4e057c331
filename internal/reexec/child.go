package reexec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// ErrExited is returned (wrapped) by Expect when the child ended, or
// closed its stdout, before it said what was expected.
var ErrExited = errors.New("child exited")

// String names the child in messages: "child ROLE (pid N)".
func (c *Child) String() string { return fmt.Sprintf("child %s (pid %d)", c.role, c.Pid()) }

// Pid returns the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// ReadLine returns the child's next line of output, without its newline.
// It returns io.EOF once the child has closed its stdout (usually by
// exiting) and every line has been read, and an error wrapping
// os.ErrDeadlineExceeded if neither a line nor the end came within
// timeout (timeout <= 0: no limit). The child is left running.
func (c *Child) ReadLine(timeout time.Duration) (string, error) {
	line, ok, timedOut := c.lines.next(timeout)
	switch {
	case timedOut:
		return "", &lineError{fmt.Sprintf("reexec: %s said nothing for %v", c, timeout), []error{os.ErrDeadlineExceeded}}
	case !ok:
		return "", io.EOF
	}
	return line, nil
}

// Expect reads the child's next line and returns what follows prefix in
// it: the line must be prefix itself ("" is returned) or prefix, a space
// and the rest. Anything else is an error, and so is the child ending
// first (wrapping ErrExited, with its exit status and stderr) or staying
// silent for timeout (wrapping os.ErrDeadlineExceeded).
func (c *Child) Expect(prefix string, timeout time.Duration) (string, error) {
	start := time.Now()
	line, err := c.ReadLine(timeout)
	switch {
	case err == io.EOF:
		return "", c.exitedBefore(fmt.Sprintf("saying %q", prefix), remaining(start, timeout))
	case err != nil:
		return "", &lineError{fmt.Sprintf("reexec: %s said nothing for %v, want %q%s", c, timeout, prefix, c.stderrNote()), []error{os.ErrDeadlineExceeded}}
	}
	if line == prefix {
		return "", nil
	}
	if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
		return rest, nil
	}
	return "", fmt.Errorf("reexec: %s said %q, want %q%s", c, line, prefix, c.stderrNote())
}

// exitedBefore is the error for a child whose stdout ended before it did
// what: it waits up to d for the exit status to say how it ended.
func (c *Child) exitedBefore(what string, d time.Duration) error {
	how, errs := "closed its stdout", []error{ErrExited}
	if c.waitDone(d) {
		how = "ended"
		if c.err != nil {
			how = fmt.Sprintf("ended (%v)", c.err)
			errs = append(errs, c.err)
		}
	}
	return &lineError{fmt.Sprintf("reexec: %s %s before %s%s", c, how, what, c.stderrNote()), errs}
}

// lineError is an error of the line protocol: its message says it all,
// and it wraps the sentinel (and exit error) that errors.Is and errors.As
// look for.
type lineError struct {
	msg  string
	errs []error
}

func (e *lineError) Error() string   { return e.msg }
func (e *lineError) Unwrap() []error { return e.errs }

func remaining(start time.Time, timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 0
	}
	return max(time.Millisecond, timeout-time.Since(start))
}

// Send writes one line to the child's stdin (format and args as for
// fmt.Printf; the newline is added).
func (c *Child) Send(format string, args ...any) error {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if _, err := fmt.Fprintf(c.in, format+"\n", args...); err != nil {
		return fmt.Errorf("reexec: send to %s: %w", c, err)
	}
	return nil
}

// CloseStdin closes the child's stdin: its Recv returns io.EOF after the
// lines already sent, and its role's context is cancelled. It may be
// called more than once.
func (c *Child) CloseStdin() error {
	var err error
	c.closeOnce.Do(func() {
		c.inMu.Lock()
		defer c.inMu.Unlock()
		err = c.in.Close()
	})
	return err
}

// Wait closes the child's stdin and waits for it to exit. It returns nil
// if it exited with status 0, and otherwise an error that says how it
// ended, with its stderr, wrapping the *exec.ExitError. A child still
// running after timeout (timeout <= 0: no limit) is killed, and the error
// wraps os.ErrDeadlineExceeded.
func (c *Child) Wait(timeout time.Duration) error {
	_ = c.CloseStdin()
	if !c.waitDone(timeout) {
		_ = c.Kill()
		return &lineError{fmt.Sprintf("reexec: %s still running after %v, killed%s", c, timeout, c.stderrNote()), []error{os.ErrDeadlineExceeded}}
	}
	if c.err != nil {
		return fmt.Errorf("reexec: %s: %w%s", c, c.err, c.stderrNote())
	}
	return nil
}

// waitDone waits up to d (d <= 0: no limit) for the child to be reaped.
func (c *Child) waitDone(d time.Duration) bool {
	if d <= 0 {
		<-c.done
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.done:
		return true
	case <-t.C:
		return false
	}
}

// Kill sends SIGKILL to the child, unless it has exited already, and waits
// until it has been reaped.
func (c *Child) Kill() error {
	err := c.Signal(syscall.SIGKILL)
	<-c.done
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}

// Signal sends sig to the child. It returns os.ErrProcessDone if the
// child has exited.
func (c *Child) Signal(sig os.Signal) error { return c.cmd.Process.Signal(sig) }

// Done is closed once the child has exited and been reaped.
func (c *Child) Done() <-chan struct{} { return c.done }

// Err returns how the child ended once Done is closed: nil for exit status
// 0, or the *exec.ExitError. Before that it returns nil.
func (c *Child) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Stderr returns what the child has written to stderr so far (the first
// MiB of it).
func (c *Child) Stderr() string { return c.stderr.String() }

// stderrNote quotes the end of the child's stderr for an error message.
func (c *Child) stderrNote() string {
	s := strings.TrimSpace(c.stderr.String())
	if s == "" {
		return ""
	}
	const keep = 4 << 10
	if len(s) > keep {
		s = "..." + s[len(s)-keep:]
	}
	return "; stderr:\n" + s
}

// ProcessState returns how the child ended, once Done is closed; nil
// before that.
func (c *Child) ProcessState() *os.ProcessState {
	select {
	case <-c.done:
		return c.cmd.ProcessState
	default:
		return nil
	}
}

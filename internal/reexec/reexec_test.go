package reexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// timeout bounds every wait in these tests; none should come near it.
const timeout = 30 * time.Second

func TestMain(m *testing.M) {
	Register("echo", func(_ context.Context, args []string) error {
		Send("ready %s", strings.Join(args, " "))
		line, err := Recv()
		if err != nil {
			return err
		}
		Send("got %s", line)
		return nil
	})
	Register("fail", func(context.Context, []string) error {
		Send("up")
		fmt.Fprintln(os.Stderr, "about to fail")
		return errors.New("it broke")
	})
	Register("chatty", func(context.Context, []string) error {
		for i := range 10000 {
			Send("line %d", i)
		}
		return nil
	})
	Register("until-eof", func(ctx context.Context, _ []string) error {
		Send("up")
		<-ctx.Done() // the parent closed our stdin
		_, err := Recv()
		Send("cancelled, Recv: %v", err)
		return nil
	})
	Register("until-killed", func(context.Context, []string) error {
		Send("up")
		blockForever()
		return nil
	})
	Register("env-files", func(_ context.Context, args []string) error {
		b, err := io.ReadAll(os.NewFile(3, "in"))
		if err != nil {
			return err
		}
		_, inherited := os.LookupEnv(EnvVar)
		Send("env %s role-var %v fd3 %s", os.Getenv("REEXEC_TEST"), inherited, b)
		return nil
	})
	Register("spawner", func(ctx context.Context, _ []string) error {
		c, err := Start(ctx, "until-killed", Options{})
		if err != nil {
			return err
		}
		if _, err := c.Expect("up", timeout); err != nil {
			return err
		}
		Send("grandchild %d", c.Pid())
		blockForever()
		return nil
	})
	Main()
	os.Exit(m.Run())
}

// blockForever blocks until a signal ends the process. (A bare select {}
// can be reported as a deadlock once stdin's reader has ended.)
func blockForever() {
	for {
		time.Sleep(time.Hour)
	}
}

func start(t *testing.T, role string, o Options) *Child {
	t.Helper()
	c, err := Start(context.Background(), role, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Kill() })
	return c
}

func expect(t *testing.T, c *Child, prefix string) string {
	t.Helper()
	rest, err := c.Expect(prefix, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return rest
}

func TestLines(t *testing.T) {
	c := start(t, "echo", Options{Args: []string{"a", "b"}})
	if got := expect(t, c, "ready"); got != "a b" {
		t.Fatalf(`Expect("ready") = %q, want "a b"`, got)
	}
	if err := c.Send("ping %d", 1); err != nil {
		t.Fatal(err)
	}
	if got := expect(t, c, "got"); got != "ping 1" {
		t.Fatalf(`Expect("got") = %q, want "ping 1"`, got)
	}
	if err := c.Wait(timeout); err != nil {
		t.Fatalf("Wait() = %v, want nil", err)
	}
	if _, err := c.ReadLine(timeout); err != io.EOF {
		t.Fatalf("ReadLine after exit = %v, want io.EOF", err)
	}
}

// A child that writes more than the parent reads still exits and is
// reaped.
func TestChatty(t *testing.T) {
	c := start(t, "chatty", Options{})
	expect(t, c, "line 0")
	if err := c.Wait(timeout); err != nil {
		t.Fatal(err)
	}
}

// A failing role exits 1 with its error on stderr; Wait and an Expect
// after its end both say how it ended and quote its stderr.
func TestFailingChild(t *testing.T) {
	var tee bytes.Buffer
	c := start(t, "fail", Options{Stderr: &tee})
	expect(t, c, "up")
	_, err := c.Expect("never", timeout)
	if !errors.Is(err, ErrExited) {
		t.Fatalf("Expect after the end = %v, want ErrExited", err)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("Expect after the end = %v, want an exit error with status 1", err)
	}
	for _, want := range []string{`before saying "never"`, "exit status 1", "about to fail", "fail: it broke"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Expect error %q lacks %q", err, want)
		}
	}
	werr := c.Wait(timeout)
	if !errors.As(werr, &ee) || !strings.Contains(werr.Error(), "fail: it broke") {
		t.Fatalf("Wait() = %v, want exit status 1 and the stderr", werr)
	}
	if !strings.Contains(tee.String(), "fail: it broke") || c.Stderr() != tee.String() {
		t.Fatalf("Stderr() = %q, tee %q; want both with the error", c.Stderr(), tee.String())
	}
}

func TestUnexpectedLine(t *testing.T) {
	c := start(t, "echo", Options{})
	_, err := c.Expect("read", timeout) // the line is "ready ": a different word
	if err == nil || !strings.Contains(err.Error(), `said "ready ", want "read"`) {
		t.Fatalf(`Expect("read") = %v, want a mismatch`, err)
	}
}

func TestUnknownRole(t *testing.T) {
	c := start(t, "no-such-role", Options{})
	err := c.Wait(timeout)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(c.Stderr(), `no role "no-such-role"`) {
		t.Fatalf("Wait() = %v, stderr %q; want exit 2 and no role", err, c.Stderr())
	}
}

// A silent child makes Expect time out, and leaves it running; Wait then
// closes its stdin, which cancels its context.
func TestTimeout(t *testing.T) {
	c := start(t, "until-eof", Options{})
	expect(t, c, "up")
	_, err := c.Expect("more", 50*time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "said nothing for 50ms") {
		t.Fatalf("Expect of a silent child = %v, want a deadline error", err)
	}
	if _, err := c.ReadLine(time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("ReadLine of a silent child = %v, want a deadline error", err)
	}
	if err := c.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	if got := expect(t, c, "cancelled,"); got != "Recv: EOF" {
		t.Fatalf("after CloseStdin the child said %q, want Recv: EOF", got)
	}
	if err := c.Wait(timeout); err != nil {
		t.Fatal(err)
	}
}

// Wait kills a child that outlives its timeout.
func TestWaitTimeout(t *testing.T) {
	c := start(t, "until-killed", Options{})
	expect(t, c, "up")
	err := c.Wait(50 * time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) || ExitSignal(c.Err()) != syscall.SIGKILL {
		t.Fatalf("Wait(50ms) = %v, child ended by %v; want a deadline error and SIGKILL", err, c.Err())
	}
}

func TestKill(t *testing.T) {
	c := start(t, "until-killed", Options{})
	expect(t, c, "up")
	if err := c.Kill(); err != nil {
		t.Fatal(err)
	}
	if sig := ExitSignal(c.Err()); sig != syscall.SIGKILL {
		t.Fatalf("ExitSignal(Err()) = %v, want SIGKILL", sig)
	}
	if err := c.Kill(); err != nil {
		t.Fatalf("second Kill() = %v, want nil", err)
	}
	if _, err := c.Expect("more", timeout); !errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "signal: killed") {
		t.Fatalf("Expect after Kill = %v, want ErrExited and signal: killed", err)
	}
}

// The context given to Start kills the child when it ends.
func TestStartContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Start(ctx, "until-killed", Options{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, c, "up")
	cancel()
	<-c.Done()
	if sig := ExitSignal(c.Err()); sig != syscall.SIGKILL {
		t.Fatalf("child ended by %v after its context, want SIGKILL", c.Err())
	}
}

// The child sees the extra environment and files, and not the role
// variable (its own children would inherit it).
func TestEnvAndFiles(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, "env-files", Options{Env: []string{"REEXEC_TEST=yes"}, Files: []*os.File{r}})
	r.Close()
	fmt.Fprint(w, "hello")
	w.Close()
	if got := expect(t, c, "env"); got != "yes role-var false fd3 hello" {
		t.Fatalf("child said %q", got)
	}
	if err := c.Wait(timeout); err != nil {
		t.Fatal(err)
	}
}

// A child dies with a parent that is killed: the spawner's grandchild is
// gone (or a zombie nobody reaps) soon after the spawner is killed.
func TestChildDiesWithParent(t *testing.T) {
	spawner := start(t, "spawner", Options{})
	pid, err := strconv.Atoi(expect(t, spawner, "grandchild"))
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGKILL) // if the test fails
	if err := spawner.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(timeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d outlived its killed parent by %v", pid, timeout)
		}
		time.Sleep(time.Millisecond) // polling for the outcome, not coordinating
	}
}

// alive reports whether pid runs: it exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, after, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(after, "Z") && !strings.HasPrefix(after, "X")
}

func TestRegisterTwice(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a second Register of echo did not panic")
		}
	}()
	Register("echo", nil)
}

// A child outlives the thread it was started from: PR_SET_PDEATHSIG
// fires when the thread that forked the child ends, and Go ends a thread
// when a goroutine locked to it exits. Here the goroutine that starts the
// child is locked and exits, so its thread ends.
func TestChildOutlivesThreads(t *testing.T) {
	type started struct {
		c   *Child
		err error
	}
	res := make(chan started)
	go func() {
		runtime.LockOSThread() // and exit locked: the thread ends with the goroutine
		c, err := Start(context.Background(), "until-killed", Options{})
		res <- started{c, err}
	}()
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { _ = r.c.Kill() })
	expect(t, r.c, "up")
	time.Sleep(50 * time.Millisecond) // a SIGKILL, had one been sent, has landed
	select {
	case <-r.c.Done():
		t.Fatalf("%s died with the thread it was started from: %v", r.c, r.c.Err())
	default:
	}
}

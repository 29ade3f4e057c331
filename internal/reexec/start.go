package reexec

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options says how to start a child. The zero value starts it with no
// arguments, this process's environment and no extra files.
type Options struct {
	Args []string // the child's arguments (os.Args[1:] there, args of its Func)
	Env  []string // "K=V" added to this process's environment
	// Files are passed as descriptors 3, 4, ... (exec.Cmd.ExtraFiles).
	// Start does not close them: once it returns, the child has its own
	// copies, and closing ours lets our ends see end of file when it dies.
	Files []*os.File
	// Stderr, if not nil, also receives everything the child writes to
	// stderr, as it comes. The child keeps a copy either way (Child.Stderr).
	Stderr io.Writer
	// Credential, if not nil, starts the child as another user (root
	// only), from Exe, a copy of this binary that user can run, in "/".
	Credential *syscall.Credential
	Exe        string
}

// Child is a running child process, as its parent sees it. Its methods
// are safe for concurrent use, but lines are read by one reader at a
// time: two goroutines reading would each see only some of them.
type Child struct {
	role   string
	cmd    *exec.Cmd
	lines  *lineQueue
	stderr stderrBuffer

	inMu      sync.Mutex
	in        io.WriteCloser
	closeOnce sync.Once

	done chan struct{}
	err  error // how the child ended; valid once done is closed
}

// waitDelay bounds how long reaping waits for the child's stderr to reach
// end of file after it has exited (a grandchild may hold it open).
const waitDelay = time.Second

// Start re-executes this binary as the role called role. If ctx ends
// before the child does, the child is killed. On Linux the child is also
// killed if this process dies (see the package's caveats). The caller
// must eventually Wait for the child or Kill it.
func Start(ctx context.Context, role string, o Options) (*Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("reexec: start %s: %w", role, err)
	}
	if o.Exe != "" {
		exe = o.Exe
	}
	cmd := exec.CommandContext(ctx, exe, o.Args...)
	cmd.Env = append(append(environ(), EnvVar+"="+role), o.Env...)
	cmd.ExtraFiles = o.Files
	cmd.SysProcAttr = sysProcAttr()
	if o.Credential != nil {
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.Credential = o.Credential
		cmd.Dir = "/"
	}
	cmd.WaitDelay = waitDelay
	c := &Child{role: role, cmd: cmd, lines: newLineQueue(), done: make(chan struct{})}
	c.stderr.tee = o.Stderr
	cmd.Stderr = &c.stderr
	if c.in, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("reexec: start %s: %w", role, err)
	}
	// stdout is a pipe of our own, not cmd.StdoutPipe: Wait then returns
	// once the child has exited, even if a grandchild still holds the
	// pipe, and the lines are read until end of file on their own.
	out, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reexec: start %s: %w", role, err)
	}
	cmd.Stdout = w
	err = startOnSpawnThread(cmd)
	w.Close()
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("reexec: start %s: %w", role, err)
	}
	go func() {
		readLines(out, c.lines)
		c.lines.close()
		out.Close()
	}()
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// environ is this process's environment without a role of its own.
func environ() []string {
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, EnvVar+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// The kernel sends a child its PR_SET_PDEATHSIG when the thread that
// started it ends, not only the process; Go ends a thread when a
// goroutine locked to it exits, and any goroutine of the program may do
// that on a thread that started a child earlier. So children are started
// from one goroutine locked, for the life of the process, to a thread of
// its own.
var (
	spawnOnce sync.Once
	spawns    chan func()
)

func startOnSpawnThread(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawns = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as the process
			for fn := range spawns {
				fn()
			}
		}()
	})
	errc := make(chan error, 1)
	spawns <- func() { errc <- cmd.Start() }
	return <-errc
}

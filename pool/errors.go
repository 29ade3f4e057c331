package pool

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/shmkit/shmkit/shm"
)

var (
	// ErrUnknownFunc is returned (wrapped) by Submit, Map and Start for a
	// name no function is registered under.
	ErrUnknownFunc = errors.New("pool: function not registered")
	// ErrTooLarge is returned (wrapped) for an input longer than
	// Config.MaxMessage allows, and is a task's error for such an output.
	ErrTooLarge = errors.New("pool: message too large")
	// ErrWorkerDied is what a TaskError matches when the task's worker
	// died (or was killed for TaskTimeout) on its last attempt.
	ErrWorkerDied = errors.New("pool: worker died")
	// ErrPanic is what a TaskError matches when the function panicked.
	ErrPanic = errors.New("pool: task panicked")
	// ErrTimeout is what a TaskError matches when the task ran past
	// Config.TaskTimeout on its last attempt. It also matches
	// os.ErrDeadlineExceeded.
	ErrTimeout = timeoutError{}
	// ErrCorrupt is returned (wrapped) for a message from a worker, or a
	// pool segment, that breaks the format: the worker is killed and its
	// tasks run again elsewhere.
	ErrCorrupt = fmt.Errorf("corrupt pool: %w", shm.ErrCorrupt)
)

type timeoutError struct{}

func (timeoutError) Error() string        { return "pool: task timed out" }
func (timeoutError) Is(target error) bool { return target == os.ErrDeadlineExceeded }
func (timeoutError) Timeout() bool        { return true }

// TaskError is the error of one task that failed: its function returned
// an error or panicked, or its worker died on every attempt. Errors
// cross a process as text: Err is the function's error, rebuilt from its
// message, so errors.Is matches a sentinel of this package (ErrPanic,
// ErrWorkerDied, ErrTimeout, ErrUnknownFunc, ErrTooLarge), not the
// function's own.
type TaskError struct {
	Func     string         // the function's name
	Task     int            // the task's index in its Map, Imap or ImapUnordered call; 0 for Submit and Start
	Attempts int            // how many times it was sent to a worker
	PID      int            // the worker of the last attempt
	Signal   syscall.Signal // the signal that ended that worker, if it died
	Stack    string         // for a panic: the worker's stack
	Err      error          // what went wrong
}

func (e *TaskError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pool: task %d (%s)", e.Task, e.Func)
	switch {
	case errors.Is(e.Err, ErrWorkerDied) || errors.Is(e.Err, ErrTimeout):
		fmt.Fprintf(&b, " failed after %d attempts: ", e.Attempts)
	default:
		b.WriteString(": ")
	}
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "pool: "))
	if e.Signal != 0 {
		fmt.Fprintf(&b, " (worker pid %d, signal %d: %v)", e.PID, int(e.Signal), e.Signal)
	}
	return b.String()
}

func (e *TaskError) Unwrap() error { return e.Err }

// remoteError is a function's error as its worker told it.
type remoteError struct{ msg string }

func (e *remoteError) Error() string { return e.msg }

// outcome turns a result item that is not an output into the error it
// stands for.
func outcome(status uint32, b []byte) (stack string, err error) {
	switch status {
	case statusPanic:
		msg, st, _ := strings.Cut(string(b), "\n")
		return st, fmt.Errorf("%w: %s", ErrPanic, msg)
	case statusTooLarge:
		return "", fmt.Errorf("%w: %s", ErrTooLarge, b)
	case statusUnknown:
		return "", fmt.Errorf("%w in the worker: %q", ErrUnknownFunc, b)
	default:
		return "", &remoteError{msg: string(b)}
	}
}

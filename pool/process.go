package pool

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
)

// Process is a registered function running in a process of its own
// (Python's multiprocessing.Process): this binary, re-executed, runs
// fn(ctx, in) and hands its result back through shared memory.
//
// The child is killed if ctx ends, and it does not outlive this process:
// it gets SIGKILL when this process dies (PR_SET_PDEATHSIG), and it exits
// by itself once it sees this process gone (its end of a pipe closes),
// whichever comes first.
type Process[Out any] struct {
	w     *proc
	fn    string
	out   Out
	err   error
	ready chan struct{} // the result (or the error) is in out, err
}

// Start runs fn(ctx, in) in a new process. Named shmkit objects (a queue,
// a dict, a value) travel by name: pass the name in the input and open
// it in the function.
func Start[In, Out any](ctx context.Context, fn *Func[In, Out], in In) (*Process[Out], error) {
	enc, err := encodeAll(fn, []In{in}, 256<<20)
	if err != nil {
		return nil, err
	}
	maxMessage := max(DefaultMaxMessage, len(enc[0]))
	w, err := startProc(ctx, "", 0, 0, maxMessage, nil)
	if err != nil {
		return nil, err
	}
	pr := &Process[Out]{w: w, fn: fn.name, ready: make(chan struct{})}
	msg := make([]byte, taskSize(fn.name, enc))
	putTask(msg, 1, fn.name, enc)
	if err := w.prod.Write(msg); err != nil {
		w.child.Kill()
		w.closeRings()
		return nil, fmt.Errorf("pool: sending the input: %w", err)
	}
	w.prod.Close() // one task: the child exits once it has answered
	go pr.collect(outCodec(fn))
	return pr, nil
}

// collect waits for the result, then for the child's exit.
func (pr *Process[Out]) collect(dec Codec[Out]) {
	defer close(pr.ready)
	defer pr.w.closeRings()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-pr.w.child.Done()
		// What the child committed before it ended is still read.
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	msg, err := pr.w.cons.Next(ctx)
	cancel()
	if err == nil {
		err = pr.take(msg, dec)
	}
	<-pr.w.child.Done()
	if err != nil && pr.err == nil {
		how := "it exited"
		if e := pr.w.child.Err(); e != nil {
			how = e.Error()
		}
		pr.err = &TaskError{Func: pr.fn, Attempts: 1, PID: pr.w.child.Pid(), Signal: reexec.ExitSignal(pr.w.child.Err()),
			Err: fmt.Errorf("%w before it returned: %s", ErrWorkerDied, how)}
	}
}

func (pr *Process[Out]) take(msg []byte, dec Codec[Out]) error {
	r, err := readResult(msg)
	if err != nil {
		return err
	}
	if r.id != 1 || r.from != 0 || r.count != 1 {
		return fmt.Errorf("%w: result %d with outputs %d to %d", ErrCorrupt, r.id, r.from, r.from+r.count)
	}
	status, b, err := r.next()
	if err != nil {
		return err
	}
	if status != statusOK {
		stack, e := outcome(status, b)
		pr.err = &TaskError{Func: pr.fn, Attempts: 1, PID: pr.w.child.Pid(), Stack: stack, Err: e}
		return nil
	}
	if pr.out, err = dec.Decode(b); err != nil {
		pr.err = &TaskError{Func: pr.fn, Attempts: 1, PID: pr.w.child.Pid(), Err: fmt.Errorf("decoding the output: %w", err)}
	}
	return nil
}

// Pid returns the child's process id.
func (pr *Process[Out]) Pid() int { return pr.w.child.Pid() }

// Alive reports whether the child is still running (it has not exited,
// or not yet been reaped).
func (pr *Process[Out]) Alive() bool {
	select {
	case <-pr.w.child.Done():
		return false
	default:
		return true
	}
}

// Kill sends the child SIGKILL, unless it has exited, and waits until it
// has been reaped.
func (pr *Process[Out]) Kill() error { return pr.w.child.Kill() }

// Wait waits until the child has exited, or ctx ends (ctx.Err(); the
// child runs on), and returns how it ended: its exit status, or the
// signal that killed it.
func (pr *Process[Out]) Wait(ctx context.Context) (*os.ProcessState, error) {
	select {
	case <-pr.ready:
		return pr.w.child.ProcessState(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Result waits until the child has exited and returns what the function
// returned: its output, or its error (a *TaskError; a panic's carries the
// stack). A child that died before it returned gives a *TaskError that
// matches ErrWorkerDied and names the signal.
func (pr *Process[Out]) Result(ctx context.Context) (Out, error) {
	select {
	case <-pr.ready:
		return pr.out, pr.err
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// role is the reexec role of a worker process.
const role = "shmkit-pool-worker"

func init() { reexec.Register(role, workerMain) }

// Main runs this process as a pool worker, if it was started as one, and
// exits when the pool is done with it; in any other process it returns at
// once. Call it first thing in main (and in TestMain), after the
// functions are registered (package-level Register calls are).
//
// A program that already dispatches re-executed roles with shmkit's
// harness needs only one call: Main is that dispatch.
func Main() { reexec.Main() }

// workerArgs is what a worker is started with.
type workerArgs struct {
	pool       string // the pool's segment, for the slot's running word; "" for a Process
	slot       int
	tasks, res string // the rings' names, removed by the parent once the worker has them open
	maxMessage int    // Config.MaxMessage: the longest output
}

func (a workerArgs) list() []string {
	return []string{a.pool, strconv.Itoa(a.slot), a.tasks, a.res, strconv.Itoa(a.maxMessage)}
}

func parseArgs(args []string) (workerArgs, error) {
	if len(args) != 5 {
		return workerArgs{}, fmt.Errorf("pool worker: %d arguments, want 5", len(args))
	}
	slot, err := strconv.Atoi(args[1])
	if err != nil {
		return workerArgs{}, fmt.Errorf("pool worker: slot %q", args[1])
	}
	maxMessage, err := strconv.Atoi(args[4])
	if err != nil || maxMessage < 0 {
		return workerArgs{}, fmt.Errorf("pool worker: max message %q", args[4])
	}
	return workerArgs{pool: args[0], slot: slot, tasks: args[2], res: args[3], maxMessage: maxMessage}, nil
}

// workerMain is the worker process: it opens its rings, says ready, and
// runs task messages in order until the parent closes its ring (then it
// exits 0) or dies (then it exits at once, mid-task if need be).
func workerMain(ctx context.Context, args []string) error {
	a, err := parseArgs(args)
	if err != nil {
		return err
	}
	// The role's context ends when stdin reaches end of file: the parent
	// died or gave up on us. A function that ignores ctx must not keep
	// the process alive, so exit from here.
	go func() {
		<-ctx.Done()
		os.Exit(3)
	}()
	w, err := openWorker(a)
	if err != nil {
		return err
	}
	failpoint.Inject("pool/worker/start")
	if err := reexec.Send("ready"); err != nil {
		return err
	}
	// The tasks run on a goroutine of their own, so that a function that
	// calls runtime.Goexit ends the process (its task then counts as its
	// worker's death) rather than leave it alive with nothing running.
	errc := make(chan error, 1)
	go func() {
		returned := false
		defer func() {
			if !returned {
				errc <- errors.New("a function called runtime.Goexit")
			}
		}()
		err := w.run(ctx)
		returned = true
		errc <- err
	}()
	return <-errc
}

type worker struct {
	in      *ringbuf.Ring
	out     *ringbuf.Ring
	cons    *ringbuf.Consumer
	prod    *ringbuf.Producer
	running *slot  // nil for a Process
	max     int    // the longest result message
	maxOut  int    // the longest output: Config.MaxMessage
	buf     []byte // a result of several items, before it goes in the ring
	scratch []byte // where typed functions encode an output
}

func openWorker(a workerArgs) (*worker, error) {
	w := &worker{scratch: make([]byte, 0, 4096)}
	var err error
	if w.in, err = ringbuf.Open(a.tasks, nil); err != nil {
		return nil, err
	}
	if w.out, err = ringbuf.Open(a.res, nil); err != nil {
		return nil, err
	}
	if w.cons, err = w.in.Consumer(); err != nil {
		return nil, err
	}
	if w.prod, err = w.out.Producer(); err != nil {
		return nil, err
	}
	w.max = w.out.MaxMessage()
	w.maxOut = a.maxMessage
	if a.pool != "" {
		seg, err := shm.Open(a.pool, &shm.Options{Kind: Kind, KindVersion: kindVersion})
		if err != nil {
			return nil, err
		}
		_, slots, err := views(seg)
		if err != nil {
			return nil, err
		}
		if a.slot < 0 || a.slot >= len(slots) {
			return nil, fmt.Errorf("pool worker: slot %d of %d", a.slot, len(slots))
		}
		w.running = &slots[a.slot]
	}
	return w, nil
}

func (w *worker) run(ctx context.Context) error {
	for {
		msg, err := w.cons.Next(ctx)
		if err == io.EOF {
			return w.prod.Close()
		}
		if err != nil {
			return err
		}
		if err := w.runTask(ctx, msg); err != nil {
			return err
		}
	}
}

// runTask runs one task message, which stays in the ring (the inputs are
// read in place) until the result is written.
func (w *worker) runTask(ctx context.Context, msg []byte) error {
	t, err := readTask(msg)
	if err != nil {
		return err
	}
	if w.running != nil {
		// Cleared once the result is committed, and not if the worker
		// fails first: a worker that dies, or exits, with it set was
		// running this task.
		w.running.Running.Store(t.id + 1)
	}
	failpoint.Inject("pool/task/running")
	start := time.Now()
	e, known := lookup(string(t.fn))
	w.buf = w.buf[:0]
	from, n := 0, 0 // the outputs in w.buf
	for k := range t.count {
		in, err := t.next()
		if err != nil {
			return err
		}
		status, out := statusUnknown, t.fn
		if known {
			status, out = w.call(ctx, e, in)
		}
		if status == statusOK && len(out) > w.maxOut {
			status, out = statusTooLarge, fmt.Appendf(nil, "output of %d bytes; Config.MaxMessage is %d", len(out), w.maxOut)
		}
		// An error's text (a panic's stack) is cut to fit one message.
		out = out[:min(len(out), w.max-resultHead-outHead)]
		if t.count == 1 {
			// One output: straight into the ring, no copy on the way.
			return w.answer(ctx, t.id, 0, 1, start, status, out, true)
		}
		if n > 0 && resultHead+len(w.buf)+outHead+len(out) > w.max {
			// The chunk's outputs pass one message: send those so far.
			if err := w.answer(ctx, t.id, from, n, start, 0, nil, false); err != nil {
				return err
			}
			from, n, w.buf = k, 0, w.buf[:0]
		}
		// The next call reuses scratch (and may reuse what a function
		// returned): keep a copy.
		w.buf = putOutput(w.buf, status, out)
		n++
	}
	return w.answer(ctx, t.id, from, n, start, 0, nil, true)
}

// answer writes one result message: the n outputs in w.buf from index
// from of the chunk, or (n == 1, w.buf empty) the one output given. The
// last message of a task clears the slot's running mark once it is
// committed.
func (w *worker) answer(ctx context.Context, id uint64, from, n int, start time.Time, status uint32, out []byte, last bool) error {
	size := resultHead + len(w.buf)
	if len(w.buf) == 0 {
		size += outHead + len(out)
	}
	dst, err := w.prod.Reserve(ctx, size)
	if err != nil {
		return err
	}
	nanos := uint32(min(time.Since(start).Nanoseconds(), 1<<32-1))
	dst = putResultHead(dst[:0], id, from, n, nanos)
	if len(w.buf) > 0 {
		dst = append(dst, w.buf...)
	} else {
		dst = putOutput(dst, status, out)
	}
	if len(dst) != size {
		return fmt.Errorf("pool worker: wrote %d bytes of a %d-byte result", len(dst), size)
	}
	failpoint.Inject("pool/result/written")
	if err := w.prod.Commit(); err != nil {
		return err
	}
	if last && w.running != nil {
		w.running.Running.Store(0)
	}
	return nil
}

// call runs one input through e, turning an error or a panic into the
// result's status.
func (w *worker) call(ctx context.Context, e entry, in []byte) (status uint32, out []byte) {
	defer func() {
		if v := recover(); v != nil {
			status, out = statusPanic, fmt.Appendf(nil, "%v\n%s", v, debug.Stack())
		}
	}()
	out, err := e(ctx, in, w.scratch[:0])
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return statusTooLarge, []byte(err.Error())
		}
		return statusError, []byte(err.Error())
	}
	return statusOK, out
}

package pool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// startTimeout bounds how long a new worker has to open its rings.
const startTimeout = 30 * time.Second

// proc is a worker process as the parent sees it: the child, the ring
// the parent writes its tasks to and the ring it reads results from.
// The fields after the rings belong to the pool's lock.
type proc struct {
	slot  int
	gen   uint64
	child *reexec.Child
	tasks *ringbuf.Ring
	prod  *ringbuf.Producer
	res   *ringbuf.Ring
	cons  *ringbuf.Consumer
	sh    *slot // the slot's line in the pool segment; nil for a Process

	inflight deque // task messages sent, oldest first: the order the worker answers in
	window   int   // how many messages may be in flight
	nanos    float64
	sent     int  // tasks sent (for MaxTasksPerWorker)
	retiring bool // its ring is closed: it exits once it has answered
	full     bool // its ring had no room in this dispatch
	gone     bool // dead, or exited
	timedOut atomic.Bool
	started  time.Time // when it was ready
	answered int       // outputs it sent back
	lastRun  uint64
	runSince time.Time
}

// ringCapacity is the ring that carries inputs and outputs of up to
// maxMessage bytes (a ring's messages are at most a quarter of it).
func ringCapacity(maxMessage int) int {
	need := 4 * (maxMessage + taskHead + maxName + itemHead + 64)
	c := 1 << bits.Len(uint(need-1))
	return max(c, 64<<10)
}

var ringSeq atomic.Uint64

// startProc starts a worker: it makes its two rings, starts the child,
// waits until the child has them open, and removes their names, so that
// they go when the last process holding them does, however it ends.
func startProc(ctx context.Context, poolName string, slotIdx int, gen uint64, maxMessage int, env []string) (*proc, error) {
	base := poolName
	if base == "" {
		base = fmt.Sprintf("proc-%d", os.Getpid())
	}
	base = fmt.Sprintf("%s.w%d.%d.%d", base, slotIdx, gen, ringSeq.Add(1))
	cfg := ringbuf.Config{Capacity: ringCapacity(maxMessage)}
	w := &proc{slot: slotIdx, gen: gen, window: 1}
	var err error
	defer func() {
		shm.Remove(base + ".t")
		shm.Remove(base + ".r")
		if err != nil {
			w.closeRings()
		}
	}()
	if w.tasks, err = ringbuf.Create(base+".t", cfg, nil); err != nil {
		return nil, err
	}
	if w.res, err = ringbuf.Create(base+".r", cfg, nil); err != nil {
		return nil, err
	}
	if w.prod, err = w.tasks.Producer(); err != nil {
		return nil, err
	}
	if w.cons, err = w.res.Consumer(); err != nil {
		return nil, err
	}
	args := workerArgs{pool: poolName, slot: slotIdx, tasks: base + ".t", res: base + ".r", maxMessage: maxMessage}
	if w.child, err = reexec.Start(ctx, role, reexec.Options{Args: args.list(), Env: env, Stderr: os.Stderr}); err != nil {
		return nil, fmt.Errorf("pool: starting a worker: %w", err)
	}
	if _, err = w.child.Expect("ready", startTimeout); err != nil {
		w.child.Kill()
		return nil, fmt.Errorf("pool: starting a worker: %w (is pool.Main called first thing in main, or in TestMain?)", err)
	}
	w.started = time.Now()
	go w.forward()
	return w, nil
}

// stdout is this process's descriptor 1 itself, not the os.Stdout
// variable, which a program (or a test's Example) may swap while a worker
// prints.
var stdout = os.NewFile(1, "/dev/stdout")

// forward copies what the worker prints on its stdout to ours, as the
// processes of Python's Pool share their parent's: after "ready" the
// line protocol has nothing more to say.
func (w *proc) forward() {
	out := bufio.NewWriter(stdout)
	for {
		line, err := w.child.ReadLine(24 * time.Hour)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				return
			}
			continue
		}
		out.WriteString(line)
		out.WriteByte('\n')
		out.Flush()
	}
}

// closeRings closes the parent's ends and the rings, which unmaps them
// (a ring with a role still attached would only retire its mapping).
func (w *proc) closeRings() {
	if w.prod != nil && !w.retiring {
		w.prod.Close()
	}
	if w.cons != nil {
		w.cons.Close()
	}
	for _, r := range []*ringbuf.Ring{w.tasks, w.res} {
		if r != nil {
			r.Close()
		}
	}
}

// observe updates the estimate of how long a message takes the worker,
// and the window that keeps about windowTime of work queued on it: deep
// enough that a worker never waits for tiny tasks, shallow enough that
// long ones do not pile up on one worker while another idles.
func (w *proc) observe(nanos uint32) {
	d := float64(nanos)
	if w.nanos == 0 {
		w.nanos = d
	} else {
		w.nanos += (d - w.nanos) / 8
	}
	win := maxWindow
	if w.nanos > 0 {
		win = int(min(float64(windowTime)/w.nanos, maxWindow))
	}
	w.window = max(win, 1)
}

const (
	windowTime = 2 * time.Millisecond
	maxWindow  = 256
)

// drain hands every result the worker committed before it ended to fn.
func (w *proc) drain(fn func([]byte) error) error {
	for {
		msg, err := w.cons.TryNext()
		if err != nil {
			if err == ringbuf.ErrEmpty || err == io.EOF || errors.Is(err, ringbuf.ErrPeerDead) {
				return nil
			}
			return err
		}
		if err := fn(msg); err != nil {
			return err
		}
	}
}

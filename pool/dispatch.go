package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/ringbuf"
)

// start queues a call's tasks and sends what the workers have room for.
func (p *Pool) start(c *call) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing || p.terminated {
		return fmt.Errorf("pool %s: %w", p.cfg.Name, os.ErrClosed)
	}
	if p.startErr != nil && !p.anyWorkerLocked() {
		return fmt.Errorf("pool %s: no worker runs: %w", p.cfg.Name, p.startErr)
	}
	n := 0
	for i := range c.tasks {
		t := &c.tasks[i]
		p.pending.pushBack(t)
		n += len(t.inputs)
	}
	p.queued += n
	p.h.Submitted.Add(uint64(n))
	p.dispatchLocked()
	return nil
}

// abandon drops what is left of a call whose caller stopped waiting: its
// queued tasks are not sent, and the outputs of those in flight are
// thrown away.
func (p *Pool) abandon(c *call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.cancelled || c.left == 0 {
		return
	}
	c.cancelled = true
	kept := deque{}
	for p.pending.len() > 0 {
		t := p.pending.popFront()
		if t.c == c {
			p.queued -= len(t.inputs)
			p.h.Dropped.Add(uint64(len(t.inputs)))
			p.finishLocked(t)
			continue
		}
		kept.pushBack(t)
	}
	p.pending = kept
	p.gaugesLocked()
}

// dispatchLocked sends queued tasks to the workers with room, each to
// the worker with the fewest messages in flight, the lowest slot on a
// tie: work spreads as soon as there is enough of it, and a trickle of
// tasks keeps going to one worker, whose ring is hot, while the others
// stay parked (spinning workers would take the CPUs from the busy one).
func (p *Pool) dispatchLocked() {
	for p.pending.len() > 0 {
		var best *proc
		for _, w := range p.procs {
			if w == nil || w.retiring || w.gone || w.full || w.inflight.len() >= w.window {
				continue
			}
			if best == nil || w.inflight.len() < best.inflight.len() {
				best = w
			}
		}
		if best == nil {
			break
		}
		if p.send(best, p.pending.front()) {
			p.pending.popFront()
		}
	}
	for _, w := range p.procs {
		if w != nil {
			w.full = false
		}
	}
	p.gaugesLocked()
}

// send writes t into w's ring, if there is room now, and reports
// whether t has left the queue (sent, or failed for good).
func (p *Pool) send(w *proc, t *task) bool {
	buf, err := w.prod.TryReserve(taskSize(t.c.fn, t.inputs))
	if err == ringbuf.ErrFull {
		w.full = true // until this dispatch ends: results free room
		return false
	}
	if err == nil {
		p.nextID++
		t.id = p.nextID
		putTask(buf, t.id, t.c.fn, t.inputs)
		err = w.prod.Commit()
	}
	if errors.Is(err, ringbuf.ErrTooLarge) {
		// Never, by the rings' size; but a task that cannot go must
		// fail, not be sent again for ever.
		p.queued -= len(t.inputs)
		p.failTaskLocked(t, 0, 0, fmt.Errorf("%w: a message of %d bytes for a ring of %d", ErrTooLarge, taskSize(t.c.fn, t.inputs), w.tasks.MaxMessage()))
		return true
	}
	if err != nil {
		// The ring refuses what fitted when it was made: the worker
		// broke it. Its receiver sees it die and sends its tasks again.
		w.retire()
		go w.child.Kill()
		return false
	}
	t.attempts++
	t.got = 0
	w.inflight.pushBack(t)
	n := len(t.inputs)
	p.queued -= n
	p.inflight += n
	w.sent += n
	if p.cfg.MaxTasksPerWorker > 0 && w.sent >= p.cfg.MaxTasksPerWorker {
		w.retire()
	}
	return true
}

// receive reads w's results until it ends, then settles what it held.
func (p *Pool) receive(w *proc) {
	defer p.wg.Done()
	// The wait for results has no Done channel: a park that could be
	// cancelled would allocate. A worker that dies is seen by the ring
	// (its liveness lock, looked at every few milliseconds while
	// parked), and by poll as soon as the child is reaped.
	ctx := context.Background()
	complete := func(msg []byte) error { return p.complete(w, msg) }
	w.cons.SetWait(ringbuf.Block) // the spin is ours, below
	var err error
	for err == nil {
		err = p.poll(w, complete)
		if err == ringbuf.ErrEmpty {
			// Nothing for a while: park until the worker writes.
			_, err = w.cons.ReadBatch(ctx, 64, complete)
		}
		if err == nil {
			p.mu.Lock()
			p.dispatchLocked()
			p.mu.Unlock()
		}
	}
	ended := err
	if !errors.Is(err, ErrCorrupt) {
		// The child has ended (or closed its ring): what it committed
		// before is still there.
		if derr := w.drain(complete); derr != nil {
			ended = derr
		}
	}
	if ended != io.EOF && ended != errExited && ended != errTerminating && !errors.Is(ended, ringbuf.ErrPeerDead) {
		fmt.Fprintf(os.Stderr, "pool %s: worker pid %d: %v; killing it\n", p.cfg.Name, w.child.Pid(), ended)
	}
	if err == io.EOF {
		// A retired worker answered everything: give it a moment to
		// exit by itself.
		select {
		case <-w.child.Done():
		case <-time.After(5 * time.Second):
		}
	}
	w.child.Kill()
	p.lost(w)
}

// errExited ends a receiver whose worker has been reaped, and
// errTerminating one whose pool is being terminated.
var (
	errExited      = errors.New("pool: worker exited")
	errTerminating = errors.New("pool: terminating")
)

// pollSpin is how long a receiver looks for results before it parks.
const pollSpin = 50 * time.Microsecond

// poll takes w's results as they come, sending more tasks after each
// run of them, until none has come for pollSpin (ringbuf.ErrEmpty) or
// the ring fails. Between looks it yields to the scheduler rather than
// spin in place: the goroutine a result wakes (a Wait, the next Submit)
// must get this P at once, or the round trip waits for the spin to end
// and the worker parks meanwhile.
func (p *Pool) poll(w *proc, complete func([]byte) error) error {
	var idleSince time.Time
	taken := 0 // results since the last dispatch
	for i := 0; ; i++ {
		msg, err := w.cons.TryNext()
		if err == nil {
			if err := complete(msg); err != nil {
				return err
			}
			if taken++; taken < 64 {
				continue
			}
		} else if err != ringbuf.ErrEmpty {
			return err
		}
		if taken > 0 {
			// A run of results has ended: send what they made room for.
			p.mu.Lock()
			p.dispatchLocked()
			p.mu.Unlock()
			taken, idleSince = 0, time.Time{}
			continue
		}
		if i%16 == 0 {
			select {
			case <-w.child.Done():
				return errExited
			default:
			}
			if idleSince.IsZero() {
				idleSince = time.Now()
			} else if time.Since(idleSince) > pollSpin {
				return ringbuf.ErrEmpty
			}
		}
		runtime.Gosched()
	}
}

// complete takes one result message from w.
func (p *Pool) complete(w *proc, msg []byte) error {
	r, err := readResult(msg)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminated {
		return errTerminating // its tasks have failed already: nothing to take
	}
	if w.inflight.len() == 0 {
		return fmt.Errorf("%w: result %d with no task in flight", ErrCorrupt, r.id)
	}
	t := w.inflight.front()
	if r.id != t.id || r.from != t.got || r.count < 1 || r.count > len(t.inputs)-t.got {
		return fmt.Errorf("%w: result %d with outputs %d to %d for task %d of %d inputs, %d answered", ErrCorrupt, r.id, r.from, r.from+r.count, t.id, len(t.inputs), t.got)
	}
	check := r
	for range r.count {
		if _, _, err := check.next(); err != nil {
			return err
		}
	}
	c := t.c
	ok, failed := 0, 0
	for k := range r.count {
		status, b, _ := r.next()
		idx := r.from + k // in the chunk
		if idx < t.kept {
			continue // stored from an attempt whose worker died after sending it
		}
		i := t.first + idx
		switch {
		case status == statusOK && (c.cancelled || t.done):
			ok++ // done, if for a caller that no longer waits
		case c.cancelled || t.done:
			failed++
		case status == statusOK:
			if err := c.store(i, b); err != nil {
				c.failLocked(i, &TaskError{Func: c.fn, Task: i, Attempts: t.attempts, PID: w.child.Pid(), Err: fmt.Errorf("decoding the output: %w", err)})
				failed++
				continue
			}
			ok++
		default:
			stack, err := outcome(status, b)
			c.failLocked(i, &TaskError{Func: c.fn, Task: i, Attempts: t.attempts, PID: w.child.Pid(), Stack: stack, Err: err})
			failed++
		}
	}
	t.got += r.count
	t.kept = max(t.kept, t.got)
	p.h.Done.Add(uint64(ok))
	p.h.Failed.Add(uint64(failed))
	w.sh.Done.Add(uint64(ok + failed))
	w.answered += ok + failed
	if t.got < len(t.inputs) {
		return nil // more of the chunk's outputs to come
	}
	w.inflight.popFront()
	w.observe(r.nanos)
	p.inflight -= len(t.inputs)
	p.finishLocked(t)
	if p.queued+p.inflight == 0 {
		p.gaugesLocked()
	}
	return nil
}

// finishLocked marks t done and tells its caller.
func (p *Pool) finishLocked(t *task) {
	if t.done {
		return
	}
	// The gauges first: a caller that returns on this task and then reads
	// the segment (shmtool inspect) sees them with it.
	p.h.Queued.Store(uint64(p.queued))
	p.h.InFlight.Store(uint64(p.inflight))
	t.done = true
	c := t.c
	c.left--
	if c.ready != nil {
		c.ready <- t.index
	}
	if c.left == 0 {
		close(c.done)
	}
}

// failTaskLocked fails every input of t with err.
func (p *Pool) failTaskLocked(t *task, pid int, sig syscall.Signal, err error) {
	if t.done {
		return
	}
	for k := range t.inputs {
		t.c.failLocked(t.first+k, &TaskError{Func: t.c.fn, Task: t.first + k, Attempts: t.attempts, PID: pid, Signal: sig, Err: err})
	}
	p.h.Failed.Add(uint64(len(t.inputs)))
	p.finishLocked(t)
}

// lost settles a worker that has ended: the task it was running runs
// again (up to Retries) or fails; the tasks it held but had not started
// go back to the front of the queue; the slot gets a new worker.
func (p *Pool) lost(w *proc) {
	<-w.child.Done()
	exitErr := w.child.Err()
	sig := reexec.ExitSignal(exitErr)
	p.mu.Lock()
	w.gone = true
	if p.procs[w.slot] == w {
		p.procs[w.slot] = nil
	}
	running := w.sh.Running.Load()
	held := make([]*task, 0, w.inflight.len())
	for w.inflight.len() > 0 {
		held = append(held, w.inflight.popFront())
	}
	for k := len(held) - 1; k >= 0; k-- {
		t := held[k]
		n := len(t.inputs)
		p.inflight -= n
		if t.done || t.c.cancelled {
			p.finishLocked(t)
			continue
		}
		if running == t.id+1 {
			t.deaths++
			if t.deaths > p.cfg.Retries {
				p.failTaskLocked(t, w.child.Pid(), sig, p.deathErr(w, sig, exitErr))
				continue
			}
			p.h.Retried.Add(uint64(n))
		}
		p.pending.pushFront(t)
		p.queued += n
	}
	again := !p.terminated && !(p.closing && p.queued+p.inflight == 0)
	if again {
		p.wg.Add(1)
	}
	p.dispatchLocked()
	p.mu.Unlock()
	w.closeRings()
	if w.sh.PID.Load() == uint64(w.child.Pid()) {
		w.sh.State.Store(slotEmpty)
		w.sh.PID.Store(0)
	}
	if again {
		// A worker that died young having answered nothing (it crashes
		// at start, or is killed as soon as it runs) is replaced after a
		// pause that grows, not in a loop of forks.
		var delay time.Duration
		p.mu.Lock()
		if time.Since(w.started) < time.Second && w.answered == 0 {
			p.youngDeaths++
			delay = min(10*time.Millisecond<<min(p.youngDeaths, 10), 5*time.Second)
		} else {
			p.youngDeaths = 0
		}
		p.mu.Unlock()
		go p.respawnAfter(w.slot, delay)
	}
}

// deathErr is the error of a task whose worker died on its last attempt.
func (p *Pool) deathErr(w *proc, sig syscall.Signal, exitErr error) error {
	switch {
	case w.timedOut.Load():
		return fmt.Errorf("%w: ran past TaskTimeout %v and was killed", ErrTimeout, p.cfg.TaskTimeout)
	case sig != 0:
		return ErrWorkerDied // the TaskError names the signal
	case exitErr != nil:
		return fmt.Errorf("%w: %v", ErrWorkerDied, exitErr)
	}
	return fmt.Errorf("%w: it exited", ErrWorkerDied)
}

// watch kills the workers whose task has run past TaskTimeout. A task's
// time starts when the watch first sees its worker running it.
func (p *Pool) watch() {
	defer p.wg.Done()
	tick := time.NewTicker(max(min(p.cfg.TaskTimeout/10, 100*time.Millisecond), time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.stop:
			return
		case now := <-tick.C:
			p.mu.Lock()
			for _, w := range p.procs {
				if w == nil || w.gone {
					continue
				}
				r := w.sh.Running.Load()
				if r == 0 || r != w.lastRun {
					w.lastRun, w.runSince = r, now
					continue
				}
				if now.Sub(w.runSince) > p.cfg.TaskTimeout && !w.timedOut.Load() {
					w.timedOut.Store(true)
					go w.child.Kill()
				}
			}
			p.mu.Unlock()
		}
	}
}

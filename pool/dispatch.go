package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
			p.finishLocked(t)
			continue
		}
		kept.pushBack(t)
	}
	p.pending = kept
	p.gaugesLocked()
}

// dispatchLocked sends queued tasks to the workers with room, one
// message per worker in turn.
func (p *Pool) dispatchLocked() {
	for p.pending.len() > 0 {
		sent := false
		for k := range len(p.procs) {
			if p.pending.len() == 0 {
				break
			}
			w := p.procs[(p.rr+k)%len(p.procs)]
			if w == nil || w.retiring || w.gone || w.inflight.len() >= w.window {
				continue
			}
			if p.send(w, p.pending.front()) {
				p.pending.popFront()
				sent = true
			}
		}
		p.rr++
		if !sent {
			break
		}
	}
	p.gaugesLocked()
}

// send writes t into w's ring, if there is room now.
func (p *Pool) send(w *proc, t *task) bool {
	buf, err := w.prod.TryReserve(taskSize(t.c.fn, t.inputs))
	if err == ringbuf.ErrFull {
		return false
	}
	if err == nil {
		p.nextID++
		t.id = p.nextID
		putTask(buf, t.id, t.c.fn, t.inputs)
		err = w.prod.Commit()
	}
	if err != nil {
		// The ring refuses what fitted when it was made: the worker
		// broke it. Its receiver sees it die and sends its tasks again.
		w.retiring = true
		go w.child.Kill()
		return false
	}
	t.attempts++
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
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-w.child.Done():
		case <-ctx.Done():
		}
		cancel()
	}()
	complete := func(msg []byte) error { return p.complete(w, msg) }
	var err error
	for err == nil {
		if _, err = w.cons.ReadBatch(ctx, 64, complete); err == nil {
			p.mu.Lock()
			p.dispatchLocked()
			p.mu.Unlock()
		}
	}
	cancel()
	if !errors.Is(err, ErrCorrupt) {
		// The child has ended (or closed its ring): what it committed
		// before is still there.
		err = w.drain(complete)
	}
	if err != nil && err != io.EOF && !errors.Is(err, context.Canceled) && !errors.Is(err, ringbuf.ErrPeerDead) {
		fmt.Fprintf(os.Stderr, "pool %s: worker pid %d: %v; killing it\n", p.cfg.Name, w.child.Pid(), err)
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

// complete takes one result message from w.
func (p *Pool) complete(w *proc, msg []byte) error {
	r, err := readResult(msg)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.inflight.len() == 0 {
		return fmt.Errorf("%w: result %d with no task in flight", ErrCorrupt, r.id)
	}
	t := w.inflight.front()
	if r.id != t.id || r.count != len(t.inputs) {
		return fmt.Errorf("%w: result %d of %d outputs for task %d of %d inputs", ErrCorrupt, r.id, r.count, t.id, len(t.inputs))
	}
	check := r
	for range r.count {
		if _, _, err := check.next(); err != nil {
			return err
		}
	}
	w.inflight.popFront()
	w.observe(r.nanos, r.count)
	c := t.c
	ok := 0
	for k := range r.count {
		status, b, _ := r.next()
		i := t.first + k
		if c.cancelled || t.done {
			continue
		}
		if status == statusOK {
			if err := c.store(i, b); err != nil {
				c.failLocked(i, &TaskError{Func: c.fn, Task: i, Attempts: t.attempts, PID: w.child.Pid(), Err: fmt.Errorf("decoding the output: %w", err)})
				continue
			}
			ok++
			continue
		}
		err, stack := outcome(status, b)
		c.failLocked(i, &TaskError{Func: c.fn, Task: i, Attempts: t.attempts, PID: w.child.Pid(), Stack: stack, Err: err})
	}
	p.inflight -= r.count
	p.h.Done.Add(uint64(ok))
	p.h.Failed.Add(uint64(r.count - ok))
	w.sh.Done.Add(uint64(r.count))
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
		go p.respawn(w.slot)
	}
}

// deathErr is the error of a task whose worker died on its last attempt.
func (p *Pool) deathErr(w *proc, sig syscall.Signal, exitErr error) error {
	how := "exited"
	if exitErr != nil {
		how = exitErr.Error()
	}
	if w.timedOut.Load() {
		return fmt.Errorf("%w: ran past TaskTimeout %v and was killed", ErrTimeout, p.cfg.TaskTimeout)
	}
	if sig != 0 {
		how = "killed by " + sig.String()
	}
	return fmt.Errorf("%w: %s", ErrWorkerDied, how)
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

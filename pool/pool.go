package pool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/shm"
)

const (
	// MaxWorkers bounds Config.Workers.
	MaxWorkers = 1024
	// DefaultMaxMessage is Config.MaxMessage when it is 0.
	DefaultMaxMessage = 1 << 20
	// maxPoolName leaves room in a segment name (255 bytes) for a ring's
	// suffix: .wSLOT.GEN.SEQ.t
	maxPoolName = 200
)

// ErrTerminated is the error of the tasks that a Terminate (or the end
// of the pool's context) stopped. It matches os.ErrClosed.
var ErrTerminated = fmt.Errorf("pool: terminated: %w", os.ErrClosed)

// Config configures a Pool. The zero value is a pool of one worker per
// CPU that never retries a task.
type Config struct {
	// Workers is how many worker processes run at once (Python's
	// processes). The default is runtime.NumCPU().
	Workers int
	// MaxTasksPerWorker, if positive, replaces a worker with a new
	// process once it has been sent that many tasks (Python's
	// maxtasksperchild): for functions that leak. It counts inputs: a
	// chunk of Map counts as many as it holds (in Python, as one).
	MaxTasksPerWorker int
	// TaskTimeout, if positive, bounds how long one message (a task, or
	// a chunk of them when ChunkSize asks for more than 1) may run: its
	// worker is then killed, and the task is treated as the task of a
	// worker that died. It is measured from when the worker starts the
	// message, to within a tenth of it.
	TaskTimeout time.Duration
	// Retries is how many more times a task runs when its worker dies
	// (or is killed for TaskTimeout) while running it. After that it
	// fails with a *TaskError that matches ErrWorkerDied or ErrTimeout.
	// Tasks the worker held but had not started run again without
	// counting.
	Retries int
	// MaxMessage is the longest input or output of a task, in bytes;
	// the default is DefaultMaxMessage (1 MiB). Each worker has two rings
	// of about 8 times this (their pages are used only as they fill).
	MaxMessage int
	// Name names the pool's segment, which shmtool ls and inspect show.
	// The default is "pool-PID-N". The segment goes at Close or
	// Terminate; a pool whose process was killed leaves it to shmtool gc.
	Name string
	// Env is added to the workers' environment ("K=V").
	Env []string
}

var poolSeq atomic.Uint64

// Pool runs registered functions in worker processes. Its methods are
// safe for concurrent use.
type Pool struct {
	cfg    Config
	seg    *shm.Segment
	h      *header
	slots  []slot
	ctx    context.Context // the pool's life; cancelled by Terminate
	cancel context.CancelFunc
	wg     sync.WaitGroup // receivers and starters

	mu          sync.Mutex
	idle        *sync.Cond // signalled when queued and inflight reach 0
	procs       []*proc    // per slot; nil while it starts
	pending     deque
	queued      int // inputs waiting for a worker
	inflight    int // inputs sent and not yet answered
	nextID      uint64
	closing     bool
	terminated  bool
	closed      bool // the segment is unmapped: Close or Terminate is done
	final       atomic.Pointer[Stats]
	down        chan struct{} // closed once the segment is
	stop        chan struct{} // closed by Close once the work is done: the watch and respawns end
	startErr    error         // why the last replacement could not start
	youngDeaths int           // workers in a row that died young, having answered nothing
}

// New starts a pool of worker processes: this binary re-executed, each
// running Main. It returns once every worker is ready. If ctx ends, the
// pool terminates, as by Terminate.
func New(ctx context.Context, cfg Config) (*Pool, error) {
	if cfg.Workers == 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.MaxMessage == 0 {
		cfg.MaxMessage = DefaultMaxMessage
	}
	switch {
	case cfg.Workers < 1 || cfg.Workers > MaxWorkers:
		return nil, fmt.Errorf("pool: %d workers: want 1 to %d", cfg.Workers, MaxWorkers)
	case cfg.MaxMessage < 0 || cfg.MaxMessage > 256<<20:
		return nil, fmt.Errorf("pool: MaxMessage %d: want 0 to 256 MiB", cfg.MaxMessage)
	case cfg.Retries < 0 || cfg.MaxTasksPerWorker < 0 || cfg.TaskTimeout < 0:
		return nil, fmt.Errorf("pool: negative Retries, MaxTasksPerWorker or TaskTimeout")
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("pool-%d-%d", os.Getpid(), poolSeq.Add(1))
	}
	if n := len(filepath.Base(cfg.Name)); n > maxPoolName {
		return nil, fmt.Errorf("pool: name of %d bytes: at most %d (the workers' rings add to it)", n, maxPoolName)
	}
	seg, err := shm.Create(cfg.Name, segmentSize(cfg.Workers), &shm.Options{
		Kind: Kind, KindVersion: kindVersion, RemoveOnClose: true,
		Init: func(seg *shm.Segment) error {
			h, err := shm.View[header](seg, 0)
			if err != nil {
				return err
			}
			h.Workers.Store(uint32(cfg.Workers))
			h.State.Store(stateOpen)
			h.ParentPID.Store(uint64(os.Getpid()))
			h.MaxMessage.Store(uint64(cfg.MaxMessage))
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("pool: %w", err)
	}
	p := &Pool{cfg: cfg, seg: seg, procs: make([]*proc, cfg.Workers), down: make(chan struct{}), stop: make(chan struct{})}
	p.idle = sync.NewCond(&p.mu)
	if p.h, p.slots, err = views(seg); err != nil {
		seg.Close()
		return nil, err
	}
	p.ctx, p.cancel = context.WithCancel(ctx)
	errs := make(chan error, cfg.Workers)
	for i := range cfg.Workers {
		go func() { errs <- p.spawn(i) }()
	}
	for range cfg.Workers {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		p.Terminate()
		return nil, err
	}
	go func() {
		<-p.ctx.Done()
		p.Terminate()
	}()
	if cfg.TaskTimeout > 0 {
		p.wg.Add(1)
		go p.watch()
	}
	return p, nil
}

// Name returns the name of the pool's segment.
func (p *Pool) Name() string { return p.cfg.Name }

// Workers returns the pids of the workers running now, by slot (0 for a
// slot whose worker is being replaced).
func (p *Pool) Workers() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, len(p.procs))
	for i, w := range p.procs {
		if w != nil && !w.gone {
			pids[i] = w.child.Pid()
		}
	}
	return pids
}

// Stats is a snapshot of a pool's counts, in tasks (inputs).
type Stats struct {
	Submitted, Queued, InFlight, Done, Failed, Retried uint64
	Dropped                                            uint64 // dropped unsent: their caller stopped waiting (a ctx ended, a loop broke)
	Started                                            uint64 // worker processes started, replacements included
}

// Stats returns the pool's counts.
func (p *Pool) Stats() Stats {
	if f := p.final.Load(); f != nil {
		return *f
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.final.Load(); f != nil {
		return *f
	}
	return statsOf(p.h)
}

func statsOf(h *header) Stats {
	return Stats{Submitted: h.Submitted.Load(), Queued: h.Queued.Load(), InFlight: h.InFlight.Load(),
		Done: h.Done.Load(), Failed: h.Failed.Load(), Retried: h.Retried.Load(), Dropped: h.Dropped.Load(), Started: h.Started.Load()}
}

// spawn starts the worker of slot i.
func (p *Pool) spawn(i int) error {
	sh := &p.slots[i]
	gen := sh.Generation.Add(1)
	sh.State.Store(slotStarting)
	w, err := startProc(p.ctx, p.cfg.Name, i, gen, p.cfg.MaxMessage, p.cfg.Env)
	if err != nil {
		sh.State.Store(slotEmpty)
		return err
	}
	w.sh = sh
	sh.Running.Store(0)
	sh.Done.Store(0)
	sh.StartedAt.Store(time.Now().UnixNano())
	sh.PID.Store(uint64(w.child.Pid()))
	sh.State.Store(slotReady)
	p.h.Started.Add(1)
	p.mu.Lock()
	if p.terminated {
		p.mu.Unlock()
		w.child.Kill()
		w.closeRings()
		return ErrTerminated
	}
	p.procs[i] = w
	if p.closing && p.queued+p.inflight == 0 {
		w.retire()
	}
	p.startErr = nil
	p.dispatchLocked()
	p.mu.Unlock()
	p.wg.Add(1)
	go p.receive(w)
	return nil
}

// respawnAfter replaces the worker of slot i after delay, trying again with a growing
// pause until it starts or the pool ends. After a few failures, if no
// worker is left, the queued tasks fail (and so do new ones, until a
// worker starts) rather than wait for ever.
func (p *Pool) respawnAfter(i int, delay time.Duration) {
	defer p.wg.Done()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-p.ctx.Done():
			return
		case <-p.stop:
			return
		}
	}
	pause := 50 * time.Millisecond
	for try := 1; ; try++ {
		err := p.spawn(i)
		if err == nil || errors.Is(err, ErrTerminated) {
			return
		}
		p.mu.Lock()
		done := p.terminated || (p.closing && p.queued+p.inflight == 0)
		if try >= 3 && !done {
			p.startErr = err
			if !p.anyWorkerLocked() {
				for p.pending.len() > 0 {
					t := p.pending.popFront()
					p.queued -= len(t.inputs)
					p.failTaskLocked(t, 0, 0, fmt.Errorf("no worker could start: %w", err))
				}
				p.gaugesLocked()
			}
		}
		p.mu.Unlock()
		if done {
			return
		}
		select {
		case <-time.After(pause):
		case <-p.ctx.Done():
			return
		case <-p.stop:
			return
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// anyWorkerLocked reports whether a worker runs.
func (p *Pool) anyWorkerLocked() bool {
	for _, w := range p.procs {
		if w != nil && !w.gone {
			return true
		}
	}
	return false
}

// retire closes w's task ring: it answers what it holds, then exits.
func (w *proc) retire() {
	if !w.retiring {
		w.retiring = true
		w.prod.Close()
	}
}

// Close stops taking tasks, waits until every task already submitted has
// finished, then stops the workers and removes the pool's segment. A
// second Close, or a Close after Terminate, waits until the first is
// done and returns os.ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closing || p.terminated {
		p.mu.Unlock()
		<-p.down
		return os.ErrClosed
	}
	p.closing = true
	p.h.State.Store(stateClosing)
	for p.queued+p.inflight > 0 && !p.terminated {
		p.idle.Wait()
	}
	for _, w := range p.procs {
		if w != nil {
			w.retire()
		}
	}
	close(p.stop)
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	p.terminated = true // what is left to the context's watcher is done
	p.mu.Unlock()
	p.cancel()
	return p.closeSegment()
}

// Terminate kills the workers now. Tasks not yet finished fail with
// ErrTerminated.
func (p *Pool) Terminate() error {
	p.mu.Lock()
	if p.terminated {
		p.mu.Unlock()
		<-p.down
		return os.ErrClosed
	}
	p.terminated = true
	p.closing = true
	p.queued, p.inflight = 0, 0 // first: the gauges go out with the failures
	for p.pending.len() > 0 {
		t := p.pending.popFront()
		p.failTaskLocked(t, 0, 0, ErrTerminated)
	}
	procs := append([]*proc(nil), p.procs...)
	for _, w := range procs {
		if w == nil {
			continue
		}
		for w.inflight.len() > 0 {
			p.failTaskLocked(w.inflight.popFront(), 0, 0, ErrTerminated)
		}
	}
	p.gaugesLocked()
	p.idle.Broadcast()
	p.mu.Unlock()
	p.cancel()
	for _, w := range procs {
		if w != nil {
			w.child.Kill()
		}
	}
	p.wg.Wait()
	return p.closeSegment()
}

func (p *Pool) closeSegment() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	defer close(p.down)
	st := statsOf(p.h)
	p.final.Store(&st)
	p.h.State.Store(stateClosed)
	for i := range p.slots {
		p.slots[i].State.Store(slotEmpty)
		p.slots[i].PID.Store(0)
	}
	return p.seg.Close()
}

// gaugesLocked publishes the gauges to the segment.
func (p *Pool) gaugesLocked() {
	p.h.Queued.Store(uint64(p.queued))
	p.h.InFlight.Store(uint64(p.inflight))
	if p.queued+p.inflight == 0 {
		p.idle.Broadcast()
	}
}

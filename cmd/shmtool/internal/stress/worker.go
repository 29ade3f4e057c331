package stress

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
)

// workerRole is a worker process: this binary, re-executed.
const workerRole = "shmtool-stress-worker"

// RegisterRoles registers with reexec the worker process Run starts. Call
// it once, before reexec.Main, in every binary that calls Run: the tool's
// main, and the TestMain of a test binary that runs a stress.
func RegisterRoles() { reexec.Register(workerRole, worker) }

// worker runs one worker, args kind, name and id, until the parent hangs
// up (closes its stdin, or dies). It reports on stdout
//
//	ops N          operations done so far (every 50ms, and at the end)
//	recovery       it repaired what a dead peer left
//	violation ...  the kind's invariant does not hold
//	standby        it waits, rightly, for a role a live peer holds
func worker(ctx context.Context, args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("want kind, name and id, got %q", args)
	}
	k, ok := kinds[args[0]]
	id, err := strconv.Atoi(args[2])
	if !ok || k.work == nil || err != nil { // a kind that drives itself has no stress workers
		return fmt.Errorf("bad kind or id in %q", args)
	}
	r := &reporter{}
	tickCtx, stopTicks := context.WithCancel(ctx)
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-t.C:
				r.flush()
			}
		}
	}()
	err = k.work(ctx, args[1], id, r)
	stopTicks()
	<-ticked
	r.flush() // the last count, after every op
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil // the parent said stop
	}
	return err
}

// reporter is a worker's line to the parent.
type reporter struct {
	mu  sync.Mutex
	ops int64
}

func (r *reporter) op() {
	r.mu.Lock()
	r.ops++
	r.mu.Unlock()
}

func (r *reporter) recovery() { reexec.Send("recovery") }

func (r *reporter) violation(format string, args ...any) {
	reexec.Send("violation "+format, args...)
}

// standby says that the worker waits, rightly, for a role a live peer
// holds (a ring has one producer and one consumer).
func (r *reporter) standby() { reexec.Send("standby") }

func (r *reporter) flush() {
	r.mu.Lock()
	n := r.ops
	r.mu.Unlock()
	reexec.Send("ops %d", n)
}

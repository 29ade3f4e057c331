package stress

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
)

// hangAfter is how long a worker may make no progress while its peers
// live before it counts as hung.
const hangAfter = 5 * time.Second

// tally is the parent's count of what the workers reported.
type tally struct {
	mu         sync.Mutex
	ops        int64 // of workers that have ended
	recoveries int64
	problems   []string
	progress   io.Writer
}

// violation records a violation and says so at once. Progress is
// written under the lock only: it need not be safe for concurrent use.
func (t *tally) violation(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.problems = append(t.problems, s)
	fmt.Fprintf(t.progress, "stress: VIOLATION: %s\n", s)
}

// report prints the live line: where the run is, of its duration, and
// the counts so far; only where a person watches (Config.Terminal).
func (t *tally) report(cfg Config, elapsed time.Duration, ops, kills, recoveries int64) {
	if !cfg.Terminal {
		return
	}
	left := max(cfg.Duration-elapsed, 0)
	fmt.Fprintf(t.progress, "stress: %s %.0fs of %.0fs (%.0fs left): %d ops, %d kills, %d recoveries, %d violations\n",
		cfg.Kind, elapsed.Seconds(), cfg.Duration.Seconds(), left.Seconds(), ops, kills, recoveries, len(t.problems))
}

func (t *tally) recovery() {
	t.mu.Lock()
	t.recoveries++
	t.mu.Unlock()
}

func (t *tally) ended(ops int64) {
	t.mu.Lock()
	t.ops += ops
	t.mu.Unlock()
}

// runSeq tells apart the objects of Runs in one process.
var runSeq atomic.Int64

func run(ctx context.Context, cfg Config, k kind) (Report, error) {
	rep := Report{Kind: cfg.Kind, Procs: cfg.Procs, Seed: cfg.Seed}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9E3779B97F4A7C15))
	name := fmt.Sprintf("shmtool-stress-%d-%d", os.Getpid(), runSeq.Add(1))
	if k.drive != nil {
		return runDriven(ctx, cfg, k, name, rng)
	}
	if err := k.create(name, cfg.Procs); err != nil {
		removeSegments(name)
		return rep, err
	}
	defer removeSegments(name)
	// Workers live no longer than the run, whatever way it ends.
	procCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t := &tally{progress: cfg.Progress}
	nextID := 0
	start := func() (*proc, error) {
		fp := ""
		if cfg.KillEvery > 0 && len(k.failpoints) > 0 && rng.IntN(2) == 0 {
			fp = fmt.Sprintf("%s=kill@%d", k.failpoints[rng.IntN(len(k.failpoints))], 1+rng.IntN(2000))
		}
		p, err := startProc(procCtx, t, cfg.Kind, name, nextID, fp)
		nextID++
		return p, err
	}
	workers := make([]*proc, cfg.Procs)
	defer func() { // on an early return: no worker is left running or unread
		for _, p := range workers {
			if p != nil {
				p.kill()
				<-p.done
			}
		}
	}()
	for i := range workers {
		p, err := start()
		if err != nil {
			return rep, err
		}
		workers[i] = p
	}
	began := time.Now()
	var kills, hangs int64
	nextKill := began.Add(cfg.KillEvery)
	lastReport := began
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for now := range tick.C {
		if now.Sub(began) >= cfg.Duration || ctx.Err() != nil {
			break
		}
		for i, p := range workers {
			select {
			case <-p.done: // died (at a failpoint) or failed: replace it
				if p.killedBySIGKILL() {
					kills++
				}
				var err error
				if workers[i], err = start(); err != nil {
					return rep, err
				}
				continue
			default:
			}
			if p.stuck(now, hangAfter) {
				hangs++
				t.violation(fmt.Sprintf("worker %d made no progress for %v", p.id, hangAfter))
				p.kill()
			}
		}
		if cfg.KillEvery > 0 && now.After(nextKill) {
			p := workers[rng.IntN(len(workers))]
			p.kill()
			kills++
			<-p.done
			var err error
			if workers[slices.Index(workers, p)], err = start(); err != nil {
				return rep, err
			}
			nextKill = now.Add(cfg.KillEvery)
		}
		if now.Sub(lastReport) >= time.Second {
			lastReport = now
			ops := liveOps(t, workers)
			var objects int64 // recoveries the object counts itself, which the summary adds too
			if k.live != nil {
				objects = k.live(name)
			}
			t.mu.Lock()
			t.report(cfg, now.Sub(began), ops, kills, t.recoveries+objects)
			t.mu.Unlock()
		}
	}
	for _, p := range workers {
		_ = p.c.CloseStdin() // the worker's context ends: it stops
	}
	for _, p := range workers {
		select {
		case <-p.done:
		case <-time.After(hangAfter):
			hangs++
			t.violation(fmt.Sprintf("worker %d did not stop", p.id))
			p.kill()
			<-p.done
		}
	}
	workers = nil // all reaped
	rep.DurationS = time.Since(began).Seconds()
	live.Sweep() // the killed workers' liveness files
	t.mu.Lock()
	defer t.mu.Unlock()
	if k.final != nil {
		violations, recoveries := k.final(name, totals{ops: t.ops, kills: kills})
		for _, v := range violations {
			t.problems = append(t.problems, v)
			fmt.Fprintf(t.progress, "stress: VIOLATION: %s\n", v)
		}
		t.recoveries += recoveries
	}
	rep.Ops, rep.Kills, rep.Recoveries, rep.Hangs = t.ops, kills, t.recoveries, hangs
	rep.Violations, rep.Problems = int64(len(t.problems)), t.problems
	return rep, nil
}

// runDriven is run for a kind that drives itself.
func runDriven(ctx context.Context, cfg Config, k kind, name string, rng *rand.Rand) (Report, error) {
	rep := Report{Kind: cfg.Kind, Procs: cfg.Procs, Seed: cfg.Seed}
	defer removeSegments(name) // if the run failed half-way
	t := &tally{progress: cfg.Progress}
	d, err := k.drive(ctx, cfg, name, rng, t)
	if err != nil {
		return rep, err
	}
	live.Sweep() // the killed processes' liveness files
	t.mu.Lock()
	defer t.mu.Unlock()
	rep.DurationS, rep.Ops, rep.Kills, rep.Recoveries, rep.Hangs = d.elapsed.Seconds(), d.ops, d.kills, t.recoveries+d.recoveries, d.hangs
	rep.Violations, rep.Problems = int64(len(t.problems)), t.problems
	return rep, nil
}

func liveOps(t *tally, workers []*proc) int64 {
	t.mu.Lock()
	n := t.ops
	t.mu.Unlock()
	for _, p := range workers {
		n += p.reported()
	}
	return n
}

// removeSegments removes a run's segments: name and name-*.
func removeSegments(name string) {
	for _, suffix := range []string{"", "-seen", "-b"} {
		_ = shm.Remove(name + suffix)
	}
}

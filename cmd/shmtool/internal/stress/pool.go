package stress

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/pool"
)

// The pool kind: the parent runs a pool.Pool of Config.Procs workers and
// keeps it busy with rounds of tasks, while it kills random workers. The
// pool starts its own worker processes (this binary, re-executed as the
// pool's role), so the kind drives itself rather than run stress workers.
// Every task's output names its task and is a hash of it: each must come
// back exactly once, and right, however many workers die running it.
var poolKind = kind{drive: poolDrive}

const (
	poolRetries = 1000 // a task outlives any run's kills
	poolStreams = 2    // rounds at once, so that no worker idles between two
	poolBatch   = 64   // tasks of a round, per worker
	poolWork    = 1 << 17
)

// poolIn is one task; poolOut its answer, which carries the task.
type poolIn struct{ Round, Index uint64 }
type poolOut struct{ Round, Index, Sum uint64 }

// poolHash is the function the workers run. Registered at package level,
// so that a worker (the re-executed binary) has it before pool.Main.
var poolHash = pool.Register("shmtool-stress-pool-hash", func(_ context.Context, in poolIn) (poolOut, error) {
	return poolOut{in.Round, in.Index, poolSum(in)}, nil
})

// poolSum is a hash of a task, long enough (some tens of µs) that a
// kill mostly finds its worker running one.
func poolSum(in poolIn) uint64 {
	x := in.Round<<32 ^ in.Index
	for range poolWork {
		x += 0x9E3779B97F4A7C15
		x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
		x = (x ^ x>>27) * 0x94D049BB133111EB
		x ^= x >> 31
	}
	return x
}

// poolRun is what the rounds share.
type poolRun struct {
	p        *pool.Pool
	t        *tally
	n        int // tasks per round
	ops      atomic.Int64
	progress atomic.Int64 // when a task last came back, Unix nanoseconds
}

func poolDrive(ctx context.Context, cfg Config, name string, rng *rand.Rand, t *tally) (driven, error) {
	p, err := pool.New(context.Background(), pool.Config{Workers: cfg.Procs, Retries: poolRetries, Name: name})
	if err != nil {
		return driven{}, err
	}
	r := &poolRun{p: p, t: t, n: poolBatch * cfg.Procs}
	r.progress.Store(time.Now().UnixNano())
	// roundCtx ends only to abandon a pool that hangs: rounds stop at
	// stop, between two rounds, so that every task is checked.
	roundCtx, abandon := context.WithCancel(context.Background())
	defer abandon()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for s := range poolStreams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := uint64(s); ; round += poolStreams {
				select {
				case <-stop:
					return
				default:
				}
				r.round(roundCtx, round)
			}
		}()
	}
	var d driven
	began := time.Now()
	nextKill, lastReport := began.Add(cfg.KillEvery), began
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for now := range tick.C {
		if now.Sub(began) >= cfg.Duration || ctx.Err() != nil {
			break
		}
		if since := now.Sub(time.Unix(0, r.progress.Load())); since > hangAfter {
			d.hangs++
			t.violation(fmt.Sprintf("no task came back for %v", hangAfter))
			break
		}
		if cfg.KillEvery > 0 && now.After(nextKill) {
			if poolKill(p, rng) {
				d.kills++
			}
			nextKill = now.Add(cfg.KillEvery)
		}
		if now.Sub(lastReport) >= time.Second {
			lastReport = now
			t.mu.Lock()
			t.report(cfg, now.Sub(began), r.ops.Load(), d.kills, t.recoveries+int64(p.Stats().Retried))
			t.mu.Unlock()
		}
	}
	close(stop)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	if d.hangs == 0 { // the rounds under way finish, and are checked
		select {
		case <-finished:
		case <-time.After(hangAfter):
			d.hangs++
			t.violation(fmt.Sprintf("the last rounds did not finish in %v", hangAfter))
		}
	}
	aborted := d.hangs > 0
	if aborted {
		abandon()
		p.Terminate()
	} else if err := p.Close(); err != nil {
		t.violation(fmt.Sprintf("closing the pool: %v", err))
	}
	<-finished
	d.elapsed = time.Since(began)
	st := p.Stats()
	d.ops, d.recoveries = r.ops.Load(), int64(st.Retried)
	if !aborted && (st.Submitted != uint64(d.ops) || st.Done != uint64(d.ops) || st.Queued+st.InFlight != 0) {
		t.violation(fmt.Sprintf("the pool counts %+v for %d tasks checked", st, d.ops))
	}
	return d, nil
}

// poolKill kills a random worker of p with SIGKILL, and reports whether
// there was one to kill.
func poolKill(p *pool.Pool, rng *rand.Rand) bool {
	var pids []int
	for _, pid := range p.Workers() {
		if pid != 0 { // 0: a slot whose worker is being replaced
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return false
	}
	return syscall.Kill(pids[rng.IntN(len(pids))], syscall.SIGKILL) == nil
}

// round runs one round of tasks and checks that every one came back once,
// with its own right answer, and no error.
func (r *poolRun) round(ctx context.Context, round uint64) {
	in := make([]poolIn, r.n)
	for i := range in {
		in[i] = poolIn{round, uint64(i)}
	}
	seen := make([]bool, r.n)
	got, failed := 0, 0
	for out, err := range pool.ImapUnordered(ctx, r.p, poolHash, in) {
		if ctx.Err() != nil {
			return // the pool hung and is abandoned: the hang is the violation
		}
		switch {
		case err != nil:
			failed++
			var te *pool.TaskError
			if errors.As(err, &te) {
				r.t.violation(fmt.Sprintf("round %d, task %d: %v", round, te.Task, err))
			} else {
				r.t.violation(fmt.Sprintf("round %d: %v", round, err))
			}
		case out.Round != round || out.Index >= uint64(r.n):
			r.t.violation(fmt.Sprintf("round %d: an answer to task %d of round %d", round, out.Index, out.Round))
		case seen[out.Index]:
			r.t.violation(fmt.Sprintf("round %d: task %d answered twice", round, out.Index))
		case out.Sum != poolSum(in[out.Index]):
			r.t.violation(fmt.Sprintf("round %d: task %d answered %#x, want %#x", round, out.Index, out.Sum, poolSum(in[out.Index])))
		default:
			seen[out.Index] = true
			got++
			r.ops.Add(1)
			r.progress.Store(time.Now().UnixNano())
		}
	}
	if got+failed != r.n && ctx.Err() == nil {
		r.t.violation(fmt.Sprintf("round %d: %d of %d tasks came back", round, got+failed, r.n))
	}
}

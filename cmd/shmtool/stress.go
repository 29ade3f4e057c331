package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// stressKind is one kind shmtool stress knows how to torture: how to make
// the object, what a worker does to it (checking the kind's invariant as it
// goes), where a worker may be killed inside the protocols, and what the
// parent checks at the end.
type stressKind struct {
	create     func(name string, procs int) error
	work       func(ctx context.Context, name string, id int, r *stressReporter) error
	failpoints []string
	// final checks the object at the end: violations, and recoveries
	// the object itself counted (the workers report the ones they see).
	// nil for a kind whose workers check everything as they run.
	final func(name string, totals stressTotals) (violations []string, recoveries int64)
}

// stressTotals is what the parent knows at the end.
type stressTotals struct {
	ops, kills int64
}

var stressKinds = map[string]stressKind{}

// stressResult is stress's summary, printed or as JSON.
type stressResult struct {
	Kind       string  `json:"kind"`
	Procs      int     `json:"procs"`
	DurationS  float64 `json:"duration_s"`
	Ops        int64   `json:"ops"`
	Kills      int64   `json:"kills"`
	Recoveries int64   `json:"recoveries"`
	Violations int64   `json:"violations"`
	Hangs      int64   `json:"hangs"`
	Seed       uint64  `json:"seed"`
}

// hangAfter is how long a worker may make no progress while its peers
// live before it counts as hung.
const hangAfter = 5 * time.Second

func newStress(stdout, stderr io.Writer) *cobra.Command {
	var (
		kind, worker string
		procs        int
		duration     time.Duration
		killEvery    time.Duration
		seed         uint64
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "stress --kind KIND",
		Short: "Hammer one object from several processes, killing them at random, and check it",
		Long: `Create one object of --kind and start --procs worker processes (shmtool
itself) that use it as hard as they can for --duration, each checking the
kind's invariant as it goes: mutual exclusion with an exact counter (mutex),
a compound update repaired after its writer died (array), no torn value
(value), permits never over-subscribed and none lost (semaphore), a wake-up
for every set (event), a broken barrier reset (barrier), every message
exactly once (queue), every message whole and in order (ring, stream).

With --kill-every, every so often a random worker is killed with SIGKILL and
a new one started; some workers are also started with a failpoint armed, so
that they die inside the protocol (holding a lock, mid-claim, mid-write) at a
random hit. The survivors must recover. A worker that makes no progress for
5s while its peers live is a hang.

At the end stress prints (or, with --json, emits) kind, procs, duration_s,
ops, kills, recoveries, violations, hangs and seed, and exits 1 if there
were violations or hangs. --seed replays a run's choices.

Kinds: ` + strings.Join(stressKindNames(), ", ") + ".",
		Args: exactArgs(0, "no arguments"),
		RunE: func(_ *cobra.Command, _ []string) error {
			if worker != "" {
				return stressWorker(stdout, worker)
			}
			k, ok := stressKinds[kind]
			if !ok {
				return usagef("--kind %q: want one of %s", kind, strings.Join(stressKindNames(), ", "))
			}
			if procs < 1 || procs > 256 || duration <= 0 || killEvery < 0 {
				return usagef("want --procs 1 to 256, a positive --duration and a non-negative --kill-every")
			}
			if seed == 0 {
				seed = rand.Uint64()
			}
			res, err := runStress(stderr, kind, k, procs, duration, killEvery, seed)
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSONLine(stdout, res) // one line per run, to collect
			} else {
				_, err = fmt.Fprintf(stdout, "%s: %d procs for %.1fs: %d ops, %d kills, %d recoveries, %d violations, %d hangs (seed %d)\n",
					res.Kind, res.Procs, res.DurationS, res.Ops, res.Kills, res.Recoveries, res.Violations, res.Hangs, res.Seed)
			}
			if err == nil && (res.Violations > 0 || res.Hangs > 0) {
				return fmt.Errorf("stress %s: %d violations, %d hangs", kind, res.Violations, res.Hangs)
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&kind, "kind", "", "the kind of object: "+strings.Join(stressKindNames(), ", "))
	fl.IntVar(&procs, "procs", 4, "worker processes")
	fl.DurationVar(&duration, "duration", 10*time.Second, "how long to run")
	fl.DurationVar(&killEvery, "kill-every", 0, "SIGKILL a random worker this often (0: never)")
	fl.Uint64Var(&seed, "seed", 0, "seed of the random choices (0: pick one)")
	fl.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	fl.StringVar(&worker, "worker", "", "internal: run as worker KIND,NAME,ID")
	_ = fl.MarkHidden("worker")
	return cmd
}

func stressKindNames() []string {
	var names []string
	for k := range stressKinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// stressProc is one running worker, as the parent sees it.
type stressProc struct {
	id       int
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	mu       sync.Mutex
	ops      int64 // last reported
	progress time.Time
	done     chan struct{}
	killed   bool // by us
}

// stressRun is the parent's tally.
type stressRun struct {
	mu         sync.Mutex
	ops        int64 // of workers that have ended
	recoveries int64
	violations []string
	stderr     io.Writer
}

func (r *stressRun) violation(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, s)
	fmt.Fprintf(r.stderr, "stress: VIOLATION: %s\n", s)
}

func runStress(stderr io.Writer, kindName string, k stressKind, procs int, duration, killEvery time.Duration, seed uint64) (stressResult, error) {
	res := stressResult{Kind: kindName, Procs: procs, Seed: seed}
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	name := fmt.Sprintf("shmtool-stress-%d", os.Getpid())
	if err := k.create(name, procs); err != nil {
		return res, err
	}
	defer removeStressSegments(name)
	exe, err := os.Executable()
	if err != nil {
		return res, err
	}
	run := &stressRun{stderr: stderr}
	start := func(id int) (*stressProc, error) {
		p := &stressProc{id: id, progress: time.Now(), done: make(chan struct{})}
		p.cmd = exec.Command(exe, "stress", "--worker", fmt.Sprintf("%s,%s,%d", kindName, name, id))
		p.cmd.Stderr = stderr
		if killEvery > 0 && len(k.failpoints) > 0 && rng.IntN(2) == 0 {
			fp := k.failpoints[rng.IntN(len(k.failpoints))]
			p.cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s=kill@%d", failpoint.EnvVar, fp, 1+rng.IntN(2000)))
		}
		out, err := p.cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if p.stdin, err = p.cmd.StdinPipe(); err != nil {
			return nil, err
		}
		if err := p.cmd.Start(); err != nil {
			return nil, err
		}
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				f := strings.SplitN(sc.Text(), " ", 2)
				switch f[0] {
				case "ops":
					n, _ := strconv.ParseInt(f[1], 10, 64)
					p.mu.Lock()
					if n != p.ops {
						p.ops, p.progress = n, time.Now()
					}
					p.mu.Unlock()
				case "standby": // waiting for a role a live peer holds: not hung
					p.mu.Lock()
					p.progress = time.Now()
					p.mu.Unlock()
				case "recovery":
					run.mu.Lock()
					run.recoveries++
					run.mu.Unlock()
				case "violation":
					run.violation(fmt.Sprintf("worker %d: %s", p.id, f[1]))
				}
			}
			err := p.cmd.Wait()
			p.mu.Lock()
			ops, killed := p.ops, p.killed
			p.mu.Unlock()
			run.mu.Lock()
			run.ops += ops
			run.mu.Unlock()
			if err != nil && !killed && !killedBySIGKILL(p.cmd.ProcessState) {
				run.violation(fmt.Sprintf("worker %d ended: %v", id, err))
			}
			close(p.done)
		}()
		return p, nil
	}

	workers := make([]*stressProc, procs)
	for i := range workers {
		if workers[i], err = start(i); err != nil {
			return res, err
		}
	}
	began := time.Now()
	nextID := procs
	var kills, hangs int64
	nextKill := began.Add(killEvery)
	lastReport := began
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for now := range tick.C {
		if now.Sub(began) >= duration {
			break
		}
		for i, p := range workers {
			select {
			case <-p.done: // died (at a failpoint) or failed: replace it
				if killedBySIGKILL(p.cmd.ProcessState) {
					kills++
				}
				if workers[i], err = start(nextID); err != nil {
					return res, err
				}
				nextID++
				continue
			default:
			}
			p.mu.Lock()
			stuck := now.Sub(p.progress) > hangAfter
			p.mu.Unlock()
			if stuck {
				hangs++
				run.violation(fmt.Sprintf("worker %d made no progress for %v", p.id, hangAfter))
				p.mu.Lock()
				p.killed = true
				p.progress = now
				p.mu.Unlock()
				_ = p.cmd.Process.Kill()
			}
		}
		if killEvery > 0 && now.After(nextKill) {
			p := workers[rng.IntN(len(workers))]
			p.mu.Lock()
			p.killed = true
			p.mu.Unlock()
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			kills++
			<-p.done
			i := slices.Index(workers, p)
			if workers[i], err = start(nextID); err != nil {
				return res, err
			}
			nextID++
			nextKill = now.Add(killEvery)
		}
		if now.Sub(lastReport) >= time.Second {
			lastReport = now
			fmt.Fprintf(stderr, "stress: %s %5.1fs: %d ops, %d kills, %d recoveries, %d violations\n",
				kindName, now.Sub(began).Seconds(), liveOps(run, workers), kills, run.recoveries, len(run.violations))
		}
	}
	for _, p := range workers {
		fmt.Fprintln(p.stdin, "stop")
		p.stdin.Close()
	}
	for _, p := range workers {
		select {
		case <-p.done:
		case <-time.After(hangAfter):
			hangs++
			run.violation(fmt.Sprintf("worker %d did not stop", p.id))
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	res.DurationS = time.Since(began).Seconds()
	live.Sweep() // the killed workers' liveness files
	if k.final != nil {
		violations, recoveries := k.final(name, stressTotals{ops: run.ops, kills: kills})
		for _, v := range violations {
			run.violation(v)
		}
		run.recoveries += recoveries
	}
	res.Ops, res.Kills, res.Recoveries, res.Hangs = run.ops, kills, run.recoveries, hangs
	res.Violations = int64(len(run.violations))
	return res, nil
}

func liveOps(run *stressRun, workers []*stressProc) int64 {
	run.mu.Lock()
	n := run.ops
	run.mu.Unlock()
	for _, p := range workers {
		p.mu.Lock()
		n += p.ops
		p.mu.Unlock()
	}
	return n
}

// killedBySIGKILL reports whether an ended process died of SIGKILL.
func killedBySIGKILL(ps *os.ProcessState) bool {
	if ps == nil {
		return false
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// removeStressSegments removes the run's segments: name and name-*.
func removeStressSegments(name string) {
	for _, suffix := range []string{"", "-seen", "-b"} {
		_ = shm.Remove(name + suffix)
	}
}

// stressReporter is a worker's line to the parent.
type stressReporter struct {
	mu  sync.Mutex
	out io.Writer
	ops int64
}

func (r *stressReporter) op() {
	r.mu.Lock()
	r.ops++
	r.mu.Unlock()
}

func (r *stressReporter) recovery() {
	r.mu.Lock()
	fmt.Fprintln(r.out, "recovery")
	r.mu.Unlock()
}

func (r *stressReporter) violation(format string, args ...any) {
	r.mu.Lock()
	fmt.Fprintf(r.out, "violation "+format+"\n", args...)
	r.mu.Unlock()
}

// standby says that the worker waits, rightly, for a role a live peer
// holds (a ring has one producer and one consumer).
func (r *stressReporter) standby() {
	r.mu.Lock()
	fmt.Fprintln(r.out, "standby")
	r.mu.Unlock()
}

func (r *stressReporter) flush() {
	r.mu.Lock()
	fmt.Fprintf(r.out, "ops %d\n", r.ops)
	r.mu.Unlock()
}

// stressWorker runs one worker until told to stop (a line on stdin, or
// stdin closed).
func stressWorker(stdout io.Writer, spec string) error {
	f := strings.Split(spec, ",")
	if len(f) != 3 {
		return usagef("--worker %q", spec)
	}
	k, ok := stressKinds[f[0]]
	id, err := strconv.Atoi(f[2])
	if !ok || err != nil {
		return usagef("--worker %q", spec)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		cancel()
	}()
	r := &stressReporter{out: stdout}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.flush()
			}
		}
	}()
	err = k.work(ctx, f[1], id, r)
	r.flush()
	if err == context.Canceled {
		return nil
	}
	return err
}

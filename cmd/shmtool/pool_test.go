package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/gc"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pool"
)

// triple is what the pools of these tests run. It is registered at
// package level so that the workers, this test binary re-executed (its
// TestMain calls testutil.Main, which dispatches the pool's role), have
// it too.
var triple = pool.Register("shmtool-test-triple", func(_ context.Context, x int64) (int64, error) { return 3 * x, nil })

func init() {
	// A program that runs a pool, to be killed: it says its workers' pids.
	testutil.Child("run-pool", func(args []string) error {
		p, err := pool.New(context.Background(), pool.Config{Workers: 2, Name: args[0]})
		if err != nil {
			return err
		}
		if _, err := pool.Map(context.Background(), p, triple, []int64{1, 2, 3}); err != nil {
			return err
		}
		pids := p.Workers()
		testutil.Send("workers %d %d", pids[0], pids[1])
		testutil.Recv() // until killed
		return p.Close()
	})
}

// newTestPool starts a pool of n workers under a name of the test's own
// and runs tasks tasks on it.
func newTestPool(t *testing.T, n, tasks int) *pool.Pool {
	t.Helper()
	p, err := pool.New(context.Background(), pool.Config{Workers: n, Name: testutil.Name(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	in := make([]int64, tasks)
	for i := range in {
		in[i] = int64(i)
	}
	out, err := pool.Map(context.Background(), p, triple, in)
	if err != nil || len(out) != tasks || (tasks > 1 && out[tasks-1] != 3*int64(tasks-1)) {
		t.Fatalf("Map = %v, %v", out, err)
	}
	return p
}

// ls lists a live pool as kind pool, mapped by its parent and every
// worker.
func TestLsPool(t *testing.T) {
	p := newTestPool(t, 2, 10)
	out, _, code := shmtool(t, "ls", "--json")
	var rows []lsRow
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil {
		t.Fatalf("ls --json: exit %d, %v", code, err)
	}
	i := slices.IndexFunc(rows, func(r lsRow) bool { return r.Name == p.Name() })
	if i < 0 {
		t.Fatalf("ls --json does not list the pool %s", p.Name())
	}
	r := rows[i]
	if r.Kind != pool.Kind || r.CreatorPID != os.Getpid() || !r.CreatorAlive {
		t.Errorf("ls --json: %+v, want a pool made by this process", r.segmentJSON)
	}
	for _, pid := range append(p.Workers(), os.Getpid()) {
		if !slices.Contains(r.Attached, pid) {
			t.Errorf("ls --json: attached %v, want this process and the workers %v", r.Attached, p.Workers())
		}
	}
	out = mustRun(t, "ls")
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(p.Name()) + `\s+pool\s`).MatchString(out) {
		t.Errorf("ls shows no pool line for %s:\n%s", p.Name(), out)
	}
}

// inspect --json gives the pool.State: the counts and each worker's pid.
func TestInspectPoolJSON(t *testing.T) {
	p := newTestPool(t, 2, 10)
	var j struct {
		Kind  string     `json:"kind"`
		State pool.State `json:"state"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", p.Name())), &j); err != nil {
		t.Fatal(err)
	}
	st := j.State
	if j.Kind != pool.Kind || st.State != "open" || st.ParentPID != os.Getpid() || st.Submitted != 10 || st.Done != 10 ||
		st.Queued != 0 || st.InFlight != 0 || st.Failed != 0 || st.Retried != 0 || st.Started != 2 || len(st.Workers) != 2 {
		t.Fatalf("inspect --json: kind %s, state %+v; want an open pool of 2 workers that did 10 tasks", j.Kind, st)
	}
	var pids []int
	var done uint64
	for _, w := range st.Workers {
		if w.State != "ready" || w.Generation != 1 || w.Started.IsZero() {
			t.Errorf("worker %+v, want ready, first of its slot", w)
		}
		pids, done = append(pids, w.PID), done+w.Done
	}
	if !slices.Equal(pids, p.Workers()) || done != 10 {
		t.Fatalf("inspect --json: workers %v did %d tasks; want %v, 10", pids, done, p.Workers())
	}
}

// inspect shows the counts as the state's lines, and the workers as a
// table: pid, state, busy and done of each.
func TestInspectPoolText(t *testing.T) {
	p := newTestPool(t, 2, 10)
	out := mustRun(t, "inspect", p.Name())
	for _, want := range []string{"kind:     pool (version 1)", "  state:            open", "  submitted:        10",
		"  done:             10", "  queued:           0", "  in_flight:        0", "  failed:           0",
		"  retried:          0", "  workers_started:  2", "  workers:\n    SLOT  PID"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect of a pool lacks %q:\n%s", want, out)
		}
	}
	pids := p.Workers()
	for slot, pid := range pids {
		row := regexp.MustCompile(fmt.Sprintf(`(?m)^    %d\s+%d\s+ready\s+(yes|no)\s+\d+\s+1\s+\S+$`, slot, pid))
		if !row.MatchString(out) {
			t.Errorf("inspect of a pool: no row for worker %d (pid %d):\n%s", slot, pid, out)
		}
	}
	if strings.Contains(out, "map[") || strings.Contains(out, "[0]") {
		t.Errorf("inspect of a pool prints its workers as a list of objects:\n%s", out)
	}
}

// A pool is made by pool.New in a program: create refuses it, saying so,
// as a usage error, and does not offer it.
func TestCreatePoolRefused(t *testing.T) {
	name := testutil.Name(t)
	_, errOut, code := shmtool(t, "create", "--kind", "pool", name)
	if code != 2 || !strings.Contains(errOut, "a pool is created by pool.New in a program, not by shmtool create") {
		t.Fatalf("create --kind pool: exit %d, stderr %q; want 2 and why", code, errOut)
	}
	out, _, _ := shmtool(t, "__complete", "create", "--kind", "")
	if strings.Contains(out, "pool\n") {
		t.Errorf("create --kind completion offers pool: %q", out)
	}
	if out, _, _ := shmtool(t, "__complete", "stress", "--kind", ""); !strings.Contains(out, "pool\n") {
		t.Errorf("stress --kind completion lacks pool: %q", out)
	}
}

// watch rates a pool's tasks: no bytes, its parent and its workers.
func TestWatchPool(t *testing.T) {
	p := newTestPool(t, 2, 10)
	out, errOut, code := shmtool(t, "watch", "--count", "1", "--interval", "10ms", p.Name())
	if code != 0 {
		t.Fatal(errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	line := regexp.MustCompile(fmt.Sprintf(`^\d\d:\d\d:\d\d\s+\S+\s+-\s+\d+\.\d%%\s+%d/2 workers$`, os.Getpid()))
	if len(lines) != 2 || !line.MatchString(lines[1]) {
		t.Fatalf("watch of a pool:\n%s", out)
	}
	out, _, _ = shmtool(t, "watch", "--json", "--count", "1", "--interval", "10ms", p.Name())
	var tk tick
	if err := json.Unmarshal([]byte(out), &tk); err != nil || tk.Peers != fmt.Sprintf("%d/2 workers", os.Getpid()) || tk.BytesPerSec != 0 {
		t.Fatalf("watch --json of a pool: %q %v", out, err)
	}
}

// A pool whose program was killed: its workers die with it, inspect says
// so, and shmtool gc removes the segment it left, which no process maps.
func TestDeadPool(t *testing.T) {
	dir := t.TempDir() // gc in /dev/shm would take other tests' segments
	name := filepath.Join(dir, "pool")
	c := testutil.Start(t, "run-pool", name)
	var workers [2]int
	if _, err := fmt.Sscanf(c.ReadLine(), "workers %d %d", &workers[0], &workers[1]); err != nil {
		t.Fatal(err)
	}
	c.Kill()
	for _, pid := range workers {
		waitGone(t, pid)
	}
	out := mustRun(t, "inspect", name)
	if !strings.Contains(out, fmt.Sprintf("creator:  pid %d (dead)", c.Pid())) {
		t.Errorf("inspect of a dead program's pool does not say its creator died:\n%s", out)
	}
	for _, pid := range workers {
		if !strings.Contains(out, fmt.Sprintf(" %d (dead) ", pid)) {
			t.Errorf("inspect of a dead program's pool does not mark worker %d dead:\n%s", pid, out)
		}
	}
	var rep struct {
		Segments []gc.Entry `json:"segments"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "gc", "--json", "--dir", dir)), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Segments) != 1 || rep.Segments[0].Name != name || rep.Segments[0].Action != "removed" {
		t.Fatalf("gc of a dead program's pool: %+v", rep.Segments)
	}
	if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the pool's segment is still there: %v", err)
	}
}

// waitGone waits until process pid has exited: no /proc entry, or a
// zombie, which maps nothing. It fails the test after testutil.Timeout.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(testutil.Timeout)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if _, after, _ := strings.Cut(string(stat), ") "); err != nil || strings.HasPrefix(after, "Z") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs after %v", pid, testutil.Timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

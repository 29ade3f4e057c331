package stress

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/reexec"
)

// proc is one running worker, as the parent sees it.
type proc struct {
	id   int
	c    *reexec.Child
	done chan struct{} // its lines are all read and it has been reaped

	mu       sync.Mutex
	ops      int64 // last reported
	progress time.Time
	killed   bool // by us
}

// startProc starts worker id on the object called name; fp, if not
// empty, arms a failpoint in it. Its lines go to t as they come.
func startProc(ctx context.Context, t *tally, kindName, name string, id int, fp string) (*proc, error) {
	o := reexec.Options{Args: []string{kindName, name, strconv.Itoa(id)}}
	if fp != "" {
		o.Env = []string{failpoint.EnvVar + "=" + fp}
	}
	c, err := reexec.Start(ctx, workerRole, o)
	if err != nil {
		return nil, err
	}
	p := &proc{id: id, c: c, done: make(chan struct{}), progress: time.Now()}
	go p.follow(t)
	return p, nil
}

// follow reads the worker's lines until it ends, then adds up what it did.
func (p *proc) follow(t *tally) {
	defer close(p.done)
	for {
		line, err := p.c.ReadLine(0)
		if err == io.EOF {
			break
		}
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "ops":
			n, _ := strconv.ParseInt(rest, 10, 64)
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
			t.recovery()
		case "violation":
			t.violation(fmt.Sprintf("worker %d: %s", p.id, rest))
		}
	}
	<-p.c.Done()
	p.mu.Lock()
	ops, killed := p.ops, p.killed
	p.mu.Unlock()
	t.ended(ops)
	if err := p.c.Err(); err != nil && !killed && !p.killedBySIGKILL() {
		t.violation(fmt.Sprintf("worker %d ended: %v", p.id, p.c.Wait(0)))
	}
}

// kill sends the worker SIGKILL, marking it as killed by us, without
// waiting for it.
func (p *proc) kill() {
	p.mu.Lock()
	p.killed = true
	p.progress = time.Now()
	p.mu.Unlock()
	_ = p.c.Signal(syscall.SIGKILL)
}

// stuck reports whether the worker has made no progress for d at now.
func (p *proc) stuck(now time.Time, d time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return now.Sub(p.progress) > d
}

func (p *proc) reported() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ops
}

// killedBySIGKILL reports whether the ended worker died of SIGKILL (ours,
// or its own at a failpoint).
func (p *proc) killedBySIGKILL() bool { return reexec.ExitSignal(p.c.Err()) == syscall.SIGKILL }

package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// EnvVar is the environment variable that arms failpoints.
const EnvVar = "SHMKIT_FAILPOINT"

type point struct {
	action string
	at     int64 // act on this hit; 0 means every hit
	hits   atomic.Int64
}

var (
	enabled bool
	points  map[string]*point
)

func init() { parse(os.Getenv(EnvVar)) }

func parse(spec string) {
	points = map[string]*point{}
	for _, item := range strings.Split(spec, ",") {
		name, action, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok || name == "" {
			continue
		}
		p := &point{action: action}
		if a, n, ok := strings.Cut(action, "@"); ok {
			p.action = a
			p.at, _ = strconv.ParseInt(n, 10, 64)
		}
		points[name] = p
	}
	enabled = len(points) > 0
}

// Enabled reports whether any failpoint is armed: a hot path that must be
// cut in two for a failpoint to land between the halves (a copy, say)
// does it in one piece otherwise.
func Enabled() bool { return enabled }

// Inject acts on the failpoint called name if it is armed.
func Inject(name string) {
	if !enabled {
		return
	}
	inject(name)
}

func inject(name string) {
	p := points[name]
	if p == nil {
		return
	}
	if n := p.hits.Add(1); p.at != 0 && n != p.at {
		return
	}
	switch p.action {
	case "kill":
		signalSelf(syscall.SIGKILL)
		for { // the signal is on its way
			time.Sleep(time.Second)
		}
	case "stop":
		signalSelf(syscall.SIGSTOP)
	case "hang":
		for { // sleep, not select{}: the runtime must not call it a deadlock
			time.Sleep(time.Hour)
		}
	}
}

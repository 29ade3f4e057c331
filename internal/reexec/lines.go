package reexec

import (
	"sync"
	"time"
)

// lineQueue holds lines read from a pipe. The goroutine that reads the
// pipe never blocks on it, so a peer that writes more than is read can
// still exit and be reaped.
type lineQueue struct {
	mu     sync.Mutex
	lines  []string
	closed bool
	more   chan struct{} // signalled (non-blocking) on push and close
}

func newLineQueue() *lineQueue { return &lineQueue{more: make(chan struct{}, 1)} }

func (q *lineQueue) push(line string) {
	q.mu.Lock()
	q.lines = append(q.lines, line)
	q.mu.Unlock()
	q.signal()
}

func (q *lineQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *lineQueue) signal() {
	select {
	case q.more <- struct{}{}:
	default:
	}
}

// next returns the next line; ok is false once the queue is closed and
// empty. timedOut is true if neither happened within d (d <= 0: no limit).
func (q *lineQueue) next(d time.Duration) (line string, ok, timedOut bool) {
	var expired <-chan time.Time
	if d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		expired = timer.C
	}
	for {
		q.mu.Lock()
		if len(q.lines) > 0 {
			line = q.lines[0]
			q.lines = q.lines[1:]
			q.mu.Unlock()
			return line, true, false
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return "", false, false
		}
		select {
		case <-q.more:
		case <-expired:
			return "", false, true
		}
	}
}

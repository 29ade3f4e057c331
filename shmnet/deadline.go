//go:build linux

package shmnet

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// deadline is one direction's deadline. expired is what the hot path
// looks at (no clock read); a timer sets it when the time comes, and the
// eventfd that side parks on carries the same deadline, so that a parked
// call wakes at it too, and at once when a deadline is moved into the
// past.
type deadline struct {
	expired atomic.Bool
	mu      sync.Mutex
	gen     uint64
	timer   *time.Timer
}

func (d *deadline) set(t time.Time, ev *os.File) error {
	d.mu.Lock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.expired.Store(false)
	if !t.IsZero() {
		if wait := time.Until(t); wait <= 0 {
			d.expired.Store(true)
		} else {
			gen := d.gen
			d.timer = time.AfterFunc(wait, func() {
				d.mu.Lock()
				if d.gen == gen {
					d.expired.Store(true)
				}
				d.mu.Unlock()
			})
		}
	}
	// Under the lock: two calls at once must leave the eventfd's deadline
	// and expired agreeing.
	err := ev.SetReadDeadline(t)
	d.mu.Unlock()
	return err
}

func (d *deadline) stop() {
	d.mu.Lock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
	}
	d.mu.Unlock()
}

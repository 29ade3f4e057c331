//go:build linux

package shmnet

import (
	"sync"
	"sync/atomic"
	"time"
)

// deadline is one direction's deadline. expired is what the hot path
// looks at (no clock read); a timer sets it when the time comes and
// wakes the call parked on wake, as does moving a deadline into the
// past.
type deadline struct {
	expired atomic.Bool
	wake    chan struct{} // the direction's parked call (Conn.rxWake or txWake)
	mu      sync.Mutex
	gen     uint64
	timer   *time.Timer
}

func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.expired.Store(false)
	if t.IsZero() {
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		d.expired.Store(true)
		notify(d.wake)
		return
	}
	gen := d.gen
	d.timer = time.AfterFunc(wait, func() {
		d.mu.Lock()
		if d.gen == gen { // not since moved
			d.expired.Store(true)
			notify(d.wake)
		}
		d.mu.Unlock()
	})
}

func (d *deadline) stop() {
	d.mu.Lock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
	}
	d.mu.Unlock()
}

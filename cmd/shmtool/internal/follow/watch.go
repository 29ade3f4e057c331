package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/shm"
)

// WatchConfig says how often Watch samples and when it stops.
type WatchConfig struct {
	Interval time.Duration // between samples; positive
	Count    int           // stop after this many samples; 0: never
}

// Sample is one look at the counters, with rates since the previous one.
type Sample struct {
	Time        time.Time
	MsgsPerSec  float64 // consumed
	BytesPerSec float64
	Fill        float64 // Used / Capacity, 0 to 1
	kinds.Flow          // the counters as read
}

// A Watcher samples one ring, stream, queue or pool. It must not be used from
// more than one goroutine at once.
type Watcher struct {
	seg    *shm.Segment
	cfg    WatchConfig
	prev   kinds.Flow
	last   time.Time
	n      int
	closed bool
}

// Watch opens the ring, stream, queue or pool called name read-only and
// reads its counters once, the base of the first sample's rates.
func Watch(name string, cfg WatchConfig) (*Watcher, error) {
	if cfg.Interval <= 0 || cfg.Count < 0 {
		return nil, fmt.Errorf("%w: Interval %v, Count %d: want a positive interval and a count not negative", ErrInvalidConfig, cfg.Interval, cfg.Count)
	}
	seg, err := shm.Open(name, &shm.Options{ReadOnly: true, AllowOtherUsers: true})
	if err != nil {
		return nil, err
	}
	prev, err := kinds.ReadFlow(seg)
	if errors.Is(err, kinds.ErrNoFlow) {
		err = &KindError{"watch", name, seg.Kind()}
	}
	if err != nil {
		seg.Close()
		return nil, err
	}
	return &Watcher{seg: seg, cfg: cfg, prev: prev, last: time.Now()}, nil
}

// Next waits an interval and returns a sample. It returns io.EOF once
// Count samples were returned or when ctx ends: watching ends there.
func (w *Watcher) Next(ctx context.Context) (Sample, error) {
	if w.cfg.Count > 0 && w.n >= w.cfg.Count {
		return Sample{}, io.EOF
	}
	select {
	case <-ctx.Done():
		return Sample{}, io.EOF
	case <-time.After(w.cfg.Interval):
	}
	if err := w.seg.Check(); err != nil { // truncated: reading would fault
		return Sample{}, err
	}
	st, err := kinds.ReadFlow(w.seg)
	if err != nil {
		return Sample{}, err
	}
	now := time.Now()
	dt := now.Sub(w.last).Seconds()
	s := Sample{
		Time:        now,
		MsgsPerSec:  float64(st.Messages-w.prev.Messages) / dt,
		BytesPerSec: float64(st.Bytes-w.prev.Bytes) / dt,
		Fill:        float64(st.Used) / float64(st.Capacity),
		Flow:        st,
	}
	w.prev, w.last = st, now
	w.n++
	return s, nil
}

// Close unmaps the segment. It is idempotent.
func (w *Watcher) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.seg.Close()
}

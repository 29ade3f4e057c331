package follow

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ringbuf"
)

func watch(tb testing.TB, name string, cfg WatchConfig) *Watcher {
	tb.Helper()
	w, err := Watch(name, cfg)
	if err != nil {
		tb.Fatalf("Watch(%s, %+v) = %v", name, cfg, err)
	}
	tb.Cleanup(func() { w.Close() })
	return w
}

// A sample's rates are what was consumed since the last sample, over the
// time between them; Count samples end with io.EOF.
func TestWatchRing(t *testing.T) {
	name := path(t, "ring")
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 64 << 10, MaxMessage: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, _ := r.Producer()
	defer p.Close()
	c, _ := r.Consumer()
	defer c.Close()
	const interval = time.Millisecond
	w := watch(t, name, WatchConfig{Interval: interval, Count: 2})
	for i := range 2 {
		start := time.Now()
		for range 64 { // counters are published every 64 messages
			p.Write(make([]byte, 100))
			c.TryNext()
		}
		p.Write(make([]byte, 100)) // one left in the ring
		s, err := w.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// At least an interval passed since the last sample.
		if s.Messages != 64*uint64(i+1) || s.MsgsPerSec <= 0 || s.MsgsPerSec > 64/interval.Seconds() || math.Abs(s.BytesPerSec-100*s.MsgsPerSec) > 1e-9*s.BytesPerSec ||
			s.Used == 0 || s.Capacity != 64<<10 || s.Fill != float64(s.Used)/float64(s.Capacity) ||
			s.Producer != os.Getpid() || s.Consumer != os.Getpid() || s.Peers != fmt.Sprintf("%d/%d", os.Getpid(), os.Getpid()) || s.Time.Before(start) {
			t.Fatalf("Next() = %+v, want 64 more messages of 100 bytes, one left", s)
		}
		c.TryNext()
	}
	if _, err := w.Next(context.Background()); err != io.EOF {
		t.Fatalf("Next() after Count samples = %v, want io.EOF", err)
	}
}

// A queue has counts of peers where a ring has pids.
func TestWatchQueue(t *testing.T) {
	name := path(t, "queue")
	q := createQueue(t, name)
	p, _ := q.Producer()
	defer p.Close()
	p.Write([]byte("one"))
	s, err := watch(t, name, WatchConfig{Interval: time.Millisecond}).Next(context.Background())
	if err != nil || s.Peers != "1 producer/0 consumers" || s.Used != 1 || s.Fill != 1.0/8 || s.Producer != 0 {
		t.Fatalf("Next() = %+v, %v; want one producer and one message of 8", s, err)
	}
}

// Watching ends quietly when the context does, and with an error when
// the segment was truncated: never a fault.
func TestWatchEnds(t *testing.T) {
	name := path(t, "ring")
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 4096, MaxMessage: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // so that only the Watcher maps the ring when it shrinks
	w := watch(t, name, WatchConfig{Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Next(ctx); err != io.EOF {
		t.Fatalf("Next(cancelled) = %v, want io.EOF", err)
	}
	w = watch(t, name, WatchConfig{Interval: time.Millisecond})
	if err := os.Truncate(name, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Next(context.Background()); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("Next() after truncation = %v, want an error saying so", err)
	}
}

package ringbuf_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// Close wakes this process's goroutines parked in a consumer's Next and
// a producer's Write on a full ring; both return os.ErrClosed, and Close
// returns once they have left. Over local memory, so that -race watches.
func TestCloseWakesParked(t *testing.T) {
	for _, w := range []ringbuf.Wait{ringbuf.Block, ringbuf.Adaptive, ringbuf.Spin} {
		t.Run(w.String(), func(t *testing.T) {
			empty, err := ringbuf.New(ringbuf.Config{Capacity: 4096, MaxMessage: 1000})
			if err != nil {
				t.Fatal(err)
			}
			full, err := ringbuf.New(ringbuf.Config{Capacity: 4096, MaxMessage: 1000})
			if err != nil {
				t.Fatal(err)
			}
			c, _ := empty.Consumer()
			p, _ := full.Producer()
			c.SetWait(w)
			p.SetWait(w)
			for p.TryWrite(make([]byte, 1000)) == nil { // fill it
			}
			errs := make(chan error, 2)
			go func() { _, err := c.Next(context.Background()); errs <- err }()
			go func() { errs <- p.Write(make([]byte, 1000)) }()
			if err := empty.Close(); err != nil {
				t.Fatal(err)
			}
			if err := full.Close(); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := <-errs; !errors.Is(err, os.ErrClosed) {
					t.Errorf("parked call after Close = %v, want os.ErrClosed", err)
				}
			}
			if _, err := c.TryNext(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("TryNext after Close = %v, want os.ErrClosed", err)
			}
			if err := p.TryWrite([]byte("x")); !errors.Is(err, os.ErrClosed) {
				t.Errorf("TryWrite after Close = %v, want os.ErrClosed", err)
			}
			if err := c.Close(); err != nil {
				t.Errorf("Consumer.Close after Ring.Close = %v, want nil", err)
			}
		})
	}
}

// The same for a stream's reader and writer.
func TestStreamCloseWakesParked(t *testing.T) {
	s, err := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 4096})
	if err != nil {
		t.Fatal(err)
	}
	rd, _ := s.Reader()
	rd.SetWait(ringbuf.Block)
	errs := make(chan error, 1)
	go func() { _, err := rd.Read(make([]byte, 10)); errs <- err }()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close = %v, want os.ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// OpenOrCreate creates once, then opens; another geometry is refused.
func TestOpenOrCreate(t *testing.T) {
	name := testutil.Name(t)
	cfg := ringbuf.Config{Capacity: 1 << 16, MaxMessage: 512}
	a, created, err := ringbuf.OpenOrCreate(name, cfg, nil)
	if err != nil || !created {
		t.Fatalf("OpenOrCreate = %v, created %v; want nil, true", err, created)
	}
	defer shm.Remove(name)
	defer a.Close()
	b, created, err := ringbuf.OpenOrCreate(name, cfg, nil)
	if err != nil || created {
		t.Fatalf("second OpenOrCreate = %v, created %v; want nil, false", err, created)
	}
	b.Close()
	cfg.MaxMessage = 256
	if _, _, err := ringbuf.OpenOrCreate(name, cfg, nil); !errors.Is(err, shm.ErrIncompatible) {
		t.Errorf("OpenOrCreate with another max message = %v, want ErrIncompatible", err)
	}
	if _, _, err := ringbuf.OpenOrCreateStream(name, ringbuf.StreamConfig{Capacity: 1 << 16}, nil); !errors.Is(err, shm.ErrIncompatible) {
		t.Errorf("OpenOrCreateStream on a ring = %v, want ErrIncompatible", err)
	}
}

// With a Producer still open (a call of its may be in flight), the Ring's
// Close lets the file go at once but keeps the address range valid: the
// Producer's later calls return os.ErrClosed, never fault, and its Close
// releases the range.
func TestCloseRetiresUnderHolders(t *testing.T) {
	name := testutil.Name(t)
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 16}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	path := r.Segment().Path()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if mapped(t, path) {
		t.Error("the file is still mapped after the Ring's Close")
	}
	if err := p.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after the Ring's Close = %v, want os.ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	r2, err := ringbuf.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if st := r2.State(); st.ProducerPID != os.Getpid() || st.Counters.Produced.Messages != 0 {
		t.Errorf("state = %+v; want the role still held by this process and nothing produced", st)
	}
}

// mapped reports whether this process maps the file at path, by inode
// (a segment built in an O_TMPFILE shows as "#INODE (deleted)").
func mapped(t *testing.T, path string) bool {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(maps), "\n") {
		if f := strings.Fields(line); len(f) >= 5 && f[4] == strconv.FormatUint(st.Ino, 10) {
			return true
		}
	}
	return false
}

// A producer or consumer used after its own Close (the ring still open)
// is refused with os.ErrClosed, on the fast paths too: the role is free
// for another process, which a stale handle must not write under.
func TestRoleUsedAfterClose(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: ringbuf.MinCapacity})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, _ := r.Producer()
	c, _ := r.Consumer()
	if err := p.Write([]byte("one")); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := p.Write([]byte("two")); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Write after Close = %v, want os.ErrClosed", err)
	}
	if err := p.TryWrite([]byte("two")); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("TryWrite after Close = %v, want os.ErrClosed", err)
	}
	if _, err := p.Reserve(context.Background(), 3); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Reserve after Close = %v, want os.ErrClosed", err)
	}
	if m, err := c.Next(context.Background()); err != nil || string(m) != "one" {
		t.Fatalf("Next = %q, %v", m, err)
	}
	c.Close()
	if _, err := c.TryNext(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("TryNext after Close = %v, want os.ErrClosed", err)
	}
	p2, err := r.Producer() // the role is free: a new handle takes it
	if err != nil {
		t.Fatal(err)
	}
	p2.Close()
}

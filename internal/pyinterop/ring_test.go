//go:build linux

package pyinterop_test

import (
	"context"
	"errors"
	"hash/crc32"
	"io"
	"strconv"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func newRing(t *testing.T, capacity int) (*ringbuf.Ring, string) {
	t.Helper()
	name := testutil.Name(t)
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: capacity}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); shm.Remove(name) })
	return r, name
}

// Python produces, Go consumes: every message, in order, and the end.
func TestRingPythonToGo(t *testing.T) {
	for _, wait := range []string{"adaptive", "block"} {
		t.Run(wait, func(t *testing.T) {
			r, name := newRing(t, 1<<16)
			c, err := r.Consumer()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			n := messages()
			py := startPy(t, "ring-produce", name, strconv.Itoa(n), wait)
			py.expect("ready")
			ck := checker{t: t}
			for m := range c.Messages(context.Background()) {
				if !ck.add(m) {
					return
				}
			}
			if err := c.Err(); err != nil {
				t.Fatal(err)
			}
			pn, pcrc := py.finish()
			if ck.n != n || pn != n || ck.crc != pcrc {
				t.Fatalf("Go read %d messages (crc %08x), python wrote %d (crc %08x), want %d", ck.n, ck.crc, pn, pcrc, n)
			}
		})
	}
}

// Go produces, Python consumes.
func TestRingGoToPython(t *testing.T) {
	for _, wait := range []string{"adaptive", "block"} {
		t.Run(wait, func(t *testing.T) {
			r, name := newRing(t, 1<<16)
			n := messages()
			py := startPy(t, "ring-consume", name, strconv.Itoa(n), wait)
			py.expect("ready")
			p, err := r.Producer()
			if err != nil {
				t.Fatal(err)
			}
			if wait == "block" {
				p.SetWait(ringbuf.Block)
			}
			var crc uint32
			var buf []byte
			for i := range n {
				buf = message(buf, i)
				if err := p.Write(buf); err != nil {
					t.Fatal(err)
				}
				crc = crc32.Update(crc, crc32.IEEETable, buf)
			}
			p.Close()
			pn, pcrc := py.finish()
			if pn != n || pcrc != crc {
				t.Fatalf("python read %d messages (crc %08x), Go wrote %d (crc %08x)", pn, pcrc, n, crc)
			}
		})
	}
}

// A Python producer SIGKILLed mid-stream: the Go consumer reads every
// message it committed, whole, then ErrPeerDead.
func TestRingPythonProducerKilled(t *testing.T) {
	r, name := newRing(t, 1<<16)
	c, err := r.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	py := startPy(t, "ring-produce", name, "1000000", "adaptive", "5000")
	py.expect("ready")
	type result struct {
		n   int
		err error
	}
	res := make(chan result, 1)
	go func() { // reads while python writes: the ring holds about 1,500 messages
		ck := checker{t: t}
		for {
			m, err := c.Next(context.Background())
			if err != nil {
				res <- result{ck.n, err}
				return
			}
			if !ck.add(m) {
				res <- result{ck.n, nil}
				return
			}
		}
	}()
	py.expect("at")
	py.kill()
	got := <-res
	if !errors.Is(got.err, ringbuf.ErrPeerDead) || !errors.Is(got.err, io.ErrUnexpectedEOF) {
		t.Fatalf("after %d messages: %v, want ErrPeerDead", got.n, got.err)
	}
	if got.n != 5001 {
		t.Fatalf("read %d messages before the death, want 5001", got.n)
	}
}

// A Python consumer SIGKILLed while a Go producer waits for room: the
// Go producer's Write returns ErrPeerDead instead of waiting for ever.
func TestRingPythonConsumerKilled(t *testing.T) {
	r, name := newRing(t, 1<<14)
	py := startPy(t, "ring-consume-stop", name, "100")
	py.expect("ready")
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.SetWait(ringbuf.Block)
	res := make(chan error, 1)
	go func() {
		var buf []byte
		for i := 0; ; i++ {
			buf = message(buf, i)
			if err := p.Write(buf); err != nil {
				res <- err
				return
			}
		}
	}()
	py.expect("at")
	py.kill()
	if err := <-res; !errors.Is(err, ringbuf.ErrPeerDead) {
		t.Fatalf("Write after the python consumer's death: %v, want ErrPeerDead", err)
	}
}

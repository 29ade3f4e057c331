package ringbuf_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func init() { testutil.Child("stream-write", childStreamWrite) }

// randomStream is n pseudo-random bytes from seed, and their sha256.
func randomStream(seed uint64, n int64) (io.Reader, func() string) {
	h := sha256.New()
	r := io.TeeReader(io.LimitReader(rand.NewChaCha8([32]byte{byte(seed)}), n), h)
	return r, func() string { return hex.EncodeToString(h.Sum(nil)) }
}

// childStreamWrite copies args[1] random bytes into the stream of ring
// args[0] (io.Copy, so through ReadFrom) and reports their sha256.
func childStreamWrite(args []string) error {
	r, err := ringbuf.OpenStream(args[0], nil)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := r.Writer()
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(args[1], 10, 64)
	src, sum := randomStream(7, n)
	testutil.Send("writing")
	if _, err := io.Copy(w, src); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	testutil.Send("sha256 %s", sum())
	return nil
}

// io.Copy of random bytes from one process to another gives an equal
// sha256.
func TestStreamCrossProcess(t *testing.T) {
	r := createStream(t)
	sr, err := r.Reader()
	if err != nil {
		t.Fatal(err)
	}
	p := testutil.Start(t, "stream-write", r.Segment().Name(), strconv.FormatInt(streamBytes, 10))
	p.Expect("writing")
	h := sha256.New()
	start := time.Now()
	n, err := io.Copy(h, sr) // through WriteTo
	if err != nil || n != streamBytes {
		t.Fatalf("io.Copy = %d, %v; want %d bytes", n, err, streamBytes)
	}
	p.Expect("sha256 " + hex.EncodeToString(h.Sum(nil)))
	p.Wait()
	t.Logf("%d MiB in %v", streamBytes>>20, time.Since(start))
}

// A writer killed mid-stream leaves the reader with an error within a
// second, not a hang.
func TestStreamWriterKilled(t *testing.T) {
	r := createStream(t)
	sr, err := r.Reader()
	if err != nil {
		t.Fatal(err)
	}
	p := testutil.Start(t, "stream-write", r.Segment().Name(), strconv.FormatInt(1<<40, 10))
	p.Expect("writing")
	buf := make([]byte, 1<<16)
	if _, err := io.ReadFull(sr, buf); err != nil {
		t.Fatal(err)
	}
	p.Kill()
	deadline := time.Now().Add(time.Second)
	for {
		_, err := sr.Read(buf)
		if err == nil {
			continue // draining what was written before the kill
		}
		if !errors.Is(err, ringbuf.ErrPeerDead) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("Read after the writer died = %v, want ErrPeerDead", err)
		}
		break
	}
	if time.Now().After(deadline) {
		t.Fatal("the reader took over a second to notice the dead writer")
	}
}

// A reader killed while the writer waits for room: each way of writing
// returns ErrPeerDead, named with the stream, as the ring's errors are.
func TestStreamReaderKilled(t *testing.T) {
	for _, how := range []string{"write", "writecontext", "readfrom"} {
		t.Run(how, func(t *testing.T) {
			r := createStream(t)
			sw, err := r.Writer()
			if err != nil {
				t.Fatal(err)
			}
			p := testutil.Start(t, "hold-reader", r.Segment().Name(), "stream")
			p.Expect("reading")
			p.Kill()
			big := make([]byte, 4*r.Capacity()) // more than fits: the write waits for room
			switch how {
			case "write":
				_, err = sw.Write(big)
			case "writecontext":
				ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
				defer cancel()
				_, err = sw.WriteContext(ctx, big)
			case "readfrom":
				_, err = sw.ReadFrom(bytes.NewReader(big))
			}
			if !errors.Is(err, ringbuf.ErrPeerDead) || !strings.Contains(err.Error(), r.Segment().Name()) {
				t.Fatalf("%s beside a dead reader: %v, want ErrPeerDead naming %s", how, err, r.Segment().Name())
			}
		})
	}
}

// Within one process over heap memory (for the race detector), through
// both Write/Read and ReadFrom/WriteTo.
func TestStreamHeap(t *testing.T) {
	r, err := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Writer()
	sr, _ := r.Reader()
	src, sum := randomStream(3, 8<<20)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 1000) // odd-sized writes through Write
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					done <- werr
					return
				}
			}
			if err == io.EOF {
				done <- w.Close()
				return
			}
		}
	}()
	h := sha256.New()
	buf := make([]byte, 777) // and odd-sized reads through Read
	for {
		n, err := sr.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum() {
		t.Fatal("sha256 differs")
	}
}

func TestStreamDeadline(t *testing.T) {
	r, _ := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 4096})
	sr, _ := r.Reader()
	sr.SetDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := sr.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past the deadline = %v, want os.ErrDeadlineExceeded", err)
	}
	w, _ := r.Writer()
	w.SetDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := w.Write(make([]byte, 8000)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write into a full ring past the deadline = %v, want os.ErrDeadlineExceeded", err)
	}
	var _ io.ReaderFrom = w
	var _ io.WriterTo = sr

}

// createStream makes a 1 MiB stream, closed and removed when the test ends.
func createStream(t *testing.T) *ringbuf.Stream {
	t.Helper()
	name := testutil.Name(t)
	s, err := ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: 1 << 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		shm.Remove(name)
	})
	return s
}

// failAfter takes n bytes, then fails.
type failAfter struct {
	n   int
	got []byte
}

func (f *failAfter) Write(p []byte) (int, error) {
	k := min(len(p), f.n-len(f.got))
	f.got = append(f.got, p[:k]...)
	if k < len(p) {
		return k, errors.New("full")
	}
	return k, nil
}

// TestStreamWriteToKeepsRest: bytes a failing WriteTo destination did
// not take stay readable, and nothing is lost or repeated.
func TestStreamWriteToKeepsRest(t *testing.T) {
	s, _ := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 1 << 16})
	w, _ := s.Writer()
	r, _ := s.Reader()
	w.Write([]byte("0123456789"))
	w.Write([]byte("abc")) // a record after the one the destination failed on
	w.Close()
	dst := &failAfter{n: 4}
	if _, err := r.WriteTo(dst); err == nil || string(dst.got) != "0123" {
		t.Fatalf("WriteTo: %q, %v", dst.got, err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "456789abc" {
		t.Fatalf("after a failed WriteTo: %q, %v", rest, err)
	}
}

// A destination that reports a count it cannot have written (negative,
// or more than it was given) is an error, not a panic, whether it is
// handed a whole record or the rest of one; nothing is lost.
func TestStreamWriteToInvalidCount(t *testing.T) {
	for _, bad := range []int{-1, 100} {
		s, _ := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 1 << 16})
		w, _ := s.Writer()
		r, _ := s.Reader()
		w.Write([]byte("0123456789"))
		w.Close()
		if _, err := r.WriteTo(liar(bad)); err == nil {
			t.Fatalf("a destination that says %d: no error", bad)
		}
		if _, err := r.WriteTo(&failAfter{n: 4}); err == nil { // the rest is kept, then handed to the liar
			t.Fatal("a short destination: no error")
		}
		if _, err := r.WriteTo(liar(bad)); err == nil {
			t.Fatalf("the rest to a destination that says %d: no error", bad)
		}
		rest, err := io.ReadAll(r)
		if err != nil || string(rest) != "456789" {
			t.Fatalf("after the liars: %q, %v; want the rest", rest, err)
		}
	}
}

// liar's Write reports n whatever it is given.
type liar int

func (l liar) Write([]byte) (int, error) { return int(l), nil }

// WriteTo, the stream's io.Copy path, allocates nothing per record: a
// WriteTo of 32 records costs what one of none does (the deadline that
// ends it, a context).
func TestStreamWriteToAllocs(t *testing.T) {
	s, _ := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 1 << 16})
	w, _ := s.Writer()
	r, _ := s.Reader()
	msg := make([]byte, 1000)
	var dst countWriter
	run := func(records int) float64 {
		return testing.AllocsPerRun(100, func() {
			for range records {
				w.Write(msg)
			}
			r.SetDeadline(time.Now()) // WriteTo ends once the records are read
			r.WriteTo(&dst)
			r.SetDeadline(time.Time{})
		})
	}
	none, full := run(0), run(32)
	if full != none || dst != 101*32*1000 {
		t.Errorf("WriteTo of 32 records: %v allocations, of none %v; %d bytes, want %d", full, none, dst, 101*32*1000)
	}
}

// countWriter counts what is written to it.
type countWriter int

func (c *countWriter) Write(b []byte) (int, error) { *c += countWriter(len(b)); return len(b), nil }

// A lingering WriteTo waits a little for more bytes before it hands over
// what it has, and does not linger once 4 KiB wait. (Outcomes only: a
// linger is counted in PAUSEs, so its length in time is approximate.)
func TestStreamLinger(t *testing.T) {
	s, _ := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 1 << 16})
	w, _ := s.Writer()
	r, _ := s.Reader()
	r.SetLinger(200 * time.Millisecond) // long enough for the second write to come while it lingers
	w.Write([]byte("one"))
	var second atomic.Bool
	go func() {
		time.Sleep(5 * time.Millisecond)
		w.Write([]byte("two"))
		second.Store(true)
	}()
	dst := &stopAfter{stop: 6, second: &second}
	if _, err := r.WriteTo(dst); err != errStop || string(dst.got) != "onetwo" || !dst.late {
		t.Fatalf("lingering WriteTo: %q, %v, second write before the first byte: %v; want \"onetwo\", true", dst.got, err, dst.late)
	}
	r.SetLinger(time.Hour)
	w.Write(make([]byte, 5000)) // more than 4 KiB waiting: no linger, however long it may be
	done := make(chan error, 1)
	go func() {
		d := &stopAfter{stop: 5000, second: &second}
		_, err := r.WriteTo(d)
		if err == errStop && len(d.got) != 5000 {
			err = fmt.Errorf("%d bytes, want 5000", len(d.got))
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != errStop {
			t.Fatalf("a full WriteTo: %v", err)
		}
	case <-time.After(testutil.Timeout):
		t.Fatal("WriteTo lingered on with 5000 bytes waiting")
	}
	r.SetLinger(0)
	w.Close()
	if n, err := r.WriteTo(io.Discard); n != 0 || err != nil {
		t.Fatalf("after close = %d %v, want 0 nil", n, err)
	}
}

// errStop ends a WriteTo once stopAfter has its bytes.
var errStop = errors.New("enough")

// stopAfter collects what WriteTo hands it and stops it with errStop
// after stop bytes; late is whether *second was set when the first
// bytes came.
type stopAfter struct {
	got    []byte
	stop   int
	second *atomic.Bool
	late   bool
}

func (f *stopAfter) Write(b []byte) (int, error) {
	if len(f.got) == 0 {
		f.late = f.second.Load()
	}
	f.got = append(f.got, b...)
	if len(f.got) >= f.stop {
		return len(b), errStop
	}
	return len(b), nil
}

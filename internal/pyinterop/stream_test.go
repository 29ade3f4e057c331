//go:build linux

package pyinterop_test

import (
	"bufio"
	"strconv"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func newStream(t *testing.T) (*ringbuf.Stream, string) {
	t.Helper()
	name := testutil.Name(t)
	s, err := ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: 1 << 16}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); shm.Remove(name) })
	return s, name
}

// A stream both ways: Go's StreamWriter to Python's reader (a file
// object), Python's writer (under io.BufferedWriter) to Go's StreamReader,
// 10^6 framed messages each, then the end of the stream.
func TestStreamBothWays(t *testing.T) {
	n := messages()
	t.Run("go-to-python", func(t *testing.T) {
		s, name := newStream(t)
		py := startPy(t, "stream-read", name, strconv.Itoa(n))
		py.expect("ready")
		w, err := s.Writer()
		if err != nil {
			t.Fatal(err)
		}
		crc := writeFramed(t, w, n)
		w.Close()
		if pn, pcrc := py.finish(); pn != n || pcrc != crc {
			t.Fatalf("python read %d (crc %08x), Go wrote %d (crc %08x)", pn, pcrc, n, crc)
		}
	})
	t.Run("python-to-go", func(t *testing.T) {
		s, name := newStream(t)
		r, err := s.Reader()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		py := startPy(t, "stream-write", name, strconv.Itoa(n))
		py.expect("ready")
		ck := readFramed(t, bufio.NewReader(r))
		if pn, pcrc := py.finish(); ck.n != n || pn != n || pcrc != ck.crc {
			t.Fatalf("Go read %d (crc %08x), python wrote %d (crc %08x)", ck.n, ck.crc, pn, pcrc)
		}
	})
}

// A Go producer SIGKILLed mid-stream: the Python consumer reads every
// message it committed, whole, then PeerDeadError; for a ring and for a
// stream.
func TestGoProducerKilled(t *testing.T) {
	t.Run("ring", func(t *testing.T) {
		_, name := newRing(t, 1<<16)
		py := startPy(t, "ring-consume", name, "1000000")
		py.expect("ready")
		p := testutil.Start(t, "ring-produce", name, "5000")
		p.Expect("at")
		p.Kill()
		f := py.expect("peerdead")
		if len(f) != 2 || f[0] != "5001" {
			t.Fatalf("python read %v messages before the death, want 5001", f)
		}
		py.wait()
	})
	t.Run("stream", func(t *testing.T) {
		_, name := newStream(t)
		py := startPy(t, "stream-read", name, "1000000")
		py.expect("ready")
		p := testutil.Start(t, "stream-produce", name, "5000")
		p.Expect("at")
		p.Kill()
		f := py.expect("peerdead")
		if len(f) != 2 || f[0] != "5001" {
			t.Fatalf("python read %v messages before the death, want 5001", f)
		}
		py.wait()
	})
}

func init() {
	// Both write message(i) (framed, for the stream) and say "at" after
	// message k, then wait there for the SIGKILL.
	testutil.Child("ring-produce", func(args []string) error {
		r, err := ringbuf.Open(args[0], nil)
		if err != nil {
			return err
		}
		p, err := r.Producer()
		if err != nil {
			return err
		}
		return produceUntilKilled(args[1], p.Write)
	})
	testutil.Child("stream-produce", func(args []string) error {
		s, err := ringbuf.OpenStream(args[0], nil)
		if err != nil {
			return err
		}
		w, err := s.Writer()
		if err != nil {
			return err
		}
		return produceUntilKilled(args[1], func(m []byte) error {
			_, err := w.Write(append([]byte{byte(len(m))}, m...))
			return err
		})
	})
}

// produceUntilKilled writes message(0), message(1), ... with write, and
// after message k (the decimal kill) says "at" and waits to be killed.
func produceUntilKilled(kill string, write func([]byte) error) error {
	k, _ := strconv.Atoi(kill)
	var buf []byte
	for i := 0; ; i++ {
		buf = message(buf, i)
		if err := write(buf); err != nil {
			return err
		}
		if i == k {
			testutil.Send("at")
			testutil.Recv()
		}
	}
}

//go:build linux

package pyinterop_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

var connSeq atomic.Int64

// connName is a listener name unique to this test run.
func connName(*testing.T) string {
	return fmt.Sprintf("pyinterop-%d-%d", os.Getpid(), connSeq.Add(1))
}

// writeFramed writes n of peer.py's framed messages (a length byte, then
// message(i)) and returns their CRC.
func writeFramed(t *testing.T, w io.Writer, n int) uint32 {
	bw := bufio.NewWriterSize(w, 64<<10)
	var crc uint32
	var buf []byte
	for i := range n {
		buf = message(buf, i)
		bw.WriteByte(byte(len(buf)))
		bw.Write(buf)
		crc = crc32.Update(crc, crc32.IEEETable, buf)
	}
	if err := bw.Flush(); err != nil {
		t.Error(err)
	}
	return crc
}

// readFramed reads framed messages to the end, checking each.
func readFramed(t *testing.T, r io.Reader) checker {
	br := bufio.NewReaderSize(r, 64<<10)
	ck := checker{t: t}
	m := make([]byte, 256)
	for {
		k, err := br.ReadByte()
		if err == io.EOF {
			return ck
		}
		if err != nil {
			t.Error(err)
			return ck
		}
		if _, err := io.ReadFull(br, m[:k]); err != nil {
			t.Errorf("message %d: %v", ck.n, err)
			return ck
		}
		if !ck.add(m[:k]) {
			return ck
		}
	}
}

// A Go listener and a Python dialer, 10^6 messages each way over one
// connection; then a Python listener that a Go dialer sends 10^6 to,
// echoed back.
func TestConnBothWays(t *testing.T) {
	n := messages()
	t.Run("go-listens", func(t *testing.T) {
		name := connName(t)
		l, err := shmnet.Listen(name, shmnet.Config{Capacity: 1 << 16})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		py := startPy(t, "conn-dial-read", name, strconv.Itoa(n))
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		py.expect("ready")
		crc := writeFramed(t, c, n)
		c.Close()
		if pn, pcrc := py.finish(); pn != n || pcrc != crc {
			t.Fatalf("python read %d (crc %08x), Go wrote %d (crc %08x)", pn, pcrc, n, crc)
		}

		py = startPy(t, "conn-dial-write", name, strconv.Itoa(n))
		c, err = l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		py.expect("ready")
		ck := readFramed(t, c)
		c.Close()
		if pn, pcrc := py.finish(); ck.n != n || pn != n || pcrc != ck.crc {
			t.Fatalf("Go read %d (crc %08x), python wrote %d (crc %08x)", ck.n, ck.crc, pn, pcrc)
		}
	})
	t.Run("python-listens", func(t *testing.T) {
		name := connName(t)
		py := startPy(t, "conn-listen-echo", name)
		py.expect("ready")
		c, err := shmnet.Dial(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		done := make(chan checker, 1)
		go func() { done <- readFramed(t, c) }()
		crc := writeFramed(t, c, n)
		c.CloseWrite()
		ck := <-done
		if ck.n != n || ck.crc != crc {
			t.Fatalf("echo: read back %d (crc %08x), wrote %d (crc %08x)", ck.n, ck.crc, n, crc)
		}
		py.finish()
	})
}

// Dialing a Python listener that is gone is refused at once.
func TestConnRefusedAfterPythonListenerDies(t *testing.T) {
	name := connName(t)
	py := startPy(t, "conn-listen-hold", name)
	py.expect("ready")
	py.kill()
	if _, err := shmnet.Dial(context.Background(), name); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Dial after the listener died: %v, want ECONNREFUSED", err)
	}
}

// A Python peer SIGKILLed while Go reads: Go's blocked Read gets
// ErrPeerDead. A Go peer SIGKILLed while Python reads: Python's recv
// raises PeerDeadError.
func TestConnPeerKilled(t *testing.T) {
	t.Run("python-dies", func(t *testing.T) {
		name := connName(t)
		py := startPy(t, "conn-listen-hold", name)
		py.expect("ready")
		c, err := shmnet.Dial(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		py.expect("accepted")
		b := make([]byte, 16)
		if n, err := c.Read(b); n != 1 || err != nil {
			t.Fatalf("first read: %d %v", n, err)
		}
		go func() { time.Sleep(50 * time.Millisecond); py.kill() }()
		_, err = c.Read(b)
		if !errors.Is(err, shmnet.ErrPeerDead) {
			t.Fatalf("Read after the python peer's death: %v, want ErrPeerDead", err)
		}
	})
	t.Run("go-dies", func(t *testing.T) {
		name := connName(t)
		p := testutil.Start(t, "conn-listen-hold", name)
		p.Expect("ready")
		py := startPy(t, "conn-dial-expect-dead", name)
		py.expect("ready")
		p.Expect("accepted")
		p.Kill()
		py.expect("peerdead")
		py.wait()
	})
}

func init() {
	testutil.Child("conn-listen-hold", func(args []string) error {
		l, err := shmnet.Listen(args[0], shmnet.Config{})
		if err != nil {
			return err
		}
		testutil.Send("ready")
		c, err := l.Accept()
		if err != nil {
			return err
		}
		c.Write([]byte("x"))
		testutil.Send("accepted")
		testutil.Recv()
		return nil
	})
}

var _ net.Conn = (*shmnet.Conn)(nil)

//go:build linux

package shmnet_test

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shmnet"
)

func pipe(t testing.TB) (*shmnet.Conn, *shmnet.Conn) {
	t.Helper()
	a, b, err := shmnet.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// TestZeroCopy moves 16 MiB (16 times the buffer, so that it wraps) with
// ReadFrom on one side and WriteTo on the other, as io.Copy picks them,
// and checks every byte.
func TestZeroCopy(t *testing.T) {
	a, b := pipe(t)
	src := make([]byte, 16<<20)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range src {
		src[i] = byte(rng.Uint32())
	}
	go func() {
		// An odd-sized reader, so that ReadFrom's reads straddle the wrap.
		n, err := io.Copy(a, io.LimitReader(&oddReader{r: bytes.NewReader(src)}, int64(len(src))))
		if err != nil || n != int64(len(src)) {
			t.Errorf("ReadFrom: %d, %v", n, err)
		}
		a.CloseWrite()
	}()
	var got bytes.Buffer
	n, err := io.Copy(&got, b) // b.WriteTo
	if err != nil || n != int64(len(src)) || !bytes.Equal(got.Bytes(), src) {
		t.Fatalf("WriteTo: %d bytes, %v; equal %v", n, err, bytes.Equal(got.Bytes(), src))
	}
}

type oddReader struct{ r io.Reader }

func (o *oddReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(len(p), 7777)]) }

// TestNextInPlace reads with Next, mixed with Read, and checks the CRC.
func TestNextInPlace(t *testing.T) {
	a, b := pipe(t)
	const total = 5 << 20
	want := make(chan uint32, 1)
	go func() {
		rng := rand.New(rand.NewPCG(7, 8))
		buf := make([]byte, 100<<10)
		var sum uint32
		for left := total; left > 0; {
			n := min(left, 1+rng.IntN(len(buf)))
			for i := range buf[:n] {
				buf[i] = byte(rng.Uint32())
			}
			sum = crc32.Update(sum, crc32.IEEETable, buf[:n])
			a.Write(buf[:n])
			left -= n
		}
		a.Close()
		want <- sum
	}()
	var sum uint32
	got, small := 0, make([]byte, 3)
	for i := 0; ; i++ {
		var b1 []byte
		var err error
		if i%3 == 0 {
			var n int
			n, err = b.Read(small)
			b1 = small[:n]
		} else {
			b1, err = b.Next(64 << 10)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(b1) == 0 || len(b1) > 64<<10 {
			t.Fatalf("Next returned %d bytes", len(b1))
		}
		sum = crc32.Update(sum, crc32.IEEETable, b1)
		got += len(b1)
	}
	if got != total || sum != <-want {
		t.Fatalf("read %d bytes, CRC match %v", got, sum)
	}
}

// TestNoAllocs: Read and Write allocate nothing.
func TestNoAllocs(t *testing.T) {
	a, b := pipe(t)
	msg, buf := make([]byte, 64), make([]byte, 64)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := a.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(b, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per Write and Read, want 0", allocs)
	}
}

// TestClosedErrors: every call after Close is net.ErrClosed; Close is
// idempotent.
func TestClosedErrors(t *testing.T) {
	a, _ := pipe(t)
	a.Close()
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Read":  second(a.Read(make([]byte, 1))),
		"Write": second(a.Write([]byte("x"))),
		"Next":  second(a.Next(0)),
		"SetDeadline": func() error {
			return a.SetDeadline(timeZero)
		}(),
	} {
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s after Close: %v, want net.ErrClosed", name, err)
		}
	}
}

var timeZero = time.Time{}

func second[T any](_ T, err error) error { return err }

// TestCloseWakesWithErrClosed: calls parked when Close comes (a Read with
// nothing to read, a Write and a ReadFrom with no room, a WriteTo) fail
// with net.ErrClosed, as on a *net.UnixConn, not with the EOF or EPIPE of
// the shutdowns Close makes.
func TestCloseWakesWithErrClosed(t *testing.T) {
	for name, call := range map[string]func(c *shmnet.Conn) error{
		"Read":    func(c *shmnet.Conn) error { return second(c.Read(make([]byte, 1))) },
		"Next":    func(c *shmnet.Conn) error { return second(c.Next(1)) },
		"WriteTo": func(c *shmnet.Conn) error { return second(c.WriteTo(io.Discard)) },
		"Write": func(c *shmnet.Conn) error {
			return second(c.Write(make([]byte, 2*shmnet.DefaultCapacity))) // more than there is room for
		},
		"ReadFrom": func(c *shmnet.Conn) error {
			return second(c.ReadFrom(io.LimitReader(zeros{}, 2*shmnet.DefaultCapacity)))
		},
	} {
		t.Run(name, func(t *testing.T) {
			a, _ := pipe(t) // the peer never reads or writes
			a.SetSpin(0)
			errc := make(chan error, 1)
			go func() { errc <- call(a) }()
			time.Sleep(20 * time.Millisecond) // parked by now
			a.Close()
			select {
			case err := <-errc:
				if !errors.Is(err, net.ErrClosed) {
					t.Fatalf("%s parked when Close came: %v, want net.ErrClosed", name, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s still parked 10s after Close", name)
			}
		})
	}
}

// zeros is an endless io.Reader of zeros.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

//go:build linux

package shmnet

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// A hostile peer holds none of the descriptors we wait on, and cannot
// make a wake-up we send block: these tests play the peer by hand, on
// the raw end of the socket and the shared words, against a real Conn.

// rawPeer returns our end of a new connection and the peer's: its
// socket and its view of the shared memory (direction 0 is ours to
// write, 1 ours to read).
func rawPeer(t *testing.T) (*Conn, *net.UnixConn, [2]dir) {
	t.Helper()
	r, err := newResources("wake", MinCapacity)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs, err := socketPair()
	if err != nil {
		r.close()
		t.Fatal(err)
	}
	d := dirs(r.mem, MinCapacity) // the same mapping as the Conn's: valid until it closes
	c, err := newConn("wake", 0, r, MinCapacity, ours, spins(time.Millisecond))
	if err != nil {
		theirs.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { theirs.Close(); c.Close() }) // the peer first: it unblocks a stuck call of ours
	return c, theirs, d
}

// TestWakeToPeerThatNeverReads: the peer says its reader is parked
// whenever it looks, and never reads its socket, so our wake-ups fill
// it. Writes go on, thousands of them past the point where the socket
// is full, and every byte arrives (the peer reads the ring, not the
// socket).
func TestWakeToPeerThatNeverReads(t *testing.T) {
	c, peer, d := rawPeer(t)
	const size, past = 64, 5000
	fd, err := socketFd(c.sock)
	if err != nil {
		t.Fatal(err)
	}
	full := func() bool { // probes with a byte of its own, which is harmless
		err := syscall.Sendto(fd, []byte{wakeReader}, syscall.MSG_DONTWAIT, nil)
		return errors.Is(err, syscall.EAGAIN)
	}
	stop := make(chan struct{})
	wrote := make(chan uint64, 1)
	go func() {
		msg := make([]byte, size)
		var i uint64
		defer func() { wrote <- i }()
		for ; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			msg[0], msg[1] = byte(i), byte(i>>8)
			if _, err := c.Write(msg); err != nil {
				t.Errorf("Write %d: %v", i, err)
				return
			}
		}
	}()
	// The peer's reader: consume what is there, claim to be parked again,
	// and wake our writer if it parked (its wake-ups we do read).
	have := crc32.NewIEEE()
	var got, fullAt uint64
	total := ^uint64(0)
	stopped := false
	deadline := time.Now().Add(20 * time.Second)
	for got < total {
		if time.Now().After(deadline) {
			t.Fatalf("the peer got %d bytes in 20 s (full at %d): a Write is stuck", got, fullAt)
		}
		d[0].readerParked.Store(1)
		w := d[0].wpos.Load()
		for p := got; p < w; p++ {
			have.Write(d[0].data[p&d[0].mask : p&d[0].mask+1])
		}
		got = w
		d[0].rpos.Store(got)
		if d[0].writerParked.Load() == 1 && d[0].writerParked.CompareAndSwap(1, 0) {
			if _, err := peer.Write([]byte{wakeWriter}); err != nil {
				t.Fatal(err)
			}
		}
		switch {
		case fullAt == 0 && full():
			fullAt = got
		case fullAt != 0 && !stopped && got > fullAt+past*size:
			close(stop)
			stopped = true
		case stopped && total == ^uint64(0):
			// The writer's last Write may wait for room: keep reading
			// until it says how many it wrote.
			select {
			case n := <-wrote:
				total = n * size
			default:
			}
		}
	}
	want := crc32.NewIEEE()
	msg := make([]byte, size)
	for i := range total / size {
		msg[0], msg[1] = byte(i), byte(i>>8)
		want.Write(msg)
	}
	if have.Sum32() != want.Sum32() {
		t.Fatal("the bytes the peer read are not the bytes written")
	}
	if !full() {
		t.Fatal("the peer's socket has room: the test did not fill it")
	}
	t.Logf("%d messages, the socket full from message %d on", total/size, fullAt/size)
}

// TestWakeFlood: a peer that sends any bytes at all on the socket, as
// fast as it can, only wakes our parked calls: a Read with nothing to
// read still waits for its deadline, and then reads what the peer
// writes; a Write still writes.
func TestWakeFlood(t *testing.T) {
	c, peer, d := rawPeer(t)
	stop := make(chan struct{})
	flooded := make(chan error, 1)
	go func() {
		junk := bytes.Repeat([]byte{0, 'r', 'w', 0xff, 'x'}, 200)
		for {
			select {
			case <-stop:
				flooded <- nil
				return
			default:
			}
			if _, err := peer.Write(junk); err != nil {
				flooded <- err
				return
			}
		}
	}()
	defer func() {
		close(stop)
		if err := <-flooded; err != nil {
			t.Errorf("flooding: %v", err)
		}
	}()

	start := time.Now()
	c.SetReadDeadline(start.Add(100 * time.Millisecond))
	if n, err := c.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read with nothing written: %d, %v; want the deadline", n, err)
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Fatalf("Read returned at %v, before its deadline", time.Since(start))
	}
	c.SetReadDeadline(time.Time{})

	// The peer writes "hello" into the ring we read.
	copy(d[1].data, "hello")
	d[1].wpos.Store(5)
	buf := make([]byte, 8)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Read: %q, %v", buf[:n], err)
	}
	if _, err := c.Write([]byte("world")); err != nil {
		t.Fatal(err)
	}
	if w := d[0].wpos.Load(); w != 5 || string(d[0].data[:5]) != "world" {
		t.Fatalf("the peer sees %d bytes, %q", w, d[0].data[:5])
	}
}

// TestParkedBothWays: with no spinning, every wait parks, and a Read and
// a Write of one end park at once (an echo of more than both buffers).
// Each wake-up reaches the call it is for; the echo is exact.
func TestParkedBothWays(t *testing.T) {
	a, b := pipeEnds(t)
	a.SetSpin(0)
	b.SetSpin(0)
	data := make([]byte, 5*DefaultCapacity+12345)
	for i := range data {
		data[i] = byte(i * 7 / 5)
	}
	echoed := make(chan error, 1)
	go func() {
		_, err := io.Copy(b, b) // b's WriteTo: reads in place, writes back
		if err == nil {
			err = b.CloseWrite()
		}
		echoed <- err
	}()
	got := make(chan []byte, 1)
	go func() {
		var buf bytes.Buffer
		io.Copy(&buf, a)
		got <- buf.Bytes()
	}()
	for p := data; len(p) > 0; {
		n := min(len(p), 1000)
		if _, err := a.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	a.CloseWrite()
	if err := <-echoed; err != nil {
		t.Fatalf("echo: %v", err)
	}
	if !bytes.Equal(<-got, data) {
		t.Fatal("the echo differs")
	}
}

// BenchmarkParkedRoundTrip: 64 B each way between two goroutines, with
// no spinning, so that every message costs a wake-up (the socket byte,
// the watcher's relay): the price of a round trip after an idle spell.
func BenchmarkParkedRoundTrip(b *testing.B) {
	x, y, err := Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	defer y.Close()
	x.SetSpin(0)
	y.SetSpin(0)
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := io.ReadFull(y, buf); err != nil {
				return
			}
			if _, err := y.Write(buf); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(x, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWakeDroppedOnFullSocket: a wake-up for our writer dropped on a
// full socket (sendWake gives up on EAGAIN) while the socket holds only
// wake-ups for our reader. Our watcher, finding a backlog, wakes both
// calls, so the parked Write sees the room the peer freed.
func TestWakeDroppedOnFullSocket(t *testing.T) {
	c, peer, d := rawPeer(t)
	if _, err := c.Write(make([]byte, MinCapacity)); err != nil { // the ring is full
		t.Fatal(err)
	}
	wrote := make(chan error, 1)
	go func() {
		_, err := c.Write([]byte("more"))
		wrote <- err
	}()
	for d[0].writerParked.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	// The peer reads everything, clears the flag, and its 'w' is lost;
	// the socket holds a backlog of 'r's.
	d[0].rpos.Store(d[0].wpos.Load())
	if !d[0].writerParked.CompareAndSwap(1, 0) {
		t.Fatal("the writer's flag changed under us")
	}
	if _, err := peer.Write(bytes.Repeat([]byte{wakeReader}, 1000)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the Write parked for room is still parked 10 s after the room was freed")
	}
}

// TestFullSocketBacklog: the watcher's rule (a full read of watchRead
// bytes wakes both calls) needs a socket that refuses a wake-up to hold
// more than watchRead of them, even with the smallest send buffer the
// kernel allows.
func TestFullSocketBacklog(t *testing.T) {
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(pair[0])
	defer syscall.Close(pair[1])
	if err := syscall.SetsockoptInt(pair[0], syscall.SOL_SOCKET, syscall.SO_SNDBUF, 1); err != nil { // the kernel's minimum
		t.Fatal(err)
	}
	held := 0
	for ; held < 1<<20; held++ {
		if err := syscall.Sendto(pair[0], []byte{wakeReader}, syscall.MSG_DONTWAIT, nil); err != nil {
			if !errors.Is(err, syscall.EAGAIN) {
				t.Fatal(err)
			}
			break
		}
	}
	if held <= watchRead {
		t.Fatalf("a full socket holds %d wake-ups, want more than %d", held, watchRead)
	}
	t.Logf("a full socket with the smallest send buffer holds %d wake-ups", held)
}

//go:build linux

package shmnet_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

func init() {
	testutil.Child("echo-listen", childEchoListen)
	testutil.Child("pipe-echo", childPipeEcho)
	testutil.Child("dial-hold", childDialHold)
	testutil.Child("dial-many", childDialMany)
}

// childEchoListen listens on args[0] and echoes every connection until
// its peer closes its writing side.
func childEchoListen(args []string) error {
	l, err := shmnet.Listen(args[0], shmnet.Config{})
	if err != nil {
		return err
	}
	testutil.Send("ready")
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			io.Copy(c, c)
			c.(*shmnet.Conn).CloseWrite()
		}()
	}
}

// childPipeEcho echoes the connection its parent attached, then says
// how many bytes it echoed.
func childPipeEcho([]string) error {
	c, err := shmnet.Inherited()
	if err != nil {
		return err
	}
	n, err := io.Copy(c, c)
	if err != nil {
		return err
	}
	testutil.Send("echoed %d", n)
	return c.Close()
}

// childDialHold dials args[0], writes "hello", and waits to be killed.
func childDialHold(args []string) error {
	c, err := shmnet.Dial(context.Background(), args[0])
	if err != nil {
		return err
	}
	if _, err := c.Write([]byte("hello")); err != nil {
		return err
	}
	testutil.Send("dialed")
	select {} // never reads: the server's writes fill the ring and block
}

// childDialMany dials args[1] connections to args[0], parks a Read on
// each, and reports its thread count.
func childDialMany(args []string) error {
	n, _ := strconv.Atoi(args[1])
	done := make(chan error, n)
	for range n {
		c, err := shmnet.Dial(context.Background(), args[0])
		if err != nil {
			return err
		}
		go func() {
			_, err := c.Read(make([]byte, 1))
			done <- err
		}()
	}
	time.Sleep(200 * time.Millisecond) // every Read parked
	testutil.Send("threads %d", threads(os.Getpid()))
	for range n {
		if err := <-done; err != io.EOF {
			return fmt.Errorf("a parked Read ended with %v, want io.EOF", err)
		}
	}
	return nil
}

// threads is the number of OS threads of process pid.
func threads(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return -1
}

// exchange writes msgs of random sizes (a few MiB in all) to c and reads
// them back, and checks the echo byte for byte by CRC; then it closes
// its writing side and expects io.EOF.
func exchange(t *testing.T, c *shmnet.Conn, total int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	sent := crc32.NewIEEE()
	go func() {
		buf := make([]byte, 256<<10)
		for left := total; left > 0; {
			n := min(left, 1+rng.IntN(len(buf)))
			for i := range buf[:n] {
				buf[i] = byte(rng.Uint32())
			}
			sent.Write(buf[:n])
			if _, err := c.Write(buf[:n]); err != nil {
				t.Error(err)
				return
			}
			left -= n
		}
		c.CloseWrite()
	}()
	got := crc32.NewIEEE()
	n, err := io.Copy(got, c)
	if err != nil || n != int64(total) {
		t.Fatalf("echo: %d bytes, %v; want %d", n, err, total)
	}
	if got.Sum32() != sent.Sum32() {
		t.Fatal("echo differs from what was sent")
	}
}

func TestPipeToChild(t *testing.T) {
	a, b, err := shmnet.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cmd := &exec.Cmd{Env: []string{}}
	done, err := b.Attach(cmd)
	if err != nil {
		t.Fatal(err)
	}
	child := testutil.StartOptions(t, "pipe-echo", reexec.Options{Files: cmd.ExtraFiles, Env: cmd.Env})
	done()
	const total = 8 << 20
	exchange(t, a, total)
	child.Expect(fmt.Sprintf("echoed %d", total))
	child.Wait()
	if _, err := b.Attach(&exec.Cmd{}); err == nil {
		t.Fatal("a second Attach of the same end succeeded")
	}
}

// TestPipePeerCred: both ends of a Pipe report this process until the
// second is attached to a child; once done has run after cmd.Start, the
// first reports the child, as the child's end reports us.
func TestPipePeerCred(t *testing.T) {
	a, b, err := shmnet.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.PeerCred().PID != os.Getpid() || b.PeerCred().PID != os.Getpid() {
		t.Fatalf("a new Pipe's PeerCred: %+v and %+v, want this process, %d", a.PeerCred(), b.PeerCred(), os.Getpid())
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), reexec.EnvVar+"=pipe-echo")
	done, err := b.Attach(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		done()
		t.Fatal(err)
	}
	done()
	if got := a.PeerCred(); got.PID != cmd.Process.Pid || got.UID != os.Getuid() || got.GID != os.Getgid() {
		t.Errorf("PeerCred after Attach and Start: %+v, want the child, pid %d", got, cmd.Process.Pid)
	}
	exchange(t, a, 1<<20)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
}

func TestDialAbsentRefused(t *testing.T) {
	start := time.Now()
	_, err := shmnet.Dial(context.Background(), testutil.Name(t))
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Dial of an absent name: %v, want ECONNREFUSED", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Dial took %v to fail", d)
	}
}

func TestListenBusyThenFree(t *testing.T) {
	name := testutil.Name(t)
	l, err := shmnet.Listen(name, shmnet.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shmnet.Listen(name, shmnet.Config{}); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("second Listen: %v, want EADDRINUSE", err)
	}
	l.Close()
	l, err = shmnet.Listen(name, shmnet.Config{})
	if err != nil {
		t.Fatalf("Listen after Close: %v", err)
	}
	l.Close()
}

// TestListenerKilled: a server killed mid-stream is seen by a blocked
// Read and by Write, at once; its name is then refused, and free for a
// new listener.
func TestListenerKilled(t *testing.T) {
	name := testutil.Name(t)
	server := testutil.Start(t, "echo-listen", name)
	server.Expect("ready")
	c, err := shmnet.Dial(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo: %q, %v", buf, err)
	}
	readErr := make(chan error, 1)
	go func() {
		_, err := c.Read(buf)
		readErr <- err
	}()
	time.Sleep(50 * time.Millisecond) // the Read is parked
	killed := time.Now()
	server.Kill()
	select {
	case err := <-readErr:
		if !errors.Is(err, syscall.ECONNRESET) || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, shmnet.ErrPeerDead) {
			t.Fatalf("Read after the server died: %v", err)
		}
		t.Logf("a parked Read saw the death after %v", time.Since(killed))
	case <-time.After(time.Second):
		t.Fatal("Read still blocked 1s after the server died")
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, shmnet.ErrPeerDead) {
		t.Fatalf("Write after the server died: %v", err)
	}
	if _, err := shmnet.Dial(context.Background(), name); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Dial of a dead listener: %v, want ECONNREFUSED", err)
	}
	server = testutil.Start(t, "echo-listen", name) // restarted on the same name
	server.Expect("ready")
	c2, err := shmnet.Dial(context.Background(), name)
	if err != nil {
		t.Fatalf("Dial of the restarted server: %v", err)
	}
	exchange(t, c2, 1<<20)
	c2.Close()
	server.Kill()
}

// TestDialerKilled: the server's connection errors when its client is
// killed, and the listener lets go of it once closed.
func TestDialerKilled(t *testing.T) {
	name := testutil.Name(t)
	l := listen(t, name, shmnet.Config{})
	client := testutil.Start(t, "dial-hold", name)
	sc, err := l.AcceptShm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	client.Expect("dialed")
	if cred := sc.PeerCred(); cred.PID != client.Pid() || cred.UID != os.Getuid() {
		t.Fatalf("PeerCred %+v, want pid %d uid %d", cred, client.Pid(), os.Getuid())
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(sc, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}
	// Fill the client's ring so that a Write blocks too.
	writeErr := make(chan error, 1)
	go func() {
		_, err := sc.Write(make([]byte, 4<<20))
		writeErr <- err
	}()
	readErr := make(chan error, 1)
	go func() {
		_, err := sc.Read(buf)
		readErr <- err
	}()
	time.Sleep(50 * time.Millisecond)
	client.Kill()
	for _, ch := range []chan error{readErr, writeErr} {
		select {
		case err := <-ch:
			if !errors.Is(err, shmnet.ErrPeerDead) {
				t.Fatalf("after the client died: %v, want ErrPeerDead", err)
			}
		case <-time.After(time.Second):
			t.Fatal("still blocked 1s after the client died")
		}
	}
	if n := len(l.Conns()); n != 1 {
		t.Fatalf("%d open connections, want 1", n)
	}
	sc.Close()
	if n := len(l.Conns()); n != 0 {
		t.Fatalf("%d open connections after Close, want 0", n)
	}
}

// TestIdleConnsThreads: a thousand idle connections, each with a Read
// parked on both sides, hold no thread each.
func TestIdleConnsThreads(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 connections")
	}
	const n = 1000
	name := testutil.Name(t)
	l := listen(t, name, shmnet.Config{Capacity: shmnet.MinCapacity})
	client := testutil.Start(t, "dial-many", name, strconv.Itoa(n))
	conns := make([]*shmnet.Conn, 0, n)
	for range n {
		c, err := l.AcceptShm(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		go c.Read(make([]byte, 1))
	}
	line := client.ReadLine()
	time.Sleep(200 * time.Millisecond)
	var theirs int
	fmt.Sscanf(line, "threads %d", &theirs)
	ours := threads(os.Getpid())
	t.Logf("threads with %d idle connections: %d here, %d in the dialing process", n, ours, theirs)
	if ours > 64 || theirs > 64 || theirs <= 0 {
		t.Fatalf("threads: %d here, %d there; want at most 64 each", ours, theirs)
	}
	for _, c := range conns {
		c.Close()
	}
	client.Wait() // its Reads see EOF
}

func TestRefusedUID(t *testing.T) {
	name := testutil.Name(t)
	listen(t, name, shmnet.Config{Allow: func(c shmnet.Cred) bool { return c.UID != os.Getuid() }})
	_, err := shmnet.Dial(context.Background(), name)
	if !errors.Is(err, os.ErrPermission) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Dial refused by Allow: %v, want ErrPermission", err)
	}
}

func TestHalfClose(t *testing.T) {
	a, b, err := shmnet.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	a.Write([]byte("last words"))
	a.CloseWrite()
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "last words" {
		t.Fatalf("ReadAll after CloseWrite: %q, %v", got, err)
	}
	if _, err := a.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Write after CloseWrite: %v, want EPIPE", err)
	}
	// The other way still works, until CloseRead.
	b.Write([]byte("reply"))
	buf := make([]byte, 5)
	if _, err := io.ReadFull(a, buf); err != nil || !bytes.Equal(buf, []byte("reply")) {
		t.Fatalf("reply: %q, %v", buf, err)
	}
	a.CloseRead()
	if _, err := b.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Write to a peer that closed its reading side: %v, want EPIPE", err)
	}
	if _, err := a.Read(buf); err != io.EOF {
		t.Fatalf("Read after CloseRead: %v, want io.EOF", err)
	}
}

func init() {
	testutil.Child("stream-listen", childStreamListen)
	testutil.Child("grpc-stream-client", childGRPCStreamClient)
}

// childStreamListen listens on args[0] and writes numbered 8-byte words
// to every connection, without end.
func childStreamListen(args []string) error {
	l, err := shmnet.Listen(args[0], shmnet.Config{Capacity: 64 << 10})
	if err != nil {
		return err
	}
	testutil.Send("ready")
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			buf := make([]byte, 8<<10)
			for seq := uint64(0); ; {
				for i := 0; i < len(buf); i += 8 {
					binary.LittleEndian.PutUint64(buf[i:], seq)
					seq++
				}
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}()
	}
}

// shmEntries lists what /dev/shm holds of this test or of shmnet (other
// packages' tests run meanwhile, and make and remove their own).
func shmEntries(t *testing.T, name string) []string {
	t.Helper()
	entries, err := os.ReadDir("/dev/shm")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.Contains(e.Name(), name) || strings.Contains(e.Name(), "shmnet") {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestServerKilledMidStream: a client reading a stream that never ends
// gets every word in order, then an error within a second of the
// server's death; and two killed processes leave nothing in /dev/shm.
func TestServerKilledMidStream(t *testing.T) {
	name := testutil.Name(t)
	before := shmEntries(t, name)
	server := testutil.Start(t, "stream-listen", name)
	server.Expect("ready")
	c, err := shmnet.Dial(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client := testutil.Start(t, "dial-hold", name) // a second connection, in a process killed too
	client.Expect("dialed")
	killedAt := make(chan time.Time, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		killedAt <- time.Now() // before the kill: the reader waits for it only after its error
		server.Kill()
	}()
	buf := make([]byte, 8)
	var seq uint64
	for {
		_, err := io.ReadFull(c, buf)
		if err != nil {
			var killed time.Time
			select {
			case killed = <-killedAt:
			default:
				t.Fatalf("read failed before the kill: %v", err)
			}
			if !errors.Is(err, shmnet.ErrPeerDead) {
				t.Fatalf("after the server died: %v, want ErrPeerDead", err)
			}
			if d := time.Since(killed); d > time.Second {
				t.Fatalf("the error came %v after the kill", d)
			}
			break
		}
		if got := binary.LittleEndian.Uint64(buf); got != seq {
			t.Fatalf("word %d reads %d", seq, got)
		}
		seq++
	}
	t.Logf("%d words in order before the server died", seq)
	client.Kill()
	c.Close()
	if after := shmEntries(t, name); !slices.Equal(before, after) {
		t.Fatalf("/dev/shm changed:\nbefore %v\nafter  %v", before, after)
	}
}

// childGRPCStreamClient runs a server-streaming call to args[0] with
// slow responses, and reports the error it ends with.
func childGRPCStreamClient(args []string) error {
	cc, err := grpc.NewClient("passthrough:///"+args[0], grpc.WithTransportCredentials(insecure.NewCredentials()), dialer(args[0]))
	if err != nil {
		return err
	}
	defer cc.Close()
	tc := testgrpc.NewTestServiceClient(cc)
	params := make([]*testgrpc.ResponseParameters, 1000)
	for i := range params {
		params[i] = &testgrpc.ResponseParameters{Size: 10, IntervalUs: 10000}
	}
	stream, err := tc.StreamingOutputCall(context.Background(), &testgrpc.StreamingOutputCallRequest{ResponseParameters: params})
	if err != nil {
		return err
	}
	if _, err := stream.Recv(); err != nil {
		return err
	}
	testutil.Send("streaming")
	for {
		if _, err := stream.Recv(); err != nil {
			testutil.Send("ended: %v", status.Code(err))
			return nil
		}
	}
}

// TestGRPCServerKilled: a gRPC call in progress fails within a second of
// its server's death.
func TestGRPCServerKilled(t *testing.T) {
	name := testutil.Name(t)
	server := testutil.Start(t, "grpc-server", name)
	server.Expect("ready")
	client := testutil.Start(t, "grpc-stream-client", name)
	client.Expect("streaming")
	killed := time.Now()
	server.Kill()
	client.Expect("ended: Unavailable")
	if d := time.Since(killed); d > time.Second {
		t.Fatalf("the call ended %v after the kill", d)
	}
	client.Wait()
}

// TestDialerAllow: a dialer trusts a listener of its own uid by default,
// and refuses one its Allow rejects.
func TestDialerAllow(t *testing.T) {
	name := testutil.Name(t)
	l := listen(t, name, shmnet.Config{})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var seen shmnet.Cred
	d := shmnet.Dialer{Allow: func(c shmnet.Cred) bool { seen = c; return false }}
	if _, err := d.Dial(context.Background(), name); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("Dial refused by Allow: %v, want ErrPermission", err)
	}
	if seen.PID != os.Getpid() || seen.UID != os.Getuid() {
		t.Fatalf("Allow saw %+v, want this process", seen)
	}
	c, err := (&shmnet.Dialer{Spin: -1}).Dial(context.Background(), name)
	if err != nil {
		t.Fatalf("a zero Allow refused our own uid: %v", err)
	}
	c.Close()
}

// listen listens on name for the test, and closes the listener after it.
func listen(t *testing.T, name string, cfg shmnet.Config) *shmnet.Listener {
	t.Helper()
	l, err := shmnet.Listen(name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

//go:build linux

package netscan

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func init() { testutil.Child("dial-write", childDialWrite) }

// childDialWrite dials args[0], writes "hello", says so, and holds the
// connection until its stdin closes or it is killed.
func childDialWrite(args []string) error {
	c, err := shmnet.Dial(context.Background(), args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := io.WriteString(c, "hello"); err != nil {
		return err
	}
	testutil.Send("wrote")
	testutil.Recv()
	return nil
}

// find returns the listener and the connection called name in r.
func find(r Result, name string) (*Listener, *Conn) {
	var l *Listener
	var c *Conn
	for i := range r.Listeners {
		if r.Listeners[i].Name == name {
			l = &r.Listeners[i]
		}
	}
	for i := range r.Conns {
		if r.Conns[i].Name == name {
			c = &r.Conns[i]
		}
	}
	return l, c
}

// TestScanLiveConnection: a listener in this process and a connection to
// it from a second process show up with both PIDs and the bytes the
// dialer wrote and nobody read; once the dialer is SIGKILLed one PID is
// left; once everything is closed, nothing.
func TestScanLiveConnection(t *testing.T) {
	name := testutil.Name(t)
	l, err := shmnet.Listen(name, shmnet.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	child := testutil.Start(t, "dial-write", name)
	srv, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	child.Expect("wrote")
	// A second descriptor of the memory in this process: a PID is listed once.
	dup, err := os.Open(memfdOf(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer dup.Close()

	me := os.Getpid()
	res := Scan()
	ls, c := find(res, name)
	if ls == nil || c == nil {
		t.Fatalf("scan found listener %v, connection %v; want both: %+v", ls, c, res)
	}
	if ls.PID != me || ls.Conns != 1 {
		t.Errorf("listener = %+v, want PID %d and 1 connection", *ls, me)
	}
	if want := []int{me, child.Pid()}; !slices.Equal(sorted(c.PIDs), sorted(want)) {
		t.Errorf("connection held by %v, want %v", c.PIDs, want)
	}
	if c.Error != "" || c.State == nil {
		t.Fatalf("connection state %v, error %q", c.State, c.Error)
	}
	if d := c.State.Dirs[0]; d.Written != 5 || d.Buffered != 5 || d.Read != 0 {
		t.Errorf("dialer-to-listener direction = %+v, want 5 bytes written and buffered", d)
	}

	child.Kill()
	if _, c = find(Scan(), name); c == nil || !slices.Equal(c.PIDs, []int{me}) {
		t.Errorf("after the dialer's SIGKILL: connection %+v, want one held by %d alone", c, me)
	}

	dup.Close()
	srv.Close()
	l.Close()
	if ls, c = find(Scan(), name); ls != nil || c != nil {
		t.Errorf("after closing: listener %+v, connection %+v, want neither", ls, c)
	}
}

// memfdOf returns the /proc/self/fd path of this process's descriptor
// of connection name's memory.
func memfdOf(t *testing.T, name string) string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		path := filepath.Join("/proc/self/fd", fd.Name())
		if link, err := os.Readlink(path); err == nil {
			if n, ok := shmnet.ConnName(link); ok && n == name {
				return path
			}
		}
	}
	t.Fatalf("no descriptor of connection %s's memory in this process", name)
	return ""
}

func sorted(s []int) []int { s = slices.Clone(s); slices.Sort(s); return s }

// TestScanProcTree: the parsing, over a made-up /proc. A listener is a
// listening socket (flag 0x10000) with a shmnet path; its PID is the
// lowest one (numerically) that holds it; a PID without fd is gone, one
// whose fd cannot be listed makes the scan incomplete.
func TestScanProcTree(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "net/unix"), ""+
		"Num       RefCount Protocol Flags    Type St Inode Path\n"+
		"0000000000000000: 00000002 00000000 00010000 0001 01 1001 @shmkit/shmnet/alpha\n"+
		"0000000000000000: 00000002 00000000 00000000 0001 03 1002 @shmkit/shmnet/beta\n"+
		"0000000000000000: 00000002 00000000 00010000 0001 01 1003 @other/gamma\n"+
		"0000000000000000: 00000002 00000000 00010000 0001 01 1004\n"+
		"0000000000000000: 00000002 00000000 zz 0001 01 1005 @shmkit/shmnet/delta\n"+
		"garbage\n")
	symlink(t, "socket:[1001]", filepath.Join(root, "12/fd/3"))
	symlink(t, "socket:[1001]", filepath.Join(root, "7/fd/4"))
	symlink(t, "socket:[1002]", filepath.Join(root, "5/fd/0"))
	symlink(t, "/memfd:shmnet:absent (deleted)", filepath.Join(root, "7/fd/5")) // dangling: skipped
	if err := os.MkdirAll(filepath.Join(root, "9"), 0o700); err != nil {        // exited: no fd
		t.Fatal(err)
	}

	res := scan(root)
	want := []Listener{{Name: "alpha", PID: 7}}
	if !slices.Equal(res.Listeners, want) || len(res.Conns) != 0 || !res.Complete {
		t.Fatalf("scan = %+v, want listeners %+v, no connections, complete", res, want)
	}

	write(t, filepath.Join(root, "30/fd"), "") // fd that cannot be listed
	if res = scan(root); res.Complete {
		t.Errorf("scan with an unreadable fd directory says complete: %+v", res)
	}
	if res = scan(filepath.Join(root, "nothing")); len(res.Listeners)+len(res.Conns) != 0 || !res.Complete {
		t.Errorf("scan of an empty tree = %+v", res)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

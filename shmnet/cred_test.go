//go:build linux

package shmnet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

func init() { testutil.Child("dial-as", childDialAs) }

// childDialAs dials args[0] and says "ok", or "refused" (and the error)
// if the listener refused it.
func childDialAs(args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := shmnet.Dial(ctx, args[0])
	switch {
	case errors.Is(err, os.ErrPermission):
		testutil.Send("refused %v", err)
		return nil
	case err != nil:
		return err
	}
	defer c.Close()
	testutil.Send("ok")
	_, err = io.ReadAll(c) // until the listener closes
	return err
}

// nobody is the uid and gid the children of TestPermGroups run as.
const nobody = 65534

// TestPermGroups: Config.Perm admits by group as the kernel does for a
// socket file: the peer's primary group or one of its supplementary
// groups (SO_PEERGROUPS), which Cred.Groups reports. The dialers are
// processes started as another user, so the test needs root.
func TestPermGroups(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("starting a process as another user needs root")
	}
	exe := runnableCopy(t)
	gid := os.Getgid()
	for _, tc := range []struct {
		perm   os.FileMode
		groups []uint32
		want   string
	}{
		{0o660, []uint32{nobody + 1, uint32(gid)}, "ok"},
		{0o660, nil, "refused"},
		{0o600, []uint32{uint32(gid)}, "refused"},
		{0o666, nil, "ok"},
	} {
		t.Run(fmt.Sprintf("%o/%v", tc.perm, tc.groups), func(t *testing.T) {
			name := testutil.Name(t)
			l := listen(t, name, shmnet.Config{Perm: tc.perm})
			cred := &syscall.Credential{Uid: nobody, Gid: nobody, Groups: tc.groups}
			child := testutil.StartOptions(t, "dial-as", reexec.Options{Args: []string{name}, Credential: cred, Exe: exe})
			line := child.ReadLine()
			if len(line) < len(tc.want) || line[:len(tc.want)] != tc.want {
				t.Fatalf("a dialer of uid %d, groups %v, Perm %o: %q, want %s", nobody, tc.groups, tc.perm, line, tc.want)
			}
			if tc.want != "ok" {
				child.Wait()
				return
			}
			c, err := l.AcceptShm(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := c.PeerCred()
			if got.PID != child.Pid() || got.UID != nobody || got.GID != nobody || len(got.Groups) != len(tc.groups) {
				t.Errorf("PeerCred %+v, want pid %d, uid and gid %d, groups %v", got, child.Pid(), nobody, tc.groups)
			}
			for _, g := range tc.groups {
				if !slices.Contains(got.Groups, int(g)) {
					t.Errorf("PeerCred groups %v lack %d", got.Groups, g)
				}
			}
			c.Close()
			child.Wait()
		})
	}
}

// runnableCopy copies this test binary where another user can run it:
// the build's own directory is private.
func runnableCopy(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "shmnet-exe-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "shmnet.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

//go:build linux

package shmnet_test

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/shmnet"
)

// A SHMNET_PIPE that names descriptors which are not an attached
// connection's (a stale variable, copied into a process that has other
// files there) is refused with ErrNoPipe, and the descriptors stay open:
// they are some other part of the program's.
func TestInheritedStaleVariable(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(pair[0])
	defer syscall.Close(pair[1])
	const first = 200
	for name, fds := range map[string][2]int{
		"all /dev/null":            {int(null.Fd()), int(null.Fd())},
		"a socket, then /dev/null": {pair[0], int(null.Fd())},
		"two sockets":              {pair[0], pair[1]},
		"a socket, then a memfd":   {pair[0], foreignMemfd(t, false)},
		// Sealed as a connection's is, but without its layout.
		"a socket, then a sealed memfd": {pair[0], foreignMemfd(t, true)},
	} {
		t.Run(name, func(t *testing.T) {
			for i, fd := range fds {
				if err := syscall.Dup3(fd, first+i, syscall.O_CLOEXEC); err != nil {
					t.Fatal(err)
				}
				defer syscall.Close(first + i)
			}
			t.Setenv(shmnet.PipeEnv, strconv.Itoa(first)+",1")
			c, err := shmnet.Inherited()
			if err == nil {
				c.Close()
				t.Fatal("Inherited took descriptors that are no connection's")
			}
			if !errors.Is(err, shmnet.ErrNoPipe) {
				t.Errorf("Inherited: %v, want an error matching ErrNoPipe", err)
			}
			for i := range fds {
				var st syscall.Stat_t
				if err := syscall.Fstat(first+i, &st); err != nil {
					t.Errorf("descriptor %d was closed: %v", first+i, err)
				}
			}
		})
	}
}

// A SHMNET_PIPE that is set but malformed is refused with an error that
// matches ErrNoPipe and says what the variable holds.
func TestInheritedMalformedVariable(t *testing.T) {
	for _, v := range []string{"", "garbage", "0,1", "2,0", "3,2", "3,-1", "3"} {
		t.Setenv(shmnet.PipeEnv, v)
		c, err := shmnet.Inherited()
		if err == nil {
			c.Close()
			t.Fatalf("%s=%q: Inherited took a connection", shmnet.PipeEnv, v)
		}
		if !errors.Is(err, shmnet.ErrNoPipe) || !strings.Contains(err.Error(), strconv.Quote(v)) {
			t.Errorf("%s=%q: %v, want an error matching ErrNoPipe that names the value", shmnet.PipeEnv, v, err)
		}
		if _, set := os.LookupEnv(shmnet.PipeEnv); set {
			t.Errorf("%s=%q: the variable is still set", shmnet.PipeEnv, v)
		}
	}
}

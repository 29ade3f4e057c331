//go:build linux

package shmnet_test

import (
	"context"
	"net"
	"testing"

	"golang.org/x/net/nettest"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

// The standard conformance suite for a net.Conn, which we did not write,
// over both ways of making a connection.

func TestNettestPipe(t *testing.T) {
	nettest.TestConn(t, func() (net.Conn, net.Conn, func(), error) {
		a, b, err := shmnet.Pipe()
		if err != nil {
			return nil, nil, nil, err
		}
		return a, b, func() { a.Close(); b.Close() }, nil
	})
}

func TestNettestListenDial(t *testing.T) {
	name := testutil.Name(t)
	l := listen(t, name, shmnet.Config{Capacity: 64 << 10})
	nettest.TestConn(t, func() (net.Conn, net.Conn, func(), error) {
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				t.Error(err)
			}
			accepted <- c
		}()
		c1, err := shmnet.Dial(context.Background(), name)
		if err != nil {
			return nil, nil, nil, err
		}
		c2 := <-accepted
		return c1, c2, func() { c1.Close(); c2.Close() }, nil
	})
}

//go:build linux

package shmnet_test

import (
	"context"
	"io"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

// TestMemoryModel: a Write happens before the Read, Next or WriteTo that
// returns its bytes, and a CloseWrite before the io.EOF it causes, for
// two ends in one process, a Pipe's and a Dial's to our own listener. The
// plain variable below is written before the Write and read after the
// Read: under -race (the README's test command) a missing edge is a
// reported race, as it would not be on a *net.UnixConn.
func TestMemoryModel(t *testing.T) {
	a, b := pipe(t)
	name := testutil.Name(t)
	l := listen(t, name, shmnet.Config{})
	d, err := shmnet.Dial(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := l.AcceptShm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reads := map[string]func(c *shmnet.Conn) error{
		"Read": func(c *shmnet.Conn) error { _, err := io.ReadFull(c, make([]byte, 1)); return err },
		"Next": func(c *shmnet.Conn) error { _, err := c.Next(1); return err },
	}
	for _, pair := range [][2]*shmnet.Conn{{a, b}, {b, a}, {d, s}, {s, d}} {
		for name, read := range reads {
			var shared int // plain: only the connection orders it
			done := make(chan struct{})
			go func() {
				defer close(done)
				if err := read(pair[1]); err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
				if shared != 42 {
					t.Errorf("%s: the value written before the Write is %d", name, shared)
				}
			}()
			shared = 42
			if _, err := pair[0].Write([]byte{1}); err != nil {
				t.Fatal(err)
			}
			<-done
		}
	}
	// WriteTo, and the io.EOF of a CloseWrite.
	var shared int
	done := make(chan struct{})
	go func() {
		defer close(done)
		n, err := b.WriteTo(io.Discard)
		if err != nil || n != 1 {
			t.Errorf("WriteTo: %d, %v", n, err)
		}
		if shared != 2 {
			t.Errorf("after WriteTo's EOF: %d, want 2", shared)
		}
	}()
	shared = 1
	a.Write([]byte{1})
	shared = 2
	a.CloseWrite()
	<-done
}

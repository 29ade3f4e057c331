package ringbuf_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
)

// Every per-message call allocates nothing, each with the calls a
// program pairs it with, and every message arrives, once.
func TestAllocs(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 16, MaxMessage: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, _ := r.Producer()
	c, _ := r.Consumer()
	defer p.Close()
	defer c.Close()
	c.SetLinger(1) // the lingering path too
	ctx := context.Background()
	msg, buf := bytes.Repeat([]byte{7}, 64), make([]byte, 1024)
	batch := [][]byte{msg[:8], msg, msg[:1]}
	same := func(got []byte, err error) error {
		if err == nil && !bytes.Equal(got, msg) {
			err = fmt.Errorf("read %q, want %q", got, msg)
		}
		return err
	}
	read := func(n int, err error) error { return same(buf[:n], err) }
	reserve := func(b []byte, err error) error {
		if err == nil {
			copy(b, msg)
			err = p.Commit()
		}
		return err
	}
	calls := []struct {
		name string
		f    func() error
	}{
		{"Write+Next", func() error { return errorsOf(p.Write(msg), same(c.Next(ctx))) }},
		{"TryWrite+TryNext", func() error { return errorsOf(p.TryWrite(msg), same(c.TryNext())) }},
		{"WriteContext+ReadContext", func() error { return errorsOf(p.WriteContext(ctx, msg), read(c.ReadContext(ctx, buf))) }},
		{"TryReserve+Commit+TryRead", func() error { return errorsOf(reserve(p.TryReserve(64)), read(c.TryRead(buf))) }},
		{"Reserve+Commit+Read", func() error { return errorsOf(reserve(p.Reserve(ctx, 64)), read(c.Read(buf))) }},
		{"WriteBatch+ReadBatch", func() error {
			if _, err := p.WriteBatch(ctx, batch); err != nil {
				return err
			}
			n, err := c.ReadBatch(ctx, len(batch), func([]byte) error { return nil })
			if err == nil && n != len(batch) {
				err = fmt.Errorf("ReadBatch read %d messages, want %d", n, len(batch))
			}
			return err
		}},
	}
	for _, x := range calls {
		testutil.NoAllocs(t, x.name, x.f)
	}
	if _, err := c.TryNext(); err != ringbuf.ErrEmpty {
		t.Errorf("after the calls: TryNext = %v, want ErrEmpty (each message read once)", err)
	}
}

// A stream's Write and Read allocate nothing.
func TestStreamAllocs(t *testing.T) {
	s, err := ringbuf.NewStream(ringbuf.StreamConfig{Capacity: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, _ := s.Writer()
	rd, _ := s.Reader()
	msg, buf := bytes.Repeat([]byte{9}, 1000), make([]byte, 1000)
	testutil.NoAllocs(t, "stream Write+Read", func() error {
		if _, err := w.Write(msg); err != nil {
			return err
		}
		n, err := rd.Read(buf)
		if err == nil && !bytes.Equal(buf[:n], msg) {
			err = fmt.Errorf("read %d bytes, not the %d written", n, len(msg))
		}
		return err
	})
}

// errorsOf is the first error that is not nil.
func errorsOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

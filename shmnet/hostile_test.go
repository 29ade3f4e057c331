//go:build linux

package shmnet

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
)

// Hostile bytes: a peer that scribbles on the shared memory breaks its
// own connection with ErrCorrupt, never this process, and never another
// connection.

func pipeEnds(t *testing.T) (*Conn, *Conn) {
	t.Helper()
	a, b, err := Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func TestHostilePositions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(peer *Conn) // what the peer writes, in its own view
		op    func(c *Conn) error
	}{
		{"writer position past a lap", func(p *Conn) { p.tx.wpos.Store(p.w + p.capac + 1) },
			func(c *Conn) error { _, err := c.Read(make([]byte, 10)); return err }},
		{"writer position behind the reader", func(p *Conn) { p.tx.wpos.Store(1 << 63) },
			func(c *Conn) error { _, err := c.Read(make([]byte, 10)); return err }},
		{"writer position moved back", func(p *Conn) { p.tx.wpos.Store(0) }, // after 5 bytes were read
			func(c *Conn) error { _, err := c.Read(make([]byte, 10)); return err }},
		{"reader position ahead of the writer", func(p *Conn) { p.rx.rpos.Store(p.r + 1<<40) },
			func(c *Conn) error { _, err := c.Write(make([]byte, 2<<20)); return err }},
		{"reader position behind by more than a lap", func(p *Conn) { p.rx.rpos.Store(^uint64(0)) },
			func(c *Conn) error { _, err := c.Write(make([]byte, 2<<20)); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := pipeEnds(t)
			other1, other2 := pipeEnds(t)
			if _, err := b.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(a, make([]byte, 5)); err != nil {
				t.Fatal(err)
			}
			tc.spoil(b)
			err := tc.op(a)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			if err2 := tc.op(a); !errors.Is(err2, ErrCorrupt) { // it stays broken
				t.Fatalf("then %v, want ErrCorrupt again", err2)
			}
			// Another connection is untouched.
			go other1.Write([]byte("fine"))
			buf := make([]byte, 4)
			if _, err := io.ReadFull(other2, buf); err != nil || string(buf) != "fine" {
				t.Fatalf("the other connection: %q, %v", buf, err)
			}
		})
	}
}

// TestHostileHello: what a listener sends a dialer is validated.
func TestHostileHello(t *testing.T) {
	fresh := func(t *testing.T) *resources {
		r, err := newResources("hostile", MinCapacity)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("bad magic", func(t *testing.T) {
		r := fresh(t)
		r.mem[0] ^= 0xff
		wantCorrupt(t, r.files())
		r.close()
	})
	t.Run("bad version", func(t *testing.T) {
		r := fresh(t)
		r.mem[8] = 99
		if _, _, err := takeResources(dupAll(t, r.files())); !errors.Is(err, ErrVersion) {
			t.Fatalf("got %v, want ErrVersion", err)
		}
		r.close()
	})
	t.Run("capacity not the file's", func(t *testing.T) {
		r := fresh(t)
		for _, c := range []uint64{0, 4097, 8 << 10, 1 << 62} { // 8 KiB: in a file made for 4 KiB
			binary.LittleEndian.PutUint64(r.mem[16:], c)
			wantCorrupt(t, r.files())
		}
		r.close()
	})
	t.Run("more descriptors", func(t *testing.T) { // version 1's eventfds, or anything else
		r := fresh(t)
		wantCorrupt(t, append(r.files(), r.files()...))
		r.close()
	})
	t.Run("unsealed memory", func(t *testing.T) {
		r := fresh(t)
		f, err := os.CreateTemp(t.TempDir(), "plain")
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(int64(segmentSize(MinCapacity)))
		files := r.files()
		files[0] = f
		wantCorrupt(t, files)
		f.Close()
		r.close()
	})
	t.Run("no descriptor", func(t *testing.T) {
		wantCorrupt(t, nil)
	})
}

func dupAll(t *testing.T, files []*os.File) []*os.File {
	t.Helper()
	out := make([]*os.File, len(files))
	for i, f := range files {
		d, err := dupFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = d
	}
	return out
}

func wantCorrupt(t *testing.T, files []*os.File) {
	t.Helper()
	r, _, err := takeResources(dupAll(t, files))
	if err == nil {
		r.close()
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

//go:build linux

package shmnet

import (
	"fmt"
	"io"
	"net"
)

// Zero-copy paths: io.Copy uses WriteTo and ReadFrom on its own, and
// Next reads in place.

var (
	_ io.WriterTo   = (*Conn)(nil)
	_ io.ReaderFrom = (*Conn)(nil)
)

// Next returns the next bytes of the stream in place, in the
// connection's shared memory, waiting for at least one as Read does:
// as many as lie contiguous there, up to max (max <= 0: no limit). They
// stay valid, and count as unread by the peer's writer, until the next
// Read, Next or WriteTo, which frees them.
func (c *Conn) Next(max int) ([]byte, error) {
	if err := c.gate.Enter(); err != nil {
		return nil, c.opErr("read", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.rmu.Lock()
	defer c.rmu.Unlock()
	avail, err := c.readable()
	if err != nil {
		return nil, c.opErr("read", err)
	}
	b := c.contiguous(avail)
	if max > 0 && len(b) > max {
		b = b[:max]
	}
	c.pending = uint64(len(b))
	return b, nil
}

// contiguous is the first of avail readable bytes that lie in one piece.
func (c *Conn) contiguous(avail uint64) []byte {
	i := c.r & c.rx.mask
	n := min(avail, c.capac-i)
	return c.rx.data[i : i+n : i+n]
}

// WriteTo writes the stream to w, from shared memory, until the peer
// closes its writing side (a nil error, as io.Copy wants) or an error.
// Close waits for a w.Write in progress.
func (c *Conn) WriteTo(w io.Writer) (int64, error) {
	if err := c.gate.Enter(); err != nil {
		return 0, c.opErr("read", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.rmu.Lock()
	defer c.rmu.Unlock()
	var total int64
	for {
		avail, err := c.readable()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, c.opErr("read", err)
		}
		chunk := c.contiguous(avail)
		n, err := w.Write(chunk)
		if n < 0 || n > len(chunk) {
			return total, fmt.Errorf("shmnet: WriteTo: the destination's Write returned %d for %d bytes", n, len(chunk))
		}
		total += int64(n)
		c.consume(uint64(n))
		if err == nil && n < len(chunk) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return total, err
		}
	}
}

// ReadFrom reads r into the connection's shared memory, straight into
// its buffer, until io.EOF (a nil error) or an error.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.gate.Enter(); err != nil {
		return 0, c.opErr("write", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var total int64
	for {
		free, err := c.writable()
		if err != nil {
			return total, c.opErr("write", err)
		}
		i := c.w & c.tx.mask
		n := min(free, c.capac-i)
		k, err := r.Read(c.tx.data[i : i+n : i+n])
		if k < 0 || uint64(k) > n {
			return total, io.ErrShortWrite // a Reader that lies about what it read
		}
		if k > 0 {
			c.produce(uint64(k))
			total += int64(k)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

package ringbuf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// StreamWriter writes a byte stream into a ring, in chunks of up to the
// ring's maximum message size: Python's Pipe, one way. It implements
// io.Writer, io.ReaderFrom and io.Closer. It is not safe for concurrent
// use.
type StreamWriter struct {
	p        *Producer
	deadline time.Time
}

// StreamReader reads the byte stream a StreamWriter writes. It implements
// io.Reader and io.WriterTo; it returns io.EOF once the writer has closed
// and everything was read, and ErrPeerDead if the writer's process died.
// It is not safe for concurrent use.
type StreamReader struct {
	c        *Consumer
	left     []byte // the unread rest of the current message, in place
	deadline time.Time
}

// Writer makes this process the stream's writer (its ring's producer).
func (s *Stream) Writer() (*StreamWriter, error) {
	p, err := s.r.Producer()
	if err != nil {
		return nil, err
	}
	return &StreamWriter{p: p}, nil
}

// Reader makes this process the stream's reader (its ring's consumer).
func (s *Stream) Reader() (*StreamReader, error) {
	c, err := s.r.Consumer()
	if err != nil {
		return nil, err
	}
	return &StreamReader{c: c}, nil
}

// SetWait sets how Write and ReadFrom wait for room.
func (w *StreamWriter) SetWait(wait Wait) { w.p.SetWait(wait) }

// SetWait sets how Read and WriteTo wait for data.
func (r *StreamReader) SetWait(wait Wait) { r.c.SetWait(wait) }

// SetLinger lets WriteTo, once bytes are there, wait up to d for more
// (while fewer than 4 KiB wait) before it hands them to its writer, as
// Consumer.SetLinger does for ReadBatch: a reader that keeps up with a
// busy writer otherwise polls the line the writer is writing, and takes
// it away for every few bytes. It costs up to d of latency; zero (the
// default) turns it off. Read does not linger.
func (r *StreamReader) SetLinger(d time.Duration) { r.c.SetLinger(d) }

// SetDeadline sets when Write and ReadFrom give up waiting for room, with
// os.ErrDeadlineExceeded. A zero time means no deadline.
func (w *StreamWriter) SetDeadline(t time.Time) error { w.deadline = t; return nil }

// SetDeadline sets when Read and WriteTo give up waiting for data, with
// os.ErrDeadlineExceeded. A zero time means no deadline. Unlike a
// net.Conn's, a passed deadline fails only a call that would wait: a Read
// with data there returns it.
func (r *StreamReader) SetDeadline(t time.Time) error { r.deadline = t; return nil }

// withDeadline returns a context for one call; only a deadline costs an
// allocation.
func withDeadline(d time.Time) (context.Context, context.CancelFunc) {
	if d.IsZero() {
		return context.Background(), func() {}
	}
	return context.WithDeadline(context.Background(), d)
}

// errInvalidWrite is WriteTo's error for a destination that reports a
// count its Write cannot have written, as io.Copy's.
var errInvalidWrite = errors.New("ringbuf: invalid write result")

// streamErr turns a context's deadline into the error net.Conn returns.
func streamErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return err
}

// Write writes b, waiting for room as needed, until the deadline.
func (w *StreamWriter) Write(b []byte) (int, error) {
	if w.deadline.IsZero() { // no context to make: the common case costs nothing
		return w.WriteContext(context.Background(), b)
	}
	ctx, cancel := context.WithDeadline(context.Background(), w.deadline)
	defer cancel()
	return w.WriteContext(ctx, b)
}

// WriteContext is Write that also gives up when ctx ends, with ctx.Err()
// (os.ErrDeadlineExceeded for a deadline), or when the stream is closed in
// this process, with os.ErrClosed. It returns how much was written.
func (w *StreamWriter) WriteContext(ctx context.Context, b []byte) (int, error) {
	if len(b) > 0 && w.p.writeOne(b) { // one record with room for it: the ring's one-call Write
		return len(b), nil
	}
	if w.p.r.gate.Closed() || !w.p.held {
		return 0, os.ErrClosed
	}
	n, unwoken := 0, 0
	for n < len(b) { // the internal reserve and commit: the gate was looked at above
		chunk := min(len(b)-n, int(w.p.r.geo.maxMsg))
		buf, err := w.p.reserve(ctx, chunk) // which wakes a reader owed a wake-up before it waits
		if err != nil {
			w.p.wakeOwed()
			return n, streamErr(w.p.r.named(err))
		}
		copy(buf, b[n:n+chunk])
		w.p.stageClaim(chunk) // cannot fail: reserved just now for chunk
		n += chunk
		// A parked reader is woken once per Write, or per quarter of the
		// ring of a long one, not for every chunk.
		unwoken += chunk
		wakeNow := n == len(b) || uint64(unwoken) >= w.p.r.geo.capacity/4
		w.p.flush(wakeNow)
		if wakeNow {
			unwoken = 0
		}
	}
	return n, nil
}

// ReadFrom copies src into the stream until io.EOF, reading straight into
// the ring's memory.
func (w *StreamWriter) ReadFrom(src io.Reader) (int64, error) {
	ctx, cancel := withDeadline(w.deadline)
	defer cancel()
	var total int64
	for {
		buf, err := w.p.Reserve(ctx, w.p.r.MaxMessage())
		if err != nil {
			return total, streamErr(err)
		}
		n, rerr := src.Read(buf)
		if n < 0 || n > len(buf) {
			w.p.CommitN(0) // drop the reservation: the reader broke io.Reader's contract
			return total, fmt.Errorf("ringbuf: reader returned %d bytes for a %d-byte buffer", n, len(buf))
		}
		if err := w.p.CommitN(n); err != nil {
			return total, err
		}
		total += int64(n)
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// Close ends the stream: the reader gets io.EOF after the last byte.
func (w *StreamWriter) Close() error { return w.p.Close() }

// Read reads up to len(b) bytes of the stream, waiting for at least one
// until the deadline.
func (r *StreamReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if len(r.left) == 0 {
		if r.deadline.IsZero() { // no context to make: the common case costs nothing
			return r.ReadContext(context.Background(), b)
		}
		ctx, cancel := context.WithDeadline(context.Background(), r.deadline)
		defer cancel()
		return r.ReadContext(ctx, b)
	}
	n := copy(b, r.left)
	r.left = r.left[n:]
	return n, nil
}

// ReadContext is Read that also gives up when ctx ends, with ctx.Err()
// (os.ErrDeadlineExceeded for a deadline), or when the stream is closed in
// this process, with os.ErrClosed.
func (r *StreamReader) ReadContext(ctx context.Context, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for len(r.left) == 0 { // an empty record (only a foreign writer makes one) carries no bytes
		msg, err := r.c.Next(ctx)
		if err != nil {
			return 0, streamErr(err)
		}
		r.left = msg
	}
	n := copy(b, r.left)
	r.left = r.left[n:]
	return n, nil
}

// WriteTo writes the rest of the stream to dst, from the ring's memory,
// until the writer closes (a nil error) or an error occurs.
func (r *StreamReader) WriteTo(dst io.Writer) (int64, error) {
	var total int64
	if len(r.left) > 0 {
		n, err := dst.Write(r.left)
		if n < 0 || n > len(r.left) {
			return total, errInvalidWrite // r.left stays as it was
		}
		total += int64(n)
		r.left = r.left[n:]
		if err == nil && len(r.left) > 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			return total, err
		}
	}
	ctx, cancel := withDeadline(r.deadline)
	defer cancel()
	// A batch at a time, in place: one release per batch, not per record.
	var werr error
	write := func(msg []byte) error {
		n, err := dst.Write(msg)
		if n < 0 || n > len(msg) {
			n, err = 0, errInvalidWrite // the whole record stays readable
		}
		total += int64(n)
		if n < len(msg) {
			// The rest stays readable, whatever dst said; the batch
			// releases msg, so it is kept as a copy.
			r.left = bytes.Clone(msg[n:])
			if err == nil {
				err = io.ErrShortWrite
			}
		}
		werr = err
		return err
	}
	for {
		_, err := r.c.ReadBatch(ctx, math.MaxInt, write)
		switch {
		case werr != nil:
			return total, werr
		case err == io.EOF:
			return total, nil
		case err != nil:
			return total, streamErr(err)
		}
	}
}

// Close gives up the consumer role.
func (r *StreamReader) Close() error {
	r.left = nil
	return r.c.Close()
}

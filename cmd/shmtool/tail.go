package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newTail(stdout, stderr io.Writer) *cobra.Command {
	var (
		asJSON, consume bool
		count           int
		wait            time.Duration
	)
	cmd := &cobra.Command{
		Use:   "tail NAME",
		Short: "Print a ring's, stream's or queue's messages as they arrive",
		Long: `Print each message committed to the ring, stream or queue from now on: as
text when it is UTF-8, in hex otherwise. By default tail only watches (a
read-only mapping); it does not take the messages from the consumers, and
under load it may miss some (in a queue, those a consumer takes first),
which it says on stderr. With --consume it becomes a consumer and takes
them. --count stops after that many messages; --wait stops after
that long without one.`,
		Args: exactArgs(1, "one ring, stream or queue NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if count < 0 || wait < 0 {
				return usagef("--count and --wait must not be negative")
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			next, done, err := tailSource(args[0], consume)
			if err != nil {
				return err
			}
			defer done()
			var buf []byte
			for seq := 0; count == 0 || seq < count; seq++ {
				wctx, cancel := ctx, context.CancelFunc(func() {})
				if wait > 0 {
					wctx, cancel = context.WithTimeout(ctx, wait)
				}
				msg, err := next(wctx, buf)
				cancel()
				switch {
				case errors.Is(err, ringbuf.ErrLapped):
					fmt.Fprintln(stderr, "shmtool: tail fell behind; some messages were not shown")
					seq--
					continue
				case errors.Is(err, context.DeadlineExceeded) && wait > 0, errors.Is(err, io.EOF):
					return nil
				case err != nil:
					return err
				}
				buf = msg
				if err := printMessage(stdout, seq, msg, asJSON); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print one {"seq", "len", "text" or "hex"} object per message`)
	cmd.Flags().BoolVar(&consume, "consume", false, "become the ring's consumer and take the messages")
	cmd.Flags().IntVar(&count, "count", 0, "stop after this many messages (0: never)")
	cmd.Flags().DurationVar(&wait, "wait", 0, "stop after this long without a message (0: never)")
	return cmd
}

// tailSource returns a function giving the next message of the ring,
// stream or queue called name, watching or consuming, and a function to
// release it all.
func tailSource(name string, consume bool) (func(context.Context, []byte) ([]byte, error), func(), error) {
	seg, err := shm.Open(name, &shm.Options{ReadOnly: true, AllowOtherUsers: true})
	if err != nil {
		return nil, nil, err
	}
	kind := seg.Kind()
	if consume {
		seg.Close()
		switch kind {
		case ringbuf.Kind, ringbuf.StreamKind:
			return consumeRing(name, kind)
		case queue.Kind:
			return consumeQueue(name)
		}
	} else {
		var next func(context.Context, []byte) ([]byte, error)
		switch kind {
		case ringbuf.Kind, ringbuf.StreamKind:
			o, err := ringbuf.Observe(seg)
			if err != nil {
				seg.Close()
				return nil, nil, err
			}
			next = func(ctx context.Context, buf []byte) ([]byte, error) { return o.Next(ctx, buf, 5*time.Millisecond) }
		case queue.Kind:
			o, err := queue.Observe(seg)
			if err != nil {
				seg.Close()
				return nil, nil, err
			}
			next = func(ctx context.Context, buf []byte) ([]byte, error) { return o.Next(ctx, buf, 5*time.Millisecond) }
		default:
			seg.Close()
			return nil, nil, fmt.Errorf("%s is a %q segment; tail follows rings, streams and queues", name, kind)
		}
		return next, func() { seg.Close() }, nil
	}
	return nil, nil, fmt.Errorf("%s is a %q segment; tail follows rings, streams and queues", name, kind)
}

func consumeRing(name, kind string) (func(context.Context, []byte) ([]byte, error), func(), error) {
	if kind == ringbuf.StreamKind {
		return consumeStream(name)
	}
	r, err := ringbuf.Open(name, nil)
	if err != nil {
		return nil, nil, err
	}
	c, err := r.Consumer()
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	next := func(ctx context.Context, buf []byte) ([]byte, error) {
		msg, err := c.Next(ctx)
		return append(buf[:0], msg...), err
	}
	return next, func() { c.Close(); r.Close() }, nil
}

// consumeStream reads a stream's bytes, in the chunks they come in.
func consumeStream(name string) (func(context.Context, []byte) ([]byte, error), func(), error) {
	s, err := ringbuf.OpenStream(name, nil)
	if err != nil {
		return nil, nil, err
	}
	rd, err := s.Reader()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	next := func(ctx context.Context, buf []byte) ([]byte, error) {
		buf = buf[:cap(buf)]
		if len(buf) < 64<<10 {
			buf = make([]byte, 64<<10)
		}
		n, err := rd.ReadContext(ctx, buf)
		return buf[:n], err
	}
	return next, func() { rd.Close(); s.Close() }, nil
}

func consumeQueue(name string) (func(context.Context, []byte) ([]byte, error), func(), error) {
	q, err := queue.Open(name, nil)
	if err != nil {
		return nil, nil, err
	}
	c, err := q.Consumer()
	if err != nil {
		q.Close()
		return nil, nil, err
	}
	next := func(ctx context.Context, buf []byte) ([]byte, error) {
		buf = buf[:cap(buf)]
		if len(buf) < q.MaxMessage() {
			buf = make([]byte, q.MaxMessage())
		}
		n, err := c.ReadContext(ctx, buf)
		return buf[:n], err
	}
	return next, func() { c.Close(); q.Close() }, nil
}

func printMessage(w io.Writer, seq int, msg []byte, asJSON bool) error {
	text := utf8.Valid(msg)
	if asJSON {
		j := map[string]any{"seq": seq, "len": len(msg)}
		if text {
			j["text"] = string(msg)
		} else {
			j["hex"] = hex.EncodeToString(msg)
		}
		return writeJSONLine(w, j)
	}
	if text {
		_, err := fmt.Fprintf(w, "%d\t%s\n", seq, strconv.Quote(string(msg)))
		return err
	}
	_, err := fmt.Fprintf(w, "%d\t%s\n", seq, hex.EncodeToString(msg))
	return err
}

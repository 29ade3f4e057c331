package stress

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/ringbuf"
)

var streamKind = kind{
	create:     streamCreate,
	work:       streamWork,
	failpoints: []string{"ringbuf/commit/before", "ringbuf/publish/before", "ringbuf/release/before"},
}

// The stream kind is the ring kind through the byte-stream API: the
// writer writes the ring kind's messages as frames with Write, and the
// reader takes them apart with Reads of random sizes, which split frames
// anywhere. A frame is one Write of at most the ring's message size, so it
// is one record: a writer that dies never leaves half a frame, and a new
// reader starts at a frame. Frames arrive whole and in order; the two
// counters beside the stream say which ones a dead peer had taken.
func streamCreate(name string, _ int) error {
	return createRingKind(name, func() (*ringbuf.Stream, error) {
		return ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: 1 << 16}, nil)
	})
}

func streamWork(ctx context.Context, name string, id int, r *reporter) error {
	ring, counts, err := openRingKind(name, ringbuf.OpenStream)
	if err != nil {
		return err
	}
	defer ring.Close()
	defer counts.Close()
	rng := rand.New(rand.NewPCG(uint64(id), 13))
	return takeRoles(ctx, r, func() (bool, error) {
		w, err := ring.Writer()
		if err != nil {
			return false, nil
		}
		defer w.Close()
		return true, streamWrite(ctx, w, counts, r)
	}, func() (bool, error) {
		rd, err := ring.Reader()
		if err != nil {
			return false, nil
		}
		defer rd.Close()
		return true, streamRead(ctx, rd, counts, rng, r)
	})
}

func streamWrite(ctx context.Context, w *ringbuf.StreamWriter, counts *array.Array[uint64], r *reporter) error {
	buf := make([]byte, 256)
	for ctx.Err() == nil {
		seq := array.LoadAt(counts, ringLastProduced) + 1
		array.StoreAt(counts, ringLastProduced, seq) // taken before it is written
		frame := ringPayload(buf, seq)
		for {
			_ = w.SetDeadline(time.Now().Add(50 * time.Millisecond)) // to notice ctx
			_, err := w.Write(frame)
			switch {
			case err == nil:
			case errors.Is(err, ringbuf.ErrPeerDead): // the reader died: a new one will come
				r.recovery()
				continue
			case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
				if ctx.Err() != nil {
					return ctx.Err()
				}
				continue
			default:
				r.violation("write: %v", err)
				return err
			}
			break
		}
		r.op()
	}
	return ctx.Err()
}

func streamRead(ctx context.Context, rd *ringbuf.StreamReader, counts *array.Array[uint64], rng *rand.Rand, r *reporter) error {
	frame, want := make([]byte, 256), make([]byte, 256)
	for ctx.Err() == nil {
		_ = rd.SetDeadline(time.Now().Add(50 * time.Millisecond))
		// The header, then the rest of the frame, in reads of 1 to 64 bytes.
		n, err := readChunks(rd, frame[:8], rng)
		switch {
		case errors.Is(err, ringbuf.ErrPeerDead): // the writer died between frames: a new one will come
			r.recovery()
			continue
		case err == io.EOF || errors.Is(err, os.ErrDeadlineExceeded): // no writer now, or a quiet moment
			continue
		case err != nil:
			return err
		}
		seq := binary.LittleEndian.Uint64(frame)
		size := len(ringPayload(want, seq))
		if m, err := readChunks(rd, frame[n:size], rng); err != nil {
			r.violation("frame %d cut after %d of %d bytes: %v", seq, n+m, size, err)
			return err
		}
		last := array.LoadAt(counts, ringLastConsumed)
		switch {
		case seq <= last: // read, not released, by a reader that died: delivered again
			continue
		case !bytes.Equal(frame[:size], want[:size]):
			r.violation("frame %d is not whole", seq)
		}
		array.StoreAt(counts, ringLastConsumed, seq)
		r.op()
	}
	return ctx.Err()
}

// readChunks fills b with reads of random sizes.
func readChunks(rd io.Reader, b []byte, rng *rand.Rand) (int, error) {
	n := 0
	for n < len(b) {
		m, err := rd.Read(b[n:min(len(b), n+1+rng.IntN(64))])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

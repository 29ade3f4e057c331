package stress

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

var ringKind = kind{
	create:     ringCreate,
	work:       ringWork,
	failpoints: []string{"ringbuf/commit/before", "ringbuf/publish/before", "ringbuf/release/before"},
}

// The ring kind: one ring and, beside it, two counters: the last sequence
// number a producer took (stored before the message is committed, so that
// a new producer never repeats one) and the last one a consumer finished
// with (so that a new consumer recognizes the messages its dead
// predecessor had read but not yet released: the ring delivers those
// again). Every message must arrive whole and in order; numbers are
// skipped only where a producer died.
const (
	ringLastProduced = 0
	ringLastConsumed = 1
)

func ringCreate(name string, _ int) error {
	return createRingKind(name, func() (*ringbuf.Ring, error) {
		return ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 16, MaxMessage: 256}, nil)
	})
}

// createRingKind makes the ring (or stream) of the ring and stream kinds
// with create, and the two counters beside it.
func createRingKind[T interface{ Close() error }](name string, create func() (T, error)) error {
	r, err := create()
	if err != nil {
		return err
	}
	r.Close()
	a, err := array.Create[uint64](name+"-b", 2, nil)
	if err != nil {
		return err
	}
	return a.Close()
}

// openRingKind opens the ring (or stream) of the ring and stream kinds
// with open, and the counters beside it.
func openRingKind[T interface{ Close() error }](name string, open func(string, *shm.Options) (T, error)) (T, *array.Array[uint64], error) {
	ring, err := open(name, nil)
	if err != nil {
		return ring, nil, err
	}
	counts, err := array.Open[uint64](name+"-b", nil)
	if err != nil {
		ring.Close()
		return ring, nil, err
	}
	return ring, counts, nil
}

// takeRoles plays the first of roles this worker can take (a ring has one
// producer and one consumer), again and again until ctx ends, waiting
// while live peers hold them all. A role reports whether it could be
// taken, and the error it ended with.
func takeRoles(ctx context.Context, r *reporter, roles ...func() (bool, error)) error {
	for ctx.Err() == nil {
		took := false
		for _, role := range roles {
			ok, err := role()
			if err != nil && ctx.Err() == nil {
				return err
			}
			if took = ok; took {
				break
			}
		}
		if took {
			continue
		}
		r.standby()
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
	}
	return ctx.Err()
}

// ringPayload fills b (8 to 256 bytes) for sequence number seq.
func ringPayload(b []byte, seq uint64) []byte {
	b = b[:8+int(seq*0x9E3779B97F4A7C15>>59)*8] // 8 to 256 bytes
	binary.LittleEndian.PutUint64(b, seq)
	for i := 8; i < len(b); i++ {
		b[i] = byte(seq) ^ byte(i*31)
	}
	return b
}

func ringWork(ctx context.Context, name string, _ int, r *reporter) error {
	ring, counts, err := openRingKind(name, ringbuf.Open)
	if err != nil {
		return err
	}
	defer ring.Close()
	defer counts.Close()
	return takeRoles(ctx, r, func() (bool, error) {
		p, err := ring.Producer()
		if err != nil {
			return false, nil
		}
		defer p.Close()
		return true, ringProduce(ctx, p, counts, r)
	}, func() (bool, error) {
		c, err := ring.Consumer()
		if err != nil {
			return false, nil
		}
		defer c.Close()
		return true, ringConsume(ctx, c, counts, r)
	})
}

func ringProduce(ctx context.Context, p *ringbuf.Producer, counts *array.Array[uint64], r *reporter) error {
	buf := make([]byte, 256)
	for ctx.Err() == nil {
		seq := array.LoadAt(counts, ringLastProduced) + 1
		array.StoreAt(counts, ringLastProduced, seq) // taken before it is committed
		msg := ringPayload(buf, seq)
		b, err := p.Reserve(ctx, len(msg))
		for errors.Is(err, ringbuf.ErrPeerDead) { // the consumer died: a new one will come
			r.recovery()
			b, err = p.Reserve(ctx, len(msg))
		}
		if err != nil {
			return err
		}
		copy(b, msg)
		if err := p.Commit(); err != nil {
			r.violation("commit: %v", err)
			return err
		}
		r.op()
	}
	return ctx.Err()
}

func ringConsume(ctx context.Context, c *ringbuf.Consumer, counts *array.Array[uint64], r *reporter) error {
	want := make([]byte, 256)
	for ctx.Err() == nil {
		msg, err := c.Next(ctx)
		switch {
		case errors.Is(err, ringbuf.ErrPeerDead): // the producer died: the ring goes on with the next
			r.recovery()
			continue
		case err == io.EOF: // the producer stopped; another may come
			select {
			case <-ctx.Done():
			case <-time.After(time.Millisecond):
			}
			continue
		case err != nil:
			return err
		}
		if len(msg) < 8 {
			r.violation("message of %d bytes", len(msg))
			return fmt.Errorf("short message")
		}
		seq := binary.LittleEndian.Uint64(msg)
		last := array.LoadAt(counts, ringLastConsumed)
		switch {
		case seq <= last: // read, not released, by a consumer that died: delivered again
			continue
		case !bytes.Equal(msg, ringPayload(want, seq)):
			r.violation("message %d is not whole (%d bytes)", seq, len(msg))
		}
		array.StoreAt(counts, ringLastConsumed, seq)
		r.op()
	}
	return ctx.Err()
}

package main

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
)

func init() {
	stressKinds["ring"] = stressKind{
		create:     stressRingCreate,
		work:       stressRingWork,
		failpoints: []string{"ringbuf/commit/before", "ringbuf/release/before"},
		final:      func(string, stressTotals) ([]string, int64) { return nil, 0 }, // checked as it runs
	}
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

func stressRingCreate(name string, _ int) error {
	r, err := ringbuf.Create(name, 1<<16, 256, nil)
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

// ringPayload fills b (8 to 256 bytes) for sequence number seq.
func ringPayload(b []byte, seq uint64) []byte {
	b = b[:8+int(seq*0x9E3779B97F4A7C15>>59)*8] // 8 to 256 bytes
	binary.LittleEndian.PutUint64(b, seq)
	for i := 8; i < len(b); i++ {
		b[i] = byte(seq) ^ byte(i*31)
	}
	return b
}

func stressRingWork(ctx context.Context, name string, id int, r *stressReporter) error {
	ring, err := ringbuf.Open(name, nil)
	if err != nil {
		return err
	}
	defer ring.Close()
	counts, err := array.Open[uint64](name+"-b", nil)
	if err != nil {
		return err
	}
	defer counts.Close()
	for ctx.Err() == nil {
		if p, err := ring.Producer(); err == nil {
			err = ringProduce(ctx, p, counts, r)
			p.Close()
			if err != nil && ctx.Err() == nil {
				return err
			}
			continue
		}
		if c, err := ring.Consumer(); err == nil {
			err = ringConsume(ctx, c, counts, r)
			c.Close()
			if err != nil && ctx.Err() == nil {
				return err
			}
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

func ringProduce(ctx context.Context, p *ringbuf.Producer, counts *array.Array[uint64], r *stressReporter) error {
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

func ringConsume(ctx context.Context, c *ringbuf.Consumer, counts *array.Array[uint64], r *stressReporter) error {
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

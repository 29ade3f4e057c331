package queue

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/spin"

	"github.com/shmkit/shmkit/shm"
)

// Observer follows the messages committed to a queue without taking
// them, for debugging tools such as shmtool tail. It only reads the queue,
// so it works on a read-only mapping. It sees a message only while it
// waits in the queue: one that a consumer took first is missed, and
// reported as ErrLapped.
type Observer struct {
	q      *Queue
	seg    *shm.Segment
	pos    uint64
	missed bool // positions were skipped since the last ErrLapped
}

// Observe starts following the queue in seg from its tail.
func Observe(seg *shm.Segment) (*Observer, error) {
	if seg.Kind() != Kind {
		return nil, fmt.Errorf("queue: %s is a %q segment, not a queue", seg.Name(), seg.Kind())
	}
	q, err := view(seg)
	if err != nil {
		return nil, err
	}
	return &Observer{q: q, seg: seg, pos: q.tail.Load()}, nil
}

// Next waits for the next committed message, polling every poll, and
// returns a copy of it appended to buf[:0]. If messages were missed since
// the last call it first returns ErrLapped.
func (o *Observer) Next(ctx context.Context, buf []byte, poll time.Duration) ([]byte, error) {
	q := o.q
	for spins := 0; spins < maxSpins; spins++ {
		t := q.tail.Load()
		switch {
		case t < o.pos: // the queue was recreated: start over
			o.pos = t
			continue
		case t-o.pos > q.geo.slots:
			o.pos, o.missed = t-q.geo.slots, true
		}
		var seq *atomic.Uint64
		var s uint64
		if t != o.pos {
			seq = q.seqAt(o.pos)
			s = seq.Load()
		}
		switch {
		case t == o.pos || s == o.pos: // nothing more, or a write in flight
			if o.missed {
				o.missed = false
				return nil, ErrLapped
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(poll):
			}
			if err := o.seg.Check(); err != nil { // before the next look at a mapping that may be gone
				return nil, err
			}
			spins = 0
		case s == (o.pos+1)|skipBit:
			o.pos++
		case s == o.pos+1:
			if o.missed {
				o.missed = false
				return nil, ErrLapped
			}
			slot := q.slotAt(o.pos)
			n := uint64(q.lenAt(o.pos).Load())
			if n <= q.geo.maxMsg {
				buf = append(buf[:0], slot[:n]...)
			}
			spin.LoadFence()     // the copy is read before the sequence that vouches for it
			if seq.Load() != s { // taken and reused while we copied
				o.pos, o.missed = o.pos+1, true
				continue
			}
			if n > q.geo.maxMsg {
				return nil, fmt.Errorf("%w: slot for position %d has length %d, limit %d", ErrCorrupt, o.pos, n, q.geo.maxMsg)
			}
			o.pos++
			return buf, nil
		case s&^skipBit > o.pos+1: // taken by a consumer before we looked
			o.pos, o.missed = o.pos+1, true
		default:
			return nil, fmt.Errorf("%w: slot for position %d has sequence %#x", ErrCorrupt, o.pos, s)
		}
	}
	return nil, fmt.Errorf("%w: the tail keeps moving", ErrCorrupt)
}

package ringbuf

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/shm"
)

// ErrLapped is returned by Observer.Next when the producer overwrote
// records before the observer could copy them; the observer has moved on to
// the producer's position.
var ErrLapped = errors.New("ringbuf: observer fell behind; messages skipped")

// Observer follows a ring's messages as they are committed without
// consuming them, for debugging tools such as shmtool tail. It only reads
// the ring, so it works on a read-only mapping, and it copies each message:
// one that the producer overwrites meanwhile is reported as ErrLapped,
// never shown half new.
type Observer struct {
	r   *Ring
	seg *shm.Segment
	pos uint64
}

// Observe starts following the ring in seg from the producer's current
// position.
func Observe(seg *shm.Segment) (*Observer, error) {
	if !isRing(seg) {
		return nil, fmt.Errorf("ringbuf: %s is a %q segment, not a ring", seg.Name(), seg.Kind())
	}
	r, err := view(seg)
	if err != nil {
		return nil, err
	}
	p := r.prod.pos.Load()
	if p%recordAlign != 0 {
		return nil, fmt.Errorf("%w: producer position %d is not %d-byte aligned", ErrCorrupt, p, recordAlign)
	}
	return &Observer{r: r, seg: seg, pos: p}, nil
}

// Next waits for the next committed message, polling every poll, and
// returns a copy of it appended to buf[:0].
func (o *Observer) Next(ctx context.Context, buf []byte, poll time.Duration) ([]byte, error) {
	for {
		p := o.r.prod.pos.Load()
		switch {
		case p%recordAlign != 0:
			return nil, fmt.Errorf("%w: producer position %d is not aligned", ErrCorrupt, p)
		case p < o.pos: // the ring was recreated or a producer rewound: start over
			o.pos = p
			continue
		case p-o.pos > o.r.geo.capacity:
			o.pos = p
			return nil, ErrLapped
		case p == o.pos:
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(poll):
			}
			if err := o.seg.Check(); err != nil { // before the next look at a mapping that may be gone
				return nil, err
			}
			continue
		}
		idx := o.pos & o.r.mask
		kind, length, size, err := o.r.record(idx, o.r.hdr[idx/recordAlign].Load())
		switch {
		case err == nil && (kind == kindNone || size > p-o.pos): // before the producer's position: overwritten, or corrupt
			err = fmt.Errorf("%w: record kind %d of %d bytes at %d, %d published", ErrCorrupt, kind, size, idx, p-o.pos)
		case err == nil && kind == kindPadding:
			o.pos += size
			continue
		}
		if err != nil {
			return nil, o.lappedOr(err)
		}
		start := idx + recordHeader
		buf = append(buf[:0], o.r.data[start:start+length]...)
		spin.LoadFence() // the copy is read before the positions that vouch for it
		// The copy is good unless the producer may have reused the space:
		// only after the consumer released it, and then only once the
		// producer gets within a record of a lap.
		if o.r.cons.pos.Load() > o.pos && o.r.prod.pos.Load()+recordSize(int(o.r.geo.maxMsg)) > o.pos+o.r.geo.capacity {
			o.pos = o.r.prod.pos.Load()
			return nil, ErrLapped
		}
		o.pos += size
		return buf, nil
	}
}

// lappedOr returns ErrLapped if the producer has lapped the observer (so
// the odd header was overwritten, not corrupt), or err.
func (o *Observer) lappedOr(err error) error {
	if p := o.r.prod.pos.Load(); p-o.pos+recordSize(int(o.r.geo.maxMsg)) > o.r.geo.capacity {
		o.pos = p
		return ErrLapped
	}
	return err
}

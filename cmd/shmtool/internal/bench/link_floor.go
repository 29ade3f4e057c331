package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/shm"
)

// floor: the throughput reference, a one-way ring of fixed-size records
// in one raw segment with nothing a real ring needs (no validation, no
// counters, no liveness, spin only). It runs each phase in its own loop
// (sendFor, receiveAll) doing the bench's work, without an interface call
// per message, so that a shmkit row over it is what shmkit costs.

// Layout: each position on its own 128-byte line (the adjacent-line
// prefetcher fetches lines in pairs), then the records, floorStride
// bytes apart.
const floorHead, floorTail, floorData = 0, 128, 256

// floorStride is how far apart the floor's records of size bytes lie:
// size, except that a record of exactly one cache line gets 8 bytes of
// padding after it. At 64 bytes, a record to a line ran a third slower
// than records 72 bytes apart (70M against 103M messages a second), and
// any padding from 8 to 64 bytes did as well as 8; 32 and 128-byte
// records, 8-byte and 1 KiB ones ran fastest unpadded (interleaved runs;
// why a line apiece is slow was not found). A ring's 64-byte messages
// take 72 bytes, header and all.
func floorStride(size int) int {
	if size == 64 {
		return size + 8
	}
	return size
}

// The floor's ring holds capacityFor("floor", size) bytes, where it is fastest.
//
// floorLeast is how many bytes of records the consumer waits for before
// it takes them, and floorPause how many PAUSEs (some 30ns each) it waits
// between looks: every look takes the producer's position line away, and
// stalls the producer's next store to it.
const floorLeast, floorPause = 16 << 10, 128

// floorSpin is how many looks a waiting side makes between looks at the
// clock: the peer may have died.
const floorSpin = 1 << 14

// floorRing is the ring and one end's private state: the parent uses
// the producer's, the child the consumer's.
type floorRing struct {
	head, tail *atomic.Uint64 // positions, in records: the producer's and the consumer's
	data       []byte         // slots records of size bytes, stride bytes apart
	size       int
	stride     int
	slots      uint64 // a power of two

	pos  uint64 // this end's own position
	seen uint64 // the other end's, as last loaded
}

// await spins until word holds a position other than stale, and
// returns it. It backs off while it waits, so that it takes the other
// side's line away less often, and only then looks at the clock.
func await(word *atomic.Uint64, stale uint64) (uint64, error) {
	var deadline time.Time
	for i, b := 1, 1; ; i++ {
		if v := word.Load(); v != stale {
			return v, nil
		}
		spin.Pause(b)
		b = min(2*b, floorPause)
		if i%floorSpin == 0 {
			if deadline.IsZero() {
				deadline = time.Now().Add(peerTimeout)
			} else if time.Now().After(deadline) {
				return 0, os.ErrDeadlineExceeded
			}
		}
	}
}

// awaitRecords waits until at least least records follow pos, or some
// do after a pause, and returns the producer's position. Each look takes
// the producer's line away (it stores its position every message), so
// the consumer looks seldom.
func (f *floorRing) awaitRecords(pos, least uint64) (uint64, error) {
	var deadline time.Time
	for i, waited := 1, false; ; i, waited = i+1, true {
		h := f.head.Load()
		if h-pos >= least || h != pos && waited {
			return h, nil
		}
		spin.Pause(floorPause)
		if i%floorSpin == 0 {
			if deadline.IsZero() {
				deadline = time.Now().Add(peerTimeout)
			} else if time.Now().After(deadline) {
				return 0, os.ErrDeadlineExceeded
			}
		}
	}
}

// room waits until the record at f.pos is free.
func (f *floorRing) room() error {
	for f.pos-f.seen >= f.slots {
		t, err := await(f.tail, f.seen)
		if err != nil {
			return err
		}
		f.seen = t
	}
	return nil
}

// send copies msg, sequence number and all, into the next record.
func (f *floorRing) send(msg []byte) error {
	if err := f.room(); err != nil {
		return err
	}
	off := int(f.pos&(f.slots-1)) * f.stride
	copy(f.data[off:off+f.size], msg)
	f.pos++
	spin.Release(f.head, f.pos)
	return nil
}

// sendFor is the floor's sender: sendFor's work, copying msg into each
// record and stamping it there with its number, for d.
func (f *floorRing) sendFor(msg []byte, d time.Duration) (sent uint64, err error) {
	if len(msg) != f.size {
		return 0, fmt.Errorf("floor: message of %d bytes in a ring of %d-byte records", len(msg), f.size)
	}
	size, end := f.size, len(f.data)
	every := max(1, 1<<16/size)
	left := every
	first, pos, limit := f.pos, f.pos, f.seen+f.slots
	off := int(pos&(f.slots-1)) * f.stride
	start := time.Now()
	for seq := uint64(0); ; seq++ {
		if pos == limit {
			f.pos = pos
			if err := f.room(); err != nil {
				return pos - first, err
			}
			limit = f.seen + f.slots
		}
		rec := f.data[off : off+size : off+size]
		copy(rec, msg) // the whole prepared message, as every link's sender copies it
		binary.LittleEndian.PutUint64(rec, seq)
		pos++
		spin.Release(f.head, pos)
		if off += f.stride; off == end {
			off = 0
		}
		if left--; left == 0 {
			left = every
			if time.Since(start) > d {
				break
			}
		}
	}
	f.pos = pos
	binary.LittleEndian.PutUint64(msg, endTput)
	return pos - first, f.send(msg)
}

// floorBatch is the most records the consumer takes before it releases
// them: the producer need not wait for a whole ring's worth.
func (f *floorRing) floorBatch() uint64 { return max(1, f.slots/8) }

// receiveAll is the floor's receiver: receiveAll's work, checking each
// record's number and its payload's CRC against the first's, message by
// message as every link's receiver does, and releasing the records a
// batch at a time.
func (f *floorRing) receiveAll(buf []byte) (count uint64, ns int64, sum uint32, err error) {
	if len(buf) != f.size {
		return 0, 0, 0, fmt.Errorf("floor: buffer of %d bytes for %d-byte records", len(buf), f.size)
	}
	size, stride, batch := f.size, f.stride, f.floorBatch()
	least := uint64(max(1, floorLeast/size))
	pos, head := f.pos, f.seen
	var start time.Time
	for {
		if pos == head {
			if head, err = f.awaitRecords(pos, least); err != nil {
				return 0, 0, 0, err
			}
			if start.IsZero() {
				start = time.Now()
			}
		}
		idx := pos & (f.slots - 1)
		n := min(head-pos, f.slots-idx, batch)
		off := int(idx) * stride
		span := f.data[off : off+int(n)*stride]
		for i := 0; i < len(span); i += stride {
			rec := span[i : i+size : i+size]
			if seq := binary.LittleEndian.Uint64(rec); seq != count {
				if seq != endTput {
					return 0, 0, 0, fmt.Errorf("message %d arrived as number %d", count, seq)
				}
				ns = time.Since(start).Nanoseconds()
				f.pos, f.seen = pos+uint64(i/stride)+1, head
				spin.Release(f.tail, f.pos)
				return count, ns, sum, nil
			}
			switch got := payloadSum(rec); {
			case count == 0:
				sum = got
			case got != sum:
				return 0, 0, 0, errCorrupt(count, got, sum)
			}
			count++
		}
		pos += n
		spin.Release(f.tail, pos)
	}
}

// recv is not how the floor is read: its receiver takes a whole phase
// (receiveAll).
func (f *floorRing) recv([]byte) ([]byte, error) {
	return nil, errors.New("floor: records are read a phase at a time")
}

// floorLink makes (parent) or opens (child) the floor's segment, of
// records of size bytes, about capacity bytes of them (both ends must
// agree). The parent sends, the child receives.
func floorLink(parent bool, size, capacity int, args []string) (*link, error) {
	slots, stride := uint64(1), floorStride(size)
	for slots < 16 || slots*2*uint64(stride) <= uint64(capacity) { // at least 16 records, at most capacity bytes
		slots *= 2
	}
	want := floorData + int(slots)*stride
	seg, name, closer, err := rawSegment(parent, "floor", want, args)
	if err != nil {
		return nil, err
	}
	f := &floorRing{size: size, stride: stride, slots: slots}
	f.head, err = shm.View[atomic.Uint64](seg, floorHead)
	if err == nil {
		f.tail, err = shm.View[atomic.Uint64](seg, floorTail)
	}
	if err == nil {
		f.data, err = shm.ViewSlice[byte](seg, floorData, want-floorData) // checks the child's segment is large enough
	}
	if err != nil {
		closer()
		return nil, err
	}
	return &link{tx: f, rx: f, args: []string{name}, closer: closer, wakeups: noWakeups}, nil
}

package ringbuf

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/shmkit/shmkit/shm"
)

// The ring's payload, as docs/FORMAT.md describes it. Each of the first
// three blocks sits on its own 128-byte line, so that the producer and the
// consumer never write the same cache line (128 bytes covers adjacent-line
// prefetching).
const (
	lineSize = 128

	offGeometry      = 0 * lineSize // written once by the creator
	offProducer      = 1 * lineSize // written by the producer on every message
	offConsumer      = 2 * lineSize // written by the consumer on every release
	offProducerFlags = 3 * lineSize // written by the producer when it parks or closes
	offConsumerFlags = 4 * lineSize // written by the consumer when it parks
	dataOffset       = 4096         // the records, a page boundary

	recordHeader = 8 // uint32 length, uint32 kind: one word, stored at once
	recordAlign  = 8

	// A record's kind says whether it is committed: the header at the
	// producer's position is always kindNone (the producer zeroes the
	// next header before it commits a record), so the consumer knows a
	// record is there from the record alone.
	kindNone    = 0
	kindMessage = 1
	kindPadding = 2

	// layoutVersion is the geometry's version: 2 since records commit
	// by their header.
	layoutVersion = 2

	// MinCapacity and MaxCapacity bound the data area.
	MinCapacity = 4096
	MaxCapacity = 1 << 40

	geometryMagic = 0x52494E47 // "RING"
)

// Errors; test with errors.Is. ErrFull and ErrEmpty come back as they
// are, like io.EOF; the others come wrapped with the ring's name, as
// "ringbuf: orders: peer process died: unexpected EOF".
var (
	// ErrCorrupt is returned when a position or record header read from
	// shared memory is impossible: a hostile or broken peer wrote it. It
	// wraps shm.ErrCorrupt.
	ErrCorrupt = fmt.Errorf("corrupt ring: %w", shm.ErrCorrupt)

	// ErrTooLarge is returned for a message longer than the ring's
	// maximum message size.
	ErrTooLarge = errors.New("message too large")

	// ErrFull and ErrEmpty are returned by TryWrite and TryRead.
	ErrFull  = errors.New("ringbuf: ring full")
	ErrEmpty = errors.New("ringbuf: ring empty")

	// ErrBusy is returned when another live process already is the
	// ring's producer (or consumer).
	ErrBusy = errors.New("role taken by a live process")

	// ErrNoReservation is returned by Commit without a Reserve.
	ErrNoReservation = errors.New("commit without a reservation")
)

// geometry is the first line of the payload, immutable after creation and
// copied into private memory at open.
type geometry struct {
	magic    uint32
	version  uint32
	capacity uint64 // bytes in the data area, a power of two
	maxMsg   uint64 // longest message
}

// side is a producer or consumer line. Only its owner writes it; the
// other side reads pos. The counters are published now and then (every
// countEvery messages, and when the owner waits or closes), not on every
// message: a store to shared memory is a locked instruction on amd64.
type side struct {
	pos     atomic.Uint64 // next byte to write (producer) or read (consumer); never wraps in practice
	owner   atomic.Uint64 // live.Token of the owning process, 0 if none
	msgs    atomic.Uint64 // messages written or read
	bytes   atomic.Uint64 // payload bytes written or read
	waits   atomic.Uint64 // times the owner had to park (ring full, or empty)
	wakeups atomic.Uint64 // futex wake-ups the owner sent to the other side
}

// flags sit on their own line, apart from pos: the other side reads parked
// on every message, and would miss in its cache if it shared a line with
// the constantly written pos.
type flags struct {
	parked atomic.Uint32 // 1 while the owner is parked, or about to park
	closed atomic.Uint32 // producer only: 1 once it closed; the consumer gets io.EOF when drained
	wakes  atomic.Uint32 // the owner sleeps on this futex word; the other side bumps it to wake it
	// relaxed is 1 if the owner publishes pos with plain release stores,
	// so that a side parking on it must fence it first (fence.go).
	relaxed atomic.Uint32
	// fence is 1 if the owner parks on every wait (Block), and asks the
	// other side to publish with fenced stores, so that it need not fence
	// the other side with a costly barrier each time.
	fence atomic.Uint32
	_     uint32
	// want is, while a producer is parked, the consumer position that
	// frees the room it waits for (or half the ring, if that is
	// more): the consumer wakes it only once its position gets there, not
	// on every release. The consumer's is unused.
	want atomic.Uint64
}

// prefetchAhead is how far ahead of its position each side asks for the
// ring's lines: a line the other side has just written (or read) is in its
// cache, and fetching it on demand, one message at a time, costs a cross-
// core round trip each; asked for early, it is there when needed.
const prefetchAhead = 512

// prefetchEvery is the block of the ring a producer prefetches at once:
// it asks for the next when a record crosses into it.
const prefetchEvery = 256

// countEvery is how many messages a side handles between publishing its
// counters.
const countEvery = 64

// tally is a side's private count of what it has not yet published.
type tally struct {
	msgs, bytes, wakeups uint64
}

// publish adds t to s's counters and clears it.
func (t *tally) publish(s *side) {
	if t.msgs != 0 {
		s.msgs.Store(s.msgs.Load() + t.msgs) // only the owner writes its counters
		s.bytes.Store(s.bytes.Load() + t.bytes)
	}
	if t.wakeups != 0 {
		s.wakeups.Store(s.wakeups.Load() + t.wakeups)
	}
	*t = tally{}
}

// add counts n messages of b bytes, publishing every countEvery.
func (t *tally) add(s *side, n, b uint64) {
	t.msgs += n
	t.bytes += b
	if t.msgs >= countEvery {
		t.publish(s)
	}
}

// sideSize is the bytes of a side.
const sideSize = 48

// Counters are a side's counters.
type Counters struct {
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	Waits    uint64 `json:"waits"`
	Wakeups  uint64 `json:"wakeups"`
}

func (s *side) counters() Counters {
	return Counters{s.msgs.Load(), s.bytes.Load(), s.waits.Load(), s.wakeups.Load()}
}

// checkGeometry validates the creator's geometry line against the payload.
func checkGeometry(g geometry, payloadSize int) error {
	switch {
	case g.magic != geometryMagic || g.version != layoutVersion:
		return fmt.Errorf("%w: geometry magic %#x version %d", ErrCorrupt, g.magic, g.version)
	case g.capacity < MinCapacity || g.capacity > MaxCapacity || g.capacity&(g.capacity-1) != 0:
		return fmt.Errorf("%w: capacity %d is not a power of two in [%d, %d]", ErrCorrupt, g.capacity, MinCapacity, uint64(MaxCapacity))
	case uint64(payloadSize) != dataOffset+g.capacity:
		return fmt.Errorf("%w: payload %d bytes for capacity %d", ErrCorrupt, payloadSize, g.capacity)
	case g.maxMsg == 0 || g.maxMsg > maxMsgFor(g.capacity):
		return fmt.Errorf("%w: max message %d for capacity %d", ErrCorrupt, g.maxMsg, g.capacity)
	}
	return nil
}

// maxMsgFor is the longest message a ring of capacity bytes can take: a
// record (header included) may use at most a quarter of the ring, so that
// wrap-around padding never starves a writer for long, and its length
// must fit the header's int32.
func maxMsgFor(capacity uint64) uint64 {
	return min(capacity/4-recordHeader, math.MaxInt32-recordAlign+1)
}

// makeHeader is a record header as the one word it is stored as: the
// length in the low half (the first four bytes, little-endian), the kind in
// the high half.
func makeHeader(length uint64, kind uint32) uint64 { return uint64(kind)<<32 | length }

// record decodes the header h of the record at idx and checks it against
// the geometry: it returns the record's kind and length and the bytes it
// takes (a padding's run to the end; kindNone takes none), or ErrCorrupt.
// The consumer, a producer taking over and observers all read records
// through it.
func (r *Ring) record(idx, h uint64) (kind uint32, length, size uint64, err error) {
	length, kind = h&math.MaxUint32, uint32(h>>32)
	switch {
	case h == 0: // kindNone is the whole word zeroed: a length beside it is no header a producer stores
		return kind, 0, 0, nil
	case kind == kindPadding && length == r.geo.capacity-idx:
		return kind, length, length, nil
	case kind == kindMessage && length <= r.geo.maxMsg && idx+recordSize(int(length)) <= r.geo.capacity:
		return kind, length, recordSize(int(length)), nil
	}
	return kind, length, 0, fmt.Errorf("%w: record kind %d length %d at %d", ErrCorrupt, kind, length, idx)
}

// recordSize is the bytes a message of n bytes uses, header and alignment
// included.
func recordSize(n int) uint64 {
	return (recordHeader + uint64(n) + recordAlign - 1) &^ (recordAlign - 1)
}

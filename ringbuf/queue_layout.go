package ringbuf

import (
	"fmt"
	"math/bits"
	"sync/atomic"

	"github.com/shmkit/shmkit/shm"
)

// The queue's payload, as docs/FORMAT.md describes it: lines of 128 bytes
// for what every operation touches, tables of 64-byte peer entries, then
// the slots from a page boundary.
const (
	qOffGeometry  = 0 * lineSize // written once by the creator
	qOffTail      = 1 * lineSize // the producers' position
	qOffHead      = 2 * lineSize // the consumers' position
	qOffProdWait  = 3 * lineSize // producers parked for room
	qOffConsWait  = 4 * lineSize // consumers parked for data
	qOffProduced  = 5 * lineSize // producers' counters
	qOffConsumed  = 6 * lineSize // consumers' counters
	qOffRecovered = 7 * lineSize // claims of dead peers settled
	qOffProducers = 8 * lineSize // MaxQueuePeers producer entries
	qPeerSize     = 64           // one entry per cache line
	qOffConsumers = qOffProducers + MaxQueuePeers*qPeerSize
	qDataOffset   = 20480 // the slots, a page boundary after both tables
	qSlotHeader   = 16    // uint64 seq, uint32 length, 4 reserved bytes
	qSlotAlign    = 64    // slots never share a cache line

	// MaxQueuePeers is how many producers, and how many consumers, a
	// queue can have attached at once.
	MaxQueuePeers = 128

	// MinQueueSlots and MaxQueueBytes bound a queue's geometry.
	MinQueueSlots = 2
	MaxQueueBytes = 1 << 40

	queueMagic = 0x51554555 // "QUEU"

	// skipBit marks a slot whose producer died after claiming it: the
	// consumers pass over it. Positions never reach 2^63.
	skipBit = 1 << 63
)

// qGeometry is the queue's first line, immutable after creation and copied
// into private memory at open.
type qGeometry struct {
	magic   uint32
	version uint32
	slots   uint64 // a power of two
	maxMsg  uint64 // longest message a slot holds
	stride  uint64 // bytes per slot: header and message, rounded up to 64
}

// qWait is where one side's waiters park: consumers wait for data,
// producers for room.
//
// Who is parked is a bit per peer entry rather than a count: setting and
// clearing a bit can be repeated, so a process settling a dead peer's
// entry clears its bit whether or not the peer got as far as setting it.
// A count leaves it unknown whether a peer killed while announcing itself
// had counted itself yet.
type qWait struct {
	wakes  atomic.Uint32 // the futex word; the other side bumps it to wake one
	_      uint32
	parked [MaxQueuePeers / 64]atomic.Uint64 // bit i%64 of word i/64: entry i is parked, or about to park
}

// park and unpark set and clear entry i's parked bit.
func (w *qWait) park(i int)   { w.parked[i/64].Or(1 << (i % 64)) }
func (w *qWait) unpark(i int) { w.parked[i/64].And(^uint64(1 << (i % 64))) }

// anyParked reports whether any peer announced itself parked.
func (w *qWait) anyParked() bool {
	var any uint64
	for i := range w.parked {
		any |= w.parked[i].Load()
	}
	return any != 0
}

// numParked returns how many peers are parked, or about to park.
func (w *qWait) numParked() uint32 {
	n := 0
	for i := range w.parked {
		n += bits.OnesCount64(w.parked[i].Load())
	}
	return uint32(n)
}

// qCounters are a side's counters, added to by every peer of that side
// now and then (every countEvery messages, and when it waits or closes).
type qCounters struct {
	msgs    atomic.Uint64
	bytes   atomic.Uint64
	waits   atomic.Uint64
	wakeups atomic.Uint64
}

func (c *qCounters) counters() Counters {
	return Counters{c.msgs.Load(), c.bytes.Load(), c.waits.Load(), c.wakeups.Load()}
}

// qRecovered counts the claims of dead peers that others settled.
type qRecovered struct {
	skipped atomic.Uint64 // slots a producer died holding, passed over
	dropped atomic.Uint64 // messages a consumer died holding, lost with it
}

// qPeer is one producer's or consumer's entry. Only its owner writes
// claim, and its bit in the side's qWait.parked; a process settling the
// entry of a dead owner takes it over first by marking token with
// reclaimBit.
type qPeer struct {
	token atomic.Uint64 // live.Token of the owner; | reclaimBit while a new owner settles it
	claim atomic.Uint64 // 1 + position of the slot being claimed or held, 0 if none
}

// reclaimBit marks a peer entry that a new owner (the token's other bits)
// is settling. Tokens have 62 bits.
const reclaimBit = 1 << 63

// qTally is a peer's private count of what it has not yet published.
type qTally struct {
	msgs, bytes, wakeups uint64
}

func (t *qTally) publish(c *qCounters) {
	if t.msgs != 0 {
		c.msgs.Add(t.msgs)
		c.bytes.Add(t.bytes)
	}
	if t.wakeups != 0 {
		c.wakeups.Add(t.wakeups)
	}
	*t = qTally{}
}

func (t *qTally) add(c *qCounters, b uint64) {
	t.msgs++
	t.bytes += b
	if t.msgs >= countEvery {
		t.publish(c)
	}
}

// QueueConfig is the geometry of a new queue.
type QueueConfig struct {
	// Slots is how many messages the queue holds: a power of two, at
	// least MinQueueSlots.
	Slots int
	// MaxMessage is the longest message, in bytes: the size of a slot's
	// message area.
	MaxMessage int
}

func newQGeometry(cfg QueueConfig) (qGeometry, error) {
	if cfg.Slots < MinQueueSlots || bits.OnesCount(uint(cfg.Slots)) != 1 {
		return qGeometry{}, fmt.Errorf("%w: %d slots: want a power of two, at least %d", shm.ErrInvalidSize, cfg.Slots, MinQueueSlots)
	}
	if cfg.MaxMessage < 1 || cfg.MaxMessage > MaxQueueBytes {
		return qGeometry{}, fmt.Errorf("%w: max message %d", shm.ErrInvalidSize, cfg.MaxMessage)
	}
	g := qGeometry{magic: queueMagic, version: QueueKindVersion, slots: uint64(cfg.Slots), maxMsg: uint64(cfg.MaxMessage)}
	g.stride = slotStride(g.maxMsg)
	if g.slots > MaxQueueBytes/g.stride {
		return qGeometry{}, fmt.Errorf("%w: %d slots of %d bytes exceed %d bytes", shm.ErrInvalidSize, g.slots, g.stride, uint64(MaxQueueBytes))
	}
	return g, nil
}

// slotStride is the bytes a slot for messages of up to maxMsg bytes takes.
func slotStride(maxMsg uint64) uint64 {
	return (qSlotHeader + maxMsg + qSlotAlign - 1) &^ (qSlotAlign - 1)
}

// QueueSlotsFor returns the most slots (a power of two) for messages of up
// to maxMsg bytes that fit in size bytes of slot memory, or 0 if not even
// MinQueueSlots do: for a tool that sizes a queue in bytes.
func QueueSlotsFor(size int64, maxMsg int) int {
	if size <= 0 || maxMsg < 1 || maxMsg > MaxQueueBytes {
		return 0
	}
	n := uint64(size) / slotStride(uint64(maxMsg))
	if n < MinQueueSlots {
		return 0
	}
	return 1 << (bits.Len64(n) - 1)
}

// checkQGeometry validates the creator's geometry line against the payload.
func checkQGeometry(g qGeometry, payloadSize int) error {
	switch {
	case g.magic != queueMagic:
		return fmt.Errorf("%w: geometry magic %#x", ErrCorrupt, g.magic)
	case g.version != QueueKindVersion:
		return fmt.Errorf("%w: queue layout version %d, this library reads %d", shm.ErrIncompatible, g.version, QueueKindVersion)
	case g.maxMsg < 1 || g.maxMsg > MaxQueueBytes || g.stride != slotStride(g.maxMsg):
		return fmt.Errorf("%w: max message %d, slot stride %d", ErrCorrupt, g.maxMsg, g.stride)
	case g.slots < MinQueueSlots || g.slots&(g.slots-1) != 0 || g.slots > MaxQueueBytes/g.stride:
		return fmt.Errorf("%w: %d slots", ErrCorrupt, g.slots)
	case uint64(payloadSize) != qDataOffset+g.slots*g.stride:
		return fmt.Errorf("%w: payload %d bytes for %d slots of %d", ErrCorrupt, payloadSize, g.slots, g.stride)
	}
	return nil
}

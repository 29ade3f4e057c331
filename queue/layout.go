package queue

import (
	"fmt"
	"math/bits"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
)

// The queue's payload, as docs/FORMAT.md describes it: lines of 128 bytes
// for what every operation touches, tables of 64-byte peer entries, then
// the slots from a page boundary.
const (
	lineSize = 128 // apart by two cache lines: adjacent-line prefetching pairs them

	offGeometry  = 0 * lineSize // written once by the creator
	offTail      = 1 * lineSize // the producers' position
	offHead      = 2 * lineSize // the consumers' position
	offProdWait  = 3 * lineSize // producers parked for room
	offConsWait  = 4 * lineSize // consumers parked for data
	offProduced  = 5 * lineSize // producers' counters
	offConsumed  = 6 * lineSize // consumers' counters
	offRecovered = 7 * lineSize // claims of dead peers settled
	offProducers = 8 * lineSize // MaxPeers producer entries
	peerSize     = 64           // one entry per cache line
	offConsumers = offProducers + MaxPeers*peerSize
	dataOffset   = 20480 // the slots, a page boundary after both tables
	slotHeader   = 16    // uint64 seq, uint32 length, 4 reserved bytes
	slotAlign    = 64    // slots never share a cache line

	// MaxPeers is how many producers, and how many consumers, a
	// queue can have attached at once.
	MaxPeers = 128

	// MinSlots and MaxBytes bound a queue's geometry.
	MinSlots = 2
	MaxBytes = 1 << 40

	geometryMagic = 0x51554555 // "QUEU"

	// skipBit marks a slot whose producer died after claiming it: the
	// consumers pass over it. Positions never reach 2^63.
	skipBit = 1 << 63
)

// geometry is the queue's first line, immutable after creation and copied
// into private memory at open.
type geometry struct {
	magic   uint32
	version uint32
	slots   uint64 // a power of two
	maxMsg  uint64 // longest message a slot holds
	stride  uint64 // bytes per slot: header and message, rounded up to 64
}

// waitLine is where one side's waiters park: consumers wait for data,
// producers for room.
//
// Who is parked is a bit per peer entry rather than a count: setting and
// clearing a bit can be repeated, so a process settling a dead peer's
// entry clears its bit whether or not the peer got as far as setting it.
// A count leaves it unknown whether a peer killed while announcing itself
// had counted itself yet.
//
// count is how many of the side's peers commit plainly (the producers'
// line: relaxed) or ask the other side for fenced commits (the
// consumers' line: fence); see relax.go.
type waitLine struct {
	wakes  atomic.Uint32 // the futex word; the other side bumps it to wake one
	count  atomic.Uint32
	parked [MaxPeers / 64]atomic.Uint64 // bit i%64 of word i/64: entry i is parked, or about to park
}

// park and unpark set and clear entry i's parked bit.
func (w *waitLine) park(i int)   { w.parked[i/64].Or(1 << (i % 64)) }
func (w *waitLine) unpark(i int) { w.parked[i/64].And(^uint64(1 << (i % 64))) }

// rouse wakes every process parked at w, for a Close in this process:
// the word moves on by 2, which leaves wokenBit as it is; other processes'
// waiters see a spurious wake-up and park again.
func (w *waitLine) rouse() {
	w.wakes.Add(2)
	_, _ = futex.Wake(&w.wakes, futex.All)
}

// anyParked reports whether any peer announced itself parked.
func (w *waitLine) anyParked() bool {
	var any uint64
	for i := range w.parked {
		any |= w.parked[i].Load()
	}
	return any != 0
}

// numParked returns how many peers are parked, or about to park.
func (w *waitLine) numParked() uint32 {
	n := 0
	for i := range w.parked {
		n += bits.OnesCount64(w.parked[i].Load())
	}
	return uint32(n)
}

// counters are a side's counters, added to by every peer of that side
// now and then (every countEvery messages, and when it waits or closes).
type counters struct {
	msgs    atomic.Uint64
	bytes   atomic.Uint64
	waits   atomic.Uint64
	wakeups atomic.Uint64
}

// Counters are one side's totals: producers' or consumers'.
type Counters struct {
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	Waits    uint64 `json:"waits"`   // times a peer of the side had to park
	Wakeups  uint64 `json:"wakeups"` // futex wake-ups the side sent to the other
}

// countEvery is how many messages a peer handles between publishing its
// counters: an atomic add to a line every peer writes is costly.
const countEvery = 64

func (c *counters) counters() Counters {
	return Counters{c.msgs.Load(), c.bytes.Load(), c.waits.Load(), c.wakeups.Load()}
}

// recovered counts the claims of dead peers that others settled.
type recovered struct {
	skipped atomic.Uint64 // slots a producer died holding, passed over
	dropped atomic.Uint64 // messages a consumer died holding, lost with it
	opened  atomic.Uint64 // producers ever attached: until one has, an empty queue is not at its end
	done    atomic.Uint64 // TaskDone calls (JoinableQueue)
	joinSeq atomic.Uint32 // the futex word Join waits on; TaskDone bumps it
	joiners atomic.Uint32 // processes' goroutines in Join, so TaskDone wakes only when needed
	// The producers' roster lock (roster.go): the liveness token of the
	// process whose producer is joining the table, 0 if none, and a count
	// of the joins done (and of holders found dead), so that the end of
	// the queue is judged from a table no join changed meanwhile.
	rosterOwner atomic.Uint64
	rosterGen   atomic.Uint64
}

// peer is one producer's or consumer's entry. Only its owner writes
// claim, and its bit in the side's waitLine.parked; a process settling the
// entry of a dead owner takes it over first by marking token with
// reclaimBit.
type peer struct {
	token   atomic.Uint64 // live.Token of the owner; | reclaimBit while a new owner settles it
	claim   atomic.Uint64 // 1 + position of the (first) slot being claimed or held, 0 if none
	span    atomic.Uint64 // how many slots from claim's the claim covers (a batch read); 0 means 1
	counted atomic.Uint64 // 1 while the owner counts itself in its side's waitLine.count
}

// claimed returns the positions e's claim covers, [from, from+n); n is 0 if
// it holds none. claim is loaded first: its owner stores span before claim
// and clears claim before span, so a claim seen here is never paired with
// a span older than its own. A newer span can only come once every slot of
// this claim has moved on, which a caller finds by looking at the slot again.
func (e *peer) claimed() (from, n uint64) {
	c := e.claim.Load()
	if c == 0 {
		return 0, 0
	}
	return c - 1, max(e.span.Load(), 1)
}

// reclaimBit marks a peer entry that a new owner (the token's other bits)
// is settling. Tokens have 62 bits.
const reclaimBit = 1 << 63

// tally is a peer's private count of what it has not yet published.
type tally struct {
	msgs, bytes, wakeups uint64
}

func (t *tally) publish(c *counters) {
	if t.msgs != 0 {
		c.msgs.Add(t.msgs)
		c.bytes.Add(t.bytes)
	}
	if t.wakeups != 0 {
		c.wakeups.Add(t.wakeups)
	}
	*t = tally{}
}

func (t *tally) add(c *counters, b uint64) { t.addN(c, 1, b) }

// addN counts n messages of b bytes in all.
func (t *tally) addN(c *counters, n, b uint64) {
	t.msgs += n
	t.bytes += b
	if t.msgs >= countEvery {
		t.publish(c)
	}
}

// Config is the geometry of a new queue.
type Config struct {
	// Slots is how many messages the queue holds: a power of two, at
	// least MinSlots.
	Slots int
	// MaxMessage is the longest message, in bytes: the size of a slot's
	// message area.
	MaxMessage int
}

func newGeometry(cfg Config) (geometry, error) {
	if cfg.Slots < MinSlots || bits.OnesCount(uint(cfg.Slots)) != 1 {
		return geometry{}, fmt.Errorf("%w: %d slots: want a power of two, at least %d", shm.ErrInvalidSize, cfg.Slots, MinSlots)
	}
	if cfg.MaxMessage < 1 || cfg.MaxMessage > MaxBytes {
		return geometry{}, fmt.Errorf("%w: max message %d", shm.ErrInvalidSize, cfg.MaxMessage)
	}
	g := geometry{magic: geometryMagic, version: KindVersion, slots: uint64(cfg.Slots), maxMsg: uint64(cfg.MaxMessage)}
	g.stride = slotStride(g.maxMsg)
	if g.slots > MaxBytes/g.stride {
		return geometry{}, fmt.Errorf("%w: %d slots of %d bytes exceed %d bytes", shm.ErrInvalidSize, g.slots, g.stride, uint64(MaxBytes))
	}
	return g, nil
}

// payloadSize is the bytes of a queue segment's payload for g.
func (g geometry) payloadSize() int { return int(dataOffset + g.slots*g.stride) }

// slotStride is the bytes a slot for messages of up to maxMsg bytes takes.
func slotStride(maxMsg uint64) uint64 {
	return (slotHeader + maxMsg + slotAlign - 1) &^ (slotAlign - 1)
}

// SlotsFor returns the most slots (a power of two) for messages of up
// to maxMsg bytes that fit in size bytes of slot memory, or 0 if not even
// MinSlots do: for a tool that sizes a queue in bytes.
func SlotsFor(size, maxMsg int) int {
	if size <= 0 || maxMsg < 1 || maxMsg > MaxBytes {
		return 0
	}
	n := uint64(size) / slotStride(uint64(maxMsg))
	if n < MinSlots {
		return 0
	}
	return 1 << (bits.Len64(n) - 1)
}

// checkGeometry validates the creator's geometry line against the payload.
func checkGeometry(g geometry, payloadSize int) error {
	switch {
	case g.magic != geometryMagic:
		return fmt.Errorf("%w: geometry magic %#x", ErrCorrupt, g.magic)
	case g.version != KindVersion:
		return fmt.Errorf("%w: queue layout version %d, this library reads %d", shm.ErrIncompatible, g.version, KindVersion)
	case g.maxMsg < 1 || g.maxMsg > MaxBytes || g.stride != slotStride(g.maxMsg):
		return fmt.Errorf("%w: max message %d, slot stride %d", ErrCorrupt, g.maxMsg, g.stride)
	case g.slots < MinSlots || g.slots&(g.slots-1) != 0 || g.slots > MaxBytes/g.stride:
		return fmt.Errorf("%w: %d slots", ErrCorrupt, g.slots)
	case uint64(payloadSize) != dataOffset+g.slots*g.stride:
		return fmt.Errorf("%w: payload %d bytes for %d slots of %d", ErrCorrupt, payloadSize, g.slots, g.stride)
	}
	return nil
}

package dict

import (
	"fmt"
	"math/bits"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
)

// Layout of a dict segment's payload (docs/FORMAT.md):
//
//	0              geometry (64 bytes)
//	128            shards × shardSize: each shard's lock, sequence and lists
//	bucketsOff     shards × buckets × 4: each shard's hash buckets
//	undoOff        shards × undoSize: each shard's undo record (64-byte aligned)
//	entriesOff     shards × perShard × stride: the entries
//
// An entry is six 8-byte header words, then MaxKey bytes of key and
// MaxValue bytes of value, each rounded up to 8 (strideFor). Entry links
// (bucket chains, the LRU list, the free list) are 1-based indices within
// the entry's shard, 0 meaning none.
const (
	geometryMagic = 0x7463_6964_6b6d_6873 // "shmkdict"
	layoutVersion = 1
	offGeometry   = 0
	offShards     = 128
	shardSize     = 256
	entryHeader   = 48 // header words, in bytes
	entryWords    = entryHeader / 8
	undoHeader    = 24 // the undo record's words: entry and valid, lengths, expiry
)

// Entry header words.
const (
	wHash   = 0 // the key's hash
	wExpire = 1 // unix nanoseconds after which the entry is gone; 0: never
	wLens   = 2 // key length (low 32 bits), value length (high 32)
	wChain  = 3 // next entry in the bucket (low), state (high)
	wLRU    = 4 // LRU neighbour toward the head (low), toward the tail (high); the free list uses the low half
	wUse    = 5 // touched by a reader since the last eviction pass (low), write tick (high)
)

// Entry states.
const (
	stateFree    = 0
	stateLive    = 1
	stateWriting = 2 // a writer is changing it: if it died, the entry is dropped
)

type geometry struct {
	magic    uint64
	version  uint32
	shards   uint32
	perShard uint32 // entries per shard
	buckets  uint32 // buckets per shard, a power of two
	maxKey   uint32
	maxValue uint32
	stride   uint32
	_        [28]byte
}

// shardHdr is one shard's header. Only the holder of mu writes it, except
// the counters readers bump (expiries they find are not written).
type shardHdr struct {
	mu futex.Mutex // 16 bytes
	_  [48]byte
	// seq is the shard's sequence: odd while a writer changes the shard.
	// A reader's result counts only if seq was even and unchanged around it.
	seq atomic.Uint64
	_   [56]byte
	// lru is head (low 32 bits: most recent) and tail (high: least).
	lru       atomic.Uint64
	free      atomic.Uint32 // first free entry
	count     atomic.Uint32 // live entries (expired ones included until reclaimed)
	tick      atomic.Uint32 // writes, for the order of a rebuilt LRU list
	_         uint32
	bytes     atomic.Uint64 // key and value bytes of live entries
	sets      atomic.Uint64
	evictions atomic.Uint64
	expiries  atomic.Uint64
	repairs   atomic.Uint64
	_         [64]byte
}

func (g geometry) bucketsOff() int { return offShards + int(g.shards)*shardSize }

// undoOff is where the shards' undo records start, 64-byte aligned: each
// undoSize bytes, a header (undoHeader) and room for one value.
func (g geometry) undoOff() int {
	return (g.bucketsOff() + int(g.shards)*int(g.buckets)*4 + 63) &^ 63
}

func (g geometry) undoSize() int { return (undoHeader + int(g.maxValue) + 63) &^ 63 }

func (g geometry) entriesOff() int { return g.undoOff() + int(g.shards)*g.undoSize() }

func (g geometry) payloadSize() int {
	return g.entriesOff() + int(g.shards)*int(g.perShard)*int(g.stride)
}

// newGeometry sizes a dict for cfg.
func newGeometry(cfg Config) (geometry, error) {
	if cfg.MaxKey < 1 || cfg.MaxKey > MaxKey {
		return geometry{}, fmt.Errorf("%w: max key %d must be in [1, %d]", shm.ErrInvalidSize, cfg.MaxKey, MaxKey)
	}
	if cfg.MaxValue < 0 || cfg.MaxValue > MaxValue {
		return geometry{}, fmt.Errorf("%w: max value %d must be in [0, %d]", shm.ErrInvalidSize, cfg.MaxValue, MaxValue)
	}
	stride := strideFor(uint32(cfg.MaxKey), uint32(cfg.MaxValue))
	entries := cfg.Capacity / int(stride)
	if entries < 1 || entries > MaxEntries {
		return geometry{}, fmt.Errorf("%w: capacity %d holds %d entries of %d bytes; want 1 to %d", shm.ErrInvalidSize, cfg.Capacity, entries, stride, MaxEntries)
	}
	shards := cfg.Shards
	if shards == 0 { // as many as keep 64 entries or more each, up to 64
		shards = 1
		for shards < 64 && entries/(shards*2) >= 64 {
			shards *= 2
		}
	}
	if shards < 1 || shards > MaxShards || bits.OnesCount(uint(shards)) != 1 || shards > entries {
		return geometry{}, fmt.Errorf("%w: %d shards: want a power of two from 1 to %d, at most the %d entries", shm.ErrInvalidSize, shards, MaxShards, entries)
	}
	per := entries / shards
	buckets := 1
	for buckets < per {
		buckets *= 2
	}
	return geometry{magic: geometryMagic, version: layoutVersion, shards: uint32(shards), perShard: uint32(per),
		buckets: uint32(buckets), maxKey: uint32(cfg.MaxKey), maxValue: uint32(cfg.MaxValue), stride: stride}, nil
}

// check validates a geometry read from a segment of payload bytes.
func (g geometry) check(payload int) error {
	switch {
	case g.magic != geometryMagic:
		return fmt.Errorf("%w: geometry magic %#x", ErrCorrupt, g.magic)
	case g.version != layoutVersion:
		return fmt.Errorf("%w: layout version %d, want %d", ErrCorrupt, g.version, layoutVersion)
	case g.shards < 1 || g.shards > MaxShards || g.shards&(g.shards-1) != 0,
		g.perShard < 1 || uint64(g.perShard)*uint64(g.shards) > MaxEntries,
		g.buckets < g.perShard || g.buckets&(g.buckets-1) != 0 || g.buckets > 2*g.perShard,
		g.maxKey < 1 || g.maxKey > MaxKey || g.maxValue > MaxValue,
		g.stride != strideFor(g.maxKey, g.maxValue):
		return fmt.Errorf("%w: geometry %+v", ErrCorrupt, g)
	case g.payloadSize() != payload:
		return fmt.Errorf("%w: geometry needs %d bytes, payload has %d", ErrCorrupt, g.payloadSize(), payload)
	}
	return nil
}

// strideFor is an entry's bytes: the header, the key rounded up to 8 (so
// that the value is word-aligned, and an 8-byte value one word), and the
// value, rounded up to 8.
func strideFor(maxKey, maxValue uint32) uint32 {
	return entryHeader + (maxKey+7)&^7 + (maxValue+7)&^7
}

func lo(w uint64) uint32           { return uint32(w) }
func hi(w uint64) uint32           { return uint32(w >> 32) }
func pack(low, high uint32) uint64 { return uint64(high)<<32 | uint64(low) }

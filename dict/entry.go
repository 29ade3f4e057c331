package dict

import (
	"fmt"
	"sync/atomic"
)

// Entries are addressed by shard and 1-based index within it. Every
// index read from shared memory is checked against the geometry before
// use (valid), so hostile bytes cannot reach outside the entry area.

func (d *Dict) valid(i uint32) bool { return i >= 1 && i <= d.geo.perShard }

// word returns header word k of entry i of shard s (i valid).
func (d *Dict) word(s, i uint32, k int) *atomic.Uint64 {
	e := uint64(s)*uint64(d.geo.perShard) + uint64(i-1)
	return &d.words[e*d.strideW+uint64(k)]
}

// keyOf and valueOf return n bytes of entry i's key or value (n checked
// against the maximum by the caller).
func (d *Dict) keyOf(s, i, n uint32) []byte {
	off := (uint64(s)*uint64(d.geo.perShard)+uint64(i-1))*uint64(d.geo.stride) + entryHeader
	return d.data[off : off+uint64(n) : off+uint64(n)]
}

func (d *Dict) valueOf(s, i, n uint32) []byte {
	off := d.valueOff(s, i)
	return d.data[off : off+uint64(n) : off+uint64(n)]
}

// bucket returns the bucket word of hash h in shard s.
func (d *Dict) bucket(s uint32, h uint64) *atomic.Uint32 {
	return &d.buckets[uint64(s)*uint64(d.geo.buckets)+(h>>32)&uint64(d.geo.buckets-1)]
}

// hash is 64-bit FNV-1a with a final mix: the same in every process.
func hash(key []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range key {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>32
}

func (d *Dict) shardOf(h uint64) uint32 { return uint32(h) & (d.geo.shards - 1) }

// find walks the chain of key's bucket in shard s and returns its entry,
// or 0. A chain longer than the shard, or an index out of range, is
// ErrCorrupt (or, for a reader, a chain changed under it).
func (d *Dict) find(s uint32, h uint64, key []byte) (uint32, error) {
	i := d.bucket(s, h).Load()
	for steps := uint32(0); i != 0; steps++ {
		if !d.valid(i) || steps >= d.geo.perShard {
			return 0, fmt.Errorf("%w: shard %d: bucket chain at entry %d", ErrCorrupt, s, i)
		}
		if d.word(s, i, wHash).Load() == h {
			kl := lo(d.word(s, i, wLens).Load())
			if int(kl) == len(key) && kl <= d.geo.maxKey && d.equalBytes(d.keyOff(s, i), key) {
				return i, nil
			}
		}
		i = lo(d.word(s, i, wChain).Load())
	}
	return 0, nil
}

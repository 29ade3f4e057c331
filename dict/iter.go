package dict

import (
	"iter"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
)

// Len returns the number of entries, expired ones not yet reclaimed
// included.
func (d *Dict) Len() int {
	if d.gate.Enter() != nil {
		return 0
	}
	defer d.gate.Leave()
	n := 0
	for _, sh := range d.shards {
		n += int(sh.count.Load())
	}
	return n
}

// All returns an iterator over the live, unexpired entries: each key and
// value a copy, read whole (an entry changed while it is read is read
// again), though the entries are not one snapshot of the whole dict. An
// entry whose bytes make no sense is skipped.
func (d *Dict) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(k, v []byte) bool) {
		if d.gate.Enter() != nil {
			return
		}
		defer d.gate.Leave()
		for s := range d.shards {
			for i := uint32(1); i <= d.geo.perShard; i++ {
				k, v, ok := d.readEntry(uint32(s), i)
				if ok && !yield(k, v) {
					return
				}
			}
		}
	}
}

// readEntry copies entry i of shard s under the shard's sequence.
func (d *Dict) readEntry(s, i uint32) (k, v []byte, ok bool) {
	sh := d.shards[s]
	for tries := 0; ; tries++ {
		q := sh.seq.Load()
		if q&1 != 0 {
			if d.waitWriter(s, tries) != nil {
				return nil, nil, false
			}
			continue
		}
		k, v, ok = nil, nil, false
		lens := d.word(s, i, wLens).Load()
		if d.live(s, i, time.Now().UnixNano()) && lo(lens) >= 1 && lo(lens) <= d.geo.maxKey && hi(lens) <= d.geo.maxValue {
			k = d.readBytes(nil, d.keyOff(s, i), uint64(lo(lens)))
			v = d.readBytes([]byte{}, d.valueOff(s, i), uint64(hi(lens)))
			ok = true
		}
		spin.LoadFence()
		if sh.seq.Load() == q {
			return k, v, ok
		}
	}
}

// Stats are a dict's counters, summed over its shards.
type Stats struct {
	Entries   int    `json:"entries"`  // live entries, expired ones not yet reclaimed included
	Capacity  int    `json:"capacity"` // entries it can hold
	Bytes     uint64 `json:"bytes"`    // key and value bytes of the entries
	Sets      uint64 `json:"sets"`
	Evictions uint64 `json:"evictions"` // live entries evicted to make room
	Expiries  uint64 `json:"expiries"`  // expired entries reclaimed
	Repairs   uint64 `json:"repairs"`   // shards rebuilt after a writer died holding their lock
	Shards    int    `json:"shards"`
	MaxKey    int    `json:"max_key"`
	MaxValue  int    `json:"max_value"`
}

// Stats returns the dict's counters.
func (d *Dict) Stats() Stats {
	st := Stats{Capacity: int(d.geo.shards) * int(d.geo.perShard), Shards: int(d.geo.shards), MaxKey: int(d.geo.maxKey), MaxValue: int(d.geo.maxValue)}
	if d.gate.Enter() != nil {
		return st
	}
	defer d.gate.Leave()
	for _, sh := range d.shards {
		st.Entries += int(sh.count.Load())
		st.Bytes += sh.bytes.Load()
		st.Sets += sh.sets.Load()
		st.Evictions += sh.evictions.Load()
		st.Expiries += sh.expiries.Load()
		st.Repairs += sh.repairs.Load()
	}
	return st
}

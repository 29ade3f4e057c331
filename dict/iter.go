package dict

import (
	"iter"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/shm"
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
	k, v, _, ok, err := d.readEntryErr(s, i)
	return k, v, ok && err == nil
}

func (d *Dict) readEntryErr(s, i uint32) (k, v []byte, exp int64, ok bool, err error) {
	sh := d.shards[s]
	for tries := 0; ; tries++ {
		q := sh.seq.Load()
		if q&1 != 0 {
			if err := d.waitWriter(s, tries); err != nil {
				return nil, nil, 0, false, err
			}
			continue
		}
		k, v, ok = nil, nil, false
		lens := d.word(s, i, wLens).Load()
		exp = int64(d.word(s, i, wExpire).Load())
		if d.live(s, i, time.Now().UnixNano()) && lo(lens) >= 1 && lo(lens) <= d.geo.maxKey && hi(lens) <= d.geo.maxValue {
			k = d.readBytes(nil, d.keyOff(s, i), uint64(lo(lens)))
			v = d.readBytes([]byte{}, d.valueOff(s, i), uint64(hi(lens)))
			ok = true
		}
		spin.LoadFence()
		if sh.seq.Load() == q {
			return k, v, exp, ok, nil
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

// Inspector returns the shm.Inspector of dict segments: their Stats,
// read without writing (shmtool inspect).
func Inspector() shm.Inspector { return inspector{} }

type inspector struct{}

func (inspector) Kind() string { return Kind }

func (inspector) Inspect(seg *shm.Segment) (any, error) {
	d, err := view(seg)
	if err != nil {
		return nil, err
	}
	d.readOnly = true
	return d.Stats(), nil
}

// Entry is one entry, as Dump returns it.
type Entry struct {
	Key, Value []byte
	Expires    time.Time // zero: never
}

// Dump returns the live entries of the dict in seg, a segment opened by
// an observer (read-only is enough): each read whole, without writing.
func Dump(seg *shm.Segment) ([]Entry, error) {
	d, err := view(seg)
	if err != nil {
		return nil, err
	}
	d.readOnly = true
	var out []Entry
	for s := range d.shards {
		for i := uint32(1); i <= d.geo.perShard; i++ {
			k, v, exp, ok, err := d.readEntryErr(uint32(s), i)
			if err != nil {
				return out, err
			}
			if ok {
				e := Entry{Key: k, Value: v}
				if exp != 0 {
					e.Expires = time.Unix(0, exp)
				}
				out = append(out, e)
			}
		}
	}
	return out, nil
}

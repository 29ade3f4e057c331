package dict

import (
	"errors"
	"slices"

	"github.com/shmkit/shmkit/futex"
)

// rebuild repairs shard s after its lock's owner died holding it (the
// caller holds the lock now): the lists and counts are rebuilt from the
// entries, which are the truth. An overwrite the owner died in is undone
// first (undo.go). A live entry whose key still hashes to its hash is
// kept; one in stateWriting (a new key the owner died writing) or
// inconsistent is dropped. The LRU order is rebuilt from the entries'
// write ticks.
func (d *Dict) rebuild(s uint32) error {
	sh := d.shards[s]
	if sh.seq.Load()&1 == 0 {
		sh.seq.Add(1)
	}
	d.applyUndo(s) // an overwrite that died puts its old value back
	for b := uint32(0); b < d.geo.buckets; b++ {
		d.buckets[uint64(s)*uint64(d.geo.buckets)+uint64(b)].Store(0)
	}
	sh.free.Store(0)
	sh.lru.Store(0)
	sh.count.Store(0)
	sh.bytes.Store(0)
	type kept struct{ i, tick uint32 }
	var live []kept
	for i := d.geo.perShard; i >= 1; i-- {
		lens := d.word(s, i, wLens).Load()
		kl, vl := lo(lens), hi(lens)
		ok := hi(d.word(s, i, wChain).Load()) == stateLive && kl >= 1 && kl <= d.geo.maxKey && vl <= d.geo.maxValue &&
			hash(d.keyOf(s, i, kl)) == d.word(s, i, wHash).Load()
		if !ok {
			d.freePush(s, i)
			continue
		}
		live = append(live, kept{i, hi(d.word(s, i, wUse).Load())})
	}
	slices.SortFunc(live, func(a, b kept) int { return int(int32(a.tick - b.tick)) }) // ticks wrap: compare their difference
	for _, k := range live {
		h := d.word(s, k.i, wHash).Load()
		b := d.bucket(s, h)
		d.word(s, k.i, wChain).Store(pack(b.Load(), stateLive))
		b.Store(k.i)
		if err := d.lruPush(s, k.i); err != nil {
			return err
		}
		lens := d.word(s, k.i, wLens).Load()
		sh.count.Add(1)
		sh.bytes.Add(uint64(lo(lens) + hi(lens)))
	}
	sh.repairs.Add(1)
	sh.seq.Add(1) // even: readers may read again
	return nil
}

// repairIfDead is a reader's way out of a shard whose sequence stays odd:
// it takes the lock if it is free or its owner is dead, repairs the shard
// if the owner died (or left it odd), and lets go.
func (d *Dict) repairIfDead(s uint32) error {
	sh := d.shards[s]
	ok, err := sh.mu.TryLock()
	if !ok {
		if errors.Is(err, futex.ErrNotRecoverable) {
			return err
		}
		return nil // a live writer holds it: wait
	}
	if errors.Is(err, futex.ErrOwnerDead) || sh.seq.Load()&1 != 0 {
		if rerr := d.rebuild(s); rerr != nil {
			sh.mu.Unlock()
			return rerr
		}
		if errors.Is(err, futex.ErrOwnerDead) {
			if err := sh.mu.MarkConsistent(); err != nil {
				sh.mu.Unlock()
				return err
			}
		}
	}
	return sh.mu.Unlock()
}

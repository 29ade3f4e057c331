package dict

import (
	"fmt"

	"github.com/shmkit/shmkit/internal/failpoint"
)

// The lists of a shard, changed only under its lock: each bucket's chain
// (wChain low), the LRU list (wLRU, head most recent) and the free list
// (wLRU low). Every link read is validated: a hostile one is ErrCorrupt.

func (d *Dict) link(s, i uint32) (uint32, error) {
	if i != 0 && !d.valid(i) {
		return 0, fmt.Errorf("%w: shard %d: link to entry %d", ErrCorrupt, s, i)
	}
	return i, nil
}

// lruPush makes i the most recently used.
func (d *Dict) lruPush(s, i uint32) error {
	sh := d.shards[s]
	l := sh.lru.Load()
	head, err := d.link(s, lo(l))
	if err != nil {
		return err
	}
	d.word(s, i, wLRU).Store(pack(0, head))
	tail := hi(l)
	if head != 0 {
		w := d.word(s, head, wLRU)
		w.Store(pack(i, hi(w.Load())))
	} else {
		tail = i
	}
	sh.lru.Store(pack(i, tail))
	return nil
}

// lruUnlink takes i out of the LRU list.
func (d *Dict) lruUnlink(s, i uint32) error {
	sh := d.shards[s]
	w := d.word(s, i, wLRU).Load()
	prev, err := d.link(s, lo(w))
	if err != nil {
		return err
	}
	next, err := d.link(s, hi(w))
	if err != nil {
		return err
	}
	l := sh.lru.Load()
	head, tail := lo(l), hi(l)
	if prev != 0 {
		p := d.word(s, prev, wLRU)
		p.Store(pack(lo(p.Load()), next))
	} else if head == i {
		head = next
	}
	if next != 0 {
		n := d.word(s, next, wLRU)
		n.Store(pack(prev, hi(n.Load())))
	} else if tail == i {
		tail = prev
	}
	sh.lru.Store(pack(head, tail))
	return nil
}

// remove unlinks entry i (of hash h) from its chain and the LRU list and
// frees it.
func (d *Dict) remove(s, i uint32, h uint64) error {
	b := d.bucket(s, h)
	next := lo(d.word(s, i, wChain).Load())
	if cur := b.Load(); cur == i {
		b.Store(next)
	} else {
		for steps := uint32(0); ; steps++ {
			if cur, _ = d.link(s, cur); cur == 0 || steps >= d.geo.perShard {
				return fmt.Errorf("%w: shard %d: entry %d not on its chain", ErrCorrupt, s, i)
			}
			w := d.word(s, cur, wChain)
			c := w.Load()
			if lo(c) == i {
				w.Store(pack(next, hi(c)))
				break
			}
			cur = lo(c)
		}
	}
	if err := d.lruUnlink(s, i); err != nil {
		return err
	}
	sh := d.shards[s]
	lens := d.word(s, i, wLens).Load()
	sh.count.Add(^uint32(0))
	sh.bytes.Add(-uint64(lo(lens) + hi(lens)))
	d.freePush(s, i)
	return nil
}

func (d *Dict) freePush(s, i uint32) {
	sh := d.shards[s]
	d.word(s, i, wChain).Store(pack(0, stateFree))
	d.word(s, i, wLRU).Store(pack(sh.free.Load(), 0))
	sh.free.Store(i)
}

// reclaimLook is how many entries from the LRU tail alloc looks at for
// an expired one, which goes before any live one.
const reclaimLook = 64

// alloc returns a free entry of shard s: off the free list, or reclaimed.
// An expired entry near the LRU tail goes first; then, if evict, the
// least recently used live one (forcible), a touched one getting a second
// chance. Without evict and nothing expired: ErrFull.
func (d *Dict) alloc(s uint32, evict bool, now int64) (i uint32, forcible bool, err error) {
	sh := d.shards[s]
	for steps := uint32(0); ; steps++ {
		if i, err = d.link(s, sh.free.Load()); err != nil {
			return 0, false, err
		}
		if i != 0 {
			next, err := d.link(s, lo(d.word(s, i, wLRU).Load()))
			if err != nil {
				return 0, false, err
			}
			sh.free.Store(next)
			return i, forcible, nil
		}
		if steps > 2*d.geo.perShard+1 {
			return 0, false, fmt.Errorf("%w: shard %d: no entry to reclaim", ErrCorrupt, s)
		}
		victim, err := d.expiredNearTail(s, now)
		switch {
		case err != nil:
			return 0, false, err
		case victim != 0:
			sh.expiries.Add(1)
		case !evict:
			return 0, false, ErrFull
		default:
			tail, err := d.link(s, hi(sh.lru.Load()))
			if err != nil {
				return 0, false, err
			}
			if tail == 0 {
				return 0, false, ErrFull
			}
			// A touched entry gets a second chance, once per pass: readers
			// touching faster than we go round must not stop eviction.
			if u := d.word(s, tail, wUse); lo(u.Load()) != 0 && steps <= d.geo.perShard {
				u.Store(pack(0, hi(u.Load())))
				if err := d.lruUnlink(s, tail); err != nil {
					return 0, false, err
				}
				if err := d.lruPush(s, tail); err != nil {
					return 0, false, err
				}
				continue
			}
			victim, forcible = tail, true
			sh.evictions.Add(1)
			failpoint.Inject("dict/evict/before")
		}
		if err := d.remove(s, victim, d.word(s, victim, wHash).Load()); err != nil {
			return 0, false, err
		}
	}
}

// expiredNearTail returns an expired entry among the reclaimLook least
// recently used of shard s, or 0.
func (d *Dict) expiredNearTail(s uint32, now int64) (uint32, error) {
	i, err := d.link(s, hi(d.shards[s].lru.Load()))
	for n := 0; err == nil && i != 0 && n < reclaimLook; n++ {
		if !d.live(s, i, now) {
			return i, nil
		}
		i, err = d.link(s, lo(d.word(s, i, wLRU).Load()))
	}
	return 0, err
}

// resetShard empties shard s: every entry free, every bucket empty.
func (d *Dict) resetShard(s uint32) {
	sh := d.shards[s]
	for b := uint32(0); b < d.geo.buckets; b++ {
		d.buckets[uint64(s)*uint64(d.geo.buckets)+uint64(b)].Store(0)
	}
	sh.free.Store(0)
	for i := d.geo.perShard; i >= 1; i-- {
		d.word(s, i, wUse).Store(0)
		d.freePush(s, i)
	}
	sh.lru.Store(0)
	sh.count.Store(0)
	sh.bytes.Store(0)
	d.clearUndo(s)
}

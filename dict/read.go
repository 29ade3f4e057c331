package dict

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
)

// Reads take no lock: a reader reads the shard's sequence, looks the key
// up and copies its value, and reads the sequence again. Unless it was
// even and unchanged, a writer was at work and the reader tries again: a
// value is read whole or not at all, and writers never wait for readers.

// Get returns a copy of key's value, and whether key is there (and not
// expired).
func (d *Dict) Get(key []byte) ([]byte, bool, error) {
	v, ok, err := d.AppendGet(nil, key)
	if v == nil && ok {
		v = []byte{}
	}
	return v, ok, err
}

// AppendGet appends key's value to dst and returns the extended slice,
// and whether key is there: with room in dst, it allocates nothing.
func (d *Dict) AppendGet(dst, key []byte) ([]byte, bool, error) {
	if err := d.gate.Enter(); err != nil {
		return dst, false, err
	}
	defer d.gate.Leave()
	if len(key) == 0 || len(key) > int(d.geo.maxKey) {
		return dst, false, d.keyErr(key)
	}
	h := hash(key)
	s := d.shardOf(h)
	sh := d.shards[s]
	for tries := 0; ; tries++ {
		q := sh.seq.Load()
		if q&1 != 0 {
			if err := d.waitWriter(s, tries); err != nil {
				return dst, false, err
			}
			continue
		}
		out, i, found, err := d.lookup(dst, s, h, key)
		spin.LoadFence() // our reads of the entry come before the second look at seq
		if sh.seq.Load() != q {
			if d.gate.Closed() {
				return dst, false, os.ErrClosed
			}
			continue
		}
		if err != nil {
			return dst, false, err
		}
		if found && !d.readOnly {
			d.touch(s, i)
		}
		return out, found, nil
	}
}

// lookup is one try of a read: the value of key in shard s appended to
// dst, if it is live and not expired.
func (d *Dict) lookup(dst []byte, s uint32, h uint64, key []byte) ([]byte, uint32, bool, error) {
	i, err := d.find(s, h, key)
	if err != nil || i == 0 {
		return dst, 0, false, err
	}
	if hi(d.word(s, i, wChain).Load()) != stateLive {
		return dst, 0, false, nil
	}
	if exp := int64(d.word(s, i, wExpire).Load()); exp != 0 && time.Now().UnixNano() >= exp {
		return dst, 0, false, nil
	}
	vl := hi(d.word(s, i, wLens).Load())
	if vl > d.geo.maxValue {
		return dst, 0, false, errCorruptEntry(s, i)
	}
	return d.readBytes(dst, d.valueOff(s, i), uint64(vl)), i, true, nil
}

// touch marks entry i recently used, for eviction's second chance: a
// compare-and-swap that loses to a writer changes nothing.
func (d *Dict) touch(s, i uint32) {
	w := d.word(s, i, wUse)
	if u := w.Load(); lo(u) == 0 {
		w.CompareAndSwap(u, pack(1, hi(u)))
	}
}

// waitWriter waits, on try tries of a read, for the writer changing
// shard s. A writer that died midway leaves the sequence odd: after a
// while the reader takes the shard's lock, which reports the death, and
// repairs the shard itself.
func (d *Dict) waitWriter(s uint32, tries int) error {
	switch {
	case tries < 1<<10:
		spin.Pause(1)
		return nil
	case tries < 1<<12:
		runtime.Gosched()
		return nil
	}
	if d.readOnly {
		if tries > 1<<14 {
			return fmt.Errorf("dict: shard %d stays locked for writing (a writer at work, or dead: its next writer repairs it)", s)
		}
	} else if tries%(1<<8) == 0 {
		if err := d.repairIfDead(s); err != nil {
			return err
		}
	}
	if d.gate.Closed() {
		return os.ErrClosed
	}
	time.Sleep(50 * time.Microsecond)
	return nil
}

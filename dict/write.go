package dict

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/failpoint"
)

// Writers of a shard take its robust lock, make its sequence odd (so
// that readers retry), change entries and lists, and make it even again.
// An entry whose key or value is being written is in stateWriting: if
// the writer dies, the next locker of the shard (a writer, or a reader
// tired of waiting) rebuilds the shard from its live entries (repair.go),
// and the one being written is dropped.

func (d *Dict) keyErr(key []byte) error {
	if len(key) == 0 {
		return fmt.Errorf("dict: empty key")
	}
	return fmt.Errorf("%w: key of %d bytes, limit %d", ErrTooLarge, len(key), d.geo.maxKey)
}

func errCorruptEntry(s, i uint32) error {
	return fmt.Errorf("%w: shard %d entry %d", ErrCorrupt, s, i)
}

// write runs fn on the shard of key with the shard locked and its
// sequence odd.
func (d *Dict) write(key []byte, fn func(s uint32, h uint64) error) error {
	if err := d.gate.Enter(); err != nil {
		return err
	}
	defer d.gate.Leave()
	if d.readOnly {
		return ErrReadOnly
	}
	if len(key) == 0 || len(key) > int(d.geo.maxKey) {
		return d.keyErr(key)
	}
	h := hash(key)
	s := d.shardOf(h)
	if err := d.lock(s); err != nil {
		return err
	}
	sh := d.shards[s]
	sh.seq.Add(1)
	err := fn(s, h)
	sh.seq.Add(1)
	sh.mu.Unlock()
	return err
}

// lock locks shard s, repairing it if its last owner died holding it.
func (d *Dict) lock(s uint32) error {
	sh := d.shards[s]
	err := sh.mu.Lock()
	if errors.Is(err, futex.ErrOwnerDead) {
		if err = d.rebuild(s); err != nil {
			sh.mu.Unlock() // unrepaired: the lock becomes unrecoverable
			return err
		}
		return sh.mu.MarkConsistent()
	}
	return err
}

// live reports whether entry i holds a value now: live and not expired.
func (d *Dict) live(s, i uint32, now int64) bool {
	if hi(d.word(s, i, wChain).Load()) != stateLive {
		return false
	}
	exp := int64(d.word(s, i, wExpire).Load())
	return exp == 0 || now < exp
}

func expiry(ttl time.Duration, now int64) uint64 {
	if ttl <= 0 {
		return 0
	}
	if ttl.Nanoseconds() > math.MaxInt64-now { // later than time can say: never
		return 0
	}
	return uint64(now + ttl.Nanoseconds())
}

// Set stores value under key, for ttl (0: no expiry). A new key in a
// full shard evicts the least recently used entries, expired ones first,
// and forcible reports that a live one was evicted, as OpenResty's
// shared dict does.
func (d *Dict) Set(key, value []byte, ttl time.Duration) (forcible bool, err error) {
	if len(value) > int(d.geo.maxValue) {
		return false, fmt.Errorf("%w: value of %d bytes, limit %d", ErrTooLarge, len(value), d.geo.maxValue)
	}
	err = d.write(key, func(s uint32, h uint64) error {
		now := time.Now().UnixNano()
		i, err := d.find(s, h, key)
		if err != nil {
			return err
		}
		if i == 0 {
			if i, forcible, err = d.alloc(s, true, now); err != nil {
				return err
			}
			return d.fill(s, i, h, key, value, expiry(ttl, now))
		}
		return d.overwrite(s, i, value, expiry(ttl, now))
	})
	return forcible, err
}

// Add stores value under key only if key is not there (ErrExists). It
// never evicts a live entry: with no room, ErrFull.
func (d *Dict) Add(key, value []byte, ttl time.Duration) error {
	if len(value) > int(d.geo.maxValue) {
		return fmt.Errorf("%w: value of %d bytes, limit %d", ErrTooLarge, len(value), d.geo.maxValue)
	}
	return d.write(key, func(s uint32, h uint64) error {
		now := time.Now().UnixNano()
		i, err := d.find(s, h, key)
		switch {
		case err != nil:
			return err
		case i != 0 && d.live(s, i, now):
			return ErrExists
		case i != 0: // expired: the key is free
			return d.overwrite(s, i, value, expiry(ttl, now))
		}
		if i, _, err = d.alloc(s, false, now); err != nil {
			return err
		}
		return d.fill(s, i, h, key, value, expiry(ttl, now))
	})
}

// Replace stores value under key only if key is there (ErrNotFound).
func (d *Dict) Replace(key, value []byte, ttl time.Duration) error {
	if len(value) > int(d.geo.maxValue) {
		return fmt.Errorf("%w: value of %d bytes, limit %d", ErrTooLarge, len(value), d.geo.maxValue)
	}
	return d.write(key, func(s uint32, h uint64) error {
		now := time.Now().UnixNano()
		i, err := d.find(s, h, key)
		if err != nil {
			return err
		}
		if i == 0 || !d.live(s, i, now) {
			return ErrNotFound
		}
		return d.overwrite(s, i, value, expiry(ttl, now))
	})
}

// CompareAndSwap stores value under key if its value is old now, keeping
// its expiry, and reports whether it did.
func (d *Dict) CompareAndSwap(key, old, value []byte) (bool, error) {
	if len(value) > int(d.geo.maxValue) {
		return false, fmt.Errorf("%w: value of %d bytes, limit %d", ErrTooLarge, len(value), d.geo.maxValue)
	}
	swapped := false
	err := d.write(key, func(s uint32, h uint64) error {
		now := time.Now().UnixNano()
		i, err := d.find(s, h, key)
		if err != nil || i == 0 || !d.live(s, i, now) {
			return err
		}
		vl := hi(d.word(s, i, wLens).Load())
		if vl > d.geo.maxValue {
			return errCorruptEntry(s, i)
		}
		if !bytes.Equal(d.valueOf(s, i, vl), old) {
			return nil
		}
		swapped = true
		return d.overwrite(s, i, value, d.word(s, i, wExpire).Load())
	})
	return swapped, err
}

// Delete removes key and reports whether it was there.
func (d *Dict) Delete(key []byte) (bool, error) {
	found := false
	err := d.write(key, func(s uint32, h uint64) error {
		i, err := d.find(s, h, key)
		if err != nil || i == 0 {
			return err
		}
		found = d.live(s, i, time.Now().UnixNano())
		failpoint.Inject("dict/delete/before")
		return d.remove(s, i, h)
	})
	return found, err
}

// Incr adds delta to key's value, a little-endian int64 (ErrNotInteger
// otherwise), and returns the sum; a key that is not there starts at 0.
// It is exact across processes.
func (d *Dict) Incr(key []byte, delta int64) (int64, error) {
	if d.geo.maxValue < 8 {
		return 0, fmt.Errorf("%w: values are at most %d bytes", ErrNotInteger, d.geo.maxValue)
	}
	var sum int64
	err := d.write(key, func(s uint32, h uint64) error {
		now := time.Now().UnixNano()
		i, err := d.find(s, h, key)
		if err != nil {
			return err
		}
		var buf [8]byte
		if i == 0 || !d.live(s, i, now) {
			sum = delta
			binary.LittleEndian.PutUint64(buf[:], uint64(sum))
			if i != 0 {
				return d.overwrite(s, i, buf[:], 0)
			}
			if i, _, err = d.alloc(s, true, now); err != nil {
				return err
			}
			return d.fill(s, i, h, key, buf[:], 0)
		}
		if vl := hi(d.word(s, i, wLens).Load()); vl != 8 {
			return fmt.Errorf("%w: %d bytes", ErrNotInteger, vl)
		}
		// The value is one aligned word (strideFor): one store updates it,
		// so a writer killed here leaves the old sum or the new, and the
		// entry stays.
		w := &d.words[d.valueOff(s, i)/8]
		sum = int64(w.Load()) + delta // little-endian, as Linux's amd64 and arm64 are
		failpoint.Inject("dict/incr/before")
		w.Store(uint64(sum))
		sh := d.shards[s]
		d.word(s, i, wUse).Store(pack(0, sh.tick.Add(1)))
		sh.sets.Add(1)
		if err := d.lruUnlink(s, i); err != nil {
			return err
		}
		return d.lruPush(s, i)
	})
	return sum, err
}

// Flush removes every entry.
func (d *Dict) Flush() error {
	if err := d.gate.Enter(); err != nil {
		return err
	}
	defer d.gate.Leave()
	if d.readOnly {
		return ErrReadOnly
	}
	for s := range d.shards {
		if err := d.lock(uint32(s)); err != nil {
			return err
		}
		sh := d.shards[s]
		sh.seq.Add(1)
		d.resetShard(uint32(s))
		sh.seq.Add(1)
		sh.mu.Unlock()
	}
	return nil
}

// fill writes a new entry i (off the free list) and links it in.
func (d *Dict) fill(s, i uint32, h uint64, key, value []byte, exp uint64) error {
	d.setState(s, i, stateWriting)
	d.word(s, i, wHash).Store(h)
	d.writeBytes(d.keyOff(s, i), key)
	failpoint.Inject("dict/set/fill")
	d.writeBytes(d.valueOff(s, i), value)
	d.word(s, i, wLens).Store(pack(uint32(len(key)), uint32(len(value))))
	d.word(s, i, wExpire).Store(exp)
	sh := d.shards[s]
	d.word(s, i, wUse).Store(pack(0, sh.tick.Add(1)))
	b := d.bucket(s, h)
	d.word(s, i, wChain).Store(pack(b.Load(), stateLive))
	b.Store(i)
	if err := d.lruPush(s, i); err != nil {
		return err
	}
	sh.count.Add(1)
	sh.bytes.Add(uint64(len(key) + len(value)))
	sh.sets.Add(1)
	return nil
}

// overwrite replaces entry i's value in place and makes it the most
// recently used.
func (d *Dict) overwrite(s, i uint32, value []byte, exp uint64) error {
	lens := d.word(s, i, wLens).Load()
	old := hi(lens)
	if old > d.geo.maxValue {
		return errCorruptEntry(s, i)
	}
	d.saveUndo(s, i, lens, d.word(s, i, wExpire).Load())
	d.setState(s, i, stateWriting)
	failpoint.Inject("dict/set/overwrite")
	d.writeBytes(d.valueOff(s, i), value)
	d.word(s, i, wLens).Store(pack(lo(lens), uint32(len(value))))
	d.word(s, i, wExpire).Store(exp)
	sh := d.shards[s]
	d.word(s, i, wUse).Store(pack(0, sh.tick.Add(1)))
	d.setState(s, i, stateLive)
	d.clearUndo(s)
	sh.bytes.Add(uint64(len(value)) - uint64(old))
	sh.sets.Add(1)
	if err := d.lruUnlink(s, i); err != nil {
		return err
	}
	return d.lruPush(s, i)
}

func (d *Dict) setState(s, i uint32, state uint32) {
	w := d.word(s, i, wChain)
	w.Store(pack(lo(w.Load()), state))
}

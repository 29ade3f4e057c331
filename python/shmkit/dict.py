"""The shared dictionary (Go's package dict), from Python: OpenResty's
shared dict, or Manager().dict() without a server, between Go and Python
processes. The protocol is docs/FORMAT.md's "Dictionary".

Readers take no lock (a shard's sequence word, a seqlock); writers take
the shard's robust lock. A writer that dies holding it is repaired by the
next locker, Go or Python, which rebuilds the shard from its entries and
puts back the old value of an overwrite cut short.
"""

from __future__ import annotations

import struct
import time

from . import _atomic
from . import layout as L
from .errors import CorruptError, DictFullError, InvalidSizeError, OwnerDeadError, ReadOnlyError
from .mutex import Mutex
from .segment import create_segment, open_segment

__all__ = ["Dict"]

_H = L.HEADER_SIZE
_FREE, _LIVE, _WRITING = 0, 1, 2
_M32 = 0xFFFFFFFF
# A shard's header fields and an entry's words, as FORMAT.md gives them.
_SH, _EN = L.DICT_SHARD, L.DICT_ENTRY
_S_MUTEX, _S_SEQ, _S_LRU, _S_FREE = _SH["robust mutex"][0], _SH["sequence"][0], _SH["LRU list"][0], _SH["first free entry"][0]
_S_COUNT, _S_TICK, _S_BYTES, _S_SETS = _SH["live entries"][0], _SH["write tick"][0], _SH["key and value bytes"][0], _SH["sets"][0]
_S_EVICTIONS, _S_EXPIRED, _S_REPAIRS = _SH["evictions"][0], _SH["expired"][0], _SH["repairs"][0]
_E_HASH, _E_EXPIRY, _E_LENS, _E_CHAIN = _EN["hash"][0], _EN["expiry"][0], _EN["lengths"][0], _EN["chain and state"][0]
_E_LRU, _E_USE, _E_KEY = _EN["LRU neighbours"][0], _EN["touched and tick"][0], _EN["key"][0]
_M64 = (1 << 64) - 1
_RECLAIM_LOOK = 64
MAX_KEY, MAX_VALUE, MAX_ENTRIES, MAX_SHARDS = 1 << 16, 1 << 24, 1 << 30, 1 << 12


def _hash(key: bytes) -> int:
    h = 14695981039346656037
    for c in key:
        h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 29
    h = (h * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return h ^ (h >> 32)


def _stride(max_key, max_value):
    return L.DICT_ENTRY_HEADER + ((max_key + 7) & ~7) + ((max_value + 7) & ~7)


def _key(k) -> bytes:
    """A key or value as bytes: a str is UTF-8, anything else must be
    bytes-like (bytes(5) would be five zero bytes: an int is refused)."""
    if isinstance(k, str):
        return k.encode()
    if isinstance(k, (bytes, bytearray, memoryview)):
        return bytes(k)
    try:
        return memoryview(k).tobytes()
    except TypeError:
        raise TypeError("shmkit: dict keys and values are str or bytes-like, not %s" % type(k).__name__) from None


class _Geo:
    def __init__(self, shards, per, buckets, max_key, max_value):
        self.shards, self.per, self.buckets, self.max_key, self.max_value = shards, per, buckets, max_key, max_value
        self.stride = _stride(max_key, max_value)
        self.buckets_off = L.DICT_SHARDS_AT + shards * L.DICT_SHARD_SIZE
        self.undo_off = (self.buckets_off + shards * buckets * 4 + 63) & ~63
        self.undo_size = (L.DICT_UNDO_HEADER + max_value + 63) & ~63
        self.entries_off = self.undo_off + shards * self.undo_size
        self.payload = self.entries_off + shards * per * self.stride

    @classmethod
    def new(cls, capacity, max_key, max_value, shards):
        if not 1 <= max_key <= MAX_KEY:
            raise InvalidSizeError("shmkit: max key %d must be in [1, %d]" % (max_key, MAX_KEY))
        if not 0 <= max_value <= MAX_VALUE:
            raise InvalidSizeError("shmkit: max value %d must be in [0, %d]" % (max_value, MAX_VALUE))
        stride = _stride(max_key, max_value)
        entries = capacity // stride
        if not 1 <= entries <= MAX_ENTRIES:
            raise InvalidSizeError("shmkit: capacity %d holds %d entries of %d bytes" % (capacity, entries, stride))
        if shards == 0:  # as many as keep 64 entries or more each, up to 64
            shards = 1
            while shards < 64 and entries // (shards * 2) >= 64:
                shards *= 2
        if not 1 <= shards <= MAX_SHARDS or shards & (shards - 1) or shards > entries:
            raise InvalidSizeError("shmkit: %d shards: want a power of two from 1 to %d, at most the entries" % (shards, MAX_SHARDS))
        per = entries // shards
        buckets = 1
        while buckets < per:
            buckets *= 2
        return cls(shards, per, buckets, max_key, max_value)


class Dict:
    """A shared dictionary of bytes to bytes: Dict(name) opens one,
    Dict(name, create=True, capacity=BYTES, max_key=K, max_value=V) makes
    one. Keys and values are bytes-like (a str key is UTF-8).

    d[key], d.get(key), key in d, len(d), iteration over (key, value)
    pairs; d[key] = value, set() with a ttl in seconds, add(), replace(),
    compare_and_swap(), delete(), incr(), flush(). A set into a full
    shard evicts its least recently used entry (reads give an entry a
    second chance) and says so."""

    def __init__(self, name: str, create: bool = False, capacity: int = 0, max_key: int = 64, max_value: int = 256,
                 shards: int = 0, readonly: bool = False, mode: int = 0o600, allow_other_users: bool = False):
        if create:
            g = _Geo.new(capacity, max_key, max_value, shards)

            def init(seg):
                b = seg.buf
                struct.pack_into("<QIIIIIII", b, _H, L.DICT_MAGIC, 1, g.shards, g.per, g.buckets, g.max_key, g.max_value, g.stride)
                self._bind(seg, g)
                for s in range(g.shards):
                    self._reset_shard(s)

            seg = create_segment(name, "dict", L.DICT_KIND_VERSION, g.payload, init, mode=mode)
        else:
            seg = open_segment(name, "dict", L.DICT_KIND_VERSION, readonly=readonly, allow_other_users=allow_other_users)
        try:
            b = seg.buf
            magic, version, shards, per, buckets, mk, mv, stride = struct.unpack_from("<QIIIIIII", b, _H)  # read once
            ok = (magic == L.DICT_MAGIC and version == 1 and 1 <= shards <= MAX_SHARDS and not shards & (shards - 1)
                  and 1 <= per and per * shards <= MAX_ENTRIES and per <= buckets <= 2 * per and not buckets & (buckets - 1)
                  and 1 <= mk <= MAX_KEY and mv <= MAX_VALUE and stride == _stride(mk, mv))
            if not ok:
                raise CorruptError("shmkit: corrupt dict %s: geometry" % seg.name)
            g = _Geo(shards, per, buckets, mk, mv)
            if g.payload != seg.header.payload_size:
                raise CorruptError("shmkit: corrupt dict %s: geometry needs %d bytes, payload has %d" % (seg.name, g.payload, seg.header.payload_size))
            self._bind(seg, g)
        except BaseException:
            seg.close()
            raise
        self.readonly = seg.readonly

    def _bind(self, seg, g):
        self._seg, self._g = seg, g
        self._q = seg.words("Q")
        self._w = seg.words("I")
        self._ent = _H + g.entries_off
        self._vskip = (g.max_key + 7) & ~7
        self._locks = None if seg.readonly else [Mutex(seg, _H + L.DICT_SHARDS_AT + s * L.DICT_SHARD_SIZE + _S_MUTEX) for s in range(g.shards)]

    # Offsets (absolute, in the mapping).

    def _shard(self, s):
        return _H + L.DICT_SHARDS_AT + s * L.DICT_SHARD_SIZE

    def _e(self, s, i):
        return self._ent + (s * self._g.per + i - 1) * self._g.stride

    def _bucket(self, s, h):
        g = self._g
        return _H + g.buckets_off + 4 * (s * g.buckets + ((h >> 32) & (g.buckets - 1)))

    def _undo(self, s):
        return _H + self._g.undo_off + s * self._g.undo_size

    def _valid(self, i):
        return 1 <= i <= self._g.per

    def _link(self, s, i):
        if i and not self._valid(i):
            raise CorruptError("shmkit: corrupt dict %s: shard %d: link to entry %d" % (self._seg.name, s, i))
        return i

    def _corrupt(self, s, i):
        return CorruptError("shmkit: corrupt dict %s: shard %d entry %d" % (self._seg.name, s, i))

    # Reading.

    def _find(self, s, h, key):
        q, g = self._q, self._g
        i = self._w[self._bucket(s, h) >> 2]
        steps = 0
        while i:
            if not self._valid(i) or steps >= g.per:
                raise CorruptError("shmkit: corrupt dict %s: shard %d: bucket chain at entry %d" % (self._seg.name, s, i))
            e = self._e(s, i)
            if q[e >> 3] == h:
                kl = q[(e + _E_LENS) >> 3] & _M32
                if kl == len(key) and kl <= g.max_key and self._seg.buf[e + _E_KEY : e + _E_KEY + kl] == key:
                    return i
            i = q[(e + _E_CHAIN) >> 3] & _M32
            steps += 1
        return 0

    def _read(self, s, fn):
        """Runs fn() between two looks at shard s's sequence, until they agree."""
        seq = (self._shard(s) + _S_SEQ) >> 3
        q = self._q
        tries = 0
        while True:
            v = q[seq]
            if v & 1:
                self._wait_writer(s, tries)
                tries += 1
                continue
            try:
                out = fn()
            except CorruptError:
                if q[seq] != v:
                    continue  # a writer changed what we walked
                raise
            if q[seq] == v:
                return out
            tries += 1

    def _wait_writer(self, s, tries):
        if tries < 1 << 10:
            return
        if tries < 1 << 12:
            time.sleep(0)
            return
        if self.readonly:
            if tries > 1 << 14:
                raise TimeoutError("shmkit: dict %s: shard %d stays locked for writing" % (self._seg.name, s))
        elif tries % (1 << 8) == 0:
            self._repair_if_dead(s)
        time.sleep(0.00005)

    def _lookup(self, s, h, key, now):
        i = self._find(s, h, key)
        if not i:
            return None, 0
        e = self._e(s, i)
        q = self._q
        if q[(e + _E_CHAIN) >> 3] >> 32 != _LIVE:
            return None, 0
        exp = q[(e + _E_EXPIRY) >> 3]
        if exp and now >= exp:
            return None, 0
        vl = q[(e + _E_LENS) >> 3] >> 32
        if vl > self._g.max_value:
            raise self._corrupt(s, i)
        v = e + _E_KEY + self._vskip
        return self._seg.buf[v : v + vl].tobytes(), i

    def get(self, key, default=None):
        """The value of key (bytes), or default if it is absent or expired
        (or could not be a key: empty, or longer than max_key)."""
        key = _key(key)
        if not key or len(key) > self._g.max_key:
            return default
        h = _hash(key)
        s = h & (self._g.shards - 1)
        now = time.time_ns()
        v, i = self._read(s, lambda: self._lookup(s, h, key, now))
        if v is None:
            return default
        if not self.readonly:
            # A read's second chance at eviction: mark the entry touched.
            u = self._e(s, i) + _E_USE
            w = self._q[u >> 3]
            if w & _M32 == 0:
                _atomic.cas64(self._seg.addr(u, 8), w, w | 1)
        return v

    def __getitem__(self, key):
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return sum(self._w[(self._shard(s) + _S_COUNT) >> 2] for s in range(self._g.shards))

    def _entry(self, s, i, now):
        q, g = self._q, self._g
        e = self._e(s, i)
        lens = q[(e + _E_LENS) >> 3]
        kl, vl = lens & _M32, lens >> 32
        if q[(e + _E_CHAIN) >> 3] >> 32 != _LIVE or not 1 <= kl <= g.max_key or vl > g.max_value:
            return None
        exp = q[(e + _E_EXPIRY) >> 3]
        if exp and now >= exp:
            return None
        b = self._seg.buf
        return b[e + _E_KEY : e + _E_KEY + kl].tobytes(), b[e + _E_KEY + self._vskip : e + _E_KEY + self._vskip + vl].tobytes()

    def items(self):
        """Yields (key, value) for each live entry, each read whole (not
        one snapshot of the whole dict)."""
        for s in range(self._g.shards):
            for i in range(1, self._g.per + 1):
                kv = self._read(s, lambda: self._entry(s, i, time.time_ns()))
                if kv is not None:
                    yield kv

    def keys(self):
        for k, _ in self.items():
            yield k

    __iter__ = keys

    def stats(self) -> dict:
        out = dict(entries=0, bytes=0, sets=0, evictions=0, expiries=0, repairs=0)
        q = self._q
        for s in range(self._g.shards):
            b = self._shard(s)
            out["entries"] += self._w[(b + _S_COUNT) >> 2]
            for k, off in (("bytes", _S_BYTES), ("sets", _S_SETS), ("evictions", _S_EVICTIONS), ("expiries", _S_EXPIRED), ("repairs", _S_REPAIRS)):
                out[k] += q[(b + off) >> 3]
        g = self._g
        out.update(capacity=g.shards * g.per, shards=g.shards, max_key=g.max_key, max_value=g.max_value)
        return out

    # Writing.

    def _check_key(self, key):
        key = _key(key)
        if not key:
            raise KeyError("shmkit: empty key")
        if len(key) > self._g.max_key:
            raise ValueError("shmkit: key of %d bytes, limit %d" % (len(key), self._g.max_key))
        return key

    def _check_value(self, value):
        value = _key(value)
        if len(value) > self._g.max_value:
            raise ValueError("shmkit: value of %d bytes, limit %d" % (len(value), self._g.max_value))
        return value

    def _write(self, key, fn):
        if self.readonly:
            raise ReadOnlyError("shmkit: dict %s opened read-only" % self._seg.name)
        key = self._check_key(key)
        h = _hash(key)
        s = h & (self._g.shards - 1)
        self._lock(s)
        seq = self._seg.addr(self._shard(s) + _S_SEQ, 8)
        _atomic.add64(seq, 1)  # odd: readers retry
        try:
            out = fn(s, h, key)
        except BaseException:
            # Cut short (corrupt bytes, a KeyboardInterrupt): repair the
            # shard as the next locker would after a dead writer, before
            # anyone sees it; if even that is cut short, hand the lock on
            # as a dead writer's, so that the next locker rebuilds.
            try:
                self._rebuild(s, even=False)
            except BaseException:
                self._locks[s].abandon()
                raise
            _atomic.add64(seq, 1)
            self._locks[s].release()
            raise
        _atomic.add64(seq, 1)
        self._locks[s].release()
        return out

    def _lock(self, s):
        mu = self._locks[s]
        try:
            mu.acquire()
        except OwnerDeadError:
            try:
                self._rebuild(s)
            except BaseException:
                mu.release()  # unrepaired: the lock becomes unrecoverable
                raise
            mu.mark_consistent()

    def _live(self, s, i, now):
        e = self._e(s, i)
        if self._q[(e + _E_CHAIN) >> 3] >> 32 != _LIVE:
            return False
        exp = self._q[(e + _E_EXPIRY) >> 3]
        return exp == 0 or now < exp

    @staticmethod
    def _expiry(ttl, now):
        if ttl is None or ttl <= 0:
            return 0
        t = now + int(ttl * 1e9)
        return 0 if t > (1 << 63) - 1 else t

    def set(self, key, value, ttl: float | None = None) -> bool:
        """Sets key to value, for ttl seconds (None: no expiry). Returns
        True if a live entry was evicted to make room (OpenResty's
        "forcible")."""
        value = self._check_value(value)

        def f(s, h, key):
            now = time.time_ns()
            i = self._find(s, h, key)
            if not i:
                i, forcible = self._alloc(s, True, now)
                self._fill(s, i, h, key, value, self._expiry(ttl, now))
                return forcible
            self._overwrite(s, i, value, self._expiry(ttl, now))
            return False

        return self._write(key, f)

    def __setitem__(self, key, value):
        self.set(key, value)

    def add(self, key, value, ttl: float | None = None) -> bool:
        """Sets key only if it is absent (or expired); returns whether it
        did. Never evicts a live entry: raises DictFullError instead."""
        value = self._check_value(value)

        def f(s, h, key):
            now = time.time_ns()
            i = self._find(s, h, key)
            if i and self._live(s, i, now):
                return False
            if i:
                self._overwrite(s, i, value, self._expiry(ttl, now))
                return True
            i, _ = self._alloc(s, False, now)
            self._fill(s, i, h, key, value, self._expiry(ttl, now))
            return True

        return self._write(key, f)

    def replace(self, key, value, ttl: float | None = None) -> bool:
        """Sets key only if it is present; returns whether it did."""
        value = self._check_value(value)

        def f(s, h, key):
            now = time.time_ns()
            i = self._find(s, h, key)
            if not i or not self._live(s, i, now):
                return False
            self._overwrite(s, i, value, self._expiry(ttl, now))
            return True

        return self._write(key, f)

    def compare_and_swap(self, key, old, new) -> bool:
        """Sets key to new if its value is old; returns whether it did."""
        old, new = _key(old), self._check_value(new)

        def f(s, h, key):
            i = self._find(s, h, key)
            if not i or not self._live(s, i, time.time_ns()):
                return False
            e = self._e(s, i)
            vl = self._q[(e + _E_LENS) >> 3] >> 32
            if vl > self._g.max_value:
                raise self._corrupt(s, i)
            v = e + _E_KEY + self._vskip
            if self._seg.buf[v : v + vl] != old:
                return False
            self._overwrite(s, i, new, self._q[(e + _E_EXPIRY) >> 3])
            return True

        return self._write(key, f)

    def delete(self, key) -> bool:
        """Removes key; returns whether it held a live value."""

        def f(s, h, key):
            i = self._find(s, h, key)
            if not i:
                return False
            found = self._live(s, i, time.time_ns())
            self._remove(s, i, h)
            return found

        return self._write(key, f)

    def __delitem__(self, key):
        if not self.delete(key):
            raise KeyError(key)

    def pop(self, key, *default):
        """Removes key and returns its value, in one write under the
        shard's lock; default (or KeyError) if it is absent."""

        def f(s, h, key):
            now = time.time_ns()
            i = self._find(s, h, key)
            if not i or not self._live(s, i, now):
                return None
            v, _ = self._lookup(s, h, key, now)
            self._remove(s, i, h)
            return v

        v = self._write(key, f)
        if v is None:
            if default:
                return default[0]
            raise KeyError(key)
        return v

    def values(self):
        for _, v in self.items():
            yield v

    def setdefault(self, key, default=b""):
        """The value of key; if it is absent, sets it to default first
        (atomically: add() never overwrites) and returns that."""
        while True:
            v = self.get(key)
            if v is not None:
                return v
            if self.add(key, default):
                return _key(default)

    def update(self, other=(), **kw):
        """Sets each key of other (a mapping or (key, value) pairs) and of kw."""
        items = other.items() if hasattr(other, "items") else other
        for k, v in items:
            self.set(k, v)
        for k, v in kw.items():
            self.set(k, v)

    def incr(self, key, delta: int = 1) -> int:
        """Adds delta to the 8-byte little-endian integer at key (absent:
        0), stored as one word; returns the new value."""
        if self._g.max_value < 8:
            raise TypeError("shmkit: dict values are at most %d bytes: no room for an integer" % self._g.max_value)

        def f(s, h, key):
            now = time.time_ns()
            i = self._find(s, h, key)
            if not i or not self._live(s, i, now):
                raw = struct.pack("<q", _wrap(delta))
                if i:
                    self._overwrite(s, i, raw, 0)
                else:
                    i, _ = self._alloc(s, True, now)
                    self._fill(s, i, h, key, raw, 0)
                return _wrap(delta)
            e = self._e(s, i)
            q = self._q
            vl = q[(e + _E_LENS) >> 3] >> 32
            if vl != 8:
                raise TypeError("shmkit: dict value of %d bytes is not a 64-bit integer" % vl)
            w = (e + _E_KEY + self._vskip) >> 3
            total = _wrap(_signed(q[w]) + delta)
            q[w] = total & 0xFFFFFFFFFFFFFFFF  # one word, as Go's Incr
            sh = self._shard(s)
            q[(e + _E_USE) >> 3] = self._tick(s) << 32
            q[(sh + _S_SETS) >> 3] = (q[(sh + _S_SETS) >> 3] + 1) & _M64
            self._lru_unlink(s, i)
            self._lru_push(s, i)
            return total

        return self._write(key, f)

    def flush(self) -> None:
        """Removes every entry."""
        if self.readonly:
            raise ReadOnlyError("shmkit: dict %s opened read-only" % self._seg.name)
        for s in range(self._g.shards):
            self._lock(s)
            seq = self._seg.addr(self._shard(s) + _S_SEQ, 8)
            _atomic.add64(seq, 1)
            try:
                self._reset_shard(s)
            finally:
                _atomic.add64(seq, 1)
                self._locks[s].release()

    # The shard's lists, under its lock.

    def _tick(self, s):
        t = (self._shard(s) + _S_TICK) >> 2
        self._w[t] = (self._w[t] + 1) & _M32
        return self._w[t]

    def _fill(self, s, i, h, key, value, exp):
        q, b = self._q, self._seg.buf
        e = self._e(s, i)
        self._set_state(s, i, _WRITING)
        q[e >> 3] = h
        b[e + _E_KEY : e + _E_KEY + len(key)] = key
        v = e + _E_KEY + self._vskip
        b[v : v + len(value)] = value
        q[(e + _E_LENS) >> 3] = len(key) | len(value) << 32
        q[(e + _E_EXPIRY) >> 3] = exp
        q[(e + _E_USE) >> 3] = self._tick(s) << 32
        bk = self._bucket(s, h) >> 2
        q[(e + _E_CHAIN) >> 3] = self._w[bk] | _LIVE << 32
        self._w[bk] = i
        self._lru_push(s, i)
        sh = self._shard(s)
        self._w[(sh + _S_COUNT) >> 2] = (self._w[(sh + _S_COUNT) >> 2] + 1) & _M32
        q[(sh + _S_BYTES) >> 3] = (q[(sh + _S_BYTES) >> 3] + len(key) + len(value)) & 0xFFFFFFFFFFFFFFFF
        q[(sh + _S_SETS) >> 3] = (q[(sh + _S_SETS) >> 3] + 1) & _M64

    def _overwrite(self, s, i, value, exp):
        q, b = self._q, self._seg.buf
        e = self._e(s, i)
        lens = q[(e + _E_LENS) >> 3]
        old = lens >> 32
        if old > self._g.max_value:
            raise self._corrupt(s, i)
        # Save the old value in the shard's undo record first: an
        # overwrite happens whole or not at all.
        u = self._undo(s)
        v = e + _E_KEY + self._vskip
        b[u + 24 : u + 24 + old] = b[v : v + old]
        q[(u + 8) >> 3] = lens
        q[(u + 16) >> 3] = q[(e + _E_EXPIRY) >> 3]
        q[u >> 3] = i | 1 << 32  # valid last
        self._set_state(s, i, _WRITING)
        b[v : v + len(value)] = value
        q[(e + _E_LENS) >> 3] = (lens & _M32) | len(value) << 32
        q[(e + _E_EXPIRY) >> 3] = exp
        q[(e + _E_USE) >> 3] = self._tick(s) << 32
        self._set_state(s, i, _LIVE)
        q[u >> 3] = 0
        sh = self._shard(s)
        q[(sh + _S_BYTES) >> 3] = (q[(sh + _S_BYTES) >> 3] + len(value) - old) & 0xFFFFFFFFFFFFFFFF
        q[(sh + _S_SETS) >> 3] = (q[(sh + _S_SETS) >> 3] + 1) & _M64
        self._lru_unlink(s, i)
        self._lru_push(s, i)

    def _set_state(self, s, i, state):
        c = (self._e(s, i) + _E_CHAIN) >> 3
        self._q[c] = (self._q[c] & _M32) | state << 32

    def _lru_push(self, s, i):
        q = self._q
        lru = (self._shard(s) + _S_LRU) >> 3
        l = q[lru]
        head = self._link(s, l & _M32)
        q[(self._e(s, i) + _E_LRU) >> 3] = head << 32
        tail = l >> 32
        if head:
            w = (self._e(s, head) + _E_LRU) >> 3
            q[w] = i | (q[w] >> 32) << 32
        else:
            tail = i
        q[lru] = i | tail << 32

    def _lru_unlink(self, s, i):
        q = self._q
        w = q[(self._e(s, i) + _E_LRU) >> 3]
        prev, nxt = self._link(s, w & _M32), self._link(s, w >> 32)
        lru = (self._shard(s) + _S_LRU) >> 3
        l = q[lru]
        head, tail = l & _M32, l >> 32
        if prev:
            p = (self._e(s, prev) + _E_LRU) >> 3
            q[p] = (q[p] & _M32) | nxt << 32
        elif head == i:
            head = nxt
        if nxt:
            n = (self._e(s, nxt) + _E_LRU) >> 3
            q[n] = prev | (q[n] >> 32) << 32
        elif tail == i:
            tail = prev
        q[lru] = head | tail << 32

    def _remove(self, s, i, h):
        q, w = self._q, self._w
        e = self._e(s, i)
        bk = self._bucket(s, h) >> 2
        nxt = q[(e + _E_CHAIN) >> 3] & _M32
        cur = w[bk]
        if cur == i:
            w[bk] = nxt
        else:
            steps = 0
            while True:
                cur = self._link(s, cur)
                if not cur or steps >= self._g.per:
                    raise CorruptError("shmkit: corrupt dict %s: shard %d: entry %d not on its chain" % (self._seg.name, s, i))
                c = (self._e(s, cur) + _E_CHAIN) >> 3
                if q[c] & _M32 == i:
                    q[c] = nxt | (q[c] >> 32) << 32
                    break
                cur = q[c] & _M32
                steps += 1
        self._lru_unlink(s, i)
        sh = self._shard(s)
        lens = q[(e + _E_LENS) >> 3]
        w[(sh + _S_COUNT) >> 2] = (w[(sh + _S_COUNT) >> 2] - 1) & _M32
        q[(sh + _S_BYTES) >> 3] = (q[(sh + _S_BYTES) >> 3] - (lens & _M32) - (lens >> 32)) & 0xFFFFFFFFFFFFFFFF
        self._free_push(s, i)

    def _free_push(self, s, i):
        q = self._q
        e = self._e(s, i)
        free = (self._shard(s) + _S_FREE) >> 2
        q[(e + _E_CHAIN) >> 3] = 0
        q[(e + _E_LRU) >> 3] = self._w[free]
        self._w[free] = i

    def _alloc(self, s, evict, now):
        q, w = self._q, self._w
        sh = self._shard(s)
        forcible = False
        steps = 0
        while True:
            i = self._link(s, w[(sh + _S_FREE) >> 2])
            if i:
                w[(sh + _S_FREE) >> 2] = self._link(s, q[(self._e(s, i) + _E_LRU) >> 3] & _M32)
                return i, forcible
            if steps > 2 * self._g.per + 1:
                raise CorruptError("shmkit: corrupt dict %s: shard %d: no entry to reclaim" % (self._seg.name, s))
            victim = self._expired_near_tail(s, now)
            if victim:
                q[(sh + _S_EXPIRED) >> 3] = (q[(sh + _S_EXPIRED) >> 3] + 1) & _M64
            elif not evict:
                raise DictFullError("shmkit: dict %s: full" % self._seg.name)
            else:
                tail = self._link(s, q[(sh + _S_LRU) >> 3] >> 32)
                if not tail:
                    raise DictFullError("shmkit: dict %s: full" % self._seg.name)
                u = (self._e(s, tail) + _E_USE) >> 3
                if q[u] & _M32 and steps <= self._g.per:
                    q[u] = (q[u] >> 32) << 32  # its second chance: to the head, untouched
                    self._lru_unlink(s, tail)
                    self._lru_push(s, tail)
                    steps += 1
                    continue
                victim, forcible = tail, True
                q[(sh + _S_EVICTIONS) >> 3] = (q[(sh + _S_EVICTIONS) >> 3] + 1) & _M64
            self._remove(s, victim, q[self._e(s, victim) >> 3])
            steps += 1

    def _expired_near_tail(self, s, now):
        q = self._q
        i = self._link(s, q[(self._shard(s) + _S_LRU) >> 3] >> 32)
        n = 0
        while i and n < _RECLAIM_LOOK:
            if not self._live(s, i, now):
                return i
            i = self._link(s, q[(self._e(s, i) + _E_LRU) >> 3] & _M32)
            n += 1
        return 0

    def _reset_shard(self, s):
        q, w, g = self._q, self._w, self._g
        base = (_H + g.buckets_off) >> 2
        for b in range(g.buckets):
            w[base + s * g.buckets + b] = 0
        sh = self._shard(s)
        w[(sh + _S_FREE) >> 2] = 0
        for i in range(g.per, 0, -1):
            q[(self._e(s, i) + _E_USE) >> 3] = 0
            self._free_push(s, i)
        q[(sh + _S_LRU) >> 3] = 0
        w[(sh + _S_COUNT) >> 2] = 0
        q[(sh + _S_BYTES) >> 3] = 0
        q[self._undo(s) >> 3] = 0

    # Repair after a writer died holding the lock.

    def _apply_undo(self, s):
        q, b, g = self._q, self._seg.buf, self._g
        u = self._undo(s)
        rec = q[u >> 3]
        i = rec & _M32
        if rec >> 32 == 1 and self._valid(i):
            lens, exp = q[(u + 8) >> 3], q[(u + 16) >> 3]
            vl = lens >> 32
            if vl <= g.max_value and 1 <= lens & _M32 <= g.max_key:
                e = self._e(s, i)
                v = e + _E_KEY + self._vskip
                b[v : v + vl] = b[u + 24 : u + 24 + vl]
                q[(e + _E_LENS) >> 3] = lens
                q[(e + _E_EXPIRY) >> 3] = exp
                self._set_state(s, i, _LIVE)
        q[u >> 3] = 0

    def _rebuild(self, s, even=True):
        """Rebuilds shard s from its entries. It leaves the sequence even
        (readers may read again) unless even is false: the caller, which
        made it odd, makes it even."""
        q, w, g, b = self._q, self._w, self._g, self._seg.buf
        sh = self._shard(s)
        seq = self._seg.addr(sh + _S_SEQ, 8)
        if not q[(sh + _S_SEQ) >> 3] & 1:
            _atomic.add64(seq, 1)
        self._apply_undo(s)  # an overwrite that died puts its old value back
        base = (_H + g.buckets_off) >> 2
        for k in range(g.buckets):
            w[base + s * g.buckets + k] = 0
        w[(sh + _S_FREE) >> 2] = 0
        q[(sh + _S_LRU) >> 3] = 0
        w[(sh + _S_COUNT) >> 2] = 0
        q[(sh + _S_BYTES) >> 3] = 0
        live = []
        for i in range(g.per, 0, -1):
            e = self._e(s, i)
            lens = q[(e + _E_LENS) >> 3]
            kl, vl = lens & _M32, lens >> 32
            ok = (q[(e + _E_CHAIN) >> 3] >> 32 == _LIVE and 1 <= kl <= g.max_key and vl <= g.max_value
                  and _hash(b[e + _E_KEY : e + _E_KEY + kl].tobytes()) == q[e >> 3])
            if not ok:
                self._free_push(s, i)
                continue
            live.append((i, q[(e + _E_USE) >> 3] >> 32))
        if live:  # ticks wrap: order by the difference from the oldest's
            ref = live[0][1]
            live.sort(key=lambda k: _signed32(k[1] - ref))
        for i, _ in live:
            e = self._e(s, i)
            bk = self._bucket(s, q[e >> 3]) >> 2
            q[(e + _E_CHAIN) >> 3] = w[bk] | _LIVE << 32
            w[bk] = i
            self._lru_push(s, i)
            lens = q[(e + _E_LENS) >> 3]
            w[(sh + _S_COUNT) >> 2] = (w[(sh + _S_COUNT) >> 2] + 1) & _M32
            q[(sh + _S_BYTES) >> 3] = (q[(sh + _S_BYTES) >> 3] + (lens & _M32) + (lens >> 32)) & _M64
        q[(sh + _S_REPAIRS) >> 3] = (q[(sh + _S_REPAIRS) >> 3] + 1) & _M64
        if even:
            _atomic.add64(seq, 1)  # even: readers may read again

    def _repair_if_dead(self, s):
        mu = self._locks[s]
        try:
            if not mu.acquire(blocking=False):
                return  # a live writer holds it: wait
        except OwnerDeadError:
            try:
                self._rebuild(s)
            except BaseException:
                mu.release()
                raise
            mu.mark_consistent()
            mu.release()
            return
        try:
            if self._q[(self._shard(s) + _S_SEQ) >> 3] & 1:
                self._rebuild(s)
        finally:
            mu.release()

    @property
    def name(self) -> str:
        return self._seg.name

    def close(self) -> None:
        self._seg.close()

    def unlink(self) -> None:
        self._seg.unlink()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        g = self._g
        return "Dict(%r, entries=%d, max_key=%d, max_value=%d)" % (self.name, g.shards * g.per, g.max_key, g.max_value)


def _signed(x):
    return x - (1 << 64) if x >> 63 else x


def _wrap(x):
    return _signed(x & 0xFFFFFFFFFFFFFFFF)


def _signed32(x):
    x &= _M32
    return x - (1 << 32) if x >> 31 else x

"""Values and arrays (Go's packages value and array), from Python.

A Value holds one element, an Array n of them, laid out as a plain
C-contiguous array at offset 4096, then a 64-byte control block (FORMAT.md
"Values and arrays"). Elements of Go's numeric types read and write as
Python ints, floats and bools; any other element type as bytes, or as a
tuple through a struct format you give.
"""

from __future__ import annotations

import struct
import time

from . import _atomic, _live
from . import layout as L
from .errors import CorruptError, TypeMismatchError
from .mutex import Mutex
from .segment import create_segment, open_segment

__all__ = ["Value", "Array", "TYPES"]

# Go type name: (struct format, size, integer). Sizes are amd64's.
TYPES = {
    "int8": ("b", 1, True), "uint8": ("B", 1, True), "byte": ("B", 1, True),
    "int16": ("h", 2, True), "uint16": ("H", 2, True),
    "int32": ("i", 4, True), "uint32": ("I", 4, True), "rune": ("i", 4, True),
    "int64": ("q", 8, True), "uint64": ("Q", 8, True),
    "int": ("q", 8, True), "uint": ("Q", 8, True), "uintptr": ("Q", 8, True),
    "float32": ("f", 4, False), "float64": ("d", 8, False),
    "bool": ("?", 1, False),
    "complex64": ("ff", 8, False), "complex128": ("dd", 16, False),
}
# reflect.Kind's names, which Go's fingerprint hashes (byte and rune are aliases).
_KIND = {"byte": "uint8", "rune": "int32"}

_LOAD_BUDGET = 1.0  # seconds a read waits for a live writer mid-write


def _fingerprint(go_type: str) -> int:
    """FNV-1a 64 of the type's layout, as Go's shm.DescribeType writes it."""
    h = 0xCBF29CE484222325
    for c in _KIND.get(go_type, go_type).encode():
        h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _codec(go_type: str, size: int, fmt: str | None):
    """The struct format of one element, or None for raw bytes."""
    if fmt is not None:
        if struct.calcsize("<" + fmt.lstrip("<=@")) != size:
            raise TypeMismatchError("shmkit: format %r is %d bytes, the element %d" % (fmt, struct.calcsize("<" + fmt), size))
        return "<" + fmt.lstrip("<=@")
    t = TYPES.get(go_type)
    if t is None or t[1] != size:
        return None
    return "<" + t[0]


def _check_type(type_: str):
    if type_ not in TYPES:
        raise TypeMismatchError("shmkit: type %r: create takes one of %s" % (type_, ", ".join(sorted(TYPES))))
    return TYPES[type_]


class _Elements:
    """What Value and Array share: the segment, the element codec, the lock."""

    KIND = ""

    def _setup(self, seg, count_ok, fmt):
        self._seg = seg
        h = seg.header
        self.type, self.itemsize = h.elem_type, h.elem_size
        if h.elem_size == 0 or not count_ok(h.elem_count):
            raise CorruptError("shmkit: corrupt %s %s: %d elements of %d bytes" % (self.KIND, seg.name, h.elem_count, h.elem_size))
        ctl = (h.elem_size * h.elem_count + 63) & ~63
        if h.payload_size != ctl + L.CONTROL_SIZE:
            raise CorruptError("shmkit: corrupt %s %s: %d elements in %d bytes, want %d" % (
                self.KIND, seg.name, h.elem_count, h.payload_size, ctl + L.CONTROL_SIZE))
        self._ctl = L.HEADER_SIZE + ctl
        self._fmt = _codec(h.elem_type, h.elem_size, fmt)
        t = TYPES.get(h.elem_type)
        self._integer = bool(t and t[2] and t[1] == h.elem_size and self._fmt == "<" + t[0])
        self._signed = self._integer and t[0].islower()
        self._q, self._w = seg.words("Q"), seg.words("I")

    def _decode(self, raw: bytes):
        if self._fmt is None:
            return raw
        v = struct.unpack(self._fmt, raw)
        if self._fmt in ("<ff", "<dd"):
            return complex(*v)
        return v[0] if len(v) == 1 else v

    def _encode(self, x) -> bytes:
        if self._fmt is None:
            b = bytes(x)
            if len(b) != self.itemsize:
                raise TypeMismatchError("shmkit: %d bytes for an element of %d" % (len(b), self.itemsize))
            return b
        if self._fmt in ("<ff", "<dd"):
            x = complex(x)
            return struct.pack(self._fmt, x.real, x.imag)
        try:
            if isinstance(x, tuple):
                return struct.pack(self._fmt, *x)
            return struct.pack(self._fmt, x)
        except struct.error as e:
            if isinstance(x, int) and not isinstance(x, bool):
                raise OverflowError("shmkit: %d does not fit a %s" % (x, self.type)) from None
            raise TypeError("shmkit: %r is not a %s: %s" % (x, self.type, e)) from None

    def _need_int(self, op):
        if not self._integer:
            raise TypeError("shmkit: %s needs an integer element, not %s" % (op, self.type))

    # Atomic integer operations on the element at byte offset off.

    def _bits(self, x) -> int:
        return x & ((1 << (8 * self.itemsize)) - 1)

    def _from_bits(self, b: int) -> int:
        n = 8 * self.itemsize
        if self._signed and b >> (n - 1):
            return b - (1 << n)
        return b

    def _rmw(self, off, f):
        """Applies f to the integer at off atomically; returns (old, new)."""
        size = self.itemsize
        if size in (4, 8):
            cas = _atomic.cas64 if size == 8 else _atomic.cas32
            addr = self._seg.addr(off, size)
            view = self._q if size == 8 else self._w
            while True:
                old = view[off // size]
                new = self._bits(f(self._from_bits(old)))
                if cas(addr, old, new) == old:
                    return self._from_bits(old), self._from_bits(new)
        # 1- and 2-byte integers: a compare-and-swap of the aligned 32 bits that hold them.
        word = off & ~3
        shift = 8 * (off - word)
        mask = ((1 << (8 * size)) - 1) << shift
        addr = self._seg.addr(word, 4)
        while True:
            w = self._w[word // 4]
            old = (w & mask) >> shift
            new = self._bits(f(self._from_bits(old)))
            if _atomic.cas32(addr, w, (w & ~mask) | new << shift) == w:
                return self._from_bits(old), self._from_bits(new)

    def _add(self, off, delta):
        self._need_int("add")
        if self.itemsize == 8:
            return self._from_bits(self._bits(_atomic.add64(self._seg.addr(off, 8), self._bits(delta)) + delta))
        if self.itemsize == 4:
            return self._from_bits(self._bits(_atomic.add32(self._seg.addr(off, 4), self._bits(delta)) + delta))
        return self._rmw(off, lambda v: v + delta)[1]

    def _cas(self, off, old, new) -> bool:
        self._need_int("compare_and_swap")
        hit = []

        def f(v):
            if v != old:
                hit.append(False)
                return v
            return new

        self._rmw(off, f)
        return not hit

    def _swap(self, off, new):
        self._need_int("swap")
        return self._rmw(off, lambda v: new)[0]

    def get_lock(self) -> Mutex:
        """The lock that writers take (Python's get_lock()): a robust
        futex.Mutex shared with Go."""
        return self._lock

    @property
    def name(self) -> str:
        return self._seg.name

    @property
    def segment(self):
        return self._seg

    def close(self) -> None:
        self._seg.close()

    def unlink(self) -> None:
        self._seg.unlink()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Value(_Elements):
    """One shared element: Value(name) opens a value segment, Value(name,
    create=True, type="int64", initial=0) makes one.

    load() reads a consistent snapshot without a lock (a seqlock, retried
    while a writer is mid-write); store() writes under the writers' lock;
    add(), compare_and_swap() and swap() are single atomic instructions for
    integer types, linearizable with every Go and Python write."""

    KIND = "value"

    def __init__(self, name: str, create: bool = False, type: str = "int64", initial=0, format: str | None = None,
                 mode: int = 0o600, allow_other_users: bool = False):
        if create:
            fmt, size, _ = _check_type(type)
            ctl = (size + 63) & ~63
            raw = _Elements._encode(_Stub(type, size), initial)

            def init(seg):
                seg.buf[L.HEADER_SIZE : L.HEADER_SIZE + size] = raw

            seg = create_segment(name, "value", L.VALUE_KIND_VERSION, ctl + L.CONTROL_SIZE, init, mode=mode,
                                 elem_type=type if type not in _KIND else _KIND[type], elem_size=size,
                                 elem_align=min(size, 8) if type not in ("complex64",) else 4,
                                 elem_count=1, elem_fingerprint=_fingerprint(type))
        else:
            seg = open_segment(name, "value", allow_other_users=allow_other_users)
        try:
            self._setup(seg, lambda n: n == 1, format)
            self._seq = self._ctl // 4
            self._lock = Mutex(seg, self._ctl + L.VALUE_MUTEX)
        except BaseException:
            seg.close()
            raise
        self._word = self.itemsize in (1, 2, 4, 8)

    def _read(self) -> bytes:
        H, size = L.HEADER_SIZE, self.itemsize
        if size == 8:
            return struct.pack("<Q", self._q[H // 8])  # one load
        if size == 4:
            return struct.pack("<I", self._w[H // 4])
        return self._seg.buf[H : H + size].tobytes()

    def load(self):
        """A consistent snapshot of the value. Raises CorruptError if a
        writer died mid-write and nobody has repaired it, TimeoutError if a
        live writer stays mid-write for a second."""
        w = self._w
        s = w[self._seq]
        if not s & 1:
            raw = self._read()
            if w[self._seq] == s:
                return self._decode(raw)
        tries, since, last = 0, 0.0, -1
        while True:
            s = w[self._seq]
            if not s & 1:
                raw = self._read()
                if w[self._seq] == s:
                    return self._decode(raw)
            tries += 1
            if s != last:
                last, since = s, 0.0
            if tries >= 64 and s & 1:
                if tries % 64 == 0 and self._lock.writer_gone() and w[self._seq] == s:
                    raise CorruptError("shmkit: value %s torn by a writer that died mid-write" % self.name)
                if not since:
                    since = time.monotonic()
                elif time.monotonic() - since > _LOAD_BUDGET and w[self._seq] == s:
                    raise TimeoutError("shmkit: value %s: a live writer stayed mid-write for %gs" % (self.name, _LOAD_BUDGET))
                time.sleep(0)

    def _write(self, raw: bytes):
        H, size = L.HEADER_SIZE, self.itemsize
        if self._word:
            if size == 8:
                _atomic.swap64(self._seg.addr(H, 8), struct.unpack("<Q", raw)[0])
            elif size == 4:
                _atomic.swap32(self._seg.addr(H, 4), struct.unpack("<I", raw)[0])
            else:
                b = int.from_bytes(raw, "little")
                self._rmw(H, lambda _v: self._from_bits(b) if self._integer else b)
            if self._w[self._seq] & 1:
                _atomic.add32(self._seg.addr(self._ctl, 4), 1)  # a value torn earlier is whole again
            return
        if not self._w[self._seq] & 1:
            _atomic.add32(self._seg.addr(self._ctl, 4), 1)  # odd: readers retry
        self._seg.buf[H : H + size] = raw
        _atomic.add32(self._seg.addr(self._ctl, 4), 1)  # even: published

    def store(self, x, timeout: float | None = None) -> None:
        """Writes x under the writers' lock (waiting up to timeout seconds;
        TimeoutError). A lock taken from a dead writer is recovered here:
        the store repairs a value it tore."""
        raw = self._encode(x)
        if self._lock.held_by_this_thread():
            # Inside `with v.get_lock():`, as multiprocessing's idiom
            # `with v.get_lock(): v.value += 1` has it: the lock is ours.
            self._write(raw)
            return
        if not self._take(timeout):
            raise TimeoutError("shmkit: value %s: lock not acquired in %gs" % (self.name, timeout))
        try:
            self._write(raw)
        except BaseException:
            self._lock.abandon()  # cut short, maybe torn: the next locker hears of it, as of a dead writer
            raise
        self._lock.release()

    def _take(self, timeout) -> bool:
        from .errors import OwnerDeadError

        try:
            return self._lock.acquire(timeout=timeout)
        except OwnerDeadError:
            self._lock.mark_consistent()  # the value is all it guards, and store rewrites it
            return True

    def store_locked(self, x) -> None:
        """store() for the holder of get_lock(), which it does not take."""
        from .errors import NotOwnerError

        if not self._lock.held():
            raise NotOwnerError("shmkit: store_locked without holding the lock")
        self._write(self._encode(x))

    @property
    def value(self):
        """load() and store(), as multiprocessing.Value's value."""
        return self.load()

    @value.setter
    def value(self, x):
        self.store(x)

    def add(self, delta: int) -> int:
        """Adds delta atomically (wrapping as the Go type does); returns the new value."""
        return self._add(L.HEADER_SIZE, delta)

    def compare_and_swap(self, old: int, new: int) -> bool:
        return self._cas(L.HEADER_SIZE, old, new)

    def swap(self, new: int) -> int:
        return self._swap(L.HEADER_SIZE, new)

    def __repr__(self):
        return "Value(%r, type=%r)" % (self.name, self.type)


class _Stub:
    """Just enough of an _Elements to encode an initial value at create."""

    def __init__(self, type_, size):
        self._fmt, self.itemsize = _codec(type_, size, None), size


class Array(_Elements):
    """n shared elements: Array(name) opens an array segment, Array(name,
    create=True, type="float64", length=n) makes one (all zeros).

    a[i] and a[i] = x read and write elements in place; a.buf is the whole
    array as a memoryview in place (cast to the element's format for the
    numeric types), a.numpy() a numpy view without a copy. add(i, delta),
    compare_and_swap(i, old, new) and swap(i, new) are atomic for integer
    elements; get_lock() is the lock for compound updates."""

    KIND = "array"

    def __init__(self, name: str, create: bool = False, type: str = "float64", length: int = 0,
                 format: str | None = None, mode: int = 0o600, allow_other_users: bool = False):
        if create:
            fmt, size, _ = _check_type(type)
            if length < 1:
                raise ValueError("shmkit: array length %d: want at least 1" % length)
            ctl = (size * length + 63) & ~63
            seg = create_segment(name, "array", L.ARRAY_KIND_VERSION, ctl + L.CONTROL_SIZE, mode=mode,
                                 elem_type=_KIND.get(type, type), elem_size=size,
                                 elem_align=min(size, 8) if type != "complex64" else 4,
                                 elem_count=length, elem_fingerprint=_fingerprint(type))
        else:
            seg = open_segment(name, "array", allow_other_users=allow_other_users)
        try:
            self._setup(seg, lambda n: n >= 1, format)
            self._lock = Mutex(seg, self._ctl + L.ARRAY_MUTEX)
        except BaseException:
            seg.close()
            raise
        self.length = seg.header.elem_count
        raw = seg.buf[L.HEADER_SIZE : L.HEADER_SIZE + self.itemsize * self.length]
        t = TYPES.get(self.type)
        if t and t[1] == self.itemsize and len(t[0]) == 1 and self._fmt == "<" + t[0]:
            raw = raw.cast(t[0])
        seg._views.append(raw)
        self.buf = raw

    def __len__(self) -> int:
        return self.length

    def _off(self, i: int) -> int:
        if i < 0:
            i += self.length
        if not 0 <= i < self.length:
            raise IndexError("shmkit: array index out of range")
        return L.HEADER_SIZE + i * self.itemsize

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.length))]
        off = self._off(i)
        return self._decode(self._seg.buf[off : off + self.itemsize].tobytes())

    def __setitem__(self, i, x):
        if isinstance(i, slice):
            idx = range(*i.indices(self.length))
            xs = list(x)
            if len(xs) != len(idx):
                raise ValueError("shmkit: %d values for a slice of %d elements" % (len(xs), len(idx)))
            raws = [self._encode(v) for v in xs]  # all checked before any is written
            for j, raw in zip(idx, raws):
                off = L.HEADER_SIZE + j * self.itemsize
                self._seg.buf[off : off + self.itemsize] = raw
            return
        off = self._off(i)
        self._seg.buf[off : off + self.itemsize] = self._encode(x)

    def __iter__(self):
        for i in range(self.length):
            yield self[i]

    def add(self, i: int, delta: int) -> int:
        return self._add(self._off(i), delta)

    def compare_and_swap(self, i: int, old: int, new: int) -> bool:
        return self._cas(self._off(i), old, new)

    def swap(self, i: int, new: int) -> int:
        return self._swap(self._off(i), new)

    def numpy(self):
        """The array as a numpy array over the shared bytes (no copy).
        Needs numpy, which the package never requires."""
        import numpy as np  # optional

        t = TYPES.get(self.type)
        if t is None or self._fmt is None:
            dtype = np.dtype((np.void, self.itemsize))
        else:
            dtype = np.dtype({"f": "<f4", "d": "<f8", "ff": "<c8", "dd": "<c16", "?": "?"}.get(t[0], "<" + t[0]))
        return np.frombuffer(self._seg.buf, dtype=dtype, count=self.length, offset=L.HEADER_SIZE)

    def __repr__(self):
        return "Array(%r, type=%r, length=%d)" % (self.name, self.type, self.length)

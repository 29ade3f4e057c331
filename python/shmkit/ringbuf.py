"""Message rings and byte streams (Go's package ringbuf), from Python.

One producer and one consumer, each in any process, Go or Python. The
protocol is docs/FORMAT.md's "Message ring": records commit by their
header, the consumer never reads the producer's position to learn that a
record is there, and a side that must wait spins, then parks on the futex
in its flags, woken by the other side exactly as a Go peer wakes it.
"""

from __future__ import annotations

import io
import time
import weakref

from . import _atomic, _live, _sys
from . import layout as L
from ._wait import ADAPTIVE, ADAPTIVE_SPIN, BLOCK, RECHECK_MAX, RECHECK_MIN, SPIN, Deadline, check_wait
from .errors import BusyError, CorruptError, InvalidSizeError, MessageTooLargeError, PeerDeadError
from .segment import create_segment, open_segment

__all__ = ["Ring", "Producer", "Consumer", "Stream", "StreamReader", "StreamWriter"]

_D = L.RING["the records"][0]
_PROD, _CONS = L.RING["producer line"][0], L.RING["consumer line"][0]
_PFLAGS, _CFLAGS = L.RING["producer flags"][0], L.RING["consumer flags"][0]
_MSG = L.REC_MESSAGE << 32
_U32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1
# Positions count bytes since creation: 2^62 of them is 146 years at
# 1 GB/s. One past it was written by a hostile peer, and rejected before
# arithmetic on it could leave 64 bits.
_MAX_POS = 1 << 62
_COUNT_EVERY = L.COUNT_EVERY
_LOOKS = 512  # loads of the next header a reader makes before it waits in earnest (about 15 µs)


_roles = weakref.WeakSet()  # every open role, so that a forked child can disown them


def _disown():
    # In a forked child: the parent still holds these roles, so the child's
    # copies must never write; every call raises instead.
    for side in list(_roles):
        side._maxmsg, side._token, side._inherited = -1, 0, True


_live.at_fork_child(_disown)


def _max_message_for(capacity: int) -> int:
    return min(capacity // 4 - L.REC_HEADER, 2**31 - 1 - 8 + 1)


class Ring:
    """A message ring: Ring(name) opens one, Ring(name, create=True,
    capacity=N) makes one (capacity a power of two, at least 4096 bytes).

    Take a role with producer() or consumer(); each is held by at most one
    process at a time, Go or Python, and is released by its close() or by
    its process's death.
    """

    KIND = "ring"

    def __init__(self, name: str, create: bool = False, capacity: int = 0, max_message: int = 0,
                 mode: int = 0o600, allow_other_users: bool = False):
        if create:
            if capacity < L.RING_MIN_CAPACITY or capacity > L.RING_MAX_CAPACITY or capacity & (capacity - 1):
                raise InvalidSizeError(
                    "shmkit: capacity %d must be a power of two in [%d, %d]"
                    % (capacity, L.RING_MIN_CAPACITY, L.RING_MAX_CAPACITY)
                )
            limit = _max_message_for(capacity)
            if self.KIND == "stream" or max_message == 0:
                max_message = limit
            if max_message < 0 or max_message > limit:
                raise InvalidSizeError("shmkit: max message %d must be in [1, %d] for capacity %d" % (max_message, limit, capacity))

            def init(seg):
                q = seg.words("Q")
                q[L.HEADER_SIZE // 8] = L.RING_MAGIC | L.RING_VERSION << 32
                q[L.HEADER_SIZE // 8 + 1] = capacity
                q[L.HEADER_SIZE // 8 + 2] = max_message

            self._seg = create_segment(name, self.KIND, L.RING_KIND_VERSION, _D + capacity, init, mode=mode)
        else:
            self._seg = open_segment(name, self.KIND, L.RING_KIND_VERSION, allow_other_users=allow_other_users)
        try:
            self._attach()
        except BaseException:
            self._seg.close()
            raise

    def _attach(self):
        seg = self._seg
        p = seg.header.payload_size
        if p < _D + L.RING_MIN_CAPACITY:
            raise CorruptError("shmkit: corrupt ring %s: payload of %d bytes" % (seg.name, p))
        q = seg.words("Q")
        g = L.HEADER_SIZE // 8
        magic, version = q[g] & _U32, q[g] >> 32
        cap, maxmsg = q[g + 1], q[g + 2]  # read once: never again from shared memory
        if magic != L.RING_MAGIC or version != L.RING_VERSION:
            raise CorruptError("shmkit: corrupt ring %s: geometry magic %#x version %d" % (seg.name, magic, version))
        if cap < L.RING_MIN_CAPACITY or cap > L.RING_MAX_CAPACITY or cap & (cap - 1):
            raise CorruptError("shmkit: corrupt ring %s: capacity %d" % (seg.name, cap))
        if p != _D + cap:
            raise CorruptError("shmkit: corrupt ring %s: payload %d bytes for capacity %d" % (seg.name, p, cap))
        if maxmsg == 0 or maxmsg > _max_message_for(cap):
            raise CorruptError("shmkit: corrupt ring %s: max message %d for capacity %d" % (seg.name, maxmsg, cap))
        self.capacity, self.max_message = cap, maxmsg
        self._q, self._w = q, seg.words("I")
        self._sides = weakref.WeakSet()  # the roles taken through this handle, closed with it

    @property
    def name(self) -> str:
        return self._seg.name

    @property
    def segment(self):
        return self._seg

    def producer(self, wait: str = ADAPTIVE) -> "Producer":
        """Takes the producer's role. Raises BusyError if a live process
        holds it; takes it over from a dead one."""
        return Producer(self, check_wait(wait))

    def consumer(self, wait: str = ADAPTIVE) -> "Consumer":
        """Takes the consumer's role, as producer() does."""
        return Consumer(self, check_wait(wait))

    def stats(self) -> dict:
        """The counters both sides keep in the segment (published every 64 messages)."""
        q = self._q
        out = {}
        for side, off in (("produced", _PROD), ("consumed", _CONS)):
            b = (L.HEADER_SIZE + off) // 8
            out[side] = {"messages": q[b + 2], "bytes": q[b + 3], "waits": q[b + 4], "wakeups": q[b + 5]}
            out[side]["position"] = q[b]
        return out

    def close(self) -> None:
        """Closes the roles this handle took that are still open (a
        producer's close tells its consumer), then unmaps the ring."""
        for side in list(self._sides):
            try:
                side.close()
            except (ValueError, OSError):
                pass
        self._seg.close()

    def unlink(self) -> None:
        """Removes the ring's name; processes that have it open keep it."""
        self._seg.unlink()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "%s(%r, capacity=%d, max_message=%d)" % (type(self).__name__, self.name, self.capacity, self.max_message)


class _Side:
    """What a producer and a consumer share: the role, waits and wake-ups."""

    def __init__(self, ring: Ring, wait: str, me: int, other: int, myflags: int, otherflags: int, role: str):
        self._ring = ring
        seg = ring._seg
        self._seg = seg
        self._q, self._w = ring._q, ring._w
        self._cap, self._mask, self._maxmsg = ring.capacity, ring.capacity - 1, ring.max_message
        H = L.HEADER_SIZE
        self._me, self._other = (H + me) // 8, (H + other) // 8  # word indices of the lines
        self._myflags, self._otherflags = (H + myflags) // 4, (H + otherflags) // 4
        self._wakes_addr = seg.addr(H + myflags + L.FLAG_WAKES, 4)
        self._other_parked_addr = seg.addr(H + otherflags + L.FLAG_PARKED, 4)
        self._other_wakes_addr = seg.addr(H + otherflags + L.FLAG_WAKES, 4)
        self._my_parked_addr = seg.addr(H + myflags + L.FLAG_PARKED, 4)
        self._owner_addr = seg.addr(H + me + L.SIDE_OWNER, 8)
        self._wait = wait
        self._mm = seg._mm  # slicing the mmap itself copies once, where a memoryview slice copies twice
        self._base = H + _D  # the records' offset in the mapping
        self._msgs = self._bytes = self._wakeups = 0
        self._token = self._prev = 0
        self._inherited = False
        self._role = role
        self._can_relax = _sys.can_relax()
        self._relaxed = None
        self._claim()
        self.set_wait(wait)
        _roles.add(self)
        ring._sides.add(self)

    def set_wait(self, wait: str) -> None:
        """Chooses how to wait: "adaptive" (spin briefly, then park),
        "spin" (a whole core, the lowest latency) or "block" (park at once)."""
        self._wait = check_wait(wait)
        self._w[self._myflags + L.FLAG_FENCE // 4] = 1 if wait == BLOCK else 0
        self._publish_mode()

    def _publish_mode(self):
        # Plain stores if this process can be fenced by a peer's membarrier
        # and the peer does not ask for fences (its fence word), as Go's
        # spin.Publisher; the relaxed word says which, so a parking peer
        # knows whether to run the barrier.
        want = self._can_relax and self._w[self._otherflags + L.FLAG_FENCE // 4] == 0
        if want != self._relaxed:
            self._relaxed = want
            _atomic.swap32(self._seg.addr(self._myflags * 4 + L.FLAG_RELAXED, 4), 1 if want else 0)

    def _claim(self):
        me = _live.self_token()
        q, o = self._q, self._me + L.SIDE_OWNER // 8
        while True:
            t = q[o]
            if t == me:
                raise BusyError("shmkit: %s: this process already holds the %s (one per ring; close it first)" % (self._seg.name, self._role))
            if t and _live.alive(t):
                raise BusyError("shmkit: %s: the %s role is taken by a live process (pid %d)" % (self._seg.name, self._role, _live.pid(t)))
            if _atomic.cas64(self._owner_addr, t, me) == t:
                self._token, self._prev = me, t
                return

    def _give_up(self, failed: bool = False):
        # A take-over that failed gives the role back to the dead owner it
        # replaced (as Go's unclaim): the other side must still see its
        # peer dead, not a role never taken that it would wait on forever.
        if self._token:
            _atomic.cas64(self._owner_addr, self._token, self._prev if failed else 0)
            self._token = 0
        self._maxmsg = -1  # the fast paths refuse from now on: the slow ones say why

    def _closed_error(self):
        if self._inherited:
            return ValueError("shmkit: %s: this %s was taken by the parent process; a forked child takes its own" % (self._seg.name, self._role))
        return ValueError("shmkit: %s: %s is closed" % (self._seg.name, self._role))

    def _publish_counters(self):
        if self._msgs or self._wakeups:
            q, b = self._q, self._me
            q[b + 2] = (q[b + 2] + self._msgs) & _M64  # only the owner writes its counters
            q[b + 3] = (q[b + 3] + self._bytes) & _M64
            q[b + 5] = (q[b + 5] + self._wakeups) & _M64
            self._msgs = self._bytes = self._wakeups = 0

    def _wake_other(self):
        # Clear the peer's parked flag (one wake-up, not one per message),
        # bump its futex word, then wake it.
        if _atomic.cas32(self._other_parked_addr, 1, 0) == 1:
            _atomic.add32(self._other_wakes_addr, 1)
            _sys.futex_wake(self._other_wakes_addr, 1)
            self._wakeups += 1

    def _dead_peer(self) -> int:
        t = self._q[self._other + L.SIDE_OWNER // 8]
        if t == 0 or _live.alive(t):
            return 0
        return t

    def _peer_died(self, t: int) -> bool:
        addr = self._seg.addr(self._other * 8 + L.SIDE_OWNER, 8)
        return _atomic.cas64(addr, t, 0) == t

    def _wait_for(self, ready, deadline: Deadline, want: int = 0) -> None:
        """Waits until ready() is true. Raises TimeoutError at the
        deadline, PeerDeadError if the peer's process died."""
        w = self._wait
        if w != BLOCK:
            start = time.monotonic()
            i = 0
            while True:
                if ready():
                    return
                i += 1
                if i & 63:
                    continue
                deadline.left()
                if w == ADAPTIVE:
                    if time.monotonic() - start > ADAPTIVE_SPIN:
                        break
                elif i & 4095 == 0:
                    t = self._dead_peer()
                    if t and not ready() and self._peer_died(t):
                        raise PeerDeadError("shmkit: %s: the other side's process died" % self._seg.name)
        self._publish_counters()
        q, w32 = self._q, self._w
        q[(self._myflags * 4 + L.FLAG_WANT) // 8] = want
        q[self._me + 4] = (q[self._me + 4] + 1) & _M64  # waits
        wakes = self._myflags + L.FLAG_WAKES // 4
        recheck = RECHECK_MIN
        while True:
            seq = w32[wakes]
            _atomic.swap32(self._my_parked_addr, 1)  # sequentially consistent: then look again
            wait = recheck
            if w32[self._otherflags + L.FLAG_RELAXED // 4] == 1 and not _sys.global_barrier():
                wait = RECHECK_MIN  # a wake-up may be missed: look again soon
            if ready():
                w32[self._myflags] = 0
                return
            left = deadline.at and deadline.at - time.monotonic()
            if left is not None and left <= 0:
                w32[self._myflags] = 0
                raise TimeoutError("shmkit: %s: timed out" % self._seg.name)
            woke = _sys.futex_wait(self._wakes_addr, seq, wait if left is None else min(wait, left))
            w32[self._myflags] = 0
            if not woke:
                self._seg.check()
            if ready():
                return
            if not woke:
                t = self._dead_peer()
                if t and self._peer_died(t):
                    raise PeerDeadError("shmkit: %s: the other side's process died" % self._seg.name)
                recheck = min(2 * recheck, RECHECK_MAX)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Producer(_Side):
    """The writing side of a ring: write(msg) copies one message in."""

    def __init__(self, ring: Ring, wait: str = ADAPTIVE):
        _Side.__init__(self, ring, wait, _PROD, _CONS, _PFLAGS, _CFLAGS, "producer")
        try:
            self._find_end()
        except BaseException:
            self._give_up(failed=True)
            raise
        self._w[self._myflags + L.FLAG_CLOSED // 4] = 0
        self._wake_other()  # a dead producer may have died owing the consumer a wake-up

    def _find_end(self):
        # Walk past what a dead predecessor committed but did not publish.
        q, cap = self._q, self._cap
        start = q[self._me]
        if start % 8 or start >= _MAX_POS:
            raise CorruptError("shmkit: corrupt ring %s: producer position %d is not 8-byte aligned" % (self._seg.name, start))
        pos = start
        while True:
            idx = pos & self._mask
            h = q[(_D + L.HEADER_SIZE + idx) // 8]
            kind, n = h >> 32, h & _U32
            if h == 0:  # the end: kind none is the whole word zeroed
                break
            if kind == L.REC_PADDING and n == cap - idx:
                size = n
            elif kind == L.REC_MESSAGE and n <= self._maxmsg and idx + ((8 + n + 7) & ~7) <= cap:
                size = (8 + n + 7) & ~7
            else:
                raise CorruptError("shmkit: corrupt ring %s: record kind %d length %d at %d" % (self._seg.name, kind, n, idx))
            pos += size
            if pos - start > cap:
                raise CorruptError("shmkit: corrupt ring %s: committed records run past a lap" % self._seg.name)
        if pos != start:
            q[self._me] = pos
        self._pos = pos
        self._cons = q[self._other]
        self._check_cons(self._cons)

    def _check_cons(self, c):
        if c > self._pos or self._pos - c > self._cap - 8 or c % 8:
            raise CorruptError(
                "shmkit: corrupt ring %s: consumer at %d, producer at %d, capacity %d" % (self._seg.name, c, self._pos, self._cap)
            )

    def write(self, msg, timeout: float | None = None) -> None:
        """Writes one message (bytes-like), waiting for room up to timeout
        seconds (None: as long as it takes). Raises TimeoutError, or
        PeerDeadError if the consumer died while it waited."""
        if type(msg) is not bytes:
            msg = memoryview(msg).cast("B")  # an array or a numpy array: its bytes, not its items
        n = len(msg)
        pos = self._pos
        size = (15 + n) & ~7
        idx = pos & self._mask
        if n <= self._maxmsg and idx + size <= self._cap and pos + size + 8 - self._cons <= self._cap:
            # The common case, in one go: no padding, room by the cached position.
            q = self._q
            start = self._base + idx
            end = pos + size
            try:
                self._mm[start + 8 : start + 8 + n] = msg
                q[(self._base + (end & self._mask)) >> 3] = 0  # the header after the run
                q[start >> 3] = n | _MSG  # the commit
                q[self._me] = end  # then the position, for flow control
                self._pos = end
            except BaseException:  # a bad msg, or a KeyboardInterrupt between two stores
                self._interrupted(start, end)
                raise
            self._msgs += 1
            self._bytes += n
            if not self._relaxed:
                _atomic.fence()
            if self._w[self._otherflags] == 1:
                self._wake_other()
            if self._msgs >= _COUNT_EVERY:
                self._publish_counters()
                self._publish_mode()
            return
        self._write_slow(msg, n, Deadline(timeout))

    def _interrupted(self, start, end):
        # An exception inside a commit: if the run's first header was
        # stored, the run is committed, so move past it (the next write
        # must not overwrite what the consumer may read); if not, nothing
        # was, and the next write starts where this one did.
        if self._q[start >> 3]:
            self._pos = end
            self._q[self._me] = end

    def try_write(self, msg) -> bool:
        """Writes one message if there is room now; reports whether it did."""
        try:
            self.write(msg, timeout=0)
        except TimeoutError:
            return False
        return True

    def _room(self, need: int) -> bool:
        if self._pos + need - self._cons <= self._cap:
            return True
        c = self._q[self._other]
        self._check_cons(c)
        self._cons = c
        return self._pos + need - c <= self._cap

    def _write_slow(self, msg, n, deadline):
        if self._token == 0:
            raise self._closed_error()
        if n > self._maxmsg:
            raise MessageTooLargeError("shmkit: message too large: %d bytes, limit %d" % (n, self._maxmsg))
        size = (15 + n) & ~7
        while True:
            pos = self._pos
            idx = pos & self._mask
            pad = self._cap - idx if idx + size > self._cap else 0
            if self._room(pad + size + 8):
                break
            need = pos + pad + size + 8
            want = max(need, pos + self._cap // 2) - self._cap
            other = self._other
            self._wait_for(lambda: self._q[other] >= want, deadline, want)
        q = self._q
        base = L.HEADER_SIZE + _D
        rec = pos + pad
        ridx = rec & self._mask
        end = rec + size
        try:
            self._seg.buf[base + ridx + 8 : base + ridx + 8 + n] = msg
            q[(base + (end & self._mask)) >> 3] = 0
            if pad:
                q[(base + ridx) >> 3] = n | _MSG  # the record after the padding, then the padding: the commit
                q[(base + idx) >> 3] = pad | L.REC_PADDING << 32
            else:
                q[(base + idx) >> 3] = n | _MSG
            q[self._me] = end
            self._pos = end
        except BaseException:
            self._interrupted(base + idx, end)
            raise
        self._msgs += 1
        self._bytes += n
        if not self._relaxed:
            _atomic.fence()
        if self._w[self._otherflags] == 1:
            self._wake_other()
        if self._msgs >= L.COUNT_EVERY:
            self._publish_counters()

    def close(self) -> None:
        """Gives up the role and tells the consumer: once it has read
        everything, its read() returns None."""
        if self._token == 0:
            return
        self._seg.check()
        self._w[self._myflags + L.FLAG_CLOSED // 4] = 1
        _atomic.fence()
        self._give_up()
        self._wake_other()
        self._publish_counters()


class Consumer(_Side):
    """The reading side of a ring: read() returns the next message."""

    def __init__(self, ring: Ring, wait: str = ADAPTIVE):
        _Side.__init__(self, ring, wait, _CONS, _PROD, _CFLAGS, _PFLAGS, "consumer")
        pos = self._q[self._me]
        if pos % 8 or pos >= _MAX_POS:
            self._give_up(failed=True)
            raise CorruptError("shmkit: corrupt ring %s: consumer position %d" % (self._seg.name, pos))
        self._pos = self._next = pos
        self._view = None

    def _release(self):
        # Publish our position past what was handed out: the producer may
        # reuse those bytes from now on.
        nxt = self._next
        self._q[self._me] = nxt
        self._pos = nxt
        if not self._relaxed:
            _atomic.fence()
        w = self._w
        if w[self._otherflags] == 1 and nxt >= self._q[(self._otherflags * 4 + L.FLAG_WANT) >> 3]:
            self._wake_other()

    def read(self, timeout: float | None = None, copy: bool = True):
        """Returns the next message, waiting up to timeout seconds (None:
        as long as it takes), or None once the producer has closed and
        every message was read.

        With copy=False it returns a read-only memoryview of the message in
        place, valid until the next read or close (release it before
        closing the ring). Raises TimeoutError, PeerDeadError if the
        producer died while it waited, or CorruptError on bytes that break
        the format."""
        if self._next != self._pos:
            self._release()
        # The common case, inline (a call costs as much as the rest): as _take.
        nxt = self._next
        idx = nxt & self._mask
        h = self._q[(self._base + idx) >> 3]
        n = h & _U32
        size = (15 + n) & ~7
        if h >> 32 == 1 and n <= self._maxmsg and idx + size <= self._cap and nxt + size - self._pos <= self._cap:
            start = self._base + idx + 8
            # The copy first: an exception before the return leaves the message unread.
            m = self._mm[start : start + n] if copy else self._seg.buf[start : start + n].toreadonly()
            self._next = nxt + size
            self._msgs += 1
            self._bytes += n
            if self._msgs >= _COUNT_EVERY:
                self._publish_counters()
                self._publish_mode()
            return m  # an mmap's slice is bytes: one copy
        if self._wait != BLOCK and timeout != 0:
            # A short look at the header before the general path, which
            # costs microseconds in Python: a ping-pong's reply is usually
            # this close.
            q, hi = self._q, (L.HEADER_SIZE + _D + (self._next & self._mask)) >> 3
            for _ in range(_LOOKS):
                if q[hi]:
                    m = self._take(copy)
                    if m is not None:
                        return m
                    break
        return self._read_slow(Deadline(timeout), copy)

    def _take(self, copy):
        """The common case in one go: the next record is a valid message,
        committed. None if it is anything else (the general path decides)."""
        nxt = self._next
        idx = nxt & self._mask
        h = self._q[(self._base + idx) >> 3]
        n = h & _U32
        size = (15 + n) & ~7
        if h >> 32 == 1 and n <= self._maxmsg and idx + size <= self._cap and nxt + size - self._pos <= self._cap:
            start = self._base + idx + 8
            # The copy first: an exception before the return leaves the message unread.
            m = self._mm[start : start + n] if copy else self._seg.buf[start : start + n].toreadonly()
            self._next = nxt + size
            self._msgs += 1
            self._bytes += n
            if self._msgs >= _COUNT_EVERY:
                self._publish_counters()
                self._publish_mode()
            return m  # an mmap's slice is bytes: one copy
        return None

    def _peek(self):
        """The next message's (start, length), None if nothing is committed."""
        q, cap = self._q, self._cap
        while True:
            nxt = self._next
            idx = nxt & self._mask
            h = q[(L.HEADER_SIZE + _D + idx) >> 3]
            kind, n = h >> 32, h & _U32
            if h == 0:  # nothing committed: the whole word is zero (a length beside kind 0 is corrupt)
                return None
            if kind == L.REC_PADDING and n == cap - idx:
                size = n
            elif kind == L.REC_MESSAGE and n <= self._maxmsg and idx + ((15 + n) & ~7) <= cap:
                size = (15 + n) & ~7
            elif self._token == 0:
                raise self._closed_error()  # closed by another thread meanwhile (its _maxmsg is -1)
            else:
                raise CorruptError("shmkit: corrupt ring %s: record kind %d length %d at %d" % (self._seg.name, kind, n, idx))
            if nxt + size - self._pos > cap:
                raise CorruptError("shmkit: corrupt ring %s: record of %d bytes at %d runs past a lap" % (self._seg.name, size, idx))
            self._next = nxt + size
            if kind == L.REC_MESSAGE:
                return L.HEADER_SIZE + _D + idx + 8, n
            self._release()  # padding: skip it

    def _committed(self) -> bool:
        return self._q[(L.HEADER_SIZE + _D + (self._next & self._mask)) >> 3] != 0  # anything else is for _peek

    def _behind(self) -> bool:
        # The producer's position is past ours, yet nothing is committed
        # here: a rewritten length made us read a header out of a payload,
        # and we would wait for a commit that already happened. The
        # position first: the producer stores it after the header (as Go's
        # Consumer.behind).
        p = self._q[self._other]
        return 0 <= p - self._next - 1 < self._cap and self._q[(L.HEADER_SIZE + _D + (self._next & self._mask)) >> 3] == 0

    def _closed(self) -> bool:
        return self._w[self._otherflags + L.FLAG_CLOSED // 4] == 1

    def _read_slow(self, deadline, copy):
        if self._token == 0:
            raise self._closed_error()
        while True:
            got = self._peek()
            if got is not None:
                start, n = got
                self._msgs += 1
                self._bytes += n
                if self._msgs >= L.COUNT_EVERY:
                    self._publish_counters()
                v = self._seg.buf[start : start + n]
                return v.tobytes() if copy else v.toreadonly()
            self._publish_counters()
            if self._next != self._pos:
                self._release()
            if self._closed() and self._q[self._other] == self._next:
                return None
            if self._behind():
                raise CorruptError("shmkit: corrupt ring %s: nothing committed at %d, behind the producer's position %d" % (self._seg.name, self._next, self._q[self._other]))
            # Closed counts only with the producer's position at ours (as
            # Go's waitData): a stray position must not make the wait
            # return at once, forever.
            other = self._other
            self._wait_for(lambda: self._committed() or self._closed() and self._q[other] == self._next, deadline)

    def __iter__(self):
        """Yields each message (bytes) until the producer closes; the
        consumer then closes too (its role is free for the next one)."""
        while True:
            m = self.read()
            if m is None:
                self.close()
                return
            yield m

    def close(self) -> None:
        """Releases what was read and gives up the role."""
        if self._token == 0:
            return
        self._seg.check()
        if self._next != self._pos:
            self._release()
        self._publish_counters()
        self._give_up()


class Stream(Ring):
    """A byte stream (Go's ringbuf.Stream; Python's Pipe, one way): a ring
    whose messages are read as one sequence of bytes. writer() and
    reader() give binary file objects."""

    KIND = "stream"

    def __init__(self, name: str, create: bool = False, capacity: int = 0, mode: int = 0o600,
                 allow_other_users: bool = False):
        Ring.__init__(self, name, create, capacity, 0, mode, allow_other_users)

    def writer(self, wait: str = ADAPTIVE) -> "StreamWriter":
        return StreamWriter(Producer(self, check_wait(wait)))

    def reader(self, wait: str = ADAPTIVE) -> "StreamReader":
        return StreamReader(Consumer(self, check_wait(wait)))


class StreamWriter(io.RawIOBase):
    """The writing end of a stream, a binary file: write() returns once
    every byte is in the ring; close() gives the reader its end of file."""

    def __init__(self, producer: Producer):
        io.RawIOBase.__init__(self)
        self._p = producer
        self.timeout = None  # seconds a write may wait for room; None: no limit

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        if self.closed:
            raise ValueError("write to a closed stream")
        mv = memoryview(b).cast("B")
        n, chunk = len(mv), self._p._ring.max_message
        for off in range(0, n, chunk):
            try:
                self._p.write(mv[off : off + chunk], self.timeout)
            except TimeoutError:
                if off == 0:
                    raise
                return off  # what is in the ring is written: a buffered writer must not write it again
        return n

    def close(self) -> None:
        if not self.closed:
            self._p.close()
        io.RawIOBase.close(self)


class StreamReader(io.RawIOBase):
    """The reading end of a stream, a binary file: read(n) returns up to n
    bytes as soon as some are there, and b"" at the end of the stream."""

    def __init__(self, consumer: Consumer):
        io.RawIOBase.__init__(self)
        self._c = consumer
        self._left = None  # the unread rest of the current message, in place
        self.timeout = None  # seconds a read may wait; None: no limit

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.closed:
            raise ValueError("read from a closed stream")
        out = memoryview(b).cast("B")
        if len(out) == 0:
            return 0
        while not self._left:
            if self._left is not None:
                self._left.release()
                self._left = None  # released: a read that raises next must not leave it here
            m = self._c.read(self.timeout, copy=False)
            if m is None:
                self._left = None
                return 0
            self._left = m
        n = min(len(out), len(self._left))
        out[:n] = self._left[:n]
        rest = self._left[n:]
        self._left.release()
        self._left = rest
        return n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        buf = bytearray(size)
        n = self.readinto(buf)
        del buf[n:]
        return bytes(buf)

    def close(self) -> None:
        if not self.closed:
            if self._left is not None:
                self._left.release()
                self._left = None
            self._c.close()
        io.RawIOBase.close(self)

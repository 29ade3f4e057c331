"""The MPMC queue (Go's package queue), from Python: many producers and
many consumers in any processes, Go or Python, each message delivered
exactly once. The protocol is docs/FORMAT.md's "Queue".

It behaves as the standard library's queue.Queue does: put and get with
block and timeout, raising queue.Full and queue.Empty; task_done and
join. It adds an end: get() returns None once every producer that ever
attached has closed (or died) and every message was taken.
"""

from __future__ import annotations

import queue as _stdqueue
import threading
import time
import weakref

from . import _atomic, _live, _sys
from . import layout as L
from ._wait import ADAPTIVE, ADAPTIVE_SPIN, BLOCK, RECHECK_MAX, RECHECK_MIN, Deadline, check_wait
from .errors import BusyError, CorruptError, IncompatibleError, InvalidSizeError, MessageTooLargeError
from .segment import create_segment, open_segment, unlink

# For tests, as Go's queue counts them: parks that timed out although what
# they waited for was there (a lost wake-up, or one that came too late).
_late_wakeups = 0

__all__ = ["Queue"]

_H = L.HEADER_SIZE
_Q = L.QUEUE
_TAIL, _HEAD = _H + _Q["tail"][0], _H + _Q["head"][0]
_PWAIT, _CWAIT = _H + _Q["producers' wait"][0], _H + _Q["consumers' wait"][0]
_PCTR, _CCTR = _H + _Q["producers' counters"][0], _H + _Q["consumers' counters"][0]
_REC = _H + _Q["recovery and task counters"][0]
_PTAB, _CTAB = _H + _Q["producer table"][0], _H + _Q["consumer table"][0]
_SLOTS = _H + _Q["the slots"][0]
_SKIP = L.QUEUE_SKIP
_RECLAIM = L.QUEUE_RECLAIM
_MAX_SPINS = 1 << 20
_MAX_POS = 1 << 62  # positions past it are a hostile peer's: see ringbuf


_handles = weakref.WeakSet()

# _roster_joins holds, by queue name, what lets one thread of this
# process at a time join that queue's producers (_producer).
_roster_joins = {}
_roster_joins_mu = threading.Lock()


def _join_lock(name: str):
    with _roster_joins_mu:
        return _roster_joins.setdefault(name, threading.Lock())


def _disown():
    # In a forked child: the entries are the parent's (its token, its
    # claims). The child's handles attach entries of their own when used.
    # Locks another thread held at the fork are new ones here.
    global _roster_joins, _roster_joins_mu
    for h in list(_handles):
        h._prod = h._cons = None
        h._put_lock, h._get_lock = threading.Lock(), threading.Lock()
    _roster_joins, _roster_joins_mu = {}, threading.Lock()


_live.at_fork_child(_disown)


def _stride(max_message: int) -> int:
    return (L.QUEUE_SLOT_HEADER + max_message + L.QUEUE_SLOT_ALIGN - 1) & ~(L.QUEUE_SLOT_ALIGN - 1)


class _Entry:
    """This handle's entry in the producer or consumer table."""

    __slots__ = ("idx", "token_addr", "claim_off", "wait", "ctr", "msgs", "bytes", "wakeups", "stuck_pos", "stuck_since", "stuck_every")

    def __init__(self, idx, table, wait, ctr):
        self.idx, self.wait, self.ctr = idx, wait, ctr
        self.token_addr = table + idx * L.QUEUE_PEER_SIZE
        self.claim_off = (self.token_addr + L.QUEUE_PEER_CLAIM) // 8
        self.msgs = self.bytes = self.wakeups = 0
        self.stuck_pos, self.stuck_since, self.stuck_every = -1, 0.0, RECHECK_MIN

    def due(self, pos) -> bool:
        """Whether the position waited at has not moved for a while: time
        to look for a dead claimer (2 ms, then doubling to 50 ms)."""
        if pos != self.stuck_pos:
            self.stuck_pos, self.stuck_since = pos, 0.0
            return False
        now = time.monotonic()
        if not self.stuck_since:
            self.stuck_since, self.stuck_every = now, RECHECK_MIN
            return False
        if now - self.stuck_since < self.stuck_every:
            return False
        self.stuck_since, self.stuck_every = now, min(2 * self.stuck_every, RECHECK_MAX)
        return True


class Queue:
    """A queue of byte messages: Queue(name) opens one, Queue(name,
    create=True, slots=N, max_message=M) makes one (N a power of two).

    The first put() attaches this handle as a producer, the first get() as
    a consumer; close() detaches both. A process holds up to 128 entries
    of each side across all its handles (the table's size)."""

    def __init__(self, name: str, create: bool = False, slots: int = 0, max_message: int = 0,
                 mode: int = 0o600, allow_other_users: bool = False, wait: str = ADAPTIVE):
        if create:
            if slots < 2 or slots & (slots - 1):
                raise InvalidSizeError("shmkit: %d slots: want a power of two, at least 2" % slots)
            if max_message < 1 or max_message > 1 << 40:
                raise InvalidSizeError("shmkit: max message %d" % max_message)
            stride = _stride(max_message)
            if slots > (1 << 40) // stride:
                raise InvalidSizeError("shmkit: %d slots of %d bytes exceed 1 TiB" % (slots, stride))

            def init(seg):
                q = seg.words("Q")
                g = _H // 8
                q[g] = L.QUEUE_MAGIC | L.QUEUE_KIND_VERSION << 32
                q[g + 1], q[g + 2], q[g + 3] = slots, max_message, stride
                for i in range(slots):
                    q[(_SLOTS + i * stride) // 8] = i

            self._seg = create_segment(name, "queue", L.QUEUE_KIND_VERSION, _Q["the slots"][0] + slots * stride, init, mode=mode)
        else:
            self._seg = open_segment(name, "queue", allow_other_users=allow_other_users)
        try:
            self._attach_geometry()
        except BaseException:
            self._seg.close()
            raise
        self._wait = check_wait(wait)
        self._name = name
        self._prod = self._cons = None
        self._put_lock, self._get_lock = threading.Lock(), threading.Lock()
        self._closing = False
        _handles.add(self)

    def _attach_geometry(self):
        seg = self._seg
        q = seg.words("Q")
        g = _H // 8
        magic, version = q[g] & 0xFFFFFFFF, q[g] >> 32
        slots, maxmsg, stride = q[g + 1], q[g + 2], q[g + 3]  # read once
        name = seg.name
        if magic != L.QUEUE_MAGIC:
            raise CorruptError("shmkit: corrupt queue %s: geometry magic %#x" % (name, magic))
        if version != L.QUEUE_KIND_VERSION:
            raise IncompatibleError("shmkit: queue %s: layout version %d, this package reads %d" % (name, version, L.QUEUE_KIND_VERSION))
        if maxmsg < 1 or maxmsg > 1 << 40 or stride != _stride(maxmsg):
            raise CorruptError("shmkit: corrupt queue %s: max message %d, slot stride %d" % (name, maxmsg, stride))
        if slots < 2 or slots & (slots - 1) or slots > (1 << 40) // stride:
            raise CorruptError("shmkit: corrupt queue %s: %d slots" % (name, slots))
        if seg.header.payload_size != _Q["the slots"][0] + slots * stride:
            raise CorruptError("shmkit: corrupt queue %s: payload %d bytes for %d slots of %d" % (name, seg.header.payload_size, slots, stride))
        self.slots, self.max_message, self._stride = slots, maxmsg, stride
        self._mask = slots - 1
        self._q, self._w = q, seg.words("I")

    # Words and addresses.

    def _seq_off(self, pos):
        return _SLOTS + (pos & self._mask) * self._stride

    def _any_parked(self, line):
        q = self._q
        return q[(line + 8) >> 3] | q[(line + 16) >> 3]

    def _wake_one(self, line, e=None):
        if not self._any_parked(line):
            return
        v = self._w[line >> 2]
        if v & 1 or _atomic.cas32(self._seg.addr(line, 4), v, v + 1) != v:
            return  # a peer woken before is on its way
        _sys.futex_wake(self._seg.addr(line, 4), 1)
        if e is not None:
            e.wakeups += 1

    def _clear_woken(self, line) -> bool:
        v = self._w[line >> 2]
        return bool(v & 1) and _atomic.cas32(self._seg.addr(line, 4), v, v + 1) == v

    def _rouse(self, line):
        _atomic.add32(self._seg.addr(line, 4), 2)
        _sys.futex_wake(self._seg.addr(line, 4), _sys.WAKE_ALL)

    # Joining a side's table.

    def _join(self, producers: bool) -> _Entry:
        me = _live.self_token()
        table = _PTAB if producers else _CTAB
        q = self._q
        for rnd in range(101):
            undecided = False
            for i in range(L.QUEUE_MAX_PEERS):
                off = table + i * L.QUEUE_PEER_SIZE
                addr = self._seg.addr(off, 8)
                tok = q[off >> 3]
                if tok == 0:
                    if _atomic.cas64(addr, 0, me) == 0:
                        return self._entry(i, producers)
                    continue
                if _live.alive(tok & ~_RECLAIM) or _atomic.cas64(addr, tok, me | _RECLAIM) != tok:
                    continue
                try:
                    ok = self._settle_entry(producers, i)
                except BaseException:
                    q[off >> 3] = tok  # as Go's join: a corrupt entry stays its dead owner's
                    raise
                if not ok:
                    q[off >> 3] = tok  # leave it to a later attach
                    undecided = True
                    continue
                _atomic.swap64(addr, me)
                return self._entry(i, producers)
            if not undecided:
                break
            time.sleep(0.001)  # a live claimant is mid-claim
        raise BusyError("shmkit: %s: all %d %s entries are held by live processes" % (
            self._seg.name, L.QUEUE_MAX_PEERS, "producer" if producers else "consumer"))

    def _entry(self, i, producers):
        table, ctr = (_PTAB, _PCTR) if producers else (_CTAB, _CCTR)
        e = _Entry(i, table, self._wait, ctr)
        if producers:
            # Before this producer can write: an end seen later is a new end.
            _atomic.add64(self._seg.addr(_REC + L.QREC_OPENED, 8), 1)
        return e

    def _settle_entry(self, producers, i) -> bool:
        line = _PWAIT if producers else _CWAIT
        word = line + 8 + (i // 64) * 8
        _atomic.and64(self._seg.addr(word, 8), ~(1 << (i % 64)) & 0xFFFFFFFFFFFFFFFF)
        off = (_PTAB if producers else _CTAB) + i * L.QUEUE_PEER_SIZE
        if self._q[(off + L.QUEUE_PEER_COUNTED) >> 3]:  # the dead owner counted itself in relaxed or fence
            self._q[(off + L.QUEUE_PEER_COUNTED) >> 3] = 0
            _atomic.add32(self._seg.addr(line + L.QUEUE_WAIT_COUNT, 4), 0xFFFFFFFF)
        start, n = self._claimed(off)
        if n > L.QUEUE_MAX_SPAN:
            raise CorruptError("shmkit: corrupt queue %s: %s entry %d claims %d slots, a batch takes at most %d" % (
                self._seg.name, "producer" if producers else "consumer", i, n, L.QUEUE_MAX_SPAN))
        for pos in range(start, start + n):  # a batch read's span: each slot is settled on its own
            if not (self._skip_dead_write(pos) if producers else self._release_dead_read(pos)):
                return False
        self._q[(off + L.QUEUE_PEER_CLAIM) >> 3] = 0
        self._q[(off + L.QUEUE_PEER_SPAN) >> 3] = 0
        return True

    def _claimed(self, off):
        """The positions the entry at off claims, (first, count): claim is
        loaded before span, as its owner stores span first and clears it
        last (FORMAT.md)."""
        c = self._q[(off + L.QUEUE_PEER_CLAIM) >> 3]
        if c == 0:
            return 0, 0
        return c - 1, max(self._q[(off + L.QUEUE_PEER_SPAN) >> 3], 1)

    def _claimants(self, producers, pos):
        """Whether a live entry's claim covers pos, whether any does, and
        (if none is alive) where the dead ones' spans end."""
        table = _PTAB if producers else _CTAB
        q = self._q
        found = False
        end = pos + 1
        for i in range(L.QUEUE_MAX_PEERS):
            off = table + i * L.QUEUE_PEER_SIZE
            start, n = self._claimed(off)
            if not start <= pos < start + n or n > L.QUEUE_MAX_SPAN:  # a larger span is corrupt: it covers nothing
                continue
            found = True
            tok = q[off >> 3]
            if tok and not tok & _RECLAIM and _live.alive(tok):
                return True, True, pos + 1
            end = max(end, start + n)
        return False, found, end

    def _skip_dead_write(self, pos) -> bool:
        off = self._seq_off(pos)
        q = self._q
        if q[off >> 3] != pos or q[_TAIL >> 3] <= pos:
            return True  # committed, or never claimed
        alive, found, _ = self._claimants(True, pos)
        if alive:
            return False
        if not found:
            if q[off >> 3] != pos:
                return True
            raise CorruptError("shmkit: corrupt queue %s: slot for position %d is claimed by no producer" % (self._seg.name, pos))
        if _atomic.cas64(self._seg.addr(off, 8), pos, (pos + 1) | _SKIP) == pos:
            _atomic.add64(self._seg.addr(_REC + L.QREC_SKIPPED, 8), 1)
            self._wake_one(_CWAIT)
        return True

    def _release_dead_read(self, pos, whole=False) -> bool:
        """Releases the slot for pos if its taker died; with whole, the rest
        of the dead taker's span too (a Go batch read's)."""
        off = self._seq_off(pos)
        q = self._q
        s = q[off >> 3]
        if s & ~_SKIP != pos + 1 or q[_HEAD >> 3] <= pos:
            return True  # released, or never taken
        alive, found, end = self._claimants(False, pos)
        if alive:
            return False
        if not found:
            if q[off >> 3] != s:
                return True
            raise CorruptError("shmkit: corrupt queue %s: slot for position %d is held by no consumer" % (self._seg.name, pos))
        if _atomic.cas64(self._seg.addr(off, 8), s, pos + self.slots) == s:
            if not s & _SKIP:
                _atomic.add64(self._seg.addr(_REC + L.QREC_DROPPED, 8), 1)
            self._wake_one(_PWAIT)
        if whole:
            for p in range(pos + 1, end):
                self._release_dead_read(p)
        return True

    def _settle_at(self, x):
        s = self._q[self._seq_off(x) >> 3]
        n = self.slots
        if s == x:
            self._skip_dead_write(x)
        elif x >= n and s == x - n:
            self._skip_dead_write(x - n)
        elif x >= n and s & ~_SKIP == x - n + 1:
            self._release_dead_read(x - n, whole=True)  # a dead span at once, not a slot per stuck wait

    def _ended(self) -> bool:
        q = self._q
        if q[(_REC + L.QREC_OPENED) >> 3] == 0:
            return False
        gen = q[(_REC + L.QREC_ROSTER_GEN) >> 3]
        if not self._roster_free():
            return False
        for i in range(L.QUEUE_MAX_PEERS):
            tok = q[(_PTAB + i * L.QUEUE_PEER_SIZE) >> 3]
            if tok and _live.alive(tok & ~_RECLAIM):  # one being settled holds its new owner's token
                return False
        # The lock, then the count: a join that took an entry during the
        # look and has let go counted itself first.
        if not self._roster_free() or q[(_REC + L.QREC_ROSTER_GEN) >> 3] != gen:
            return False
        return q[_TAIL >> 3] == q[_HEAD >> 3]

    # Putting and getting.

    def _try_put(self, e, msg, n) -> bool:
        q, slots = self._q, self.slots
        claim = e.claim_off
        for _ in range(_MAX_SPINS):
            t = q[_TAIL >> 3]
            if t >= _MAX_POS:
                raise CorruptError("shmkit: corrupt queue %s: tail %d" % (self._seg.name, t))
            off = self._seq_off(t)
            s = q[off >> 3]
            if s == t:  # free for position t
                q[claim] = t + 1  # plain: the CAS, a locked instruction, publishes it first
                if _atomic.cas64(self._seg.addr(_TAIL, 8), t, t + 1) == t:
                    break
                continue
            if t >= slots and (s == t - slots or s & ~_SKIP == t - slots + 1):
                if q[_TAIL >> 3] == t:
                    q[claim] = 0
                    if e.due(t):
                        self._settle_at(t)
                    return False
                continue
            if q[_TAIL >> 3] == t:
                q[claim] = 0
                raise CorruptError("shmkit: corrupt queue %s: slot for position %d has sequence %#x" % (self._seg.name, t, s))
        else:
            q[claim] = 0
            raise CorruptError("shmkit: corrupt queue %s: the tail keeps moving" % self._seg.name)
        start = off + L.QUEUE_SLOT_HEADER
        try:
            self._seg.buf[start : start + n] = msg
            q[(off + 8) >> 3] = n  # length, and 4 reserved zero bytes: one word
        except BaseException:
            # The slot is ours and must not stay claimed by a live process
            # for ever: pass it over, as a dead producer's would be.
            if _atomic.cas64(self._seg.addr(off, 8), t, (t + 1) | _SKIP) == t:
                _atomic.add64(self._seg.addr(_REC + L.QREC_SKIPPED, 8), 1)
            q[claim] = 0
            self._wake_one(_CWAIT)
            raise
        _atomic.swap64(self._seg.addr(off, 8), t + 1)  # the commit, and a full fence before the parked bits
        q[claim] = 0
        self._wake_one(_CWAIT, e)
        self._count(e, n)
        return True

    def _try_get(self, e):
        """The next message, or None if the queue is empty now."""
        q, slots = self._q, self.slots
        claim = e.claim_off
        for _ in range(_MAX_SPINS):
            h = q[_HEAD >> 3]
            if h >= _MAX_POS:
                raise CorruptError("shmkit: corrupt queue %s: head %d" % (self._seg.name, h))
            off = self._seq_off(h)
            s = q[off >> 3]
            if s & ~_SKIP == h + 1:  # committed (or skipped) for position h
                n = self._w[(off + 8) >> 2]  # read once; stable while the head is h
                skip = s & _SKIP
                if not skip and n > self.max_message:
                    if q[_HEAD >> 3] != h:
                        continue  # taken and reused under us
                    q[claim] = 0
                    raise CorruptError("shmkit: corrupt queue %s: slot for position %d has length %d, limit %d" % (self._seg.name, h, n, self.max_message))
                q[claim] = h + 1
                if _atomic.cas64(self._seg.addr(_HEAD, 8), h, h + 1) != h:
                    continue
                msg = None
                try:
                    if not skip:
                        start = off + L.QUEUE_SLOT_HEADER
                        msg = self._seg._mm[start : start + n]
                finally:  # an exception here loses this message, never the slot
                    _atomic.swap64(self._seg.addr(off, 8), h + slots)  # release: free for the next lap
                    q[claim] = 0
                self._wake_one(_PWAIT, e)
                if skip:
                    continue
                self._count(e, n)
                return msg
            if s == h or h >= slots and s & ~_SKIP == h - slots + 1:
                if q[_HEAD >> 3] == h:
                    q[claim] = 0
                    if e.due(h):
                        self._settle_at(h)
                    return None
                continue
            if q[_HEAD >> 3] == h:
                q[claim] = 0
                raise CorruptError("shmkit: corrupt queue %s: slot for position %d has sequence %#x" % (self._seg.name, h, s))
        q[claim] = 0
        raise CorruptError("shmkit: corrupt queue %s: the head keeps moving" % self._seg.name)

    def _count(self, e, n):
        e.msgs += 1
        e.bytes += n
        if e.msgs >= L.COUNT_EVERY:
            self._publish(e)

    def _publish(self, e):
        if e.msgs:
            _atomic.add64(self._seg.addr(e.ctr, 8), e.msgs)
            _atomic.add64(self._seg.addr(e.ctr + 8, 8), e.bytes)
        if e.wakeups:
            _atomic.add64(self._seg.addr(e.ctr + 24, 8), e.wakeups)
        e.msgs = e.bytes = e.wakeups = 0

    def _await(self, e, line, ready, ends, deadline, recheck):
        """Waits on line until ready(); returns the next recheck, or raises
        EOFError (internal: the queue ended) or TimeoutError."""
        if e.wait != BLOCK:
            start = time.monotonic()
            i = 0
            while True:
                if ready() or self._closing:
                    return recheck
                i += 1
                if i % 64:
                    continue
                if ends and self._ended():
                    raise _Ended
                deadline.left()
                if e.wait == ADAPTIVE and time.monotonic() - start > ADAPTIVE_SPIN:
                    break
                if e.wait != ADAPTIVE and time.monotonic() - start > recheck:
                    return min(2 * recheck, RECHECK_MAX)
        self._publish(e)
        w = self._w
        seq = w[line >> 2]
        owed = False
        while seq & 1:
            owed = self._clear_woken(line) or owed
            seq = w[line >> 2]
        if ends and self._ended():
            if owed:
                self._wake_one(line)
            raise _Ended
        _atomic.add64(self._seg.addr(e.ctr + 16, 8), 1)  # waits
        bit = 1 << (e.idx % 64)
        word = self._seg.addr(line + 8 + (e.idx // 64) * 8, 8)
        try:
            left = deadline.left()
        except TimeoutError:
            if owed:
                self._wake_one(line)
            raise
        _atomic.or64(word, bit)  # a locked instruction: a full fence before the look
        if line == _CWAIT and self._w[(_PWAIT + L.QUEUE_WAIT_COUNT) >> 2] and not _sys.global_barrier():
            recheck = RECHECK_MIN  # Go producers commit plainly, and the barrier failed: look again soon
        if ready():
            _atomic.and64(word, ~bit & 0xFFFFFFFFFFFFFFFF)
            if owed:
                self._wake_one(line)
            return recheck
        woke = _sys.futex_wait(self._seg.addr(line, 4), seq, recheck if left is None else min(recheck, left))
        if not woke:
            self._seg.check()
            if (left is None or left > recheck) and ready():  # not the caller's deadline
                global _late_wakeups
                _late_wakeups += 1
        _atomic.and64(word, ~bit & 0xFFFFFFFFFFFFFFFF)  # first, so that a wake passed on is not for us
        if self._clear_woken(line) and self._any_parked(line):
            # Owed the wakes skipped meanwhile; a relaxed Go producer's
            # commit may not be visible yet: fence them first (Go's passOn).
            # If the barrier fails, a commit may be there unseen: wake one
            # anyway, as the parked one may sleep long (Go's passOn).
            unsure = line == _CWAIT and self._w[(_PWAIT + L.QUEUE_WAIT_COUNT) >> 2] and not _sys.global_barrier()
            if unsure or ready():
                self._wake_one(line)
        return recheck if woke else min(2 * recheck, RECHECK_MAX)

    def _producer(self):
        if self._seg is None:
            raise ValueError("shmkit: queue is closed")
        if self._prod is None:
            # The roster word holds this process's token, not a thread's.
            # With one join of this queue at a time in this process, a
            # word that holds our token when the join ends is this join's,
            # even after an exception raised between the lock's CAS and
            # the try (as a KeyboardInterrupt can be): the finally always
            # lets it go.
            with _join_lock(self._seg.name):
                try:
                    self._lock_roster()
                    self._prod = self._join(True)
                finally:
                    self._unlock_roster()
        return self._prod

    # The producers' roster lock (FORMAT.md, "End of stream"): a producer
    # joins under it, so that _ended trusts only a look at the producer
    # entries during which no producer joined.

    def _lock_roster(self):
        me = _live.self_token()
        off = _REC + L.QREC_ROSTER_OWNER
        start = time.monotonic()
        seen = None  # the holder waited for, and the join count then
        i = 0
        while True:
            o = self._q[off >> 3]
            if o == 0:
                if _atomic.cas64(self._seg.addr(off, 8), 0, me) == 0:
                    return
                continue
            if not _live.alive(o):
                self._pass_dead_roster(o)
                continue
            now = (o, self._q[(_REC + L.QREC_ROSTER_GEN) >> 3])
            if now != seen:  # the lock moved: wait afresh
                seen, start = now, time.monotonic()
            elif time.monotonic() - start > 1.0:
                raise BusyError("shmkit: %s: the producers' roster lock has been held by %#x for over 1s" % (self._seg.name, o))
            time.sleep(0 if i < 100 else 0.00005)
            i += 1

    def _unlock_roster(self):
        """Lets the roster lock go if this process holds it (a join that
        failed before its CAS holds nothing)."""
        me = _live.self_token()
        if self._q[(_REC + L.QREC_ROSTER_OWNER) >> 3] != me:
            return
        _atomic.add64(self._seg.addr(_REC + L.QREC_ROSTER_GEN, 8), 1)
        _atomic.cas64(self._seg.addr(_REC + L.QREC_ROSTER_OWNER, 8), me, 0)

    def _pass_dead_roster(self, o):
        _atomic.add64(self._seg.addr(_REC + L.QREC_ROSTER_GEN, 8), 1)
        _atomic.cas64(self._seg.addr(_REC + L.QREC_ROSTER_OWNER, 8), o, 0)

    def _roster_free(self) -> bool:
        """Whether nobody holds the roster lock (a dead holder is passed
        over, and counts as holding it this time)."""
        o = self._q[(_REC + L.QREC_ROSTER_OWNER) >> 3]
        if o and not _live.alive(o):
            self._pass_dead_roster(o)
        return o == 0

    def _consumer(self):
        if self._seg is None:
            raise ValueError("shmkit: queue is closed")
        if self._cons is None:
            self._cons = self._join(False)
        return self._cons

    def attach(self, role: str) -> None:
        """Attaches this handle as a "producer" or a "consumer" now, rather
        than at its first put or get. A producer that attaches early keeps
        the queue from ending (consumers see the end once every producer
        that attached has closed) before its first put."""
        if role not in ("producer", "consumer"):
            raise ValueError('shmkit: role must be "producer" or "consumer", not %r' % (role,))
        # Under the lock that put (or get) and close hold, so that it joins
        # one entry, and never beside a close that detaches.
        lock = self._put_lock if role == "producer" else self._get_lock
        with lock:
            if role == "producer":
                self._producer()
            else:
                self._consumer()

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:
        """Puts one message (bytes-like), waiting for a free slot if block
        is true, up to timeout seconds (None: as long as it takes).
        Raises queue.Full if there is none."""
        item = memoryview(item).cast("B")  # a str or an object without bytes fails here, before any claim
        n = len(item)
        if n > self.max_message:
            raise MessageTooLargeError("shmkit: message too large: %d bytes, limit %d" % (n, self.max_message))
        deadline = Deadline(timeout)
        # One thread of this handle at a time: a handle has one entry, whose
        # claim word says which slot it holds.
        wait = -1 if not block or deadline.at is None else max(0.0, deadline.at - time.monotonic())  # as queue.Queue: no timeout without block
        if not self._put_lock.acquire(block, wait):
            raise _stdqueue.Full
        try:
            self._put(item, n, block, deadline)
        finally:
            self._put_lock.release()

    def _put(self, item, n, block, deadline):
        e = self._producer()
        if self._try_put(e, item, n):
            return
        if not block:
            raise _stdqueue.Full
        recheck = RECHECK_MIN
        tail_at = self._seq_off

        def room():
            t = self._q[_TAIL >> 3]
            return self._q[tail_at(t) >> 3] == t

        while not self._try_put(e, item, n):
            if self._closing:
                raise ValueError("shmkit: queue %s closed while put waited" % self._name)
            try:
                recheck = self._await(e, _PWAIT, room, False, deadline, recheck)
            except TimeoutError:
                raise _stdqueue.Full from None

    def put_nowait(self, item) -> None:
        self.put(item, block=False)

    def get(self, block: bool = True, timeout: float | None = None):
        """Takes the next message (bytes), waiting for one if block is
        true, up to timeout seconds (None: as long as it takes). Raises
        queue.Empty if there is none; returns None once the queue has
        ended (see the class doc)."""
        deadline = Deadline(timeout)
        wait = -1 if not block or deadline.at is None else max(0.0, deadline.at - time.monotonic())  # as queue.Queue: no timeout without block
        if not self._get_lock.acquire(block, wait):
            raise _stdqueue.Empty
        try:
            return self._get(block, deadline)
        finally:
            self._get_lock.release()

    def _get(self, block, deadline):
        e = self._consumer()
        m = self._try_get(e)
        if m is not None:
            return m
        if not block:
            if self._ended():
                return None
            raise _stdqueue.Empty
        recheck = RECHECK_MIN
        head_at = self._seq_off

        def ready():
            h = self._q[_HEAD >> 3]
            return self._q[head_at(h) >> 3] & ~_SKIP == h + 1

        while True:
            m = self._try_get(e)
            if m is not None:
                return m
            if self._closing:
                raise ValueError("shmkit: queue %s closed while get waited" % self._name)
            try:
                recheck = self._await(e, _CWAIT, ready, True, deadline, recheck)
            except _Ended:
                return None
            except TimeoutError:
                raise _stdqueue.Empty from None

    def get_nowait(self):
        return self.get(block=False)

    def __iter__(self):
        """Yields each message until the queue ends."""
        while True:
            m = self.get()
            if m is None:
                return
            yield m

    def _open(self):
        if self._seg is None:
            raise ValueError("shmkit: queue %s is closed" % self._name)

    def qsize(self) -> int:
        """Messages in the queue now."""
        self._open()
        h, t = self._q[_HEAD >> 3], self._q[_TAIL >> 3]
        return 0 if t < h or t - h > self.slots else t - h

    def empty(self) -> bool:
        return self.qsize() == 0

    def full(self) -> bool:
        return self.qsize() == self.slots

    def _puts(self):
        return self._q[_TAIL >> 3] - self._q[(_REC + L.QREC_SKIPPED) >> 3]

    def task_done(self) -> None:
        """Marks one message taken as processed, as JoinableQueue's."""
        self._open()
        addr = self._seg.addr(_REC + L.QREC_DONE, 8)
        while True:
            d = self._q[(_REC + L.QREC_DONE) >> 3]
            if d >= self._puts():
                raise ValueError("task_done() called too many times")
            if _atomic.cas64(addr, d, d + 1) == d:
                break
        if self._w[(_REC + L.QREC_JOINERS) >> 2]:
            a = self._seg.addr(_REC + L.QREC_JOIN_SEQ, 4)
            _atomic.add32(a, 1)
            _sys.futex_wake(a, _sys.WAKE_ALL)

    def join(self, timeout: float | None = None) -> None:
        """Waits until every message put has been marked done. Raises
        TimeoutError after timeout seconds (None: no limit)."""
        self._open()
        deadline = Deadline(timeout)
        seq_addr = self._seg.addr(_REC + L.QREC_JOIN_SEQ, 4)
        joiners = self._seg.addr(_REC + L.QREC_JOINERS, 4)
        recheck = RECHECK_MIN
        while True:
            seq = self._w[(_REC + L.QREC_JOIN_SEQ) >> 2]
            _atomic.add32(joiners, 1)
            try:
                if self._q[(_REC + L.QREC_DONE) >> 3] >= self._puts():
                    return
                left = deadline.left()
                _sys.futex_wait(seq_addr, seq, recheck if left is None else min(recheck, left))
            finally:
                _atomic.add32(joiners, 0xFFFFFFFF)
            recheck = min(2 * recheck, RECHECK_MAX)

    def stats(self) -> dict:
        self._open()
        q = self._q
        out = {}
        for side, off in (("produced", _PCTR), ("consumed", _CCTR)):
            out[side] = dict(zip(("messages", "bytes", "waits", "wakeups"), (q[(off >> 3) + i] for i in range(4))))
        r = _REC >> 3
        out.update(tail=q[_TAIL >> 3], head=q[_HEAD >> 3], skipped=q[r], dropped=q[r + 1], opened=q[r + 2], done=q[r + 3])
        return out

    def close(self) -> None:
        """Detaches this handle's producer and consumer entries (a producer's
        detach tells parked consumers to look for the end), then unmaps."""
        if self._seg is None:
            return
        # Threads of this handle still in put or get leave first (a wait
        # sees _closing within its next look, at most 50 ms): an entry is
        # detached only with no claim of ours in flight.
        self._closing = True
        self._put_lock.acquire()
        self._get_lock.acquire()
        try:
            self._detach()
        finally:
            self._get_lock.release()
            self._put_lock.release()

    def _detach(self):
        if self._seg is None:
            return
        self._seg.check()
        for e, producer in ((self._prod, True), (self._cons, False)):
            if e is None:
                continue
            self._publish(e)
            self._q[e.claim_off] = 0
            self._q[e.claim_off + 1] = 0  # span: a Go batch reader's, of an entry this one took over
            _atomic.swap64(self._seg.addr(e.token_addr, 8), 0)
            if producer:
                self._rouse(_CWAIT)  # consumers parked on an empty queue look for its end
        self._prod = self._cons = None
        self._seg.close()
        self._seg = None

    def unlink(self) -> None:
        """Removes the queue's name; processes that have it open keep it."""
        unlink(self._name)

    @property
    def name(self) -> str:
        return self._name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Ended(Exception):
    pass

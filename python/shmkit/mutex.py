"""The robust lock in shared memory (Go's futex.Mutex), from Python.

The lock word holds its owner's liveness token, so a holder that dies is
detected by the next locker, which gets the lock together with
OwnerDeadError, as pthread's EOWNERDEAD: repair what it guards, call
mark_consistent(), then release(). Releasing without it makes the lock
unrecoverable (NotRecoverableError for everyone after), so that state
nobody vouched for is never silently handed on.
"""

from __future__ import annotations

import threading


from . import _atomic, _live, _sys
from . import layout as L
from ._wait import RECHECK_MAX, RECHECK_MIN, Deadline
from .errors import NotOwnerError, NotRecoverableError, OwnerDeadError

_WAITERS = L.MUTEX_WAITERS_BIT
_LOW30 = (1 << 30) - 1
_CONSISTENT, _OWNER_DEAD, _UNRECOVERABLE = 0, 1, 2


def _encode(t: int) -> int:
    return (t >> 30) << 32 | (t & _LOW30)


def _owner(w: int) -> int:
    return (w >> 32) << 30 | (w & _LOW30)


class Mutex:
    """A futex.Mutex at byte offset off of a segment (16 bytes: word,
    status, waiters). Owned by the process, as in Go: any thread of it may
    release it. Use it as a context manager, or acquire() and release()."""

    def __init__(self, seg, off: int):
        self._seg = seg
        self._word = seg.addr(off, 8)
        self._status = seg.addr(off + L.MUTEX_STATUS, 4)
        self._waiters = seg.addr(off + L.MUTEX_WAITERS, 4)
        self._q, self._w = seg.words("Q"), seg.words("I")
        self._wi, self._si = off // 8, (off + L.MUTEX_STATUS) // 4
        self._thread = None  # the thread of this process that took it, while held

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Takes the lock, as threading.Lock.acquire: returns True once
        held, or False if blocking is false or timeout (seconds) passed.
        Raises OwnerDeadError with the lock held if its holder died, and
        NotRecoverableError (without it) if a dead holder's state was never
        repaired."""
        self._open()
        enc = _encode(_live.self_token())
        if _atomic.cas64(self._word, 0, enc) == 0:
            return self._acquired(enc, False)
        if not blocking:
            return self._try(enc)
        return self._slow(enc, Deadline(timeout))

    def _open(self):
        if self._seg.closed:
            raise ValueError("shmkit: lock of a closed segment (%s)" % self._seg.name)

    def _try(self, enc):
        me = _live.current()
        while True:
            w = self._q[self._wi]
            if w == 0:
                if _atomic.cas64(self._word, 0, enc) == 0:
                    return self._acquired(enc, False)
            elif _owner(w) != me and not _live.alive(_owner(w)):
                if _atomic.cas64(self._word, w, enc | w & _WAITERS) == w:
                    return self._acquired(enc, True)
            else:
                return False

    def _slow(self, enc, deadline):
        if self._w[self._si] == _UNRECOVERABLE:
            raise NotRecoverableError("shmkit: lock is not recoverable: a dead holder's state was never repaired")
        me = _live.current()
        for _ in range(100):  # the holder may be about to release on another core
            if self._q[self._wi] == 0 and _atomic.cas64(self._word, 0, enc) == 0:
                return self._acquired(enc, False)
        recheck, check_owner = RECHECK_MIN, False
        while True:
            w = self._q[self._wi]
            if w == 0:
                # Others may be parked: take it with the waiters bit, so
                # that our release wakes the next one.
                if _atomic.cas64(self._word, 0, enc | _WAITERS) == 0:
                    return self._acquired(enc, False)
                continue
            if check_owner and _owner(w) != me and not _live.alive(_owner(w)):
                if _atomic.cas64(self._word, w, enc | _WAITERS) == w:
                    return self._acquired(enc, True)
                continue
            if not w & _WAITERS and _atomic.cas64(self._word, w, w | _WAITERS) != w:
                continue
            try:
                left = deadline.left()
            except TimeoutError:
                _sys.futex_wake(self._word, 1)  # we may have taken the wake-up meant for the next locker
                return False
            _atomic.add32(self._waiters, 1)
            woke = _sys.futex_wait(self._word, (w | _WAITERS) & 0xFFFFFFFF, recheck if left is None else min(recheck, left))
            _atomic.add32(self._waiters, 0xFFFFFFFF)
            if woke:
                check_owner = False  # the lock changed hands
            else:
                check_owner, recheck = True, min(2 * recheck, RECHECK_MAX)

    def _acquired(self, enc, died):
        self._thread = threading.get_ident()
        st = self._w[self._si]
        if st == _UNRECOVERABLE:
            self._release(enc)
            raise NotRecoverableError("shmkit: lock is not recoverable: a dead holder's state was never repaired")
        if st == _OWNER_DEAD:  # a previous heir died before repairing
            died = True
        if died:
            _atomic.swap32(self._status, _OWNER_DEAD)
            raise OwnerDeadError("shmkit: lock acquired from a holder that died holding it; repair, then mark_consistent()")
        return True

    def held_by_this_thread(self) -> bool:
        """Whether this thread took the lock (through this handle) and holds it."""
        return self._thread == threading.get_ident() and self.held()

    def held(self) -> bool:
        """Whether this process holds the lock."""
        self._open()
        me = _live.current()
        return me != 0 and _owner(self._q[self._wi] & ~_WAITERS) == me

    def mark_consistent(self) -> None:
        """Declares the guarded state repaired after OwnerDeadError."""
        if not self.held():
            raise NotOwnerError("shmkit: mark_consistent by a process that does not hold the lock")
        _atomic.cas32(self._status, _OWNER_DEAD, _CONSISTENT)

    def release(self) -> None:
        """Releases the lock; NotOwnerError if this process does not hold it."""
        self._open()
        me = _live.current()
        if me == 0:
            raise NotOwnerError("shmkit: release of a lock this process does not hold")
        enc = _encode(me)
        if self._w[self._si] == _OWNER_DEAD and self.held():
            _atomic.cas32(self._status, _OWNER_DEAD, _UNRECOVERABLE)
        if not self._release(enc):
            raise NotOwnerError("shmkit: release of a lock this process does not hold")
        self._thread = None

    def abandon(self) -> None:
        """Releases the lock as if this process had died holding it: the
        next locker, Go or Python, gets OwnerDeadError and repairs. For a
        holder whose update was cut short by an exception."""
        self._open()
        _atomic.swap32(self._status, _OWNER_DEAD)
        if not self._release(_encode(_live.current())):
            raise NotOwnerError("shmkit: abandon of a lock this process does not hold")

    def _release(self, enc) -> bool:
        if _atomic.cas64(self._word, enc, 0) == enc:  # nobody parked: no system call
            return True
        while True:
            w = self._q[self._wi]
            if w & ~_WAITERS != enc:
                return False
            if _atomic.cas64(self._word, w, 0) == w:
                if w & _WAITERS:
                    _sys.futex_wake(self._word, 1)
                return True

    def held_by_live_owner(self) -> bool:
        w = self._q[self._wi]
        return w != 0 and self._w[self._si] == _CONSISTENT and _live.alive(_owner(w))

    def writer_gone(self) -> bool:
        """Whether nobody alive holds the lock (free, or its holder dead): a
        live holder repairing after OwnerDeadError is not gone (Go's
        writerGone)."""
        if self.held_by_live_owner():
            return False
        w = self._q[self._wi]
        return w == 0 or not _live.alive(_owner(w))

    def locked(self) -> bool:
        return self._q[self._wi] != 0

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()



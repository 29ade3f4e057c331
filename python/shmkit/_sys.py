"""System calls that os does not offer: futex and membarrier, through ctypes."""

from __future__ import annotations

import ctypes
import errno
import math
import os
import platform

_NR = {
    "x86_64": {"futex": 202, "membarrier": 324},
    "aarch64": {"futex": 98, "membarrier": 283},
}.get(platform.machine(), {"futex": -1, "membarrier": -1})

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long

FUTEX_WAIT = 0  # shared, never FUTEX_PRIVATE_FLAG: the word is in a shared mapping
FUTEX_WAKE = 1
WAKE_ALL = 0x7FFFFFFF


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def futex_wait(addr: int, expect: int, timeout: float | None) -> bool:
    """Sleeps while the 32-bit word at addr holds expect, for up to timeout
    seconds (None: no limit). Returns False on a timeout, True otherwise
    (woken, the word already changed, or a signal): callers look again.
    ctypes releases the GIL for the call, so other threads run meanwhile."""
    ts = None
    if timeout is not None:
        timeout = max(0.0, timeout)
        frac, whole = math.modf(timeout)
        ts = ctypes.byref(_Timespec(int(whole), int(frac * 1e9)))
    r = _syscall(
        ctypes.c_long(_NR["futex"]),
        ctypes.c_void_p(addr),
        ctypes.c_long(FUTEX_WAIT),
        ctypes.c_long(expect & 0xFFFFFFFF),
        ts,
        None,
        ctypes.c_long(0),
    )
    if r == 0:
        return True
    e = ctypes.get_errno()
    if e == errno.ETIMEDOUT:
        return False
    if e in (errno.EAGAIN, errno.EINTR):
        return True
    raise OSError(e, "futex wait: " + os.strerror(e))


def futex_wake(addr: int, n: int = 1) -> int:
    """Wakes up to n sleepers on the word at addr; returns how many woke."""
    r = _syscall(
        ctypes.c_long(_NR["futex"]),
        ctypes.c_void_p(addr),
        ctypes.c_long(FUTEX_WAKE),
        ctypes.c_long(n),
        None,
        None,
        ctypes.c_long(0),
    )
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, "futex wake: " + os.strerror(e))
    return r


_MEMBARRIER_GLOBAL_EXPEDITED = 1 << 1
_MEMBARRIER_REGISTER_GLOBAL_EXPEDITED = 1 << 2
_registered = None


def _membarrier(cmd: int) -> bool:
    return _syscall(ctypes.c_long(_NR["membarrier"]), ctypes.c_long(cmd), ctypes.c_long(0)) == 0


def can_relax() -> bool:
    """Registers this process for expedited global barriers (as Go's
    internal/spin does), and reports whether it may publish its positions
    with plain stores: a peer parking on it then runs a barrier instead."""
    global _registered
    if _registered is None:
        _registered = _NR["membarrier"] > 0 and _membarrier(_MEMBARRIER_REGISTER_GLOBAL_EXPEDITED)
    return _registered


def global_barrier() -> bool:
    """Runs a full memory barrier on every thread of every registered process."""
    return _membarrier(_MEMBARRIER_GLOBAL_EXPEDITED)


_libc.linkat.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
_AT_FDCWD = -100
_AT_SYMLINK_FOLLOW = 0x400


def link_fd(fd: int, dst: str) -> None:
    """Gives the file open at fd (an O_TMPFILE) the name dst. linkat never
    replaces a name and never follows a symlink at dst: a taken name
    raises FileExistsError. (os.link calls link(2), which cannot follow
    /proc/self/fd.)"""
    src = ("/proc/self/fd/%d" % fd).encode()
    if _libc.linkat(_AT_FDCWD, src, _AT_FDCWD, os.fsencode(dst), _AT_SYMLINK_FOLLOW) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), dst)


_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
_MAP_PRIVATE, _MAP_FIXED, _MAP_ANONYMOUS = 0x02, 0x10, 0x20


def retire(addr: int, size: int) -> None:
    """Replaces the mapping at addr with private zero pages (as Go's
    shm.Segment.Retire): a thread of this process still inside it, in a
    ctypes call or about to make one, then reads zeros and writes where
    no other process sees, instead of faulting the interpreter."""
    r = _libc.mmap(addr, size, 3, _MAP_PRIVATE | _MAP_FIXED | _MAP_ANONYMOUS, -1, 0)  # PROT_READ|PROT_WRITE
    if r is None or r != addr:
        e = ctypes.get_errno()
        raise OSError(e, "retire a mapping: " + os.strerror(e))

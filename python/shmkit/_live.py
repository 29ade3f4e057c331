"""Liveness tokens, exactly as Go's internal/live makes and tests them.

A process that takes a role (a ring's producer, a queue entry, a lock)
writes a random 62-bit token into the segment. The token names a file,
/dev/shm/shmkit-live-<16 hex digits>, holding "pid=P start=S\\n", that the
process keeps locked (flock LOCK_EX) for its whole life; the kernel drops
the lock when the process dies, however it dies. A peer that finds the
lock free, or the file gone, knows the owner is dead, whatever became of
its pid since.
"""

from __future__ import annotations

import fcntl
import glob
import os
import secrets
import threading
import time

from . import _sys

DIR = "/dev/shm"
PREFIX = "shmkit-live-"
BITS = 62
_MASK = (1 << BITS) - 1
_ALIVE_TTL = 0.005  # seconds an "alive" answer is trusted; "dead" is final

_mu = threading.Lock()
_token = 0
_lock_fd = -1
_cache: dict = {}


def path(token: int) -> str:
    return os.path.join(DIR, "%s%016x" % (PREFIX, token))


def start_time(pid="self") -> int:
    """Field 22 of /proc/PID/stat: the start time in clock ticks since boot."""
    with open("/proc/%s/stat" % pid, "rb") as f:
        data = f.read()
    rest = data[data.rindex(b")") + 2 :].split()
    return int(rest[19])  # fields from 3 on; field 22 is the 20th of them


def current() -> int:
    """This process's token, or 0 if it has not registered."""
    return _token


def self_token() -> int:
    """This process's token, registering it on first use."""
    if _token:
        return _token
    with _mu:
        if not _token:
            _register()
        return _token


def _register() -> None:
    global _token, _lock_fd
    sweep()
    for _ in range(8):
        t = secrets.randbits(64) & _MASK
        if t == 0:
            continue
        try:
            fd = _publish(t)
        except FileExistsError:
            continue  # another process drew the same token
        _lock_fd, _token = fd, t
        return
    raise OSError("shmkit: live: no free token after 8 draws")


def _publish(t: int) -> int:
    """Makes t's file, locked before it has a name, so that nobody can see
    it unlocked while this process lives; returns the lock's descriptor."""
    f = os.open(DIR, os.O_RDWR | os.O_TMPFILE | os.O_CLOEXEC, 0o600)
    try:
        os.write(f, b"pid=%d start=%d\n" % (os.getpid(), start_time()))
        os.fchmod(f, 0o644)  # others open it to test the lock
        self_path = "/proc/self/fd/%d" % f
        lk = os.open(self_path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fcntl.flock(lk, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _sys.link_fd(f, path(t))
        except BaseException:
            os.close(lk)
            raise
        return lk
    finally:
        os.close(f)


def release() -> None:
    """Gives up this process's registration and removes its file."""
    global _token, _lock_fd
    with _mu:
        if not _token:
            return
        try:
            os.unlink(path(_token))
        except FileNotFoundError:
            pass
        os.close(_lock_fd)
        _token, _lock_fd = 0, -1


_fork_hooks = []


def at_fork_child(fn) -> None:
    """Runs fn() in a forked child, after its token is forgotten: roles
    and queue entries belong to the process that took them."""
    _fork_hooks.append(fn)


def _forget_in_child() -> None:
    # A forked child shares the parent's lock (flock belongs to the open
    # file, not the process): close the child's copy, or the parent would
    # look alive for as long as the child runs, and register afresh.
    global _token, _lock_fd
    if _lock_fd >= 0:
        try:
            os.close(_lock_fd)
        except OSError:
            pass
    _token, _lock_fd = 0, -1
    _cache.clear()
    for fn in _fork_hooks:
        fn()


os.register_at_fork(after_in_child=_forget_in_child)
# No atexit release: daemon threads still run then, holding roles and locks
# that must not be taken for a dead process's. The next registration's
# sweep removes the file once the process has died, as Go's does.


def _probe(t: int) -> bool:
    try:
        fd = os.open(path(t), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: never rob a possibly live owner
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True  # held (EWOULDBLOCK), or cannot tell
    finally:
        os.close(fd)  # also drops a lock we took
    return False  # free: nobody holds it


def alive(t: int, fresh: bool = False) -> bool:
    """Whether the process that registered token t still runs. When it
    cannot tell, it answers True: a live owner is never taken for dead."""
    if t == 0:
        return False
    if t == _token:
        return True
    if not fresh:
        hit = _cache.get(t)
        if hit is not None and (not hit[0] or time.monotonic() - hit[1] < _ALIVE_TTL):
            return hit[0]
    a = _probe(t)
    if len(_cache) > 64:
        _cache.clear()
    _cache[t] = (a, time.monotonic())
    return a


def pid(t: int) -> int:
    """The pid recorded in t's file, or 0."""
    try:
        with open(path(t), "rb") as f:
            head = f.read(64).split()
        return int(head[0].split(b"=")[1])
    except (OSError, IndexError, ValueError):
        return 0


def sweep() -> int:
    """Removes the files of dead processes; returns how many."""
    n = 0
    mine = path(_token) if _token else ""
    for p in glob.glob(os.path.join(DIR, PREFIX + "*")):
        if p == mine:
            continue
        try:
            fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue
        else:
            try:
                os.unlink(p)
                n += 1
            except OSError:
                pass
        finally:
            os.close(fd)
    return n

"""Connections over shared memory (Go's package shmnet), from Python:
dial() a Go or Python listener, or listen() for Go or Python dialers.

A connection is a byte stream each way, like a socket, in one sealed memfd
that the listener makes and passes over its Unix socket (abstract address
@shmkit/shmnet/NAME). That socket then carries the wake-ups (one byte, sent
without blocking, to a peer whose parked flag is set) and tells each side
when the other's process is gone. The protocol is FORMAT.md's "Connection
(package shmnet)".

A Conn has a socket's methods: sendall, send, recv, recv_into, shutdown,
close, settimeout; a peer whose process died is ConnectionResetError
(PeerDeadError) for a blocked recv or send, never a hang.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import mmap
import os
import select
import socket
import struct
import threading
import time
import weakref

from . import _atomic
from . import layout as L
from .errors import CorruptError, PeerDeadError
from .segment import Segment

__all__ = ["Conn", "Listener", "dial", "listen", "DEFAULT_CAPACITY"]

DEFAULT_CAPACITY = 1 << 20
MIN_CAPACITY, MAX_CAPACITY = 4 << 10, 1 << 30
_HELLO = b"SHMN"
_VERSION = 2
_OK, _REFUSED, _ACK = 0, 1, 1
_SETUP_TIMEOUT = 5.0
_SPIN = 0.00005  # seconds a waiting side looks before it parks, as Go's DefaultSpin
_F_SEAL_SEAL, _F_SEAL_SHRINK, _F_SEAL_GROW = 1, 2, 4
_ONE = struct.pack("<Q", 1)
_WAKE_READER, _WAKE_WRITER = b"r", b"w"  # the wake-up bytes; any other wakes both
# Wake-up bytes read at a time: fewer than a socket that refused one holds
# (at least 5, with the kernel's smallest send buffer), so that the first
# read after a dropped wake-up is a full one (see _drain).
_WAKE_READ = 4
_DIR = L.CONN_DIR
_WPOS, _RPOS = _DIR["wpos"][0], _DIR["rpos"][0]
_R_PARKED, _W_PARKED = _DIR["reader parked"][0], _DIR["writer parked"][0]
_W_CLOSED, _R_CLOSED = _DIR["writer closed"][0], _DIR["reader closed"][0]


def _address(name: str) -> bytes:
    if not name or len(name) > 80 or "/" in name or "\0" in name:
        raise ValueError("shmkit: connection name %r: want 1 to 80 bytes, no '/' or NUL" % (name,))
    return b"\0shmkit/shmnet/" + name.encode()


def _peer_cred(sock):
    pid, uid, gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    return pid, uid, gid


def _eventfd() -> int:
    if hasattr(os, "eventfd"):
        return os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    libc = ctypes.CDLL(None, use_errno=True)  # Python 3.9
    fd = libc.eventfd(0, os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return fd


class _Mapping(Segment):
    """A connection's memfd, mapped: a Segment without a shmkit header."""

    def __init__(self, name, fd):
        size = os.fstat(fd).st_size
        if size < L.CONN_DATA or size > L.CONN_DATA + 2 * MAX_CAPACITY:
            raise CorruptError("shmkit: connection %s: shared memory of %d bytes" % (name, size))
        mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        Segment.__init__(self, name, "memfd", fd, mm, None, False)


class Conn:
    """One end of a connection: sendall(data), recv(n), and the rest of a
    socket's stream methods. Made by dial() and Listener.accept()."""

    def __init__(self, name, role, mapping, sock, cred):
        self.name, self._role = name, role
        self._m, self._sock, self.peer_cred = mapping, sock, cred
        cap = struct.unpack_from("<Q", mapping.buf, L.CONN["capacity"][0])[0]
        self.capacity = cap
        self._mask = cap - 1
        q = mapping.words("Q")
        w = mapping.words("I")
        self._q, self._w = q, w
        tx, rx = L.CONN_DIR_AT + role * L.CONN_DIR_SIZE, L.CONN_DIR_AT + (1 - role) * L.CONN_DIR_SIZE
        self._tx, self._rx = tx, rx
        self._txdata, self._rxdata = L.CONN_DATA + role * cap, L.CONN_DATA + (1 - role) * cap
        # Our own eventfds, never shared: a recv or send parked in one
        # thread is woken through its own by whichever thread reads the
        # peer's wake-up from the socket, or by close and shutdown.
        events = [_eventfd(), _eventfd()]
        self._events = events
        self._rx_ev, self._tx_ev = events
        self._w_pos, self._r_seen = q[(tx + _WPOS) >> 3], q[(tx + _RPOS) >> 3]
        self._r_pos, self._w_seen = q[(rx + _RPOS) >> 3], q[(rx + _WPOS) >> 3]
        self._timeout = None
        self._gone = False
        self._closed = False
        self._wshut = self._rshut = False
        # Calls inside (recv, send, shutdown, close itself) keep the
        # descriptors open: the last one out after close() closes them, so
        # that no thread writes or reads a number the process reused.
        self._lock = threading.Lock()
        self._inside = 0
        # Dropped without close(): the eventfds and the socket go too (the
        # mapping has its own finalizer).
        self._fin = weakref.finalize(self, _close_fds, list(events), sock)
        if not 0 <= self._w_pos - self._r_seen <= cap or not 0 <= self._w_seen - self._r_pos <= cap:
            self.close()
            raise CorruptError("shmkit: connection %s: positions out of range" % name)
        self._poll_rx = select.poll()
        self._poll_rx.register(self._rx_ev, select.POLLIN)
        self._poll_rx.register(sock.fileno(), select.POLLIN)
        self._poll_tx = select.poll()
        self._poll_tx.register(self._tx_ev, select.POLLIN)
        self._poll_tx.register(sock.fileno(), select.POLLIN)

    def _enter(self):
        with self._lock:
            if self._closed:
                raise OSError(errno.EBADF, "shmkit: connection %s is closed" % self.name)
            self._inside += 1

    def _counted(self, fn, *args):
        """Runs fn(*args) counted in (see _enter). A call that close()
        overtook (its mapping's views released under it) fails as a call
        on a closed connection does."""
        self._enter()
        try:
            return fn(*args)
        except ValueError:
            if self._closed:
                raise OSError(errno.EBADF, "shmkit: connection %s is closed" % self.name) from None
            raise
        finally:
            self._leave()

    def _leave(self):
        with self._lock:
            self._inside -= 1
            last = self._closed and self._inside == 0
        if last:
            self._fin()  # once: a finalizer runs at most once

    # Flags and positions.

    def _flag(self, base, off):
        return self._w[(base + off) >> 2]

    def _signal(self, fd):
        try:
            os.write(fd, _ONE)
        except OSError:
            pass  # the counter is full (wake-ups enough), or closed by close()

    def _wake_if_parked(self, base, off, kind):
        if self._w[(base + off) >> 2] == 1 and _atomic.cas32(self._m.addr(base + off, 4), 1, 0) == 1:
            try:  # never blocks: a full socket means the peer has wake-ups to read
                self._sock.send(kind, socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL)
            except OSError:
                pass  # full, or the peer is gone (which its socket's end tells)

    def _drain(self):
        """Reads the peer's wake-ups from the socket, once and without
        waiting (a flood must not hold a call past its deadline), and
        passes them to our parked calls; notes the socket's end."""
        if self._gone:
            return
        try:
            b = self._sock.recv(_WAKE_READ, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            b = b""
        if not b:
            self._gone = True
            self._signal(self._rx_ev)
            self._signal(self._tx_ev)
            return
        # A full read means a backlog, behind which the peer may have
        # dropped a wake-up of either kind on a full socket: wake both.
        full = len(b) == _WAKE_READ
        if full or b.strip(_WAKE_WRITER):
            self._signal(self._rx_ev)
        if full or b.strip(_WAKE_READER):
            self._signal(self._tx_ev)

    def _peer_gone(self) -> bool:
        self._drain()
        return self._gone

    def _park(self, base, off, poller, ev, ready, deadline):
        """Waits until ready(): spins, then parks on our eventfd and the
        socket (the peer's wake-ups, and its death). Raises TimeoutError at
        the deadline."""
        end = time.monotonic() + _SPIN
        while time.monotonic() < end:
            if ready():
                return
        addr = self._m.addr(base + off, 4)
        _atomic.swap32(addr, 1)  # sequentially consistent: then look again
        try:
            if ready():
                return
            left = None
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout("timed out")
            poller.poll(None if left is None else max(1, int(left * 1000)))
            self._drain()  # first: it may be our own wake-up
            try:
                os.read(ev, 8)
            except (BlockingIOError, OSError):
                pass
        finally:
            if not self._closed:  # closed by another thread meanwhile: the flag went with the mapping
                self._w[(base + off) >> 2] = 0

    def _deadline(self):
        return None if self._timeout is None else time.monotonic() + self._timeout

    # Reading.

    def _load_w(self):
        w = self._q[(self._rx + _WPOS) >> 3]
        if w < self._w_seen or w - self._w_seen > self._r_pos + self.capacity - self._w_seen:  # back, or past a lap
            raise CorruptError("shmkit: connection %s: writer at %d, reader at %d" % (self.name, w, self._r_pos))
        self._w_seen = w

    def _readable(self, deadline):
        while True:
            if self._closed:
                raise OSError(errno.EBADF, "shmkit: connection %s is closed" % self.name)
            n = self._w_seen - self._r_pos
            if n:
                return n
            if self._rshut:
                return 0
            self._load_w()
            if self._w_seen != self._r_pos:
                continue
            if self._flag(self._rx, _W_CLOSED) == 1 or self._peer_gone():
                self._load_w()
                if self._w_seen != self._r_pos:
                    continue
                if self._flag(self._rx, _W_CLOSED) == 1:  # again: a close just before the socket's end is a close
                    return 0
                raise PeerDeadError("shmkit: connection %s: the peer's process died" % self.name)
            rx = self._rx
            self._park(rx, _R_PARKED, self._poll_rx, self._rx_ev,
                       lambda: self._closed or self._rshut or self._q[(rx + _WPOS) >> 3] != self._r_pos
                       or self._flag(rx, _W_CLOSED) == 1, deadline)
            if self._closed or self._rshut:
                continue  # the loop's top says which
            if self._peer_gone() and self._q[(rx + _WPOS) >> 3] == self._r_pos and self._flag(rx, _W_CLOSED) != 1:
                raise PeerDeadError("shmkit: connection %s: the peer's process died" % self.name)

    def recv_into(self, buffer, nbytes: int = 0) -> int:
        """Reads up to nbytes (0: len(buffer)) into buffer, waiting for at
        least one; returns 0 at the end of the stream."""
        return self._counted(self._recv_into, buffer, nbytes)

    def _recv_into(self, buffer, nbytes):
        out = memoryview(buffer).cast("B")
        want = nbytes or len(out)
        if want == 0:
            return 0
        avail = self._readable(self._deadline())
        n = min(want, avail)
        if n == 0:
            return 0
        i = self._r_pos & self._mask
        first = min(n, self.capacity - i)
        b = self._m.buf
        out[:first] = b[self._rxdata + i : self._rxdata + i + first]
        if first < n:
            out[first:n] = b[self._rxdata : self._rxdata + n - first]
        self._r_pos += n
        _atomic.swap64(self._m.addr(self._rx + _RPOS, 8), self._r_pos)  # sequentially consistent, then the flag
        self._wake_if_parked(self._rx, _W_PARKED, _WAKE_WRITER)
        return n

    def recv(self, bufsize: int) -> bytes:
        """Reads up to bufsize bytes, waiting for at least one; b"" at the end."""
        buf = bytearray(bufsize)
        n = self.recv_into(buf)
        del buf[n:]
        return bytes(buf)

    def recv_exactly(self, n: int) -> bytes:
        """Reads exactly n bytes; raises EOFError if the stream ends first."""
        buf = bytearray(n)
        mv = memoryview(buf)
        got = 0
        while got < n:
            k = self.recv_into(mv[got:])
            if k == 0:
                raise EOFError("shmkit: connection %s ended after %d of %d bytes" % (self.name, got, n))
            got += k
        return bytes(buf)

    # Writing.

    def _writable(self, deadline):
        while True:
            if self._closed:
                raise OSError(errno.EBADF, "shmkit: connection %s is closed" % self.name)
            if self._wshut or self._flag(self._tx, _R_CLOSED) == 1:
                raise BrokenPipeError(errno.EPIPE, "shmkit: connection %s: the peer closed its reading side" % self.name)
            if self._peer_gone():
                raise PeerDeadError("shmkit: connection %s: the peer's process died" % self.name)
            free = self.capacity - (self._w_pos - self._r_seen)
            if free:
                return free
            r = self._q[(self._tx + _RPOS) >> 3]
            if r < self._r_seen or r - self._r_seen > self._w_pos - self._r_seen:  # back, or past what we wrote
                raise CorruptError("shmkit: connection %s: reader at %d, writer at %d" % (self.name, r, self._w_pos))
            if r != self._r_seen:
                self._r_seen = r
                continue
            tx = self._tx
            self._park(tx, _W_PARKED, self._poll_tx, self._tx_ev,
                       lambda: self._closed or self._wshut or self._q[(tx + _RPOS) >> 3] != self._r_seen
                       or self._flag(tx, _R_CLOSED) == 1, deadline)

    def send(self, data) -> int:
        """Writes as much of data as fits now (waiting for room for at
        least one byte); returns how much."""
        return self._counted(self._send, data)

    def _send(self, data):
        mv = memoryview(data).cast("B")
        if not len(mv):
            return 0
        free = self._writable(self._deadline())
        n = min(free, len(mv))
        i = self._w_pos & self._mask
        first = min(n, self.capacity - i)
        b = self._m.buf
        b[self._txdata + i : self._txdata + i + first] = mv[:first]
        if first < n:
            b[self._txdata : self._txdata + n - first] = mv[first:n]
        self._w_pos += n
        _atomic.swap64(self._m.addr(self._tx + _WPOS, 8), self._w_pos)  # sequentially consistent, then the flag
        self._wake_if_parked(self._tx, _R_PARKED, _WAKE_READER)
        return n

    def sendall(self, data) -> None:
        """Writes all of data, waiting for room as it must."""
        mv = memoryview(data).cast("B")
        deadline = self._deadline()
        while len(mv):
            if deadline is not None and time.monotonic() >= deadline:
                raise socket.timeout("timed out")
            n = self.send(mv)
            mv = mv[n:]

    # The rest of a socket.

    def settimeout(self, value: float | None) -> None:
        """Seconds recv and send may wait (None: no limit), raising
        socket.timeout (TimeoutError) after them."""
        self._timeout = value

    def gettimeout(self):
        return self._timeout

    def shutdown(self, how: int) -> None:
        """socket.SHUT_WR ends our stream (the peer reads EOF after the
        data); SHUT_RD makes the peer's writes fail; SHUT_RDWR both."""
        self._counted(self._shutdown, how)

    def _shutdown(self, how):
        if how in (socket.SHUT_WR, socket.SHUT_RDWR) and not self._wshut:
            self._wshut = True
            self._signal(self._tx_ev)  # our own sends parked for room: they fail now
            _atomic.swap32(self._m.addr(self._tx + _W_CLOSED, 4), 1)
            self._wake_if_parked(self._tx, _R_PARKED, _WAKE_READER)
        if how in (socket.SHUT_RD, socket.SHUT_RDWR) and not self._rshut:
            self._rshut = True
            self._signal(self._rx_ev)  # our own recvs: they return b"" now
            _atomic.swap32(self._m.addr(self._rx + _R_CLOSED, 4), 1)
            self._wake_if_parked(self._rx, _W_PARKED, _WAKE_WRITER)

    def close(self) -> None:
        """Ends both directions and frees the connection."""
        with self._lock:
            if self._closed:
                return
            # Closed first: a call that the shutdown below wakes fails as
            # closed, rather than reading an end of stream.
            self._closed = True
            self._inside += 1  # our own use of the descriptors, below
        try:
            try:
                self._shutdown(socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass
            self._signal(self._rx_ev)  # calls parked in other threads look, see closed, and leave
            self._signal(self._tx_ev)
            self._m.close()  # the mapping becomes zero pages first: a call still inside cannot fault
        finally:
            self._leave()  # the last call out closes the descriptors

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "Conn(%r, %s, capacity=%d)" % (self.name, "dialer" if self._role == 0 else "listener", self.capacity)


def _close_fds(fds, sock):
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    sock.close()


def dial(name: str, timeout: float | None = None, allow=None) -> Conn:
    """Connects to the listener called name (Go's shmnet.Listen or
    listen()). Raises ConnectionRefusedError if none listens; allow(pid,
    uid, gid) decides whether to trust it (default: our uid or root)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        sock.settimeout(_SETUP_TIMEOUT if timeout is None else timeout)
        sock.connect(_address(name))
        cred = _peer_cred(sock)
        ok = allow(*cred) if allow is not None else cred[1] in (os.getuid(), 0)
        if not ok:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "shmkit: we do not trust the listener: pid %d, uid %d" % cred[:2])
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, 512, 5)
        except ConnectionResetError:
            msg, fds = b"", []
        m = None
        try:
            if len(msg) == 0:
                # Never accepted: refused, as a dial after the listener's death is.
                raise ConnectionRefusedError(errno.ECONNREFUSED, "shmkit: the listener closed (or died) before accepting us")
            if len(msg) < 6 or msg[:4] != _HELLO:
                raise CorruptError("shmkit: %s is not a shmnet listener" % name)
            if msg[4] != _VERSION:
                raise CorruptError("shmkit: listener speaks version %d, we %d" % (msg[4], _VERSION))
            if msg[5] != _OK:
                raise ConnectionRefusedError(errno.ECONNREFUSED, "shmkit: connection refused by the listener: " + msg[6:].decode(errors="replace"))
            if len(fds) != 1:
                raise CorruptError("shmkit: %d descriptors in the hello, want 1" % len(fds))
            if not fcntl.fcntl(fds[0], fcntl.F_GET_SEALS) & _F_SEAL_SHRINK:
                raise CorruptError("shmkit: the listener's memory is not a memfd sealed against shrinking")
            m = _Mapping(name, fds[0])
            _check_header(m, name)
            sock.sendall(bytes([_ACK]))
        except BaseException:
            if m is not None:
                m.close()
                fds = fds[1:]
            for fd in fds:
                os.close(fd)
            raise
        sock.settimeout(None)
        return Conn(name, 0, m, sock, cred)
    except BaseException:
        sock.close()
        raise


def _check_header(m, name):
    magic = struct.unpack_from("<Q", m.buf, L.CONN["magic"][0])[0]
    version = struct.unpack_from("<I", m.buf, L.CONN["layout version"][0])[0]
    cap = struct.unpack_from("<Q", m.buf, L.CONN["capacity"][0])[0]
    if magic != L.CONN_MAGIC:
        raise CorruptError("shmkit: connection %s: magic %#x" % (name, magic))
    if version != L.CONN_VERSION:
        raise CorruptError("shmkit: connection %s: layout version %d, want %d" % (name, version, L.CONN_VERSION))
    if cap < MIN_CAPACITY or cap > MAX_CAPACITY or cap & (cap - 1) or m.size != L.CONN_DATA + 2 * cap:
        raise CorruptError("shmkit: connection %s: capacity %d in %d bytes" % (name, cap, m.size))


class Listener:
    """Accepts connections from Go's shmnet.Dial and from dial()."""

    def __init__(self, name: str, capacity: int = DEFAULT_CAPACITY, allow=None):
        if capacity < MIN_CAPACITY or capacity > MAX_CAPACITY or capacity & (capacity - 1):
            raise ValueError("shmkit: capacity %d: want a power of two from %d to %d" % (capacity, MIN_CAPACITY, MAX_CAPACITY))
        self.name, self.capacity, self._allow = name, capacity, allow
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            self._sock.bind(_address(name))  # abstract: it goes with our process, however it ends
            self._sock.listen(128)
        except OSError as e:
            self._sock.close()
            if e.errno == errno.EADDRINUSE:
                raise OSError(errno.EADDRINUSE, "shmkit: a live listener already listens as %s" % name) from None
            raise

    def accept(self, timeout: float | None = None) -> Conn:
        """Waits for a dialer (up to timeout seconds: socket.timeout) and
        returns its connection."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._sock.settimeout(None if deadline is None else max(0.0, deadline - time.monotonic()))
            uc, _ = self._sock.accept()
            c = self._setup(uc)
            if c is not None:
                return c

    def _setup(self, uc):
        try:
            uc.settimeout(_SETUP_TIMEOUT)
            cred = _peer_cred(uc)
            ok = self._allow(*cred) if self._allow is not None else cred[1] in (os.getuid(), 0)
            if not ok:
                uc.sendall(_HELLO + bytes([_VERSION, _REFUSED]) + b"uid %d, gid %d not allowed" % (cred[1], cred[2]))
                uc.close()
                return None
            fds = []
            try:
                mfd = os.memfd_create("shmnet:" + self.name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
                fds.append(mfd)
                os.ftruncate(mfd, L.CONN_DATA + 2 * self.capacity)
                fcntl.fcntl(mfd, fcntl.F_ADD_SEALS, _F_SEAL_SHRINK | _F_SEAL_GROW | _F_SEAL_SEAL)
                m = _Mapping(self.name, mfd)
                struct.pack_into("<Q", m.buf, L.CONN["magic"][0], L.CONN_MAGIC)
                struct.pack_into("<I", m.buf, L.CONN["layout version"][0], L.CONN_VERSION)
                struct.pack_into("<Q", m.buf, L.CONN["capacity"][0], self.capacity)
                socket.send_fds(uc, [_HELLO + bytes([_VERSION, _OK])], fds)
                ack = uc.recv(1)
                if ack != bytes([_ACK]):
                    m.close()
                    fds = fds[1:]
                    raise ConnectionResetError("shmkit: the dialer left during setup")
            except BaseException:
                for fd in fds:
                    os.close(fd)
                raise
            uc.settimeout(None)
            return Conn(self.name, 1, m, uc, cred)
        except (OSError, CorruptError):
            uc.close()
            return None

    def close(self) -> None:
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def listen(name: str, capacity: int = DEFAULT_CAPACITY, allow=None) -> Listener:
    """Listens as name, for Go's shmnet.Dial(ctx, name) and dial(name)."""
    return Listener(name, capacity, allow)

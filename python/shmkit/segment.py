"""Segments: a header page and a payload in one file under /dev/shm,
opened and validated exactly as Go's package shm does."""

from __future__ import annotations

import ctypes
import fcntl
import mmap
import os
import stat
import struct
import time
import uuid
import weakref

from . import _live, _sys
from . import layout as L
from ._crc32c import crc32c
from .errors import (
    BadMagicError,
    CorruptError,
    IncompatibleError,
    InvalidNameError,
    InvalidSizeError,
    NotReadyError,
    NotRegularError,
    TruncatedError,
    UnsafePermissionError,
)

DEFAULT_DIR = "/dev/shm"
_NAME_BYTES = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
_KIND_BYTES = set(b"abcdefghijklmnopqrstuvwxyz0123456789-")


def path_of(name: str) -> str:
    """The file of a segment name: a bare name lives in /dev/shm, a name
    with a '/' is that path (Go's shm.Path)."""
    if not isinstance(name, str) or name == "":
        raise InvalidNameError("shmkit: invalid segment name: empty")
    if "/" in name:
        if len(name.encode()) > 4095:
            raise InvalidNameError("shmkit: invalid segment name: path longer than 4095 bytes")
        if name.endswith("/"):
            raise InvalidNameError("shmkit: invalid segment name %r: names a directory" % name)
        if ".." in name.split("/"):
            raise InvalidNameError('shmkit: invalid segment name %r: contains ".."' % name)
        _check_base(os.path.basename(name))
        return name
    _check_base(name)
    return os.path.join(DEFAULT_DIR, name)


def _check_base(base: str) -> None:
    b = base.encode()
    if len(b) > 255:
        raise InvalidNameError("shmkit: invalid segment name: %d bytes, limit 255" % len(b))
    if base in (".", ".."):
        raise InvalidNameError("shmkit: invalid segment name %r" % base)
    for c in b:
        if c not in _NAME_BYTES:
            raise InvalidNameError(
                "shmkit: invalid segment name %r has byte %r; allowed are letters, digits, '.', '_' and '-'"
                % (base, chr(c))
            )


class Header:
    """The parsed header page of a segment."""

    __slots__ = (
        "kind", "kind_version", "flags", "payload_size", "creator_pid", "creator_uid",
        "creator_start", "boot_id", "created_at", "elem_type", "elem_size", "elem_align",
        "elem_count", "elem_fingerprint",
    )

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k, 0))

    def __repr__(self):
        return "Header(%s)" % ", ".join("%s=%r" % (k, getattr(self, k)) for k in self.__slots__)


def _release(res):
    fd, mm = res
    if fd >= 0:
        os.close(fd)
    try:
        mm.close()
    except (BufferError, ValueError):
        pass


def _field(b, name, fmt):
    return struct.unpack_from(fmt, b, L.HEADER[name][0])[0]


def _cstring(raw: bytes, what: str) -> str:
    i = raw.find(b"\0")
    if i >= 0:
        if raw[i:].strip(b"\0"):
            raise CorruptError("shmkit: corrupt segment: %s: bytes after the terminating NUL" % what)
        raw = raw[:i]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptError("shmkit: corrupt segment: %s: not UTF-8" % what) from None


def parse_header(b: bytes) -> Header:
    """Validates a header page in Go's order (magic, layout version,
    checksum, ready, field values) and returns it."""
    if len(b) < 8 or b[:8] != L.MAGIC:
        raise BadMagicError("shmkit: not a shmkit segment: starts with %r" % bytes(b[:8]))
    if len(b) < L.HEADER_SIZE:
        raise CorruptError("shmkit: corrupt segment: file is %d bytes, shorter than the header" % len(b))
    v = _field(b, "layout_version", "<I")
    if v != L.LAYOUT_VERSION:
        if v > L.LAYOUT_VERSION:
            raise IncompatibleError("shmkit: layout version %d is newer than this package's %d" % (v, L.LAYOUT_VERSION))
        raise CorruptError("shmkit: corrupt segment: unknown layout version %d" % v)
    want = _field(b, "checksum", "<I")
    got = crc32c(bytes(b[: L.CHECKSUMMED]))
    if got != want:
        raise CorruptError("shmkit: corrupt segment: header checksum %#010x, computed %#010x" % (want, got))
    ready = _field(b, "ready", "<I")
    if ready == 0:
        raise NotReadyError("shmkit: segment not ready: its creator has not published it (still at work, or died)")
    if ready != L.READY:
        raise CorruptError("shmkit: corrupt segment: ready word %#010x" % ready)
    h = Header(
        kind_version=_field(b, "kind_version", "<I"),
        flags=_field(b, "flags", "<I"),
        payload_size=_field(b, "payload_size", "<Q"),
        creator_pid=_field(b, "creator_pid", "<I"),
        creator_uid=_field(b, "creator_uid", "<I"),
        creator_start=_field(b, "creator_start", "<Q"),
        boot_id=bytes(b[0x40:0x50]),
        created_at=_field(b, "created_at", "<q"),
        elem_size=_field(b, "elem_size", "<Q"),
        elem_align=_field(b, "elem_align", "<Q"),
        elem_count=_field(b, "elem_count", "<Q"),
        elem_fingerprint=_field(b, "elem_fingerprint", "<Q"),
    )
    h.kind = _cstring(bytes(b[0x20:0x30]), "kind")
    h.elem_type = _cstring(bytes(b[0x78:0xF8]), "elem_type")
    if h.payload_size == 0 or h.payload_size > L.MAX_PAYLOAD:
        raise CorruptError("shmkit: corrupt segment: payload size %d" % h.payload_size)
    if _field(b, "header_size", "<I") != L.HEADER_SIZE:
        raise CorruptError("shmkit: corrupt segment: header size %d" % _field(b, "header_size", "<I"))
    if h.flags != 0:
        raise IncompatibleError("shmkit: unknown flags %#x" % h.flags)
    if not h.kind or any(c not in _KIND_BYTES for c in h.kind.encode()):
        raise CorruptError("shmkit: corrupt segment: kind %r" % h.kind)
    if h.elem_align & (h.elem_align - 1):
        raise CorruptError("shmkit: corrupt segment: element alignment %d is not a power of two" % h.elem_align)
    if h.elem_size and h.elem_count > h.payload_size // h.elem_size:
        raise CorruptError("shmkit: corrupt segment: %d elements of %d bytes overflow the payload" % (h.elem_count, h.elem_size))
    return h


def encode_header(h: Header) -> bytearray:
    b = bytearray(L.HEADER_SIZE)
    b[0:8] = L.MAGIC
    struct.pack_into("<IIQII", b, 0x08, L.LAYOUT_VERSION, L.HEADER_SIZE, h.payload_size, 0, h.kind_version)
    b[0x20 : 0x20 + len(h.kind)] = h.kind.encode()
    struct.pack_into("<IIQ", b, 0x30, h.creator_pid, h.creator_uid, h.creator_start)
    b[0x40:0x50] = h.boot_id
    struct.pack_into("<qQQQQ", b, 0x50, h.created_at, h.elem_size, h.elem_align, h.elem_count, h.elem_fingerprint)
    t = h.elem_type.encode()[: L.MAX_TYPE_NAME_LEN]
    b[0x78 : 0x78 + len(t)] = t
    struct.pack_into("<I", b, L.CHECKSUMMED, crc32c(bytes(b[: L.CHECKSUMMED])))
    return b


def _flock(fd: int, how: int, timeout: float) -> int | None:
    """Locks the file open at fd through a descriptor of its own (as Go's
    flock of /proc/self/fd/N), waiting up to timeout; returns that
    descriptor, or None if another process still held the lock."""
    lk = os.open("/proc/self/fd/%d" % fd, os.O_RDONLY | os.O_CLOEXEC)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(lk, how | fcntl.LOCK_NB)
            return lk
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(lk)
                return None
            time.sleep(0.001)
        except BaseException:
            os.close(lk)
            raise


def _boot_id() -> bytes:
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return uuid.UUID(f.read().strip()).bytes
    except (OSError, ValueError):
        return bytes(16)


class Segment:
    """One mapped segment. Use open() or create(); the kinds (Ring, Queue,
    Value, ...) wrap one. Its payload starts at offset 4096 of buf."""

    def __init__(self, name, path, fd, mm, header, readonly):
        self.name, self.path, self.header, self.readonly = name, path, header, readonly
        self._fd, self._mm = fd, mm
        # A handle dropped without close() still gives back its descriptor
        # and mapping (once nobody can be inside it: it is unreachable).
        self._res = [fd, mm]
        weakref.finalize(self, _release, self._res)
        self.size = len(mm)
        self.buf = memoryview(mm)
        self._views = []
        self._anchor = None
        self.base = 0  # address of the mapping; 0 for a read-only one
        if not readonly:
            self._anchor = ctypes.c_char.from_buffer(mm)
            self.base = ctypes.addressof(self._anchor)

    @property
    def closed(self) -> bool:
        return self._mm is None

    @property
    def kind(self) -> str:
        return self.header.kind

    def words(self, fmt: str) -> memoryview:
        """The whole mapping as words of fmt ('Q' or 'I'): index by byte
        offset // size. Loads and stores of one item are single accesses."""
        v = self.buf.cast(fmt)
        self._views.append(v)
        return v

    def addr(self, off: int, size: int = 8) -> int:
        """The address of the word at offset off, checked to lie in the
        mapping and be aligned: the only way an address reaches _atomic."""
        if self.base == 0:
            if self._mm is None:
                raise ValueError("shmkit: %s is closed" % self.name)
            raise PermissionError("shmkit: %s is mapped read-only" % self.name)
        if off < 0 or off + size > self.size or off % size:
            raise CorruptError("shmkit: corrupt segment %s: word at offset %d" % (self.name, off))
        return self.base + off

    def check(self) -> None:
        """Raises TruncatedError if the file no longer has its full size,
        before a caller touches the mapping again (which would SIGBUS)."""
        if self._mm is None:
            raise ValueError("shmkit: %s is closed" % self.name)
        st = os.fstat(self._fd)
        if st.st_size < self.size:
            raise TruncatedError(
                "shmkit: %s was truncated to %d bytes while mapped (%d)" % (self.name, st.st_size, self.size)
            )

    def close(self) -> None:
        """Unmaps the segment. Other threads still inside a call on it get
        a clean exception: the views are released at once, and a writable
        mapping is first replaced by private zero pages (the address range
        goes only with the last reference), so that no ctypes call of
        theirs can fault."""
        if self._mm is None:
            return
        for v in self._views:
            v.release()
        self._views = []
        self.buf.release()
        self._anchor = None
        base, self.base = self.base, 0  # from here on addr() refuses
        mm, self._mm = self._mm, None
        if base:
            _sys.retire(base, self.size)  # mm keeps the range until it is freed
        else:
            try:
                mm.close()
            except BufferError:
                pass  # a view handed out (a read(copy=False)) still exports it: it goes with the last one
        os.close(self._fd)
        self._fd = -1
        self._res[0] = -1

    def unlink(self) -> None:
        """Removes the segment's name (processes that map it keep it)."""
        os.unlink(self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_segment(name: str, kind: str | None = None, kind_version: int = 0, readonly: bool = False,
                 allow_other_users: bool = False, timeout: float = 2.0) -> Segment:
    """Opens and validates a segment as Go's shm.Open does."""
    path = path_of(name)
    flags = (os.O_RDONLY if readonly else os.O_RDWR) | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == 40:  # ELOOP
            raise NotRegularError("shmkit: %s is a symbolic link" % path) from None
        if e.errno in (6, 19, 20, 21):  # ENXIO, ENODEV, ENOTDIR, EISDIR
            raise NotRegularError("shmkit: %s is not a regular file: %s" % (path, e.strerror)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularError("shmkit: %s is not a regular file" % path)
        if not allow_other_users:
            if st.st_uid != os.geteuid():
                raise UnsafePermissionError(
                    "shmkit: %s belongs to uid %d, not %d (pass allow_other_users=True to trust it)"
                    % (path, st.st_uid, os.geteuid())
                )
            if st.st_mode & 0o022:
                raise UnsafePermissionError(
                    "shmkit: %s has mode %04o, writable by others (pass allow_other_users=True to trust it)"
                    % (path, st.st_mode & 0o777)
                )
        head = os.pread(fd, 8, 0)
        if head != L.MAGIC:
            msg = "shmkit: %s is not a shmkit segment: starts with %r" % (path, head)
            if os.path.basename(path).startswith(_live.PREFIX):
                msg += " (it is a liveness file, which a shmkit process holds while it runs)"
            raise BadMagicError(msg)
        lk = _flock(fd, fcntl.LOCK_SH, timeout)  # never before the magic: not ours, never locked
        if lk is None:
            raise NotReadyError("shmkit: %s not ready: its creator still holds the init lock after %gs" % (path, timeout))
        try:
            st = os.fstat(fd)
            h = parse_header(os.pread(fd, L.HEADER_SIZE, 0))
            want = L.HEADER_SIZE + h.payload_size
            if st.st_size != want:
                raise CorruptError(
                    "shmkit: corrupt segment %s: file is %d bytes, header says %d (truncated or extended)"
                    % (path, st.st_size, want)
                )
        finally:
            os.close(lk)
        if kind is not None and h.kind != kind:
            raise IncompatibleError("shmkit: %s: kind is %r, want %r" % (path, h.kind, kind))
        if kind_version and h.kind_version != kind_version:
            raise IncompatibleError("shmkit: %s: %s version %d, want %d" % (path, h.kind, h.kind_version, kind_version))
        prot = mmap.PROT_READ if readonly else mmap.PROT_READ | mmap.PROT_WRITE
        mm = mmap.mmap(fd, want, mmap.MAP_SHARED, prot)
    except BaseException:
        os.close(fd)
        raise
    return Segment(name, path, fd, mm, h, readonly)


def create_segment(name: str, kind: str, kind_version: int, payload_size: int, init=None, mode: int = 0o600,
                   elem_type: str = "", elem_size: int = 0, elem_align: int = 0, elem_count: int = 0,
                   elem_fingerprint: int = 0) -> Segment:
    """Creates a segment as Go's shm.Create does: built in an unnamed file,
    named by linkat once its header and payload are complete (a taken name
    raises FileExistsError), then published by its ready word. init(seg)
    fills the payload before the segment has a name."""
    path = path_of(name)
    if payload_size <= 0 or payload_size > L.MAX_PAYLOAD:
        raise InvalidSizeError("shmkit: create %s: payload of %d bytes" % (name, payload_size))
    if mode & ~0o777 or mode & 0o600 != 0o600:
        raise ValueError("shmkit: create %s: mode %04o must be permission bits including 0600" % (name, mode))
    fd = os.open(os.path.dirname(path) or ".", os.O_RDWR | os.O_TMPFILE | os.O_CLOEXEC, 0o600)
    seg = None
    try:
        lk = _flock(fd, fcntl.LOCK_EX, 0)
        try:
            os.fchmod(fd, mode)
            total = L.HEADER_SIZE + payload_size
            os.posix_fallocate(fd, 0, total)  # a full tmpfs fails here, not with SIGBUS later
            mm = mmap.mmap(fd, total, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            h = Header(
                kind=kind, kind_version=kind_version, payload_size=payload_size, creator_pid=os.getpid(),
                creator_uid=os.geteuid(), creator_start=_live.start_time(), boot_id=_boot_id(),
                created_at=time.time_ns(), elem_type=elem_type, elem_size=elem_size, elem_align=elem_align,
                elem_count=elem_count, elem_fingerprint=elem_fingerprint,
            )
            mm[: L.HEADER_SIZE] = bytes(encode_header(h))
            seg = Segment(name, path, fd, mm, h, False)
            if init is not None:
                init(seg)
            mm.flush()
            _sys.link_fd(fd, path)
            seg.words("I")[L.HEADER["ready"][0] // 4] = L.READY  # the release store that publishes it
        finally:
            os.close(lk)
    except BaseException:
        if seg is not None:
            seg.close()
        else:
            os.close(fd)
        raise
    return seg


def unlink(name: str) -> None:
    """Removes a segment's name, as Python's SharedMemory.unlink()."""
    os.unlink(path_of(name))

"""The exceptions of shmkit, one per failure Go reports with a sentinel error.

Each also derives from the built-in exception a Python programmer would
catch for it: a missing segment is FileNotFoundError, a taken name
FileExistsError, a dead peer EOFError and ConnectionResetError, a message
too large ValueError. Timeouts are TimeoutError; a Queue's are queue.Empty
and queue.Full, as the standard library's queue raises.
"""

from __future__ import annotations


class ShmkitError(Exception):
    """The base of every shmkit exception."""


class UnsupportedError(ShmkitError, OSError):
    """This machine or interpreter cannot run the package (architecture, kernel)."""


class InvalidNameError(ShmkitError, ValueError):
    """A segment name with a byte outside letters, digits, '.', '_' and '-', or too long."""


class InvalidSizeError(ShmkitError, ValueError):
    """A capacity, slot count or message size out of range."""


class BadMagicError(ShmkitError):
    """The file does not start with shmkit's magic: it is not a shmkit segment."""


class NotRegularError(ShmkitError, OSError):
    """The name is a symbolic link, a directory or a device: never followed."""


class UnsafePermissionError(ShmkitError, PermissionError):
    """The segment belongs to another user, or others may write it."""


class NotReadyError(ShmkitError):
    """The creator has not published the segment: still at work, or it died."""


class IncompatibleError(ShmkitError):
    """A layout version, flag or kind this package does not read."""


class TypeMismatchError(IncompatibleError, TypeError):
    """The segment holds another element type than the one asked for."""


class CorruptError(ShmkitError):
    """Bytes in the segment break its format: a checksum, a position, a length."""


class TruncatedError(CorruptError):
    """The file became shorter than its header says while it was mapped."""


class BusyError(ShmkitError):
    """The role (producer, consumer) is held by a live process."""


class PeerDeadError(ShmkitError, EOFError, ConnectionResetError):
    """The process on the other side died: Go's ErrPeerDead.

    It is an EOFError (Go's wraps io.ErrUnexpectedEOF) and, for connections,
    a ConnectionResetError (Go's matches ECONNRESET).
    """


class OwnerDeadError(ShmkitError):
    """A lock was acquired from a holder that died holding it; repair, then mark consistent."""


class NotRecoverableError(ShmkitError):
    """A lock whose dead holder's state was never repaired: every later lock fails."""


class NotOwnerError(ShmkitError):
    """Unlock or mark consistent by a process that does not hold the lock."""


class MessageTooLargeError(ShmkitError, ValueError):
    """A message longer than the ring's or queue's limit."""


class ReadOnlyError(ShmkitError, PermissionError):
    """A write through a handle opened read-only."""


class DictFullError(ShmkitError):
    """Dict.add or replace found no room without evicting a live entry."""

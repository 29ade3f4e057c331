"""shmkit for Python: the shared-memory segments of Go's shmkit, from
Python's standard library alone.

Open what a Go program made, or make what it opens:

    >>> import shmkit
    >>> ring = shmkit.Ring("orders", create=True, capacity=1 << 20)
    >>> ring.producer().write(b"hello")       # a Go consumer's Next returns it
    >>> shmkit.open("orders")                  # any segment, as its kind's class
    Ring('orders', capacity=1048576, max_message=262136)

The kinds: Ring and Stream (one producer, one consumer), Queue (many of
each, exactly once), Value and Array (typed elements, seqlock reads,
atomics, a robust lock), Dict (a shared mapping with TTLs and LRU), and
net.dial/net.listen (connections to and from Go's shmnet). Every failure
is an exception from shmkit.errors, which also derive from the built-in
ones a Python programmer catches (FileNotFoundError, ValueError,
EOFError, ...). The byte layouts are docs/FORMAT.md's.
"""

from . import net  # noqa: F401
from .dict import Dict
from .errors import *  # noqa: F401,F403
from .errors import BadMagicError
from .mutex import Mutex
from .queue import Queue
from .ringbuf import Consumer, Producer, Ring, Stream, StreamReader, StreamWriter
from .segment import Segment, open_segment, unlink
from .value import Array, Value

__version__ = "0.1.0"

_KINDS = {"ring": Ring, "stream": Stream, "queue": Queue, "value": Value, "array": Array, "dict": Dict}


def open(name: str, allow_other_users: bool = False):
    """Opens the segment called name as its kind's class (Ring, Stream,
    Queue, Value, Array or Dict), after validating its header exactly as
    Go's shm.Open does: magic, layout version, checksum, ready word, field
    values and file size. A kind this package has no class for (a mutex,
    a semaphore, ...) comes back as a Segment. Each failure has its own
    exception: FileNotFoundError, BadMagicError, IncompatibleError,
    CorruptError, NotReadyError, NotRegularError, UnsafePermissionError."""
    seg = open_segment(name, readonly=True, allow_other_users=allow_other_users)
    kind = seg.kind
    cls = _KINDS.get(kind)
    if cls is None:
        seg.close()
        return open_segment(name, allow_other_users=allow_other_users)
    seg.close()
    return cls(name, allow_other_users=allow_other_users)


__all__ = [
    "open", "unlink", "Ring", "Stream", "Producer", "Consumer", "StreamReader", "StreamWriter", "Queue",
    "Value", "Array", "Mutex", "Dict", "Segment", "open_segment", "net", "BadMagicError",
] + [n for n in dir(__import__("shmkit.errors", fromlist=["x"])) if n.endswith("Error")]

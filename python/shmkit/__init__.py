"""shmkit for Python: Go's shmkit segments from Python's standard library."""

from .dict import Dict  # noqa: F401
from .errors import *  # noqa: F401,F403
from .ringbuf import Consumer, Producer, Ring, Stream, StreamReader, StreamWriter  # noqa: F401
from . import net  # noqa: F401
from .mutex import Mutex  # noqa: F401
from .queue import Queue  # noqa: F401
from .segment import Segment, open_segment, unlink  # noqa: F401
from .value import Array, Value  # noqa: F401

__version__ = "0.1.0"

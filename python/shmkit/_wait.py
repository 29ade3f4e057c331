"""Waiting as Go's internal/spin does: spin a little, then park on a futex,
looking for a dead peer every 2 to 50 ms."""

from __future__ import annotations

import time

RECHECK_MIN = 0.002
RECHECK_MAX = 0.050

SPIN = "spin"
ADAPTIVE = "adaptive"
BLOCK = "block"
WAITS = (SPIN, ADAPTIVE, BLOCK)

# How long "adaptive" spins before it parks. Go spins 20 µs; a Python
# look costs about 50 times a Go one, so it spins longer to see as many.
ADAPTIVE_SPIN = 0.0002


def check_wait(w: str) -> str:
    if w not in WAITS:
        raise ValueError("shmkit: wait must be one of %s, not %r" % (", ".join(WAITS), w))
    return w


class Deadline:
    """A timeout in seconds (None: none) turned into a point in time."""

    __slots__ = ("at",)

    def __init__(self, timeout):
        if timeout is not None and timeout < 0:
            raise ValueError("shmkit: timeout must be non-negative")
        self.at = None if timeout is None else time.monotonic() + timeout

    def left(self):
        """Seconds left (None: no limit); raises TimeoutError once passed."""
        if self.at is None:
            return None
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("shmkit: timed out")
        return left

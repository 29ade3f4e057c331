"""A Python peer for the Go interop tests (internal/pyinterop) and the
Python tests: each command plays one side of one kind, prints "ready",
then works, and prints "done COUNT CRC32" (the CRC-32 of every message
in order). Messages are those of message(i): the sequence number, then
a slice of a fixed pattern, so that both languages make the same ones."""

import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import shmkit  # noqa: E402

PATTERN = bytes((i * 7 + 3) & 0xFF for i in range(512))


def message(i: int) -> bytes:
    """Message i: 8 bytes of i, then 0 to 56 bytes of PATTERN from i % 251."""
    k = i % 251
    return struct.pack("<Q", i) + PATTERN[k : k + i % 57]


def say(*words):
    print(*words, flush=True)


def check(i, m):
    if bytes(m) != message(i):
        raise SystemExit("message %d: got %r, want %r" % (i, bytes(m[:16]), message(i)[:16]))


def ring_produce(name, n, wait="adaptive", kill_at=-1):
    r = shmkit.Ring(name)
    p = r.producer(wait)
    say("ready")
    crc = 0
    for i in range(n):
        m = message(i)
        p.write(m)
        crc = zlib.crc32(m, crc)
        if i == kill_at:
            say("at", i)
            sys.stdin.readline()  # the parent SIGKILLs us here
    p.close()
    say("done", n, crc)


def ring_consume(name, n, wait="adaptive"):
    r = shmkit.Ring(name)
    c = r.consumer(wait)
    say("ready")
    crc = 0
    i = 0
    try:
        for m in c:
            check(i, m)
            crc = zlib.crc32(m, crc)
            i += 1
    except shmkit.PeerDeadError:
        say("peerdead", i, crc)
        return
    if i != n:
        raise SystemExit("read %d messages, want %d" % (i, n))
    c.close()
    say("done", i, crc)


COMMANDS = {
    "ring-produce": ring_produce,
    "ring-consume": ring_consume,
}


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = COMMANDS[cmd]
    conv = [int(a) if a.lstrip("-").isdigit() else a for a in args]
    fn(*conv)


if __name__ == "__main__":
    main()

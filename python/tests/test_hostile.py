"""Scribbled segments: 2,000 rounds of hostile bytes written over live
segments of every kind, then every operation tried. Each must give a clean
exception (or a value): never a crash of the interpreter, never a hang."""

import faulthandler
import os
import queue
import random
import struct
import sys

from helpers import Case, shmkit
from shmkit import layout as L

ROUNDS = int(os.environ.get("SHMKIT_HOSTILE_ROUNDS", "2000"))

# What an operation on a scribbled segment may raise: shmkit's own errors
# (corrupt, busy, peer dead...), and the standard ones the API documents.
ALLOWED = (shmkit.ShmkitError, TimeoutError, queue.Empty, queue.Full, ValueError, KeyError, TypeError,
           IndexError, OverflowError, EOFError, PermissionError)

# Words worth writing: zero, all ones, just past every limit.
EXTREMES = [0, 1, 2**31, 2**32 - 1, 2**63, 2**64 - 1, 4096, 4097, 7, 8]


def scribble(path, rng, lo, hi):
    """Writes 1 to 4 hostile words, or random bytes, between offsets lo and hi."""
    with open(path, "r+b") as f:
        for _ in range(rng.randint(1, 4)):
            off = rng.randrange(lo, hi) & ~7
            f.seek(off)
            if rng.random() < 0.6:
                f.write(struct.pack("<Q", rng.choice(EXTREMES)))
            else:
                f.write(os.urandom(rng.randint(1, 16)))


def ring_ops(name):
    r = shmkit.Ring(name)
    try:
        p = r.producer()
        for i in range(4):
            p.write(b"x" * (i * 40), timeout=0.01)
        p.close()
        c = r.consumer()
        for _ in range(6):
            if c.read(timeout=0.01) is None:
                break
        c.close()
        r.stats()
    finally:
        r.close()


def stream_ops(name):
    s = shmkit.Stream(name)
    try:
        w = s.writer()
        w.timeout = 0.01
        w.write(b"y" * 300)
        w.close()
        rd = s.reader()
        rd.timeout = 0.01
        rd.read(1000)
        rd.close()
    finally:
        s.close()


def queue_ops(name):
    q = shmkit.Queue(name, wait="block")
    try:
        q.put(b"z" * 10, timeout=0.01)
        q.get(timeout=0.01)
        q.qsize()
        q.stats()
    finally:
        q.close()


def value_ops(name):
    v = shmkit.Value(name)
    try:
        v.load()
        v.store(5, timeout=0.05)
        v.add(1)
        v.get_lock().acquire(timeout=0.01) and v.get_lock().release()
    finally:
        v.close()


def array_ops(name):
    a = shmkit.Array(name)
    try:
        a[0] = 1
        a.add(len(a) - 1, 1)
        list(a)
    finally:
        a.close()


def dict_ops(name):
    d = shmkit.Dict(name)
    try:
        d.set("k1", b"v")
        d.get("k2")
        d.incr("n")
        d.delete("k1")
        list(d.items())
        len(d)
    finally:
        d.close()


def make(kind, name):
    if kind == "ring":
        r = shmkit.Ring(name, create=True, capacity=4096)
        p, c = r.producer(), r.consumer()
        for i in range(30):
            p.write(b"m" * (i * 7 % 200))
            if i % 3:
                c.read()
        p.close(), c.close(), r.close()
    elif kind == "stream":
        s = shmkit.Stream(name, create=True, capacity=4096)
        w = s.writer()
        w.write(b"s" * 2000)
        w.close(), s.close()
    elif kind == "queue":
        q = shmkit.Queue(name, create=True, slots=8, max_message=32)
        for i in range(5):
            q.put(b"q%d" % i)
        q.get()
        q.close()
    elif kind == "value":
        shmkit.Value(name, create=True, type="int64", initial=3).close()
    elif kind == "array":
        shmkit.Array(name, create=True, type="int16", length=100).close()
    elif kind == "dict":
        d = shmkit.Dict(name, create=True, capacity=4096, max_key=8, max_value=16, shards=2)
        for i in range(20):
            d.set("k%d" % i, b"v%d" % i)
        d.close()


OPS = {"ring": ring_ops, "stream": stream_ops, "queue": queue_ops, "value": value_ops, "array": array_ops, "dict": dict_ops}


class TestHostile(Case):
    def test_scribbles(self):
        seed = int(os.environ.get("SHMKIT_HOSTILE_SEED", random.randrange(1 << 30)))
        rng = random.Random(seed)
        kinds = sorted(OPS)
        outcomes = {}
        # A hang fails the run: dump every thread's stack and exit.
        sys.stderr.write("hostile: seed %d (SHMKIT_HOSTILE_SEED replays it)\n" % seed)
        faulthandler.dump_traceback_later(int(os.environ.get("SHMKIT_HOSTILE_WATCHDOG", "600")), exit=True)
        self.addCleanup(faulthandler.cancel_dump_traceback_later)
        for rnd in range(ROUNDS):
            kind = kinds[rnd % len(kinds)]
            if os.environ.get("SHMKIT_HOSTILE_TRACE"):
                sys.stderr.write("round %d %s\n" % (rnd, kind))
            name = self.name("hostile")
            make(kind, name)
            path = shmkit.segment.path_of(name)
            size = os.path.getsize(path)
            # Mostly the payload's control words, sometimes the header page.
            if rng.random() < 0.2:
                scribble(path, rng, 0, 4096)
            else:
                scribble(path, rng, 4096, min(size, 4096 + 20480 + 4096))
            try:
                OPS[kind](name)
                outcome = "ok"
            except ALLOWED as e:
                outcome = type(e).__name__
                if os.environ.get("SHMKIT_HOSTILE_TRACE") and not isinstance(e, (shmkit.CorruptError, TimeoutError)):
                    sys.stderr.write("round %d %s: %r\n" % (rnd, kind, e))
            except Exception as e:  # anything else is a bug: say which round, to replay it
                raise AssertionError("seed %d round %d (%s): %r" % (seed, rnd, kind, e)) from e
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            os.unlink(path)
        sys.stderr.write("hostile: %d rounds, seed %d: %s\n" % (ROUNDS, seed, sorted(outcomes.items())))
        self.assertGreater(outcomes.get("CorruptError", 0), ROUNDS // 40)  # the scribbles did reach the checks

"""Rings and streams between Python threads and processes."""

import io
import os
import signal
import threading
import zlib

from helpers import Case, shmkit
from shmkit import layout as L


class TestRing(Case):
    def ring(self, capacity=4096, **kw):
        r = shmkit.Ring(self.name("ring"), create=True, capacity=capacity, **kw)
        self.addCleanup(r.close)
        return r

    def killed_producer(self, r, n, before_kill=None):
        """Has a child process write messages m0..m(n-1) to r and die by
        SIGKILL still holding the producer's role."""
        code = ("import sys, shmkit; r = shmkit.Ring(sys.argv[1]); p = r.producer()\n"
                "for i in range(int(sys.argv[2])): p.write(b'm%d' % i)\n"
                "print('written', flush=True); sys.stdin.readline()")
        child = self.spawn(code, r.name, str(n))
        self.assertEqual(child.stdout.readline().strip(), "written")
        if before_kill:
            before_kill()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()

    def test_wraps_with_padding(self):
        # Sizes that do not divide the capacity: records pad to the end and wrap, many laps.
        r = self.ring()
        p, c = r.producer(), r.consumer()
        for i in range(20000):
            m = bytes([i & 0xFF]) * (i % 300)
            p.write(m)
            self.assertEqual(c.read(), m)
        st = r.stats()
        self.assertGreater(st["produced"]["position"], 100 * 4096)

    def test_threads_in_order(self):
        r = self.ring(1 << 16)
        p, c = r.producer(), r.consumer()
        n = 50000
        crc = [0]

        def produce():
            for i in range(n):
                m = b"%d" % i
                p.write(m)
                crc[0] = zlib.crc32(m, crc[0])
            p.close()

        th = threading.Thread(target=produce)
        th.start()
        got, mine = 0, 0
        for m in c:
            self.assertEqual(m, b"%d" % got)
            mine = zlib.crc32(m, mine)
            got += 1
        th.join()
        self.assertEqual((got, mine), (n, crc[0]))

    def test_end_is_none(self):
        r = self.ring()
        p, c = r.producer(), r.consumer()
        p.write(b"last")
        p.close()
        self.assertEqual(c.read(), b"last")
        self.assertIsNone(c.read())
        self.assertIsNone(c.read(timeout=0))

    def test_in_place_view(self):
        r = self.ring()
        p, c = r.producer(), r.consumer()
        p.write(b"in place")
        v = c.read(copy=False)
        self.assertIsInstance(v, memoryview)
        self.assertTrue(v.readonly)
        self.assertEqual(bytes(v), b"in place")
        v.release()

    def test_timeouts(self):
        r = self.ring()
        p, c = r.producer(), r.consumer()
        with self.assertRaises(TimeoutError):
            c.read(timeout=0.02)
        while p.try_write(b"x" * 100):
            pass
        with self.assertRaises(TimeoutError):
            p.write(b"x" * 100, timeout=0.02)
        self.assertEqual(c.read(), b"x" * 100)

    def test_too_large(self):
        r = self.ring(max_message=100)
        p = r.producer()
        with self.assertRaises(shmkit.MessageTooLargeError):
            p.write(b"x" * 101)
        self.assertEqual(r.max_message, 100)
        with self.assertRaises(shmkit.InvalidSizeError):
            shmkit.Ring(self.name(), create=True, capacity=5000)

    def test_one_producer(self):
        r = self.ring()
        p = r.producer()
        with self.assertRaises(shmkit.BusyError):
            r.producer()
        p.close()
        r.producer().close()

    def test_role_of_a_killed_process_is_taken_over(self):
        # A producer killed with messages committed: a new producer in this
        # process takes the role over and carries on after them.
        r = self.ring()
        self.killed_producer(r, 10, before_kill=lambda: self.assertRaises(shmkit.BusyError, r.producer))
        c = r.consumer()
        for i in range(10):
            self.assertEqual(c.read(), b"m%d" % i)
        with self.assertRaises(shmkit.PeerDeadError):
            c.read(timeout=5)
        p = r.producer()
        p.write(b"after")
        self.assertEqual(c.read(), b"after")

    def test_failed_takeover_keeps_the_producer_dead(self):
        # A take-over that fails on a corrupt position leaves the role to
        # the dead producer: the consumer still gets PeerDeadError, not a
        # wait for a producer that never comes (as Go's unclaim).
        r = self.ring()
        self.killed_producer(r, 5)
        c = r.consumer()
        for i in range(5):
            self.assertEqual(c.read(), b"m%d" % i)
        q, at = r._q, (L.HEADER_SIZE + L.RING["producer line"][0]) // 8
        pos = q[at]
        q[at] = pos - 3  # misaligned
        with self.assertRaises(shmkit.CorruptError):
            r.producer()
        q[at] = pos
        with self.assertRaises(shmkit.PeerDeadError):
            c.read(timeout=5)

    def test_length_without_kind_is_corrupt(self):
        r = self.ring()
        p, c = r.producer(), r.consumer()
        p.write(b"x" * 40)
        r._q[(L.HEADER_SIZE + L.RING["the records"][0]) // 8] = 40  # length 40, kind 0
        with self.assertRaises(shmkit.CorruptError):
            c.read(timeout=5)

    def test_length_rewritten_under_the_consumer_is_corrupt(self):
        # A length rewritten to 0 makes the consumer read the next header
        # out of a payload of zeros: below the producer's position that is
        # corrupt, not a commit to wait for.
        for wait in ("block", "adaptive", "spin"):
            r = self.ring()
            p, c = r.producer(), r.consumer(wait)
            for _ in range(3):
                p.write(bytes(40))
            r._q[(L.HEADER_SIZE + L.RING["the records"][0]) // 8] = 1 << 32  # an empty message
            self.assertEqual(c.read(timeout=5), b"", wait)
            with self.assertRaises(shmkit.CorruptError, msg=wait):
                c.read(timeout=5)
            c.close()
            p.close()
            r.close()

    def test_blocking_waits_wake(self):
        for wait in ("block", "adaptive", "spin"):
            r = self.ring()
            p, c = r.producer(wait), r.consumer(wait)
            got = []
            th = threading.Thread(target=lambda: got.extend(c))
            th.start()
            for i in range(2000):
                p.write(b"%d" % i)
            p.close()
            th.join(10)
            self.assertFalse(th.is_alive(), wait)
            self.assertEqual(len(got), 2000, wait)
            c.close()
            r.close()


class TestStream(Case):
    def test_file_objects(self):
        s = shmkit.Stream(self.name("stream"), create=True, capacity=4096)
        self.addCleanup(s.close)
        w, r = s.writer(), s.reader()
        data = os.urandom(100000)

        def write():
            with io.BufferedWriter(w) as bw:
                bw.write(data)

        th = threading.Thread(target=write)
        th.start()
        br = io.BufferedReader(r)
        got = br.read()
        th.join()
        self.assertEqual(got, data)
        self.assertEqual(br.read(1), b"")

    def test_readinto_and_partial(self):
        s = shmkit.Stream(self.name("stream"), create=True, capacity=4096)
        self.addCleanup(s.close)
        w, r = s.writer(), s.reader()
        w.write(b"hello world")
        buf = bytearray(5)
        self.assertEqual(r.readinto(buf), 5)
        self.assertEqual(bytes(buf), b"hello")
        self.assertEqual(r.read(100), b" world")
        w.close()
        self.assertEqual(r.read(), b"")
        r.close()
        with self.assertRaises(ValueError):
            r.read(1)

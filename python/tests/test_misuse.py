"""What a user may get wrong: closed handles, bad items, threads sharing a
handle, a fork. Each is a clean exception, and the segment stays whole
for every other process."""

import os
import queue
import socket
import threading

from helpers import Case, shmkit


class TestClosed(Case):
    def test_closed_handles_raise(self):
        v = shmkit.Value(self.name(), create=True, type="int64")
        lock = v.get_lock()
        v.close()
        for op in (lambda: v.add(1), lambda: v.load(), lambda: v.store(1), lambda: lock.acquire(), lambda: lock.release()):
            with self.assertRaises(ValueError):
                op()
        d = shmkit.Dict(self.name(), create=True, capacity=1 << 14)
        d.close()
        with self.assertRaises(ValueError):
            d["k"] = b"v"
        with self.assertRaises(ValueError):
            d.get("k")

    def test_closed_roles_raise(self):
        r = shmkit.Ring(self.name(), create=True, capacity=4096)
        self.addCleanup(r.close)
        p, c = r.producer(), r.consumer()
        p.write(b"one")
        p.close()
        with self.assertRaisesRegex(ValueError, "closed"):
            p.write(b"two")
        self.assertEqual(c.read(), b"one")
        c.close()
        with self.assertRaisesRegex(ValueError, "closed"):
            c.read()


class TestBadItems(Case):
    def test_queue_put_of_a_non_bytes_leaves_the_queue_whole(self):
        q = shmkit.Queue(self.name(), create=True, slots=4, max_message=16)
        self.addCleanup(q.close)
        with self.assertRaises(TypeError):
            q.put("a str is not bytes")
        with self.assertRaises(TypeError):
            q.put(12)
        q.put(memoryview(b"abcd").cast("I"))  # any buffer, by its bytes
        q.put(b"x")
        self.assertEqual(q.get(), b"abcd")
        self.assertEqual(q.get(), b"x")
        self.assertEqual(q.stats()["skipped"], 0)

    def test_ring_write_of_a_non_bytes(self):
        r = shmkit.Ring(self.name(), create=True, capacity=4096)
        self.addCleanup(r.close)
        p, c = r.producer(), r.consumer()
        with self.assertRaises(TypeError):
            p.write("a str")
        p.write(b"ok")
        self.assertEqual(c.read(), b"ok")

    def test_dict_write_cut_short_is_repaired_at_once(self):
        d = shmkit.Dict(self.name(), create=True, capacity=1 << 14, shards=1)
        self.addCleanup(d.close)
        d["a"], d["b"] = b"1", b"2"
        real = d._lru_push
        calls = []

        def fail(s, i):
            calls.append(i)
            raise KeyboardInterrupt

        d._lru_push = fail
        with self.assertRaises(KeyboardInterrupt):
            d["c"] = b"3"  # interrupted inside the write, with the shard half changed
        # The repair after it was cut short too (the same failing push):
        # the lock went on as a dead writer's, and the next write repairs.
        d._lru_push = real
        self.assertTrue(calls)
        self.assertFalse(d._locks[0].locked())
        d["c"] = b"3"
        self.assertEqual(d.stats()["repairs"], 1)
        self.assertEqual(len(list(d.items())), len(d))
        self.assertEqual((d["a"], d["b"], d["c"]), (b"1", b"2", b"3"))
        # Cut short once, with the repair working: repaired at once.
        calls.clear()
        d._lru_push = lambda s, i: (d.__dict__.pop("_lru_push"), fail(s, i))
        with self.assertRaises(KeyboardInterrupt):
            d["e"] = b"5"
        self.assertEqual(d.stats()["repairs"], 2)
        self.assertEqual(len(list(d.items())), len(d))
        self.assertFalse(d._locks[0].locked())


class TestSharing(Case):
    def test_threads_share_one_queue_handle(self):
        q = shmkit.Queue(self.name(), create=True, slots=8, max_message=16)
        self.addCleanup(q.close)
        q.attach("producer")
        got = []

        def put(k):
            for i in range(2000):
                q.put(b"%d:%d" % (k, i))

        ts = [threading.Thread(target=put, args=(k,)) for k in range(3)]
        for t in ts:
            t.start()
        while len(got) < 6000:
            got.append(q.get(timeout=10))
        for t in ts:
            t.join()
        self.assertEqual(sorted(got), sorted(b"%d:%d" % (k, i) for k in range(3) for i in range(2000)))

    def test_timed_out_wait_leaves_no_parked_bit(self):
        q = shmkit.Queue(self.name(), create=True, slots=4, max_message=8, wait="block")
        self.addCleanup(q.close)
        with self.assertRaises(queue.Empty):
            q.get(timeout=0.02)
        w = q._q
        base = (shmkit.layout.HEADER_SIZE + shmkit.layout.QUEUE["consumers' wait"][0]) >> 3
        self.assertEqual((w[base + 1], w[base + 2]), (0, 0))

    def test_fork_child_takes_its_own_roles(self):
        r = shmkit.Ring(self.name(), create=True, capacity=4096)
        self.addCleanup(r.close)
        p = r.producer()
        q = shmkit.Queue(self.name(), create=True, slots=4, max_message=8)
        self.addCleanup(q.close)
        q.put(b"parent")
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: the parent's producer is not its own; a queue put attaches anew
            code = 1
            try:
                try:
                    p.write(b"child")
                except ValueError:
                    q.put(b"child")
                    code = 0
            finally:
                os.write(wfd, bytes([code]))
                os._exit(code)
        os.close(wfd)
        self.assertEqual(os.read(rfd, 1), b"\0")
        os.close(rfd)
        os.waitpid(pid, 0)
        c = r.consumer()
        p.write(b"still mine")
        self.assertEqual(c.read(), b"still mine")
        self.assertEqual(sorted([q.get(), q.get()]), [b"child", b"parent"])


class TestSecondReview(Case):
    def test_lock_idiom_of_multiprocessing(self):
        v = shmkit.Value(self.name(), create=True, type="int64")
        self.addCleanup(v.close)
        with v.get_lock():
            v.value += 1  # store() inside the lock: ours, no wait on ourselves
        self.assertEqual(v.value, 1)
        got = []
        with v.get_lock():  # another thread's store waits for the lock
            t = threading.Thread(target=lambda: (v.store(5), got.append(v.value)))
            t.start()
            t.join(0.1)
            self.assertTrue(t.is_alive())
            v.store_locked(2)
        t.join(5)
        self.assertEqual(got, [5])

    def test_stream_reader_survives_a_timeout(self):
        s = shmkit.Stream(self.name(), create=True, capacity=4096)
        self.addCleanup(s.close)
        w, r = s.writer(), s.reader()
        w.write(b"one")
        self.assertEqual(r.read(10), b"one")
        r.timeout = 0.05
        with self.assertRaises(TimeoutError):
            r.read(10)
        w.write(b"two")
        self.assertEqual(r.read(10), b"two")

    def test_stream_writer_timeout_reports_what_it_wrote(self):
        s = shmkit.Stream(self.name(), create=True, capacity=4096)
        self.addCleanup(s.close)
        w, r = s.writer(), s.reader()
        w.timeout = 0.05
        n = w.write(b"x" * 6144)  # more than the ring holds: a short count, not an error
        self.assertGreater(n, 0)
        self.assertLess(n, 6144)
        got = r.read(10000)
        while len(got) < n:
            got += r.read(10000)
        self.assertEqual(len(got), n)

    def test_ring_close_closes_its_roles(self):
        r = shmkit.Ring(self.name(), create=True, capacity=4096)
        p = r.producer()
        p.write(b"m")
        r.close()
        r2 = shmkit.Ring(r.name)
        self.addCleanup(r2.close)
        c = r2.consumer()
        self.assertEqual(list(c), [b"m"])  # the producer's close was told: the end comes
        r2.consumer().close()  # the iteration closed its consumer: the role is free

    def test_conn_shutdown_wakes_own_recv(self):
        n = "pytest-shut-%d" % os.getpid()
        l = shmkit.net.listen(n)
        self.addCleanup(l.close)
        out = {}
        th = threading.Thread(target=lambda: out.setdefault("c", l.accept(timeout=5)))
        th.start()
        c = shmkit.net.dial(n)
        th.join()
        self.addCleanup(out["c"].close)
        got = []
        t = threading.Thread(target=lambda: got.append(c.recv(10)))
        t.start()
        t.join(0.1)
        c.shutdown(socket.SHUT_RD)
        t.join(5)
        self.assertEqual(got, [b""])
        c.close()
        with self.assertRaises(OSError):
            c.recv(1)

    def test_write_of_an_array_is_its_bytes(self):
        import array

        r = shmkit.Ring(self.name(), create=True, capacity=4096)
        self.addCleanup(r.close)
        p, c = r.producer(), r.consumer()
        a = array.array("d", [1.0, 2.0])
        p.write(a)
        self.assertEqual(c.read(), a.tobytes())

    def test_queue_nonblocking_with_timeout_and_closed(self):
        q = shmkit.Queue(self.name(), create=True, slots=2, max_message=8)
        with self.assertRaises(queue.Empty):
            q.get(block=False, timeout=1)  # as queue.Queue: the timeout is ignored
        q.close()
        for op in (q.qsize, q.task_done, lambda: q.join(0), lambda: q.put(b"x"), q.get):
            with self.assertRaisesRegex(ValueError, "closed"):
                op()

    def test_dict_keys_are_str_or_bytes(self):
        d = shmkit.Dict(self.name(), create=True, capacity=1 << 14, max_key=8)
        self.addCleanup(d.close)
        with self.assertRaises(TypeError):
            d[5] = b"x"
        with self.assertRaises(TypeError):
            d["a"] = 3
        self.assertIsNone(d.get(""))
        self.assertNotIn("x" * 100, d)
        self.assertEqual(d.setdefault("k", b"v"), b"v")
        self.assertEqual(d.setdefault("k", b"w"), b"v")
        d.update({"a": b"1"}, b=b"2")
        self.assertEqual(sorted(d.values()), [b"1", b"2", b"v"])
        self.assertEqual(d.pop("a"), b"1")
        self.assertEqual(d.pop("a", None), None)

    def test_array_slices_and_ranges(self):
        a = shmkit.Array(self.name(), create=True, type="int8", length=4)
        self.addCleanup(a.close)
        a[1:3] = [5, -5]
        self.assertEqual(list(a), [0, 5, -5, 0])
        with self.assertRaises(OverflowError):
            a[0] = 200
        with self.assertRaises(ValueError):
            a[0:2] = [1]
        self.assertEqual(list(a), [0, 5, -5, 0])

    def test_close_while_other_threads_use_it(self):
        # No crash of the interpreter: the other threads get exceptions.
        for _ in range(10):
            r = shmkit.Ring(self.name(), create=True, capacity=4096)
            p, c = r.producer(), r.consumer()
            errs = []

            def rd():
                try:
                    for _ in c:
                        pass
                except (ValueError, OSError) as e:
                    errs.append(e)
                except Exception as e:  # anything else (a CorruptError) fails the test
                    errs.append(AssertionError(repr(e)))

            def wr():
                try:
                    while True:
                        p.write(b"x" * 100)
                except (ValueError, OSError) as e:
                    errs.append(e)

            ts = [threading.Thread(target=rd), threading.Thread(target=wr)]
            for t in ts:
                t.start()
            threading.Event().wait(0.02)
            r.close()
            for t in ts:
                t.join(5)
                self.assertFalse(t.is_alive())
            self.assertFalse([e for e in errs if isinstance(e, AssertionError)])
        q = shmkit.Queue(self.name(), create=True, slots=4, max_message=8)

        def forever(op):
            try:
                while True:
                    op()
            except ValueError:  # closed
                pass

        ts = [threading.Thread(target=forever, args=(lambda: q.put(b"x"),)),
              threading.Thread(target=forever, args=(q.get,))]
        for t in ts:
            t.daemon = True
            t.start()
        threading.Event().wait(0.05)
        q.close()
        for t in ts:
            t.join(5)
            self.assertFalse(t.is_alive())

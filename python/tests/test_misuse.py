"""What a user may get wrong: closed handles, bad items, threads sharing a
handle, a fork. Each is a clean exception, and the segment stays whole
for every other process."""

import os
import queue
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

"""The queue, as the standard library's queue.Queue is used."""

import queue
import threading

from helpers import Case, shmkit


class TestQueue(Case):
    def q(self, slots=8, max_message=64):
        q = shmkit.Queue(self.name("queue"), create=True, slots=slots, max_message=max_message)
        self.addCleanup(q.close)
        return q

    def test_empty_and_full(self):
        q = self.q(slots=2)
        with self.assertRaises(queue.Empty):
            q.get_nowait()
        with self.assertRaises(queue.Empty):
            q.get(timeout=0.01)
        q.put(b"a")
        q.put(b"b")
        self.assertTrue(q.full())
        with self.assertRaises(queue.Full):
            q.put_nowait(b"c")
        with self.assertRaises(queue.Full):
            q.put(b"c", timeout=0.01)
        self.assertEqual(q.qsize(), 2)
        self.assertEqual((q.get(), q.get()), (b"a", b"b"))
        self.assertTrue(q.empty())

    def test_too_large(self):
        q = self.q(max_message=4)
        with self.assertRaises(shmkit.MessageTooLargeError):
            q.put(b"12345")

    def test_end_of_stream(self):
        q = self.q()
        other = shmkit.Queue(q.name)
        other.put(b"x")
        other.close()  # its producer detaches: the queue has ended once drained
        self.assertEqual(q.get(), b"x")
        self.assertIsNone(q.get())
        self.assertIsNone(q.get_nowait())

    def test_roster_dead_holder(self):
        # A process that died holding the producers' roster lock (FORMAT.md,
        # "End of stream") holds up neither a producer's attach nor the end.
        import struct
        from shmkit import layout as L
        dead = int(self.python("import shmkit, os; print(shmkit._live.self_token(), flush=True); os._exit(0)").stdout)
        q = self.q()
        off = L.HEADER_SIZE + L.QUEUE["recovery and task counters"][0] + L.QREC_ROSTER_OWNER
        struct.pack_into("<Q", q._seg.buf, off, dead)
        other = shmkit.Queue(q.name)
        other.put(b"x")  # attaches past the dead holder
        self.assertEqual(struct.unpack_from("<Q", q._seg.buf, off)[0], 0)
        other.close()
        struct.pack_into("<Q", q._seg.buf, off, dead)  # died joining after the last producer left
        self.assertEqual(q.get(timeout=10), b"x")
        self.assertIsNone(q.get(timeout=10))

    def test_roster_join_interrupted(self):
        # A KeyboardInterrupt can come between the roster lock's CAS and
        # the join that follows it: the lock must not stay with this live
        # process, or no producer could join and the queue never ends.
        import struct
        from shmkit import layout as L
        q = self.q()
        other = shmkit.Queue(q.name)
        self.addCleanup(other.close)
        take = other._lock_roster

        def interrupted():
            take()
            raise KeyboardInterrupt

        other._lock_roster = interrupted
        with self.assertRaises(KeyboardInterrupt):
            other.put(b"x")
        off = L.HEADER_SIZE + L.QUEUE["recovery and task counters"][0] + L.QREC_ROSTER_OWNER
        self.assertEqual(struct.unpack_from("<Q", q._seg.buf, off)[0], 0)
        del other._lock_roster
        other.put(b"y", timeout=10)  # joins: the lock is free
        other.close()
        self.assertEqual(q.get(timeout=10), b"y")
        self.assertIsNone(q.get(timeout=10))  # and the queue ends

    def test_roster_join_lock_after_fork(self):
        # A thread of the parent may be joining the queue when the process
        # forks: the child's first put must not wait on the lock that
        # thread held, which no thread of the child will ever let go.
        import os
        import time
        from shmkit import queue as shmqueue
        q = self.q()
        held = shmqueue._join_lock(q.name)
        held.acquire()  # as a joining thread holds it
        try:
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    shmkit.Queue(q.name).put(b"child", timeout=5)
                    code = 0
                finally:
                    os._exit(code)
            deadline = time.monotonic() + 20
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    self.fail("the child's put waited on the parent's join lock")
                time.sleep(0.01)
        finally:
            held.release()
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertEqual(q.get(timeout=10), b"child")

    def test_dead_batch_reader(self):
        # A Go consumer that died holding a batch read's span (FORMAT.md:
        # `span` slots from `claim` - 1, taken by one CAS of the head) is
        # settled slot by slot as producers lap it: its 5 messages are
        # dropped, and counted, and the rest arrive.
        import struct
        from shmkit import layout as L
        dead = int(self.python("import shmkit, os; print(shmkit._live.self_token(), flush=True); os._exit(0)").stdout)
        q = self.q(slots=8)
        for i in range(6):
            q.put(b"m%d" % i)
        entry = L.HEADER_SIZE + L.QUEUE["consumer table"][0]
        struct.pack_into("<QQQ", q._seg.buf, entry, dead, 0 + 1, 5)  # token, claim (position 0), span
        struct.pack_into("<Q", q._seg.buf, L.HEADER_SIZE + L.QUEUE["head"][0], 5)  # its CAS took 0 to 4
        for i in range(6, 9):
            q.put(b"m%d" % i, timeout=10)  # position 8 reuses the dead span's first slot
        self.assertEqual(q.stats()["dropped"], 5)  # the whole span went at once
        for i in range(9, 13):
            q.put(b"m%d" % i, timeout=10)
        self.assertEqual([q.get(timeout=10) for _ in range(8)], [b"m%d" % i for i in range(5, 13)])
        self.assertEqual(q.stats()["dropped"], 5)
        self.assertEqual(struct.unpack_from("<QQ", q._seg.buf, entry + 8), (0, 0))  # taken over, settled

    def test_dead_batch_reader_hostile_span(self):
        # A dead entry claiming more than a batch can take is corrupt.
        import struct
        from shmkit import layout as L
        dead = int(self.python("import shmkit, os; print(shmkit._live.self_token(), flush=True); os._exit(0)").stdout)
        q = self.q(slots=8)
        entry = L.HEADER_SIZE + L.QUEUE["consumer table"][0]
        struct.pack_into("<QQQ", q._seg.buf, entry, dead, 1, L.QUEUE_MAX_SPAN + 1)
        with self.assertRaises(shmkit.CorruptError):
            q.get_nowait()
        self.assertEqual(struct.unpack_from("<Q", q._seg.buf, entry)[0], dead)  # not left marked as being settled

    def test_attach_from_threads(self):
        # Threads attaching one handle's producer at once join one entry:
        # attach takes the lock put and close take.
        q = self.q()
        ts = [threading.Thread(target=q.attach, args=("producer",)) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(q.stats()["opened"], 1)
        q.put(b"x")
        self.assertEqual(q.stats()["opened"], 1)

    def test_threads_exactly_once(self):
        q = self.q(slots=16)
        n, producers = 5000, 3
        got = []
        lock = threading.Lock()

        def produce(k):
            h = shmkit.Queue(q.name)
            h.attach("producer")
            for i in range(n):
                h.put(b"%d:%d" % (k, i))
            h.close()

        def consume():
            h = shmkit.Queue(q.name)
            mine = list(h)
            h.close()
            with lock:
                got.extend(mine)

        ps = [threading.Thread(target=produce, args=(k,)) for k in range(producers)]
        cs = [threading.Thread(target=consume) for _ in range(2)]
        for t in ps:
            t.start()
        for t in cs:
            t.start()
        for t in ps + cs:
            t.join(30)
        self.assertEqual(sorted(got), sorted(b"%d:%d" % (k, i) for k in range(producers) for i in range(n)))

    def test_task_done_join(self):
        q = self.q()
        for i in range(3):
            q.put(b"%d" % i)
        with self.assertRaises(TimeoutError):
            q.join(timeout=0.02)
        done = threading.Event()

        def work():
            for _ in range(3):
                q.get()
                q.task_done()
            done.set()

        threading.Thread(target=work).start()
        q.join(timeout=10)
        self.assertTrue(done.wait(5))
        with self.assertRaises(ValueError):
            q.task_done()

    def test_bad_geometry(self):
        with self.assertRaises(shmkit.InvalidSizeError):
            shmkit.Queue(self.name(), create=True, slots=3, max_message=8)

"""Values, arrays and their robust lock."""

import os
import signal
import threading

from helpers import Case, shmkit


class TestValue(Case):
    def test_types(self):
        for t, x in [("int8", -3), ("uint16", 65535), ("int32", -2**31), ("uint64", 2**64 - 1), ("float32", 1.5),
                     ("float64", -0.25), ("bool", True), ("complex128", 1 + 2j), ("int", 7)]:
            v = shmkit.Value(self.name(t), create=True, type=t, initial=x)
            self.assertEqual(v.load(), x, t)
            v.value = x
            self.assertEqual(v.value, x, t)
            v.close()

    def test_integer_atomics_wrap_as_go(self):
        v = shmkit.Value(self.name(), create=True, type="int8", initial=127)
        self.addCleanup(v.close)
        self.assertEqual(v.add(1), -128)
        self.assertEqual(v.swap(5), -128)
        self.assertTrue(v.compare_and_swap(5, 6))
        self.assertFalse(v.compare_and_swap(5, 7))
        self.assertEqual(v.load(), 6)
        f = shmkit.Value(self.name(), create=True, type="float64")
        self.addCleanup(f.close)
        with self.assertRaises(TypeError):
            f.add(1)

    def test_adds_from_threads_exact(self):
        v = shmkit.Value(self.name(), create=True, type="uint32")
        self.addCleanup(v.close)
        ts = [threading.Thread(target=lambda: [v.add(1) for _ in range(5000)]) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(v.load(), 20000)

    def test_lock_of_a_killed_holder(self):
        v = shmkit.Value(self.name(), create=True, type="int64")
        self.addCleanup(v.close)
        child = self.spawn("import sys, shmkit; v = shmkit.Value(sys.argv[1]); v.get_lock().acquire()\n"
                           "print('locked', flush=True); sys.stdin.readline()", v.name)
        self.assertEqual(child.stdout.readline().strip(), "locked")
        lock = v.get_lock()
        self.assertFalse(lock.acquire(timeout=0.05))  # a live holder is never robbed
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        with self.assertRaises(shmkit.OwnerDeadError):
            lock.acquire(timeout=5)
        self.assertTrue(lock.held())
        lock.mark_consistent()
        lock.release()
        with lock:
            v.store_locked(9)
        self.assertEqual(v.load(), 9)
        v.store(10)  # a store takes the lock
        self.assertEqual(v.value, 10)

    def test_unrepaired_lock_is_unrecoverable(self):
        v = shmkit.Value(self.name(), create=True, type="int64")
        self.addCleanup(v.close)
        self.python("import sys, os, shmkit; v = shmkit.Value(sys.argv[1]); v.get_lock().acquire(); os._exit(0)", v.name)
        lock = v.get_lock()
        with self.assertRaises(shmkit.OwnerDeadError):
            lock.acquire(timeout=5)
        lock.release()  # without mark_consistent
        with self.assertRaises(shmkit.NotRecoverableError):
            lock.acquire(timeout=1)


class TestArray(Case):
    def test_in_place(self):
        a = shmkit.Array(self.name(), create=True, type="float64", length=1000)
        self.addCleanup(a.close)
        self.assertEqual(len(a), 1000)
        a[0] = 1.5
        a[-1] = 2.5
        self.assertEqual(a.buf[0], 1.5)
        self.assertEqual(a.buf.format, "d")
        a.buf[1] = 3.0
        self.assertEqual(a[1], 3.0)
        self.assertEqual(a[998:], [0.0, 2.5])
        with self.assertRaises(IndexError):
            a[1000]
        b = shmkit.Array(a.name)
        self.assertEqual(b[-1], 2.5)
        b.close()

    def test_atomics(self):
        a = shmkit.Array(self.name(), create=True, type="uint8", length=7)
        self.addCleanup(a.close)
        for i in range(7):  # 1-byte elements share 32-bit words: neighbours stay
            self.assertEqual(a.add(i, i + 1), i + 1)
        self.assertEqual(list(a), [1, 2, 3, 4, 5, 6, 7])
        self.assertEqual(a.add(0, 255), 0)
        self.assertTrue(a.compare_and_swap(1, 2, 9))
        self.assertEqual(a.swap(2, 4), 3)
        self.assertEqual(list(a.buf), [0, 9, 4, 4, 5, 6, 7])

    def test_numpy_view(self):
        try:
            import numpy as np
        except ImportError:
            self.skipTest("numpy is not installed (optional; TestNumpy in Go runs this with an interpreter that has it)")
        a = shmkit.Array(self.name(), create=True, type="int32", length=10)
        n = a.numpy()
        n[3] = 42
        self.assertEqual(a[3], 42)
        a[4] = -1
        self.assertEqual(int(n[4]), -1)
        self.assertEqual(n.dtype, np.int32)
        del n
        a.close()

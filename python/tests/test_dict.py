"""The shared dict: Python's mapping operations and OpenResty's."""

import time

from helpers import Case, shmkit


class TestDict(Case):
    def d(self, capacity=1 << 16, **kw):
        d = shmkit.Dict(self.name("dict"), create=True, capacity=capacity, **kw)
        self.addCleanup(d.close)
        return d

    def test_mapping(self):
        d = self.d()
        d["a"] = b"1"
        d[b"b"] = "2"
        self.assertEqual((d["a"], d.get("b"), d.get("c", b"?")), (b"1", b"2", b"?"))
        self.assertIn("a", d)
        self.assertNotIn("c", d)
        self.assertEqual(len(d), 2)
        self.assertEqual(sorted(d.items()), [(b"a", b"1"), (b"b", b"2")])
        self.assertEqual(sorted(d), [b"a", b"b"])
        del d["a"]
        with self.assertRaises(KeyError):
            d["a"]
        with self.assertRaises(KeyError):
            del d["a"]
        self.assertEqual(d.pop("b"), b"2")
        self.assertEqual(len(d), 0)

    def test_operations(self):
        d = self.d()
        self.assertTrue(d.add("k", b"v"))
        self.assertFalse(d.add("k", b"w"))
        self.assertTrue(d.replace("k", b"x"))
        self.assertFalse(d.replace("nope", b"x"))
        self.assertFalse(d.compare_and_swap("k", b"v", b"y"))
        self.assertTrue(d.compare_and_swap("k", b"x", b"y"))
        self.assertEqual(d["k"], b"y")
        self.assertEqual(d.incr("n"), 1)
        self.assertEqual(d.incr("n", -5), -4)
        with self.assertRaises(TypeError):
            d.incr("k")
        d.flush()
        self.assertEqual(len(d), 0)

    def test_ttl(self):
        d = self.d()
        d.set("short", b"v", ttl=0.05)
        d.set("long", b"v", ttl=60)
        self.assertEqual(d["short"], b"v")
        time.sleep(0.1)
        self.assertIsNone(d.get("short"))
        self.assertTrue(d.add("short", b"again"))
        self.assertEqual(d["long"], b"v")

    def test_lru_eviction(self):
        stride = 48 + 8 + 8
        d = self.d(capacity=4 * stride, max_key=8, max_value=8, shards=1)
        for k in "abcd":
            self.assertFalse(d.set(k, b"v"))
        d.get("a")  # a second chance for a
        self.assertTrue(d.set("e", b"v"))  # forcible: b, the least recently used, goes
        self.assertEqual(sorted(d), [b"a", b"c", b"d", b"e"])
        with self.assertRaises(shmkit.DictFullError):
            d.add("f", b"v")  # add never evicts a live entry

    def test_limits(self):
        d = self.d(max_key=4, max_value=4)
        with self.assertRaises(ValueError):
            d["toolong"] = b"v"
        with self.assertRaises(ValueError):
            d["k"] = b"toolong"
        with self.assertRaises(KeyError):
            d[""] = b"v"

    def test_readonly(self):
        d = self.d()
        d["k"] = b"v"
        ro = shmkit.Dict(d.name, readonly=True)
        self.addCleanup(ro.close)
        self.assertEqual(ro["k"], b"v")
        with self.assertRaises(shmkit.ReadOnlyError):
            ro["k"] = b"w"

    def test_writer_killed_mid_overwrite(self):
        d = self.d(shards=1)
        d["keep"] = b"kept"
        d["victim"] = b"old value"
        here = __import__("os").path.dirname(__file__)
        child = self.spawn("import sys; sys.path.insert(0, %r); sys.argv = ['peer'] + sys.argv[1:]; import peer; peer.main()" % here,
                           "dict-die-writing", d.name, "victim")
        self.assertEqual(child.stdout.readline().strip(), "at")
        child.kill()
        child.wait()
        self.assertEqual(d["victim"], b"old value")
        self.assertEqual(d["keep"], b"kept")
        self.assertEqual(d.stats()["repairs"], 1)
        d["after"] = b"ok"
        self.assertEqual(len(list(d.items())), len(d))

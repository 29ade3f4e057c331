"""Opening and creating segments: every check Go's shm.Open makes."""

import os
import struct

from helpers import Case, shmkit
from shmkit import layout as L


class TestOpen(Case):
    def test_missing(self):
        with self.assertRaises(FileNotFoundError):
            shmkit.Ring(self.name("missing"))

    def test_bad_names(self):
        for bad in ["", "a b", "../x", "x/", "a" * 256, "é"]:
            with self.assertRaises(shmkit.InvalidNameError, msg=bad):
                shmkit.Ring(bad)

    def test_taken_name(self):
        n = self.name()
        r = shmkit.Ring(n, create=True, capacity=4096)
        self.addCleanup(r.close)
        with self.assertRaises(FileExistsError):
            shmkit.Ring(n, create=True, capacity=4096)

    def test_mode_is_0600(self):
        n = self.name()
        r = shmkit.Ring(n, create=True, capacity=4096)
        r.close()
        self.assertEqual(os.stat(shmkit.segment.path_of(n)).st_mode & 0o777, 0o600)

    def test_symlink_refused(self):
        n = self.name()
        r = shmkit.Ring(n, create=True, capacity=4096)
        r.close()
        link = self.name("link")
        os.symlink(shmkit.segment.path_of(n), shmkit.segment.path_of(link))
        with self.assertRaises(shmkit.NotRegularError):
            shmkit.Ring(link)

    def test_not_shmkit(self):
        n = self.name()
        with open(shmkit.segment.path_of(n), "wb") as f:
            f.write(b"\0" * 8192)
        os.chmod(shmkit.segment.path_of(n), 0o600)
        with self.assertRaises(shmkit.BadMagicError):
            shmkit.Ring(n)

    def test_wrong_kind(self):
        n = self.name()
        q = shmkit.Queue(n, create=True, slots=4, max_message=8)
        q.close()
        with self.assertRaises(shmkit.IncompatibleError):
            shmkit.Ring(n)

    def _corrupt(self, off, data):
        n = self.name()
        shmkit.Ring(n, create=True, capacity=4096).close()
        with open(shmkit.segment.path_of(n), "r+b") as f:
            f.seek(off)
            if callable(data):
                data = data(f.read(1))
                f.seek(off)
            f.write(data)
        return n

    def test_checksum(self):
        # A bit of creator_pid flipped, under the checksum (a fixed byte
        # would be no change for a pid that ends in it).
        n = self._corrupt(0x30, lambda b: bytes([b[0] ^ 1]))
        with self.assertRaisesRegex(shmkit.CorruptError, "checksum"):
            shmkit.Ring(n)

    def test_newer_layout(self):
        n = self._corrupt(0x08, struct.pack("<I", 9))
        with self.assertRaises(shmkit.IncompatibleError):
            shmkit.Ring(n)

    def test_not_ready(self):
        n = self._corrupt(L.HEADER["ready"][0], b"\0\0\0\0")
        with self.assertRaises(shmkit.NotReadyError):
            shmkit.Ring(n)

    def test_size_mismatch(self):
        n = self.name()
        shmkit.Ring(n, create=True, capacity=4096).close()
        os.truncate(shmkit.segment.path_of(n), 4096 + 4096)
        with self.assertRaisesRegex(shmkit.CorruptError, "header says"):
            shmkit.Ring(n)

    def test_writable_by_others(self):
        n = self.name()
        shmkit.Ring(n, create=True, capacity=4096).close()
        os.chmod(shmkit.segment.path_of(n), 0o666)
        with self.assertRaises(shmkit.UnsafePermissionError):
            shmkit.Ring(n)
        shmkit.Ring(n, allow_other_users=True).close()

    def test_header_matches_go(self):
        # The fields as Go writes them: creator pid and uid, the kind and its version.
        n = self.name()
        r = shmkit.Ring(n, create=True, capacity=4096)
        self.addCleanup(r.close)
        h = r.segment.header
        self.assertEqual((h.kind, h.kind_version, h.creator_pid, h.creator_uid), ("ring", 2, os.getpid(), os.geteuid()))
        self.assertEqual(h.payload_size, 4096 + 4096)


class TestOpenAnyKind(Case):
    def test_open_gives_the_kind_class(self):
        made = [
            (shmkit.Ring(self.name(), create=True, capacity=4096), shmkit.Ring),
            (shmkit.Stream(self.name(), create=True, capacity=4096), shmkit.Stream),
            (shmkit.Queue(self.name(), create=True, slots=2, max_message=8), shmkit.Queue),
            (shmkit.Value(self.name(), create=True, type="int64"), shmkit.Value),
            (shmkit.Array(self.name(), create=True, type="uint8", length=3), shmkit.Array),
            (shmkit.Dict(self.name(), create=True, capacity=1 << 14), shmkit.Dict),
        ]
        for obj, cls in made:
            got = shmkit.open(obj.name)
            self.assertIs(type(got), cls)
            got.close()
            obj.close()

    def test_open_reports_each_failure(self):
        with self.assertRaises(FileNotFoundError):
            shmkit.open(self.name())
        n = self.name()
        with open(shmkit.segment.path_of(n), "wb") as f:
            f.write(b"not ours" * 1000)
        os.chmod(shmkit.segment.path_of(n), 0o600)
        with self.assertRaises(shmkit.BadMagicError):
            shmkit.open(n)


class TestLiveness(Case):
    def test_token_file(self):
        t = shmkit._live.self_token()
        with open(shmkit._live.path(t)) as f:
            self.assertEqual(f.read().split()[0], "pid=%d" % os.getpid())
        self.assertTrue(shmkit._live.alive(t))
        out = self.python("import sys, shmkit; print(shmkit._live.alive(int(sys.argv[1])))", str(t)).stdout
        self.assertEqual(out.strip(), "True")

    def test_dead_process(self):
        out = self.python("import shmkit, os; print(shmkit._live.self_token(), flush=True); os._exit(0)").stdout
        self.assertFalse(shmkit._live.alive(int(out)))

"""What the tests share: unique names, and removal of what they made."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import shmkit  # noqa: E402

_seq = [0]


def name(tag: str) -> str:
    """A segment name unique to this process and test: shmkit-test-py-PID-N-TAG."""
    _seq[0] += 1
    return "shmkit-test-py-%d-%d-%s" % (os.getpid(), _seq[0], tag)


class Case(unittest.TestCase):
    """A TestCase whose segments (made through self.name) are removed at
    its end; a test that leaves one behind fails."""

    def name(self, tag="x"):
        n = name(tag)
        self.addCleanup(self._gone, n)
        return n

    def _gone(self, n):
        p = shmkit.segment.path_of(n)
        if os.path.exists(p):
            os.unlink(p)

    def python(self, code: str, *args, check=True):
        """Runs code in a fresh python3 (the same interpreter) with the
        package on its path; returns the process's stdout."""
        env = dict(os.environ, PYTHONPATH=ROOT)
        r = subprocess.run([sys.executable, "-c", code] + list(args), env=env, capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            self.fail("child python failed (%d): %s" % (r.returncode, r.stderr))
        return r

    def spawn(self, code: str, *args):
        """Starts code in a fresh python3 reading stdin, printing lines; killed at the test's end."""
        env = dict(os.environ, PYTHONPATH=ROOT)
        p = subprocess.Popen([sys.executable, "-c", code] + list(args), env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        self.addCleanup(self._reap, p)
        return p

    def _reap(self, p):
        if p.poll() is None:
            p.kill()
        p.wait()
        p.stdin.close()
        p.stdout.close()

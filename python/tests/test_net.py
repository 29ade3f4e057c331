"""Connections between Python processes and threads."""

import os
import socket
import threading

from helpers import Case, shmkit
from shmkit import net


class TestConn(Case):
    def pair(self, capacity=1 << 14):
        n = "pytest-%d-%d" % (os.getpid(), id(self))
        l = net.listen(n, capacity=capacity)
        self.addCleanup(l.close)
        out = {}
        th = threading.Thread(target=lambda: out.setdefault("c", l.accept(timeout=5)))
        th.start()
        d = net.dial(n)
        th.join()
        self.addCleanup(d.close)
        self.addCleanup(out["c"].close)
        return d, out["c"]

    def test_both_ways_and_half_close(self):
        a, b = self.pair()
        data = os.urandom(200000)
        got = bytearray()

        def read():
            while True:
                chunk = b.recv(65536)
                if not chunk:
                    return
                got.extend(chunk)

        th = threading.Thread(target=read)
        th.start()
        a.sendall(data)
        a.shutdown(socket.SHUT_WR)
        th.join(10)
        self.assertEqual(bytes(got), data)
        b.sendall(b"reply")  # the other direction still works
        self.assertEqual(a.recv_exactly(5), b"reply")
        b.close()
        self.assertEqual(a.recv(10), b"")

    def test_timeout(self):
        a, _ = self.pair()
        a.settimeout(0.05)
        with self.assertRaises(socket.timeout):
            a.recv(1)

    def test_wake_flood(self):
        # A peer that sends any bytes at all on the socket only wakes our
        # parked calls: a recv with nothing to read still times out, then
        # reads what the peer writes.
        a, b = self.pair()
        b._sock.send(bytes(range(256)) * 64)
        a.settimeout(0.05)
        with self.assertRaises(socket.timeout):
            a.recv(1)
        a.settimeout(5)
        b.sendall(b"hello")
        self.assertEqual(a.recv_exactly(5), b"hello")

    def test_parked_both_ways(self):
        # A recv and a send parked in two threads at once, each woken by
        # the peer's wake-up that the other may have read off the socket.
        a, b = self.pair(capacity=4096)
        data = os.urandom(1 << 20)
        got = bytearray()

        def echo():
            while True:
                chunk = b.recv(8192)
                if not chunk:
                    b.shutdown(socket.SHUT_WR)
                    return
                b.sendall(chunk)

        def read():
            while True:
                chunk = a.recv(8192)
                if not chunk:
                    return
                got.extend(chunk)

        threads = [threading.Thread(target=echo), threading.Thread(target=read)]
        for th in threads:
            th.start()
        a.sendall(data)
        a.shutdown(socket.SHUT_WR)
        for th in threads:
            th.join(30)
        self.assertEqual(bytes(got), data)

    def test_write_after_peer_shut_read(self):
        a, b = self.pair()
        b.shutdown(socket.SHUT_RD)
        with self.assertRaises(BrokenPipeError):
            a.sendall(b"x")

    def test_refused(self):
        with self.assertRaises(ConnectionRefusedError):
            net.dial("pytest-nobody-%d" % os.getpid())

    def test_peer_killed(self):
        n = "pytest-kill-%d" % os.getpid()
        child = self.spawn("import sys, shmkit; l = shmkit.net.listen(sys.argv[1]); print('ready', flush=True)\n"
                           "c = l.accept(); c.sendall(b'x'); sys.stdin.readline()", n)
        self.assertEqual(child.stdout.readline().strip(), "ready")
        c = net.dial(n)
        self.addCleanup(c.close)
        self.assertEqual(c.recv(1), b"x")
        child.kill()
        with self.assertRaises(shmkit.PeerDeadError):
            c.recv(1)
        with self.assertRaises(ConnectionResetError):
            c.sendall(b"y")

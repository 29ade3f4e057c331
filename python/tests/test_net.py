"""Connections between Python processes and threads."""

import os
import socket
import threading
import time

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

    def test_wake_dropped_on_full_socket(self):
        # The peer's wake-up for our parked send is dropped (EAGAIN) on a
        # socket full of wake-ups for our reader, and another of our
        # threads reads that backlog: a full read wakes the send too.
        a, b = self.pair()
        a.sendall(b"x" * a.capacity)  # our ring to b is full
        gate = threading.Event()
        real = a._poll_tx

        class Gated:  # the send stops between its last look and its poll
            def poll(self, timeout=None):
                gate.wait()
                return real.poll(timeout)

        a._poll_tx = Gated()
        out = {}
        th = threading.Thread(target=lambda: out.setdefault("n", a.send(b"more")), daemon=True)
        th.start()
        flag = (a._tx + net._W_PARKED) >> 2
        while a._w[flag] != 1:
            time.sleep(0.001)
        while True:  # the peer's 'r's fill the socket
            try:
                b._sock.send(b"r", socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
        b.recv(100)  # clears our send's flag; its 'w' is dropped
        self.assertEqual(a._w[flag], 0)
        a._drain()  # as our recv's thread would
        gate.set()
        th.join(10)
        self.assertFalse(th.is_alive(), "the send is still parked with room free")
        self.assertEqual(out["n"], 4)

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

    def test_listener_killed_before_accepting(self):
        # A dial the listener never accepted fails as refused once it dies,
        # as a dial after its death does (Go: TestBacklogListenerKilled).
        n = "pytest-unaccepted-%d" % os.getpid()
        child = self.spawn("import sys, shmkit; l = shmkit.net.listen(sys.argv[1]); print('ready', flush=True)\n"
                           "sys.stdin.readline()", n)
        self.assertEqual(child.stdout.readline().strip(), "ready")
        threading.Timer(0.2, child.kill).start()
        with self.assertRaises(ConnectionRefusedError):
            net.dial(n, timeout=10)

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

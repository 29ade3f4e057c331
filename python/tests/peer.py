"""A Python peer for the Go interop tests (internal/pyinterop) and the
Python tests: each command plays one side of one kind, prints "ready",
then works, and prints "done COUNT CRC32" (the CRC-32 of every message
in order). Messages are those of message(i): the sequence number, then
a slice of a fixed pattern, so that both languages make the same ones."""

import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import shmkit  # noqa: E402

PATTERN = bytes((i * 7 + 3) & 0xFF for i in range(512))


def message(i: int) -> bytes:
    """Message i: 8 bytes of i, then 0 to 56 bytes of PATTERN from i % 251."""
    k = i % 251
    return struct.pack("<Q", i) + PATTERN[k : k + i % 57]


def say(*words):
    print(*words, flush=True)


def check(i, m):
    if bytes(m) != message(i):
        raise SystemExit("message %d: got %r, want %r" % (i, bytes(m[:16]), message(i)[:16]))


def ring_produce(name, n, wait="adaptive", kill_at=-1):
    r = shmkit.Ring(name)
    p = r.producer(wait)
    say("ready")
    crc = 0
    for i in range(n):
        m = message(i)
        p.write(m)
        crc = zlib.crc32(m, crc)
        if i == kill_at:
            say("at", i)
            sys.stdin.readline()  # the parent SIGKILLs us here
    p.close()
    say("done", n, crc)


def ring_consume(name, n, wait="adaptive"):
    r = shmkit.Ring(name)
    c = r.consumer(wait)
    say("ready")
    crc = 0
    i = 0
    try:
        for m in c:
            check(i, m)
            crc = zlib.crc32(m, crc)
            i += 1
    except shmkit.PeerDeadError:
        say("peerdead", i, crc)
        return
    if i != n:
        raise SystemExit("read %d messages, want %d" % (i, n))
    c.close()
    say("done", i, crc)


def mix(i: int) -> int:
    """splitmix64 of i: summed over every message taken, it tells a lost or
    duplicated message from the exact set, with overwhelming odds."""
    z = (i + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def queue_produce(name, first, n, step=1, kill_at=-1):
    """Puts message(first), message(first + step), ... n of them."""
    q = shmkit.Queue(name)
    q.attach("producer")  # before "ready": the queue cannot end before our first put
    say("ready")
    sys.stdin.readline()  # "go"
    crc = 0
    for k in range(n):
        m = message(first + k * step)
        q.put(m)
        crc = zlib.crc32(m, crc)
        if k == kill_at:
            say("at", k)
            sys.stdin.readline()
    q.close()
    say("done", n, crc)


def queue_consume(name, producers=1):
    """Gets until the queue ends; checks each message's bytes and that
    each producer's (i % producers) come in order; prints the count, the
    CRC-32 (meaningful for one producer) and the sum of mix(i)."""
    q = shmkit.Queue(name)
    say("ready")
    sys.stdin.readline()
    crc = n = total = 0
    last = [-1] * producers
    for m in q:
        i = struct.unpack_from("<Q", m)[0]
        check(i, m)
        p = i % producers
        if i <= last[p]:
            raise SystemExit("producer %d: message %d after %d" % (p, i, last[p]))
        last[p] = i
        crc = zlib.crc32(m, crc)
        total = (total + mix(i)) & 0xFFFFFFFFFFFFFFFF
        n += 1
    q.close()
    say("done", n, crc, total)


def queue_echo(in_name, out_name):
    """Gets messages from in_name until it ends, putting each back on
    out_name; prints "done N LATE", LATE being its parks that timed out
    with a message there (a lost wake-up)."""
    from shmkit import queue as shmqueue

    qi, qo = shmkit.Queue(in_name), shmkit.Queue(out_name)
    qo.attach("producer")
    qi.attach("consumer")
    say("ready")
    sys.stdin.readline()
    n = 0
    for m in qi:
        qo.put(m)
        n += 1
    qo.close()
    qi.close()
    say("done", n, shmqueue._late_wakeups)


def value_store(name, n, fmt=""):
    """Stores 1..n (a vector of 4 equal words with fmt "QQQQ")."""
    v = shmkit.Value(name, format=fmt or None)
    say("ready")
    sys.stdin.readline()
    for i in range(1, n + 1):
        v.store((i, i, i, i) if fmt else i)
    say("done", n, 0)


def value_watch(name, n, fmt=""):
    """Loads until the value is n; each load must be whole (4 equal
    words) and never go back."""
    v = shmkit.Value(name, format=fmt or None)
    say("ready")
    sys.stdin.readline()
    last, loads = 0, 0
    while last != n:
        x = v.load()
        if fmt:
            if len(set(x)) != 1:
                raise SystemExit("torn value %r" % (x,))
            x = x[0]
        if x < last:
            raise SystemExit("value went back from %d to %d" % (last, x))
        last = x
        loads += 1
    say("done", loads, 0)


def value_add(name, n):
    v = shmkit.Value(name)
    say("ready")
    sys.stdin.readline()
    for _ in range(n):
        v.add(1)
    say("done", n, 0)


def array_fill(name):
    """Writes element i = mix(i) & 0xFFFFFFFF, then prints the CRC of the bytes."""
    a = shmkit.Array(name)
    say("ready")
    sys.stdin.readline()
    buf = a.buf
    for i in range(len(a)):
        buf[i] = mix(i) & 0xFFFFFFFF
    say("done", len(a), zlib.crc32(buf))


def array_check(name):
    """Checks element i = mix(i) & 0xFFFFFFFF (as Go wrote them)."""
    a = shmkit.Array(name)
    say("ready")
    sys.stdin.readline()
    buf = a.buf
    for i in range(len(a)):
        if buf[i] != mix(i) & 0xFFFFFFFF:
            raise SystemExit("element %d is %d" % (i, buf[i]))
    say("done", len(a), zlib.crc32(buf))


def array_add(name, n):
    """Adds 1 to element k % len, n times, atomically."""
    a = shmkit.Array(name)
    say("ready")
    sys.stdin.readline()
    m = len(a)
    for k in range(n):
        a.add(k % m, 1)
    say("done", n, 0)


def dict_set(name, first, n):
    """Sets key "k<i>" to message(i) for i in first..first+n-1."""
    d = shmkit.Dict(name)
    say("ready")
    sys.stdin.readline()
    crc = 0
    for i in range(first, first + n):
        m = message(i)
        if d.set(b"k%d" % i, m):
            raise SystemExit("set of k%d evicted an entry" % i)
        crc = zlib.crc32(m, crc)
    say("done", n, crc)


def dict_check(name, first, n):
    """Gets "k<i>" for i in first..first+n-1; each must be message(i)."""
    d = shmkit.Dict(name)
    say("ready")
    sys.stdin.readline()
    crc = 0
    for i in range(first, first + n):
        v = d.get(b"k%d" % i)
        if v is None:
            raise SystemExit("k%d is missing" % i)
        check(i, v)
        crc = zlib.crc32(v, crc)
    say("done", n, crc, len(d))


def dict_incr(name, n):
    d = shmkit.Dict(name)
    say("ready")
    sys.stdin.readline()
    for _ in range(n):
        d.incr(b"counter", 1)
    say("done", n, 0)


def dict_die_writing(name, key):
    """Overwrites key as Dict.set does, up to the new bytes' first half,
    then waits there for the SIGKILL: the shard's lock held, its sequence
    odd, the old value in the undo record."""
    d = shmkit.Dict(name)
    key = key.encode()
    h = shmkit.dict._hash(key)
    s = h & (d._g.shards - 1)
    d._lock(s)
    shmkit._atomic.add64(d._seg.addr(d._shard(s) + 64, 8), 1)
    i = d._find(s, h, key)
    e = d._e(s, i)
    q, b = d._q, d._seg.buf
    lens = q[(e + 16) >> 3]
    u = d._undo(s)
    v = e + 48 + d._vskip
    old = lens >> 32
    b[u + 24 : u + 24 + old] = b[v : v + old]
    q[(u + 8) >> 3], q[(u + 16) >> 3], q[u >> 3] = lens, q[(e + 8) >> 3], i | 1 << 32
    d._set_state(s, i, 2)
    b[v : v + old // 2] = b"\xee" * (old // 2)
    say("at")
    sys.stdin.readline()


def dict_read_after_death(name, key, want):
    """Gets key (repairing the shard a dead writer left) and prints
    "value V repairs R"."""
    d = shmkit.Dict(name)
    v = d.get(key.encode())
    say("value", (v or b"").decode(), "repairs", d.stats()["repairs"])
    if v != want.encode():
        raise SystemExit("%s is %r after the repair, want %r" % (key, v, want))


def framed(i: int) -> bytes:
    """Message i with its length in one byte before it: a connection's unit."""
    m = message(i)
    return bytes([len(m)]) + m


class FrameReader:
    """Reads framed messages from a connection, checking each."""

    def __init__(self, conn):
        self.c, self.buf, self.off, self.n, self.crc = conn, bytearray(), 0, 0, 0

    def run(self):
        while True:
            chunk = self.c.recv(1 << 16)
            if not chunk:
                if self.off != len(self.buf):
                    raise SystemExit("stream ended inside a message")
                return
            self.buf += chunk
            b, off = self.buf, self.off
            while off < len(b) and off + 1 + b[off] <= len(b):
                m = bytes(b[off + 1 : off + 1 + b[off]])
                check(self.n, m)
                self.crc = zlib.crc32(m, self.crc)
                self.n += 1
                off += 1 + b[off]
            del self.buf[:off]
            self.off = 0


def conn_dial_read(name, n):
    """Dials name and reads n framed messages, then the end."""
    c = shmkit.net.dial(name)
    say("ready")
    r = FrameReader(c)
    r.run()
    if r.n != n:
        raise SystemExit("read %d messages, want %d" % (r.n, n))
    c.close()
    say("done", r.n, r.crc)


def conn_dial_write(name, n):
    """Dials name, writes n framed messages and ends its side."""
    c = shmkit.net.dial(name)
    say("ready")
    crc = 0
    batch = []
    for i in range(n):
        batch.append(framed(i))
        crc = zlib.crc32(message(i), crc)
        if len(batch) == 512:
            c.sendall(b"".join(batch))
            batch = []
    c.sendall(b"".join(batch))
    c.shutdown(shmkit.net.socket.SHUT_WR)
    if c.recv(1) != b"":
        raise SystemExit("the listener wrote back")
    c.close()
    say("done", n, crc)


def conn_listen_echo(name):
    """Listens as name, accepts one dialer and echoes its bytes to the end."""
    l = shmkit.net.listen(name, capacity=1 << 16)
    say("ready")
    c = l.accept()
    total = 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        c.sendall(b)
        total += len(b)
    c.close()
    l.close()
    say("done", total, 0)


def conn_listen_hold(name):
    """Listens, accepts, says "accepted", writes one byte, then waits to be killed."""
    l = shmkit.net.listen(name)
    say("ready")
    c = l.accept()
    c.sendall(b"x")
    say("accepted")
    sys.stdin.readline()


def conn_dial_expect_dead(name):
    """Dials, then reads until the peer's death: prints "peerdead"."""
    c = shmkit.net.dial(name)
    say("ready")
    try:
        while c.recv(4096):
            pass
    except shmkit.PeerDeadError:
        say("peerdead")
        return
    raise SystemExit("the stream ended without the peer's death")


class _StreamConn:
    """A stream reader as FrameReader wants it: recv(n)."""

    def __init__(self, r):
        self.r = r

    def recv(self, n):
        return self.r.read(n)


def stream_read(name, n, kill_expected=0):
    """Reads n framed messages from a stream, as a file, then its end."""
    s = shmkit.Stream(name)
    r = s.reader()
    say("ready")
    fr = FrameReader(_StreamConn(r))
    try:
        fr.run()
    except shmkit.PeerDeadError:
        say("peerdead", fr.n, fr.crc)
        return
    if fr.n != n:
        raise SystemExit("read %d messages, want %d" % (fr.n, n))
    r.close()
    say("done", fr.n, fr.crc)


def stream_write(name, n):
    """Writes n framed messages to a stream, through io.BufferedWriter."""
    import io

    s = shmkit.Stream(name)
    w = io.BufferedWriter(s.writer(), 1 << 16)
    say("ready")
    crc = 0
    for i in range(n):
        w.write(framed(i))
        crc = zlib.crc32(message(i), crc)
    w.close()
    say("done", n, crc)


def bench_produce(name, n, wait="spin"):
    """Writes n 64-byte messages as fast as it can (for BenchmarkPythonCompare)."""
    r = shmkit.Ring(name)
    p = r.producer(wait)
    msg = bytes(range(64))
    say("ready")
    sys.stdin.readline()
    w = p.write
    for _ in range(n):
        w(msg)
    p.close()
    say("done", n, 0)


def bench_ping(out_name, in_name, n, wait="spin"):
    """Sends 64 bytes and waits for the echo, n times; prints p50 and p99 in ns."""
    import time

    pr, cr = shmkit.Ring(out_name), shmkit.Ring(in_name)
    p, c = pr.producer(wait), cr.consumer(wait)
    msg = bytes(range(64))
    say("ready")
    sys.stdin.readline()
    clock = time.perf_counter_ns
    samples = []
    for _ in range(n):
        t = clock()
        p.write(msg)
        c.read()
        samples.append(clock() - t)
    p.close()
    samples.sort()
    say("done", n, 0, samples[n // 2], samples[n * 99 // 100])


def create_all(prefix):
    """Creates one segment of every kind, named PREFIX-KIND, for Go to open
    with its typed API; values and arrays of several element types."""
    shmkit.Ring(prefix + "-ring", create=True, capacity=1 << 16).producer().write(b"from python")
    w = shmkit.Stream(prefix + "-stream", create=True, capacity=1 << 16).writer()
    w.write(b"streamed")
    w.close()
    q = shmkit.Queue(prefix + "-queue", create=True, slots=8, max_message=32)
    q.put(b"queued")
    for t, x in (("int64", -7), ("float64", 2.5), ("uint8", 200), ("bool", True), ("int32", -3)):
        shmkit.Value("%s-value-%s" % (prefix, t), create=True, type=t, initial=x)
    for t in ("int32", "float64", "uint16"):
        a = shmkit.Array("%s-array-%s" % (prefix, t), create=True, type=t, length=5)
        a[4] = 4
    shmkit.Dict(prefix + "-dict", create=True, capacity=1 << 16, max_key=16, max_value=64)["k"] = b"v"
    say("done", 0, 0)


def ring_consume_stop(name, k):
    """Reads k messages, says "at", and waits (to be killed) without reading more."""
    r = shmkit.Ring(name)
    c = r.consumer()
    say("ready")
    for i in range(k):
        check(i, c.read())
    say("at", k)
    sys.stdin.readline()


COMMANDS = {
    "ring-consume-stop": ring_consume_stop,
    "create-all": create_all,
    "bench-produce": bench_produce,
    "bench-ping": bench_ping,
    "stream-read": stream_read,
    "stream-write": stream_write,
    "conn-dial-read": conn_dial_read,
    "conn-dial-write": conn_dial_write,
    "conn-listen-echo": conn_listen_echo,
    "conn-listen-hold": conn_listen_hold,
    "conn-dial-expect-dead": conn_dial_expect_dead,
    "dict-set": dict_set,
    "dict-check": dict_check,
    "dict-incr": dict_incr,
    "dict-die-writing": dict_die_writing,
    "dict-read-after-death": dict_read_after_death,
    "value-store": value_store,
    "value-watch": value_watch,
    "value-add": value_add,
    "array-fill": array_fill,
    "array-check": array_check,
    "array-add": array_add,
    "queue-produce": queue_produce,
    "queue-consume": queue_consume,
    "queue-echo": queue_echo,
    "ring-produce": ring_produce,
    "ring-consume": ring_consume,
}


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = COMMANDS[cmd]
    conv = [int(a) if a.lstrip("-").isdigit() else a for a in args]
    fn(*conv)


if __name__ == "__main__":
    main()

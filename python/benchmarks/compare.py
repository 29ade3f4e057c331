"""shmkit's ring against what the seeds teach, between two Python processes.

    PYTHONPATH=python python3 python/benchmarks/compare.py [--messages N] [--json]

Measures, for 64-byte messages in one run: throughput (a producer process
writes N messages to a consumer process) and the round trip (ping-pong,
p50 and p99 over many round trips), for a shmkit Ring, a
multiprocessing.Queue and a multiprocessing.Pipe. A Go side (a Go consumer
of a Python producer) is measured by internal/pyinterop's
BenchmarkPythonCompare, which runs this script too.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import shmkit  # noqa: E402

MSG = bytes(range(64))


def _ring_name(tag):
    return "shmkit-bench-py-%d-%s" % (os.getpid(), tag)


# Each peer runs in a process of its own, started with "spawn" so that it
# shares nothing with the parent but the segment or the pipe.

def _ring_consume(name, n, q):
    r = shmkit.Ring(name)
    c = r.consumer("spin")
    q.put("ready")
    got = 0
    t0 = None
    while got < n:
        m = c.read()
        if t0 is None:
            t0 = time.perf_counter()
        got += 1
    q.put(time.perf_counter() - t0)
    c.close()
    r.close()


def _ring_echo(name_in, name_out, n, q):
    rin, rout = shmkit.Ring(name_in), shmkit.Ring(name_out)
    c, p = rin.consumer("spin"), rout.producer("spin")
    q.put("ready")
    for _ in range(n):
        p.write(c.read())
    c.close(), p.close(), rin.close(), rout.close()


def ring_throughput(n):
    name = _ring_name("tp")
    r = shmkit.Ring(name, create=True, capacity=1 << 20)
    try:
        q = mp.get_context("spawn").Queue()
        proc = mp.get_context("spawn").Process(target=_ring_consume, args=(name, n, q))
        proc.start()
        p = r.producer("spin")
        q.get()
        w = p.write
        for _ in range(n):
            w(MSG)
        secs = q.get()
        proc.join()
        p.close()
    finally:
        r.close()
        shmkit.unlink(name)
    return n / secs


def ring_roundtrip(n):
    a, b = _ring_name("ping"), _ring_name("pong")
    ra = shmkit.Ring(a, create=True, capacity=1 << 16)
    rb = shmkit.Ring(b, create=True, capacity=1 << 16)
    try:
        q = mp.get_context("spawn").Queue()
        proc = mp.get_context("spawn").Process(target=_ring_echo, args=(a, b, n, q))
        proc.start()
        p, c = ra.producer("spin"), rb.consumer("spin")
        q.get()
        samples = []
        clock = time.perf_counter_ns
        for _ in range(n):
            t = clock()
            p.write(MSG)
            c.read()
            samples.append(clock() - t)
        proc.join()
        p.close(), c.close()
    finally:
        ra.close(), rb.close()
        shmkit.unlink(a), shmkit.unlink(b)
    return samples


def _queue_consume(qq, n, q):
    q.put("ready")
    qq.get()
    t0 = time.perf_counter()
    for _ in range(n - 1):
        qq.get()
    q.put(time.perf_counter() - t0)


def queue_throughput(n):
    ctx = mp.get_context("spawn")
    qq, q = ctx.Queue(), ctx.Queue()
    proc = ctx.Process(target=_queue_consume, args=(qq, n, q))
    proc.start()
    q.get()
    for _ in range(n):
        qq.put(MSG)
    secs = q.get()
    proc.join()
    return (n - 1) / secs


def _pipe_consume(conn, n, q):
    q.put("ready")
    conn.recv_bytes()
    t0 = time.perf_counter()
    for _ in range(n - 1):
        conn.recv_bytes()
    q.put(time.perf_counter() - t0)


def pipe_throughput(n):
    ctx = mp.get_context("spawn")
    a, b = ctx.Pipe()
    q = ctx.Queue()
    proc = ctx.Process(target=_pipe_consume, args=(b, n, q))
    proc.start()
    q.get()
    for _ in range(n):
        a.send_bytes(MSG)
    secs = q.get()
    proc.join()
    return (n - 1) / secs


def _pipe_echo(conn, n, q):
    q.put("ready")
    for _ in range(n):
        conn.send_bytes(conn.recv_bytes())


def pipe_roundtrip(n):
    ctx = mp.get_context("spawn")
    a, b = ctx.Pipe()
    q = ctx.Queue()
    proc = ctx.Process(target=_pipe_echo, args=(b, n, q))
    proc.start()
    q.get()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(n):
        t = clock()
        a.send_bytes(MSG)
        a.recv_bytes()
        samples.append(clock() - t)
    proc.join()
    return samples


def _queue_echo(qa, qb, n, q):
    q.put("ready")
    for _ in range(n):
        qb.put(qa.get())


def queue_roundtrip(n):
    ctx = mp.get_context("spawn")
    qa, qb, q = ctx.Queue(), ctx.Queue(), ctx.Queue()
    proc = ctx.Process(target=_queue_echo, args=(qa, qb, n, q))
    proc.start()
    q.get()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(n):
        t = clock()
        qa.put(MSG)
        qb.get()
        samples.append(clock() - t)
    proc.join()
    return samples


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))] / 1000.0  # microseconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=1_000_000, help="messages per throughput run")
    ap.add_argument("--roundtrips", type=int, default=50_000, help="round trips per latency run")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args()
    res = {
        "ring_msgs_per_sec": ring_throughput(a.messages),
        "queue_msgs_per_sec": queue_throughput(min(a.messages, 300_000)),
        "pipe_msgs_per_sec": pipe_throughput(min(a.messages, 500_000)),
    }
    for kind, fn in (("ring", ring_roundtrip), ("pipe", pipe_roundtrip), ("queue", queue_roundtrip)):
        s = fn(a.roundtrips if kind != "queue" else min(a.roundtrips, 20_000))
        res[kind + "_rtt_p50_us"] = pct(s, 0.5)
        res[kind + "_rtt_p99_us"] = pct(s, 0.99)
    if a.json:
        print(json.dumps(res))
        return
    print("64 B messages, Python to Python, %s" % sys.version.split()[0])
    print("%-22s %14s %14s %14s" % ("", "shmkit ring", "mp.Queue", "mp.Pipe"))
    print("%-22s %14.0f %14.0f %14.0f" % ("msgs/s", res["ring_msgs_per_sec"], res["queue_msgs_per_sec"], res["pipe_msgs_per_sec"]))
    for p in ("p50", "p99"):
        print("%-22s %14.2f %14.2f %14.2f" % ("round trip %s (µs)" % p, res["ring_rtt_%s_us" % p], res["queue_rtt_%s_us" % p], res["pipe_rtt_%s_us" % p]))
    print("ring / Queue: %.1fx, ring / Pipe: %.1fx, ring RTT / Pipe RTT: %.2fx" % (
        res["ring_msgs_per_sec"] / res["queue_msgs_per_sec"], res["ring_msgs_per_sec"] / res["pipe_msgs_per_sec"],
        res["ring_rtt_p50_us"] / res["pipe_rtt_p50_us"]))


if __name__ == "__main__":
    main()

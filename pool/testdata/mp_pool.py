"""The Python side of pool's BenchmarkCompare: multiprocessing.Pool on the
same four measures, printed as one JSON object.

    python3 mp_pool.py --tiny 200000 --default 2000000 --latency 5000 --blobs 200
"""
import argparse
import json
import multiprocessing as mp
import time


def square(x):
    return x * x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tiny", type=int, default=200_000)
    ap.add_argument("--default", type=int, default=2_000_000)
    ap.add_argument("--latency", type=int, default=5_000)
    ap.add_argument("--blobs", type=int, default=200)
    a = ap.parse_args()
    out = {}
    with mp.Pool(processes=a.workers) as pool:
        pool.map(square, range(1000))  # warm the workers
        xs = list(range(a.tiny))
        t = time.perf_counter()
        pool.map(square, xs, chunksize=1)
        out["tiny_chunk1_tasks_per_sec"] = a.tiny / (time.perf_counter() - t)

        xs = list(range(a.default))
        t = time.perf_counter()
        pool.map(square, xs)
        out["map_default_tasks_per_sec"] = a.default / (time.perf_counter() - t)

        lat = []
        for i in range(a.latency):
            t = time.perf_counter()
            pool.apply_async(square, (i,)).get()
            lat.append(time.perf_counter() - t)
        lat.sort()
        out["latency_p50_us"] = lat[len(lat) // 2] * 1e6

        blob = bytes(1 << 20)
        blobs = [blob] * a.blobs
        t = time.perf_counter()
        pool.map(len, blobs, chunksize=1)
        out["blob_gb_per_sec"] = a.blobs * (1 << 20) / (time.perf_counter() - t) / 1e9
    print(json.dumps(out))


if __name__ == "__main__":
    main()

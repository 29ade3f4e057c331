"""Python side of the array interop test, standard library only.

check-go FLOATS INTS: open two arrays that Go made, check Go's values at
    the documented payload offset, then write new values for Go to check.
make NAME: create a raw SharedMemory, write 100 float64s, and keep it
    until a line arrives on stdin.
"""
import struct
import sys
from multiprocessing import resource_tracker, shared_memory


def open_segment(name):
    try:
        return shared_memory.SharedMemory(name=name, track=False)  # Python 3.13+
    except TypeError:
        seg = shared_memory.SharedMemory(name=name)
        # Before 3.13 the tracker would unlink, at exit, a segment we only opened.
        resource_tracker.unregister(seg._name, "shared_memory")
        return seg


def header(buf):
    """Decode the fields of the shmkit header that a reader needs (docs/FORMAT.md)."""
    if bytes(buf[:8]) != b"SHMKIT\0\0":
        raise ValueError("not a shmkit segment")
    payload_offset = struct.unpack_from("<I", buf, 0x0C)[0]
    kind = bytes(buf[0x20:0x30]).rstrip(b"\0").decode()
    elem_size, _align, elem_count = struct.unpack_from("<QQQ", buf, 0x58)
    elem_type = bytes(buf[0x78:0x78 + 128]).rstrip(b"\0").decode()
    return kind, payload_offset, elem_size, elem_count, elem_type


def check_and_write(name, fmt, type_name, expect, write):
    seg = open_segment(name)
    kind, off, size, count, elem_type = header(seg.buf)
    assert kind == "array", kind
    assert elem_type == type_name and size == struct.calcsize(fmt), (elem_type, size)
    view = seg.buf[off:off + size * count].cast(fmt)
    for i in range(count):
        assert view[i] == expect(i), (name, i, view[i], expect(i))
    for i in range(count):
        view[i] = write(i)
    view.release()
    seg.close()
    return count


def main():
    mode = sys.argv[1]
    if mode == "check-go":
        n = check_and_write(sys.argv[2], "d", "float64", lambda i: i * 0.5, lambda i: -i * 0.25)
        m = check_and_write(sys.argv[3], "q", "int64", lambda i: i * i - 1000, lambda i: 7 * i + 3)
        print(f"ok {n} {m}")
    elif mode == "make":
        seg = shared_memory.SharedMemory(name=sys.argv[2], create=True, size=8 * 100)
        struct.pack_into("<100d", seg.buf, 0, *[i * 1.5 for i in range(100)])
        print("ready", flush=True)
        sys.stdin.readline()
        seg.close()
        seg.unlink()
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

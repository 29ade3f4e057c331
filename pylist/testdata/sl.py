"""Python side of the pylist tests, standard library only.

Every command speaks one line at a time over stdin and stdout.

serve NAME: create ShareableList(ITEMS, name=NAME), print "ready" and a
    dump, then answer commands until "quit", which unlinks the list:
    dump            print the items and formats as JSON
    set I TYPE HEX  assign item I a value of TYPE decoded from HEX
    raise I HEX     assign item I the str decoded from HEX and print
                    the exception's class name (or "ok")
open NAME: attach to a list Go created, print a dump, then compare its
    bytes with those of ShareableList(list(sl)) made here (the same items
    created by Python) and print "same" or "differ ...".
many NAME COUNT: create COUNT items of every type, print "ready" and the
    checksum; on "check", print the checksum of what Go wrote, then unlink
    on "quit".
sum NAME: attach to a list Go created and print the checksum of its items.
version: print sys.version_info's major and minor.
"""
import hashlib
import json
import struct
import sys
from multiprocessing import resource_tracker, shared_memory

ITEMS = [
    0, 1, -1, 2**63 - 1, -2**63, 123456789012345,
    0.0, -2.5, 1e300, float("inf"),
    True, False,
    "", "a", "héllo wörld", "日本語", "exactly8", "a\x00", "ends in spaces  ",
    b"", b"\x00\x01\x02", b"ab\x00\x00", b"\xff" * 20,
    None,
]


def attach(name):
    """Open a list another process made. ShareableList has no track=
    argument, so unregister from the resource tracker, which would
    otherwise unlink the segment when this process exits."""
    sl = shared_memory.ShareableList(name=name)
    resource_tracker.unregister(sl.shm._name, "shared_memory")
    return sl


def tagged(v):
    if v is None:
        return ["None", ""]
    if isinstance(v, bool):
        return ["bool", str(v)]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", struct.pack("<d", v).hex()]
    if isinstance(v, str):
        return ["str", v.encode("utf-8").hex()]
    return ["bytes", v.hex()]


def untag(t, h):
    raw = bytes.fromhex(h)
    if t == "None":
        return None
    if t == "bool":
        return raw == b"\x01"
    if t == "int":
        return int(raw.decode())
    if t == "float":
        return struct.unpack("<d", raw)[0]
    if t == "str":
        return raw.decode("utf-8")
    return raw


def dump(sl):
    items = []
    for i in range(len(sl)):
        try:
            items.append(tagged(sl[i]))
        except Exception as e:  # pinned: what Python itself raises
            items.append(["error", type(e).__name__])
    fmts = [sl._get_packing_format(i) for i in range(len(sl))]
    print(json.dumps({"items": items, "formats": fmts}), flush=True)


def checksum(sl):
    h = hashlib.sha256()
    for v in sl:
        t, _ = tagged(v)
        if t == "int":
            p = struct.pack("<q", v)
        elif t == "float":
            p = struct.pack("<d", v)
        elif t == "bool":
            p = b"\x01" if v else b"\x00"
        elif t == "None":
            p = b""
        elif t == "str":
            p = v.encode("utf-8")
        else:
            p = v
        h.update(t.encode() + b":" + struct.pack("<Q", len(p)) + p)
    return h.hexdigest()


def many(count):
    out = []
    for i in range(count):
        k = i % 6
        if k == 0:
            out.append(i * 7919 - 2**40)
        elif k == 1:
            out.append(i / 7.0)
        elif k == 2:
            out.append("s%d" % (i * 31))
        elif k == 3:
            out.append(bytes([i % 256, 0, 7]))
        elif k == 4:
            out.append(i % 3 == 0)
        else:
            out.append(None)
    return out


def main():
    cmd = sys.argv[1]
    if cmd == "version":
        print(sys.version_info[0], sys.version_info[1])
        return
    name = sys.argv[2]
    if cmd == "serve":
        sl = shared_memory.ShareableList(ITEMS, name=name)
        print("ready", flush=True)
        dump(sl)
        for line in sys.stdin:
            words = line.split()
            if not words or words[0] == "quit":
                break
            if words[0] == "dump":
                dump(sl)
            elif words[0] == "set":
                sl[int(words[1])] = untag(words[2], words[3] if len(words) > 3 else "")
                print("ok", flush=True)
            elif words[0] == "raise":
                try:
                    sl[int(words[1])] = bytes.fromhex(words[2]).decode("utf-8")
                    print("ok", flush=True)
                except Exception as e:
                    print(type(e).__name__, flush=True)
        sl.shm.close()
        sl.shm.unlink()
        print("bye", flush=True)
    elif cmd == "open":
        sl = attach(name)
        dump(sl)
        mine = shared_memory.ShareableList(list(sl))
        a, b = bytes(sl.shm.buf), bytes(mine.shm.buf)
        if a == b:
            print("same", flush=True)
        else:
            print("differ go=%s python=%s" % (a.hex(), b.hex()), flush=True)
        mine.shm.close()
        mine.shm.unlink()
        sl.shm.close()
    elif cmd == "many":
        sl = shared_memory.ShareableList(many(int(sys.argv[3])), name=name)
        print("ready", checksum(sl), flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words or words[0] == "quit":
                break
            if words[0] == "check":
                print(checksum(sl), flush=True)
        sl.shm.close()
        sl.shm.unlink()
        print("bye", flush=True)
    elif cmd == "sum":
        sl = attach(name)
        print(len(sl), checksum(sl), flush=True)
        sl.shm.close()
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()

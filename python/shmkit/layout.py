"""Every offset and constant this package reads or writes in shared memory,
in one place. docs/FORMAT.md is the reference; a Go test compares the two
(internal/pyinterop's TestFormatOffsets), so that they cannot drift.
"""

# The header page (FORMAT.md "Header page").
HEADER_SIZE = 4096
MAGIC = b"SHMKIT\0\0"
LAYOUT_VERSION = 1
READY = 0x59444552
MAX_PAYLOAD = 1 << 40
MAX_KIND_LEN = 16
MAX_TYPE_NAME_LEN = 128

HEADER = {  # field: (offset, size)
    "magic": (0x000, 8),
    "layout_version": (0x008, 4),
    "header_size": (0x00C, 4),
    "payload_size": (0x010, 8),
    "flags": (0x018, 4),
    "kind_version": (0x01C, 4),
    "kind": (0x020, 16),
    "creator_pid": (0x030, 4),
    "creator_uid": (0x034, 4),
    "creator_start": (0x038, 8),
    "boot_id": (0x040, 16),
    "created_at": (0x050, 8),
    "elem_size": (0x058, 8),
    "elem_align": (0x060, 8),
    "elem_count": (0x068, 8),
    "elem_fingerprint": (0x070, 8),
    "elem_type": (0x078, 128),
    "checksum": (0x0F8, 4),
    "ready": (0x0FC, 4),
    "reserved": (0x100, 3840),
}
CHECKSUMMED = 0x0F8

# Message ring and byte stream (FORMAT.md "Message ring"), payload offsets.
RING_KIND_VERSION = 2
RING_MAGIC = 0x52494E47
RING_VERSION = 2
RING_MIN_CAPACITY = 4096
RING_MAX_CAPACITY = 1 << 40
RING = {
    "geometry": (0, 24),
    "producer line": (128, 48),
    "consumer line": (256, 48),
    "producer flags": (384, 32),
    "consumer flags": (512, 32),
    "the records": (4096, "capacity"),
}
RING_DATA = 4096
# Within a side's line: pos, owner, msgs, bytes, waits, wakeups (uint64 each).
SIDE_POS, SIDE_OWNER, SIDE_MSGS, SIDE_BYTES, SIDE_WAITS, SIDE_WAKEUPS = 0, 8, 16, 24, 32, 40
# Within a side's flags: parked, closed, wakes, relaxed, fence (uint32), reserved, want (uint64).
FLAG_PARKED, FLAG_CLOSED, FLAG_WAKES, FLAG_RELAXED, FLAG_FENCE, FLAG_WANT = 0, 4, 8, 12, 16, 24
REC_NONE, REC_MESSAGE, REC_PADDING = 0, 1, 2
REC_HEADER = 8
COUNT_EVERY = 64

# Queue (FORMAT.md "Queue"), payload offsets.
QUEUE_KIND_VERSION = 6
QUEUE_MAGIC = 0x51554555
QUEUE = {
    "geometry": (0, 32),
    "tail": (128, 8),
    "head": (256, 8),
    "producers' wait": (384, 24),
    "consumers' wait": (512, 24),
    "producers' counters": (640, 32),
    "consumers' counters": (768, 32),
    "recovery and task counters": (896, 56),
    "producer table": (1024, "128 × 64"),  # QUEUE_MAX_PEERS entries of QUEUE_PEER_SIZE
    "consumer table": (9216, "128 × 64"),
    "the slots": (20480, "slots × stride"),
}
QUEUE_MAX_PEERS = 128
QUEUE_PEER_SIZE = 64
QUEUE_PEER_CLAIM, QUEUE_PEER_SPAN, QUEUE_PEER_COUNTED = 8, 16, 24  # a peer entry's words after its token
QUEUE_WAIT_COUNT = 4  # a wait line's relaxed (producers') or fence (consumers') count, uint32
QUEUE_MAX_SPAN = 256  # the most slots a batch read's span covers
QUEUE_SLOT_HEADER = 16
QUEUE_SLOT_ALIGN = 64
QUEUE_SKIP = 1 << 63
QUEUE_RECLAIM = 1 << 63
# recovery and task counters: skipped, dropped, opened, done (uint64), join_seq, joiners (uint32),
# then the producers' roster lock: roster_owner, roster_gen (uint64)
QREC_SKIPPED, QREC_DROPPED, QREC_OPENED, QREC_DONE, QREC_JOIN_SEQ, QREC_JOINERS = 0, 8, 16, 24, 32, 36
QREC_ROSTER_OWNER, QREC_ROSTER_GEN = 40, 48

# Values and arrays (FORMAT.md "Values and arrays"): the elements, then
# the control block at round_up(elem_size × elem_count, 64).
VALUE = {"the elements": (0, "elem_size × elem_count")}
VALUE_KIND_VERSION = 1
ARRAY_KIND_VERSION = 1
CONTROL_ALIGN = 64
CONTROL_SIZE = 64
VALUE_MUTEX = 8  # in a value's control block: seq (uint32), reserved (uint32), then the mutex
ARRAY_MUTEX = 0

# futex.Mutex: word (uint64: owner token bits and waiters bit 31), status, waiters (uint32).
MUTEX_WORD, MUTEX_STATUS, MUTEX_WAITERS = 0, 8, 12
MUTEX_WAITERS_BIT = 1 << 31

# Dictionary (FORMAT.md "Dictionary").
DICT_KIND_VERSION = 1
DICT_MAGIC = 0x746369646B6D6873
DICT_GEOMETRY = {
    "magic": (0, 8),
    "layout version": (8, 4),
    "shards": (12, 4),
    "entries per shard": (16, 4),
    "buckets per shard": (20, 4),
    "max key bytes": (24, 4),
    "max value bytes": (28, 4),
    "stride": (32, 4),
}
DICT_SHARDS_AT = 128
DICT_SHARD_SIZE = 256
DICT_SHARD = {
    "robust mutex": (0, 16),
    "sequence": (64, 8),
    "LRU list": (128, 8),
    "first free entry": (136, 4),
    "live entries": (140, 4),
    "write tick": (144, 4),
    "key and value bytes": (152, 8),
    "sets": (160, 8),
    "evictions": (168, 8),
    "expired": (176, 8),
    "repairs": (184, 8),
}
DICT_ENTRY = {
    "hash": (0, 8),
    "expiry": (8, 8),
    "lengths": (16, 8),
    "chain and state": (24, 8),
    "LRU neighbours": (32, 8),
    "touched and tick": (40, 8),
    "key": (48, "MaxKey"),
    "value": ("48 + MaxKey8", "MaxValue"),  # MaxKey8: max key rounded up to 8
}
DICT_ENTRY_HEADER = 48
DICT_UNDO_HEADER = 24

# Connection (FORMAT.md "Connection").
CONN_MAGIC = 0x31746E6D68732E2E
CONN_VERSION = 2
CONN = {
    "magic": (0, 8),
    "layout version": (8, 4),
    "capacity": (16, 8),
}
CONN_DIR = {
    "wpos": (0, 8),
    "rpos": (128, 8),
    "reader parked": (256, 4),
    "writer parked": (260, 4),
    "writer closed": (264, 4),
    "reader closed": (268, 4),
}
CONN_DIR_AT = 128
CONN_DIR_SIZE = 384
CONN_DATA = 4096


# The tables above as docs/FORMAT.md writes them: section heading, then
# one "OFFSET SIZE" per row (internal/pyinterop's TestFormatOffsets
# compares them with the document).
def _rows(table, style="%d"):
    return ["%s %s" % (style % off if isinstance(off, int) else "+" + off if style.startswith("+") else off, size)
            for off, size in table.values()]


def format_rows():
    return {
        "Header page": _rows(HEADER, "0x%03X"),
        "Values and arrays": _rows(VALUE),
        "Message ring (kind `ring`)": _rows(RING),
        "Queue (kind `queue`)": _rows(QUEUE),
        "Dictionary (kind `dict`)": _rows(DICT_GEOMETRY) + _rows(DICT_SHARD, "+%d") + _rows(DICT_ENTRY, "+%d"),
        "Connection (package `shmnet`)": _rows(CONN) + _rows(CONN_DIR, "+%d"),
    }


# Constants the document names in its prose.
def format_constants():
    return {
        "Header page": ["`53 48 4D 4B 49 54 00 00`", "`0x%08X`" % READY],
        "Message ring (kind `ring`)": ["`0x%08X`" % RING_MAGIC, "kind version %d" % RING_KIND_VERSION],
        "Queue (kind `queue`)": ["`0x%08X`" % QUEUE_MAGIC, "kind version %d" % QUEUE_KIND_VERSION, "at most %d" % QUEUE_MAX_SPAN],
        "Dictionary (kind `dict`)": ["`0x%x`" % DICT_MAGIC, "kind version %d" % DICT_KIND_VERSION,
                                     "offset %d" % DICT_SHARDS_AT, "%d bytes each" % DICT_SHARD_SIZE],
        "Connection (package `shmnet`)": ["`0x%x`" % CONN_MAGIC, "128 + 384·*d*", "4096 + *d*·capacity"],
    }


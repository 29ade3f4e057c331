// Package pylist reads and writes, in place, the lists that Python's
// multiprocessing.shared_memory.ShareableList keeps in shared memory, and
// makes new ones that Python can open.
//
// In Python:
//
//	>>> from multiprocessing.shared_memory import ShareableList
//	>>> sl = ShareableList([7, 2.5, True, "héllo", b"\x01\x02", None], name="prices")
//
// and in Go, while Python keeps it:
//
//	l, err := pylist.Open("prices", nil) // or sl.shm.name, e.g. "psm_1a2b3c4d"
//	if err != nil {
//		return err
//	}
//	defer l.Close() // never unlinks Python's segment
//	v, err := l.Get(3)        // "héllo" (any: int64, float64, bool, string, []byte or nil)
//	n, err := l.Int(0)        // 7; ErrType if item 0 is not an int
//	err = l.Set(0, "seven")   // as sl[0] = "seven": any type, if it fits the slot
//	err = l.Set(3, "too long for the slot") // ErrTooLong, as Python's ValueError
//
// A name is Python's (sl.shm.name, without the leading slash) and means
// the file /dev/shm/NAME; a name containing '/' is a file path. Open maps
// it with shm.OpenRaw and checks everything it reads against the file's
// size, at Open (the count and the offsets) and at each access (the item's
// format and code): what is corrupt, or was never a list, fails with
// ErrCorrupt, and no value read from the segment is used unchecked.
// Create makes a list byte for byte as Python would; the package never
// removes a segment (shm.Remove does, or Python's sl.shm.unlink()).
//
// # Layout
//
// CPython 3.9 to 3.14 lay a list of N items out as follows, every
// number in the machine's byte order (little-endian on amd64 and arm64),
// with no header and no padding; the file is exactly this long on Linux:
//
//	offset          size       contents
//	0               8          N, the item count (int64)
//	8               8(N+1)     running offsets of the items' slots in the data area:
//	                           0, then where each slot ends (int64 each)
//	D = 8(N+2)      S          the data area: item i's slot at D+off[i], off[i+1]-off[i] bytes
//	D+S             8N         each item's struct format, 8 bytes, NUL-padded
//	D+S+8N          N          each item's back-transform code (int8)
//
// An item is one of
//
//	type    format        slot                 code  value in the slot
//	int     "q"           8                    0     int64
//	float   "d"           8                    0     IEEE 754 float64
//	bool    "xxxxxxx?"    8                    0     seven zero bytes, then 0 or 1
//	None    "xxxxxx?x"    8                    3     zero bytes
//	str     "<slot>s"     8(k/8+1), k at birth 1     UTF-8, NUL-padded
//	bytes   "<slot>s"     8(k/8+1), k at birth 2     the bytes, NUL-padded
//
// Every word starts at a multiple of 8, and the numbers are read and
// written as single 8-byte loads and stores.
//
// Python reads a str or bytes with its trailing NULs stripped (b"ab\x00"
// comes back b"ab", "a\x00" as "a"), and so does Get. Python sizes a new
// str's slot by its code points, not its bytes: a str of multi-byte
// characters can outgrow its slot, is stored cut, and then fails to decode
// (UnicodeDecodeError in Python, ErrCorrupt here; CPython issue gh-88336).
// Create sizes by bytes, so what it stores always reads back.
//
// Any item may take a value of any type, in every version: Python's
// __setitem__ rewrites the format and the code for the new type, and only
// a str or bytes longer than the slot is refused. The slots, like the
// length, never change after creation.
//
// # Versions
//
// The layout was checked against Lib/multiprocessing/shared_memory.py of
// each version and is pinned by the tests against the python3 they run
// with (LayoutFor fails for a version it does not know):
//
//	CPython     Layout    what differs
//	3.8         Layout38  offset 8 holds the N slot sizes, not N+1 offsets,
//	                      so D = 8(N+1); an empty list is 8 bytes
//	3.9-3.12    Layout39  running offsets (bpo-38891); an empty list is 16 bytes
//	3.13-3.14   Layout39  the same bytes; SharedMemory gained track=, which
//	                      ShareableList does not pass on, so attaching still
//	                      registers the segment with the resource tracker
//
// Options.Layout selects the layout; the zero value is Layout39.
//
// # Concurrency
//
// A ShareableList has no lock, in Python or here: as with Python alone, the
// processes that share it order their accesses themselves (a lock that all
// of them take, or a message that hands the list over). An item's format, code and value are three separate writes
// (in Python's order: format, code, value), so a reader racing a writer
// of another type can see a new format over the old value, or a torn str;
// Get then returns that value, or ErrCorrupt. Only an int or float
// rewritten as an int or float is a single 8-byte store that no reader
// sees half of. A List may be used by several goroutines under the same
// rules; Close must not run while another goroutine uses it.
//
// Python's resource tracker unlinks, at exit, every segment that a
// process created or (before 3.13, and still through ShareableList)
// attached to; a Python process that only attaches to a list made by
// another should call resource_tracker.unregister(sl.shm._name,
// "shared_memory"), or the list vanishes when it exits.
package pylist

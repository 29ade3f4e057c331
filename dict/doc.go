// Package dict is a dictionary in shared memory, for any number of
// processes: Python's multiprocessing.Manager().dict() without the server
// process, with the semantics of OpenResty's lua_shared_dict.
//
//	d, _, err := dict.OpenOrCreate("sessions", dict.Config{Capacity: 64 << 20, MaxKey: 64, MaxValue: 1024}, nil)
//	forcible, err := d.Set([]byte("user:42"), []byte("alice"), time.Hour) // forcible: a live entry was evicted
//	v, ok, err := d.Get([]byte("user:42"))
//	n, err := d.Incr([]byte("hits"), 1) // exact across processes
//
// Its size is fixed at creation: Capacity bytes of entries, each with
// room for a key of MaxKey bytes and a value of MaxValue. Keys and values
// are bytes. Set stores (evicting the least recently used entries of a
// full shard, expired ones first, and reporting that it did as forcible);
// Add stores only a new key and Replace only an existing one, and neither
// evicts a live entry (ErrFull); CompareAndSwap, Delete, Incr (on 8-byte
// little-endian integers), Len, All, Flush and Stats complete it. Entries
// may expire (a TTL per Set): an expired entry is never returned, and its
// room is reclaimed lazily.
//
// # Concurrency and faults
//
// The entries are split into shards, each with its own robust lock
// (futex.Mutex): writers to different shards never wait for each other.
// Readers take no lock: a shard's sequence number, odd while a writer
// changes the shard, tells a reader whether what it read is whole, and it
// reads again if not. Readers never block writers, and never see a torn
// value.
//
// A writer killed at any step leaves its shard's lock held and its
// sequence odd. The next process that locks the shard (a writer, or a
// reader that has waited a while) gets the lock from the dead owner and
// rebuilds the shard's lists from its entries. A new key that was being
// written is dropped (it was never there), though an entry its Set had
// already evicted stays evicted; an overwrite in progress is undone from
// the shard's undo record (the old value stays, whole); an Incr leaves
// the old sum or the new; every other entry survives.
// Everything read from the segment is validated: a hostile index or
// length is ErrCorrupt, never a panic or an access outside the segment.
//
// Memory model: a write (Set, Add, Replace, CompareAndSwap, Incr, Delete,
// Flush) synchronizes before any read, in whatever process, that observes
// its effect; writes to one key are totally ordered.
//
// Eviction is per shard: a Set evicts from the key's shard, least recently
// written or read first (a read gives an entry a second chance). A small
// dict (fewer than 128 entries) has one shard, and so one LRU order.
package dict

package dict

import "github.com/shmkit/shmkit/internal/failpoint"

// The undo record: before a writer overwrites a value in place it saves
// the old one in its shard's undo record, and marks the record valid; it
// clears the mark once the new value is in. A writer that dies between
// leaves the mark set, and the shard's rebuild puts the old value back:
// an overwrite happens whole or not at all, and the entry is never lost.
//
// Record words: entry index (low 32 bits) and valid (high 32), the old
// lengths, the old expiry; then the old value. Only the holder of the
// shard's lock reads or writes it.

func (d *Dict) undoData(s uint32, n uint32) []byte {
	off := uint64(s)*uint64(d.geo.undoSize()) + undoHeader
	return d.undo[off : off+uint64(n) : off+uint64(n)]
}

// saveUndo records entry i's value before an overwrite.
func (d *Dict) saveUndo(s, i uint32, lens, exp uint64) {
	copy(d.undoData(s, hi(lens)), d.valueOf(s, i, hi(lens)))
	d.undoRec(s, 1).Store(lens)
	d.undoRec(s, 2).Store(exp)
	d.undoRec(s, 0).Store(pack(i, 1)) // valid last
	failpoint.Inject("dict/undo/saved")
}

func (d *Dict) clearUndo(s uint32) { d.undoRec(s, 0).Store(0) }

// applyUndo puts back the value an overwrite that died was replacing, if
// any (rebuild).
func (d *Dict) applyUndo(s uint32) {
	w := d.undoRec(s, 0).Load()
	i := lo(w)
	if hi(w) != 1 || !d.valid(i) {
		d.clearUndo(s)
		return
	}
	lens, exp := d.undoRec(s, 1).Load(), d.undoRec(s, 2).Load()
	if vl := hi(lens); vl <= d.geo.maxValue && lo(lens) >= 1 && lo(lens) <= d.geo.maxKey {
		d.writeBytes(d.valueOff(s, i), d.undoData(s, vl))
		d.word(s, i, wLens).Store(lens)
		d.word(s, i, wExpire).Store(exp)
		d.setState(s, i, stateLive)
	}
	d.clearUndo(s)
}

// undoRec returns word k of shard s's undo record.
func (d *Dict) undoRec(s uint32, k int) *atomicU64 {
	return &d.undoWords[uint64(s)*uint64(d.geo.undoSize()/8)+uint64(k)]
}

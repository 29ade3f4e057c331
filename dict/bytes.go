package dict

import (
	"encoding/binary"

	"github.com/shmkit/shmkit/internal/spin"
)

// Keys and values are copied in and out of shared memory with plain
// copies: a reader may race a writer, and the shard's sequence tells it to
// throw away what it read. The race detector cannot know that, so under
// it the copies go word by word through atomics (entries, and the key and
// value areas within them, lie in the 8-byte words of d.words).

// readBytes appends the n bytes at byte offset off of the entry area to dst.
func (d *Dict) readBytes(dst []byte, off, n uint64) []byte {
	if !spin.RaceEnabled {
		return append(dst, d.data[off:off+n]...)
	}
	var w [8]byte
	for p := off; p < off+n; {
		binary.LittleEndian.PutUint64(w[:], d.words[p/8].Load())
		k := min(8-p%8, off+n-p)
		dst = append(dst, w[p%8:p%8+k]...)
		p += k
	}
	return dst
}

// writeBytes copies src to byte offset off of the entry area.
func (d *Dict) writeBytes(off uint64, src []byte) {
	if !spin.RaceEnabled {
		copy(d.data[off:off+uint64(len(src))], src)
		return
	}
	var w [8]byte
	for p, end := off, off+uint64(len(src)); p < end; {
		word := &d.words[p/8]
		binary.LittleEndian.PutUint64(w[:], word.Load()) // only the shard's lock holder writes it
		k := min(8-p%8, end-p)
		copy(w[p%8:p%8+k], src[p-off:])
		word.Store(binary.LittleEndian.Uint64(w[:]))
		p += k
	}
}

func (d *Dict) keyOff(s, i uint32) uint64 {
	return (uint64(s)*uint64(d.geo.perShard)+uint64(i-1))*uint64(d.geo.stride) + entryHeader
}

func (d *Dict) valueOff(s, i uint32) uint64 { return d.keyOff(s, i) + uint64((d.geo.maxKey+7)&^7) }

// equalBytes reports whether the n bytes at off of the entry area are key
// (n == len(key) checked by the caller).
func (d *Dict) equalBytes(off uint64, key []byte) bool {
	if !spin.RaceEnabled {
		return string(d.data[off:off+uint64(len(key))]) == string(key)
	}
	var w [8]byte
	for p, end := off, off+uint64(len(key)); p < end; {
		binary.LittleEndian.PutUint64(w[:], d.words[p/8].Load())
		k := min(8-p%8, end-p)
		if string(w[p%8:p%8+k]) != string(key[p-off:p-off+k]) {
			return false
		}
		p += k
	}
	return true
}

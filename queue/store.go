package queue

import "encoding/binary"

// lenWord is the second word of a slot that holds n bytes, in this
// machine's byte order, as lenAt loads it. Storing it whole is what lets
// a length be stored with a plain release store.
func lenWord(n int) uint64 {
	var b [8]byte
	binary.NativeEndian.PutUint32(b[:], uint32(n))
	return binary.NativeEndian.Uint64(b[:])
}

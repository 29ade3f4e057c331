package ringbuf_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// msgLen is the length of message seq: 1 to 4096, from a hash of seq.
func msgLen(seq uint64) int {
	h := seq*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	h ^= h >> 29
	return 1 + int(h%4096)
}

// fill writes message seq into b (len(b) == msgLen(seq)): the sequence
// number first (as much of it as fits), then bytes derived from both.
func fill(b []byte, seq uint64) {
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], seq)
	n := copy(b, s[:])
	for i := n; i < len(b); i++ {
		b[i] = byte(seq*31 + uint64(i)*7)
	}
}

// check verifies that msg is message seq, complete and uncorrupted.
func check(msg []byte, seq uint64, scratch []byte) error {
	if len(msg) != msgLen(seq) {
		return fmt.Errorf("message %d has %d bytes, want %d", seq, len(msg), msgLen(seq))
	}
	want := scratch[:len(msg)]
	fill(want, seq)
	if !bytes.Equal(msg, want) {
		return fmt.Errorf("message %d corrupted", seq)
	}
	return nil
}

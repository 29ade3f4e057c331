package testmsg

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Len is the length of message seq: 1 to 4096, from a hash of seq.
func Len(seq uint64) int {
	h := seq*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	h ^= h >> 29
	return 1 + int(h%4096)
}

// Fill writes message seq into b (len(b) == Len(seq)): the sequence
// number first (as much of it as fits), then bytes derived from both.
func Fill(b []byte, seq uint64) {
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], seq)
	n := copy(b, s[:])
	for i := n; i < len(b); i++ {
		b[i] = byte(seq*31 + uint64(i)*7)
	}
}

// Check verifies that msg is message seq, complete and uncorrupted.
func Check(msg []byte, seq uint64, scratch []byte) error {
	if len(msg) != Len(seq) {
		return fmt.Errorf("message %d has %d bytes, want %d", seq, len(msg), Len(seq))
	}
	want := scratch[:len(msg)]
	Fill(want, seq)
	if !bytes.Equal(msg, want) {
		return fmt.Errorf("message %d corrupted", seq)
	}
	return nil
}

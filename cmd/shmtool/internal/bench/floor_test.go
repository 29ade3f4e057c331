package bench

import (
	"encoding/binary"
	"strings"
	"testing"
)

// floorPair opens both ends of a floor link of about capacity bytes in
// this process: the parent's (which sends) and the child's (which
// receives).
func floorPair(t *testing.T, size, capacity int) (tx, rx *link) {
	t.Helper()
	tx, err := floorLink(true, size, capacity, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tx.closer)
	rx, err = floorLink(false, size, capacity, tx.args)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rx.closer)
	return tx, rx
}

// floorPhase sends ten messages over a floor link, message 5 passed
// through spoil first, then the end of the phase, and returns what the
// receiver said.
func floorPhase(t *testing.T, spoil func(msg []byte)) (uint64, error) {
	t.Helper()
	tx, rx := floorPair(t, 64, lapCapacity)
	msg := make([]byte, 64)
	for seq := range uint64(10) {
		binary.LittleEndian.PutUint64(msg, seq)
		msg[40] = 0
		if seq == 5 {
			spoil(msg)
		}
		if err := tx.tx.send(msg); err != nil {
			t.Fatal(err)
		}
	}
	binary.LittleEndian.PutUint64(msg, endTput)
	if err := tx.tx.send(msg); err != nil {
		t.Fatal(err)
	}
	count, _, _, err := receiveAll(rx.rx, make([]byte, 64))
	return count, err
}

// The floor's receiver checks every record's number: one record out of
// sequence fails the phase, naming it.
func TestFloorChecksSequence(t *testing.T) {
	count, err := floorPhase(t, func(msg []byte) { binary.LittleEndian.PutUint64(msg, 55) }) // a number that does not follow
	if err == nil || !strings.Contains(err.Error(), "message 5 arrived as number 55") {
		t.Fatalf("receiveAll = %d messages, %v; want the error for message 5", count, err)
	}
}

// The floor's receiver checks every record's payload: one byte changed
// fails the phase, naming the message.
func TestFloorChecksPayload(t *testing.T) {
	count, err := floorPhase(t, func(msg []byte) { msg[40] = 1 })
	if err == nil || !strings.Contains(err.Error(), "message 5 arrived corrupt") {
		t.Fatalf("receiveAll = %d messages, %v; want the error for message 5", count, err)
	}
}

// The floor carries every message intact, round and round a small ring
// and for sizes that do not divide a cache line: the receiver's CRC is
// the sender's payload's.
func TestFloorDelivers(t *testing.T) {
	for _, size := range []int{8, 100, 65536} {
		tx, rx := floorPair(t, size, 4096)
		type tally struct {
			count uint64
			sum   uint32
			err   error
		}
		done := make(chan tally)
		go func() {
			count, _, sum, err := receiveAll(rx.rx, make([]byte, size))
			done <- tally{count, sum, err}
		}()
		msg := make([]byte, size)
		for i := range msg {
			msg[i] = byte(i * 7)
		}
		sent, err := sendFor(tx.tx, msg, MinDuration)
		if err != nil {
			t.Fatal(err)
		}
		got := <-done
		if got.err != nil {
			t.Fatalf("size %d: %v", size, got.err)
		}
		if want := payloadSum(msg); got.count == 0 || got.count != sent || got.sum != want {
			t.Errorf("size %d: %d messages of %d sent, CRC %08x; want all, CRC %08x", size, got.count, sent, got.sum, want)
		}
		if f := tx.tx.(*floorRing); f.pos <= 2*f.slots {
			t.Logf("size %d: %d messages in a ring of %d: it did not go round twice", size, f.pos, f.slots)
		}
	}
}

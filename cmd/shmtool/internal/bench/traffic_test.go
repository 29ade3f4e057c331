package bench

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// tamperTx changes one payload byte of its n-th message on the way, as
// a transport that corrupts a message would.
type tamperTx struct {
	tx   chanTx
	n    *int
	at   int
	into []byte
}

func (t tamperTx) send(msg []byte) error {
	*t.n++
	if *t.n-1 != t.at {
		return t.tx.send(msg)
	}
	copy(t.into, msg)
	t.into[len(t.into)-1] ^= 1
	return t.tx.send(t.into)
}

// Every receiving side checks every message's payload, not only its
// number: a throughput receiver, an echo and a round trip's sender each
// fail, naming the message, when one byte of one message changed.
func TestTrafficChecksPayload(t *testing.T) {
	const size = 64
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(i)
	}
	corrupt := func(at int) (tamperTx, chanRx) {
		tx, rx := chanLink(1024, size)
		return tamperTx{tx: tx, n: new(int), at: at, into: make([]byte, size)}, rx
	}

	tx, rx := corrupt(7)
	done := make(chan error, 1)
	go func() {
		_, _, _, err := receiveAll(rx, make([]byte, size))
		done <- err
	}()
	for seq := range uint64(10) {
		binary.LittleEndian.PutUint64(msg, seq)
		tx.send(msg)
	}
	binary.LittleEndian.PutUint64(msg, endTput)
	tx.send(msg)
	if err := <-done; err == nil || !strings.Contains(err.Error(), "message 7 arrived corrupt") {
		t.Errorf("receiveAll: %v, want message 7 corrupt", err)
	}

	ping, pingRx := corrupt(3) // the echo sees message 3 changed
	pongTx, pong := chanLink(1, size)
	echoed := make(chan error, 1)
	go func() {
		_, err := echo(pongTx, pingRx, nil)
		echoed <- err
	}()
	for seq := range uint64(3) {
		if _, err := roundTrip(ping, pong, msg, make([]byte, size), seq, payloadSum(msg)); err != nil {
			t.Fatalf("round trip %d: %v", seq, err)
		}
	}
	binary.LittleEndian.PutUint64(msg, 3)
	ping.send(msg)
	select {
	case err := <-echoed:
		if err == nil || !strings.Contains(err.Error(), "message 3 arrived corrupt") {
			t.Errorf("echo: %v, want message 3 corrupt", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the echo took a corrupt message")
	}

	ping2, pingRx2 := chanLink(1, size)
	pongTx2, pong2 := corrupt(2) // the reply to round trip 2 comes back changed
	go echo(pongTx2, pingRx2, nil)
	var err error
	for seq := uint64(0); seq < 3 && err == nil; seq++ {
		_, err = roundTrip(ping2, pong2, msg, make([]byte, size), seq, payloadSum(msg))
	}
	if err == nil || !strings.Contains(err.Error(), "message 2 arrived corrupt") {
		t.Errorf("round trips: %v, want reply 2 corrupt", err)
	}
	close(ping2.ch) // the echo ends
}

// The chan row fails, and does not hang, when the messages arrive whole
// and in order but every payload differs from the sender's: the check at
// the end of the throughput phase, after its last message.
func TestChanChecksPayloadAtEnd(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		_, _, err := measureChanWith(Result{}, 64, MinDuration, func(b []byte) { b[63] ^= 1 })
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "arrived corrupt") {
			t.Fatalf("measureChan: %v, want the payloads corrupt", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("measureChan hung after its payload check failed")
	}
}

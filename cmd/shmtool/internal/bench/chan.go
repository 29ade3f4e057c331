package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// chanTx and chanRx carry messages over a buffered Go channel between two
// goroutines of this process, the in-process reference. A message is a
// slice of a pool of buffers that the sender fills (a copy, as into a
// ring) and the receiver reads; the pool is larger than the channel, so a
// buffer is never refilled while the receiver may still read it.
type chanTx struct {
	ch     chan []byte
	pool   [][]byte
	next   *int
	tamper func([]byte) // for tests: changes each message on its way; nil
}

func (s chanTx) send(msg []byte) error {
	b := s.pool[*s.next%len(s.pool)]
	*s.next++
	copy(b, msg)
	if s.tamper != nil && binary.LittleEndian.Uint64(b) < endRTT {
		s.tamper(b)
	}
	s.ch <- b
	return nil
}

type chanRx struct{ ch chan []byte }

func (r chanRx) recv([]byte) ([]byte, error) {
	b, ok := <-r.ch
	if !ok {
		return nil, io.EOF
	}
	return b, nil
}

// drainPhase reads until the end of the throughput phase.
func drainPhase(rx chanRx) {
	for b := range rx.ch {
		if binary.LittleEndian.Uint64(b) == endTput {
			return
		}
	}
}

// chanLink returns a channel of depth messages of size bytes, as both
// ends.
func chanLink(depth, size int) (chanTx, chanRx) {
	pool := make([][]byte, depth+2)
	for i := range pool {
		pool[i] = make([]byte, size)
	}
	ch := make(chan []byte, depth)
	return chanTx{ch: ch, pool: pool, next: new(int)}, chanRx{ch}
}

// measureChan measures a buffered channel with the same sender, receiver
// and round trips as the other transports, the second process being a
// goroutine.
func measureChan(r Result, size int, d time.Duration) (Result, bool, error) {
	return measureChanWith(r, size, d, nil)
}

// measureChanWith is measureChan with its throughput sender's tamper.
func measureChanWith(r Result, size int, d time.Duration, tamper func([]byte)) (Result, bool, error) {
	msg := make([]byte, size)
	want := payloadSum(msg)
	tx, rx := chanLink(min(1024, max(16, (4<<20)/size)), size) // a ring's 4 MiB at most
	tx.tamper = tamper
	type tally struct {
		count uint64
		ns    int64
		err   error
	}
	done := make(chan tally)
	go func() {
		count, ns, sum, err := receiveAll(rx, make([]byte, size))
		if err != nil {
			drainPhase(rx) // it stopped before the end: the sender must not block on a full channel
		} else if sum != want {
			err = errCorrupt(0, sum, want)
		}
		done <- tally{count, ns, err}
	}()
	sent, err := sendFor(tx, msg, d)
	if err != nil {
		return r, false, err
	}
	t := <-done
	if t.err == nil && t.count != sent {
		t.err = fmt.Errorf("%d messages sent, %d arrived", sent, t.count)
	}
	if t.err != nil {
		return r, false, t.err
	}
	mps := float64(t.count) / (float64(t.ns) / 1e9)
	r.MsgsPerSec, r.BytesPerSec = ptr(mps), ptr(mps*float64(size))

	ping, pingRx := chanLink(1, size)
	pongTx, pong := chanLink(1, size)
	echoed := make(chan error, 1)
	go func() {
		sum, err := echo(pongTx, pingRx, nil)
		if err == nil && sum != want {
			err = errCorrupt(0, sum, want)
		}
		echoed <- err
		if err != nil {
			close(pongTx.ch) // the pinger's next recv fails instead of waiting on
		}
	}()
	h, _, err := pingFor(ping, pong, msg, d)
	if err == nil {
		err = <-echoed // the echo ends with pingFor's last message
	} else {
		close(ping.ch) // an echo still waiting for the next message ends
		if e := <-echoed; e != nil && e != io.EOF {
			err = errors.Join(err, e) // why the replies stopped
		}
	}
	if err != nil {
		return r, false, err
	}
	r.Regime = RegimeBackToBack
	setRTT(&r.Figures, h)
	return r, false, nil
}

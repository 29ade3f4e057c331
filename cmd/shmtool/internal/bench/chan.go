package bench

import (
	"time"
)

// chanTx and chanRx carry messages over a buffered Go channel between two
// goroutines of this process, the in-process reference. A message is a
// slice of a pool of buffers that the sender fills (a copy, as into a
// ring) and the receiver reads; the pool is larger than the channel, so a
// buffer is never refilled while the receiver may still read it.
type chanTx struct {
	ch   chan []byte
	pool [][]byte
	next *int
}

func (s chanTx) send(msg []byte) error {
	b := s.pool[*s.next%len(s.pool)]
	*s.next++
	copy(b, msg)
	s.ch <- b
	return nil
}

type chanRx struct{ ch chan []byte }

func (r chanRx) recv([]byte) ([]byte, error) { return <-r.ch, nil }

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
	msg := make([]byte, size)
	tx, rx := chanLink(min(1024, max(16, (4<<20)/size)), size) // a ring's 4 MiB at most
	type tally struct {
		count uint64
		ns    int64
		err   error
	}
	done := make(chan tally)
	go func() {
		count, ns, sum, err := receiveAll(rx, make([]byte, size))
		sink.Add(sum)
		done <- tally{count, ns, err}
	}()
	if err := sendFor(tx, msg, d); err != nil {
		return r, false, err
	}
	t := <-done
	if t.err != nil {
		return r, false, t.err
	}
	mps := float64(t.count) / (float64(t.ns) / 1e9)
	r.MsgsPerSec, r.BytesPerSec = ptr(mps), ptr(mps*float64(size))

	ping, pingRx := chanLink(1, size)
	pongTx, pong := chanLink(1, size)
	go func() {
		sum, _ := echo(pongTx, pingRx, nil)
		sink.Add(sum)
	}()
	h, _, err := pingFor(ping, pong, msg, d)
	if err != nil {
		return r, false, err
	}
	r.Regime = RegimeBackToBack
	setRTT(&r.Figures, h)
	return r, false, nil
}

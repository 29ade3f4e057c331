package main

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// measureChan measures a buffered Go channel between two goroutines of
// this process, the in-process reference. Messages are slices of a pool of
// buffers that the sender fills (a copy, as into a ring) and the receiver
// reads; the pool is larger than the channel, so a buffer is never
// refilled while the receiver may still read it.
func measureChan(r benchResult, size int, d time.Duration) (benchResult, bool, error) {
	depth := min(1024, max(16, (4<<20)/size)) // a ring's 4 MiB at most
	pool := make([][]byte, depth+2)
	for i := range pool {
		pool[i] = make([]byte, size)
	}
	msg := make([]byte, size)

	ch := make(chan []byte, depth)
	type tally struct {
		count uint64
		ns    int64
		err   error
	}
	done := make(chan tally)
	go func() {
		var t tally
		var start time.Time
		var sum uint32
		for b := range ch {
			seq := binary.LittleEndian.Uint64(b)
			if seq == endTput {
				t.ns = time.Since(start).Nanoseconds()
				break
			}
			if seq != t.count && t.err == nil {
				t.err = fmt.Errorf("message %d arrived as number %d", t.count, seq)
			}
			if t.count == 0 {
				start = time.Now()
			}
			sum = crc32.Update(sum, castagnoli, b)
			t.count++
		}
		benchSink.Add(sum)
		done <- t
	}()
	every := uint64(max(1, 1<<16/size))
	start := time.Now()
	for seq := uint64(0); ; seq++ {
		b := pool[seq%uint64(len(pool))]
		copy(b, msg)
		binary.LittleEndian.PutUint64(b, seq)
		ch <- b
		if seq%every == 0 && time.Since(start) > d {
			b := make([]byte, size)
			binary.LittleEndian.PutUint64(b, endTput)
			ch <- b
			break
		}
	}
	t := <-done
	if t.err != nil {
		return r, false, t.err
	}
	mps := float64(t.count) / (float64(t.ns) / 1e9)
	bps := mps * float64(size)
	r.MsgsPerSec, r.BytesPerSec = &mps, &bps

	ping, pong := make(chan []byte, 1), make(chan []byte, 1)
	go func() {
		var sum uint32
		for b := range ping {
			sum = crc32.Update(sum, castagnoli, b)
			pong <- b
		}
		benchSink.Add(sum)
	}()
	h := hdrhistogram.New(1, int64(10*time.Second), 3)
	warm := time.Now().Add(d / 10)
	start = time.Time{}
	var sum uint32
	for seq := uint64(0); ; seq++ {
		binary.LittleEndian.PutUint64(msg, seq)
		t0 := time.Now()
		ping <- msg
		reply := <-pong
		rtt := time.Since(t0)
		sum = crc32.Update(sum, castagnoli, reply)
		if t0.Before(warm) {
			continue
		}
		if start.IsZero() {
			start = t0
			continue
		}
		h.RecordValue(rtt.Nanoseconds())
		if seq%64 == 0 && time.Since(start) > d {
			break
		}
	}
	close(ping)
	benchSink.Add(sum)
	p50, p99, p999 := float64(h.ValueAtQuantile(50)), float64(h.ValueAtQuantile(99)), float64(h.ValueAtQuantile(99.9))
	r.RTTP50, r.RTTP99, r.RTTP999 = &p50, &p99, &p999
	return r, false, nil
}

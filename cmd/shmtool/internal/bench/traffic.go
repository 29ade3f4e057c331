package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The traffic of a measurement, the same over every link: numbered
// messages one way for the throughput phase, then round trips.

// Sequence numbers that end a phase, in a message's first 8 bytes.
const (
	endTput = ^uint64(0)
	endRTT  = ^uint64(0) - 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sink keeps checksums of payloads live, so that reading every byte is
// not optimized away.
var sink atomic.Uint32

// sendFor sends numbered copies of msg for d, then the end of the phase.
func sendFor(tx sender, msg []byte, d time.Duration) error {
	every := max(1, 1<<16/len(msg)) // look at the clock every 64 KiB or so
	start := time.Now()
	for seq := uint64(0); ; seq++ {
		binary.LittleEndian.PutUint64(msg, seq)
		if err := tx.send(msg); err != nil {
			return err
		}
		if seq%uint64(every) == 0 && time.Since(start) > d {
			break
		}
	}
	binary.LittleEndian.PutUint64(msg, endTput)
	return tx.send(msg)
}

// pingFor makes round trips for d (after a tenth of that to warm up) and
// returns their times.
//
// The CRC of the replies is kept in sink so that reading them is not
// optimized away.
func pingFor(tx sender, rx receiver, msg []byte, d time.Duration) (*hdrhistogram.Histogram, error) {
	h := hdrhistogram.New(1, int64(10*time.Second), 3)
	buf := make([]byte, len(msg))
	warm := time.Now().Add(d / 10)
	var start time.Time
	var sum uint32
	for seq := uint64(0); ; seq++ {
		binary.LittleEndian.PutUint64(msg, seq)
		t0 := time.Now()
		if err := tx.send(msg); err != nil {
			return nil, err
		}
		reply, err := rx.recv(buf)
		if err != nil {
			return nil, err
		}
		rtt := time.Since(t0)
		if len(reply) != len(msg) || binary.LittleEndian.Uint64(reply) != seq {
			return nil, fmt.Errorf("round trip %d came back as %d bytes, sequence %d", seq, len(reply), binary.LittleEndian.Uint64(reply))
		}
		sum = crc32.Update(sum, castagnoli, reply) // read every byte
		switch {
		case t0.Before(warm):
		case start.IsZero():
			start = t0
		default:
			h.RecordValue(rtt.Nanoseconds())
			if seq%64 == 0 && time.Since(start) > d {
				binary.LittleEndian.PutUint64(msg, endRTT)
				sink.Add(sum)
				return h, tx.send(msg)
			}
		}
	}
}

// errEndTput stops a batch at the end of the throughput phase.
var errEndTput = errors.New("end of throughput phase")

// receiveAll receives until the end of the throughput phase, checking
// each sequence number and reading every byte, and returns how many
// messages came and in how long (from the first).
func receiveAll(rx receiver, buf []byte) (count uint64, ns int64, sum uint32, err error) {
	var start time.Time
	take := func(msg []byte) error {
		if len(msg) != len(buf) {
			return fmt.Errorf("message %d has %d bytes, want %d", count, len(msg), len(buf))
		}
		switch seq := binary.LittleEndian.Uint64(msg); {
		case seq == endTput:
			ns = time.Since(start).Nanoseconds()
			return errEndTput
		case seq != count:
			return fmt.Errorf("message %d arrived as number %d", count, seq)
		}
		if count == 0 {
			start = time.Now()
		}
		sum = crc32.Update(sum, castagnoli, msg)
		count++
		return nil
	}
	b, batched := rx.(batchReceiver)
	for {
		if batched {
			err = b.recvBatch(take)
		} else {
			var msg []byte
			if msg, err = rx.recv(buf); err == nil {
				err = take(msg)
			}
		}
		switch {
		case err == errEndTput:
			return count, ns, sum, nil
		case err != nil:
			return 0, 0, 0, err
		}
	}
}

// echo sends back every message of the round-trip phase, and returns the
// CRC of all it read.
func echo(tx sender, rx receiver, buf []byte) (uint32, error) {
	var sum uint32
	for {
		msg, err := rx.recv(buf)
		if err != nil {
			return 0, err
		}
		if binary.LittleEndian.Uint64(msg) == endRTT {
			return sum, nil
		}
		sum = crc32.Update(sum, castagnoli, msg)
		if err := tx.send(msg); err != nil {
			return 0, err
		}
	}
}

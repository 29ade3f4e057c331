package bench

import (
	"bytes"
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

// payloadSum is the CRC-32C of a message's payload, the bytes after its
// sequence number. Every message of a measurement carries the same
// payload: a receiver checks each one's against the first's, and reports
// that, which the sender checks against its own. So every byte is read,
// and a message that arrives corrupt fails the measurement.
func payloadSum(msg []byte) uint32 { return crc32.Checksum(msg[8:], castagnoli) }

// sink keeps figures computed only to read memory live (the copy
// bandwidth's), so that the reads are not optimized away.
var sink atomic.Uint32

// errCorrupt is a message whose payload is not the sender's.
func errCorrupt(n uint64, got, want uint32) error {
	return fmt.Errorf("message %d arrived corrupt: payload CRC-32C %08x, want %08x", n, got, want)
}

// phaseSender and phaseReceiver are links that run a whole throughput
// phase in a loop of their own (the floor): sendFor and receiveAll hand
// it over.
type phaseSender interface {
	sendFor(msg []byte, d time.Duration) (sent uint64, err error)
}

type phaseReceiver interface {
	receiveAll(buf []byte) (count uint64, ns int64, sum uint32, err error)
}

// sendFor sends numbered copies of msg for d, then the end of the phase,
// and returns how many it sent (the end not counted), which the receiver
// must have counted too.
func sendFor(tx sender, msg []byte, d time.Duration) (sent uint64, err error) {
	switch tx := tx.(type) {
	case phaseSender:
		return tx.sendFor(msg, d)
	case batchSender:
		return sendBatchesFor(tx, msg, d)
	}
	every := max(1, 1<<16/len(msg)) // look at the clock every 64 KiB or so
	left := every
	start := time.Now()
	seq := uint64(0)
	for ; ; seq++ {
		binary.LittleEndian.PutUint64(msg, seq)
		if err := tx.send(msg); err != nil {
			return seq, err
		}
		if left--; left == 0 {
			left = every
			if time.Since(start) > d {
				break
			}
		}
	}
	binary.LittleEndian.PutUint64(msg, endTput)
	return seq + 1, tx.send(msg)
}

// sendBatchesFor is sendFor a batch at a time: it numbers a batch's copies
// of msg and sends them together.
func sendBatchesFor(tx batchSender, msg []byte, d time.Duration) (sent uint64, err error) {
	batch := make([][]byte, tx.batchLen())
	for i := range batch {
		batch[i] = bytes.Clone(msg)
	}
	every := max(1, 1<<16/(len(msg)*len(batch)))
	left := every
	start := time.Now()
	seq := uint64(0)
	for {
		for _, m := range batch {
			binary.LittleEndian.PutUint64(m, seq)
			seq++
		}
		if err := tx.sendBatch(batch); err != nil {
			return seq, err
		}
		if left--; left == 0 {
			left = every
			if time.Since(start) > d {
				break
			}
		}
	}
	binary.LittleEndian.PutUint64(msg, endTput)
	return seq, tx.send(msg)
}

// Round trips after idle: each starts after a pause of idlePause, and
// there are as many as fit in the phase's duration (idleSlot each), but
// at least minIdleTrips.
const (
	idlePause    = time.Millisecond
	idleSlot     = 1100 * time.Microsecond
	minIdleTrips = 50
)

// idleTrips is how many round trips after idle fit in d.
func idleTrips(d time.Duration) int { return max(minIdleTrips, int(d/idleSlot)) }

// pingFor makes round trips for d (after a tenth of that to warm up) and
// returns their times and how many it made, the warm-up's included.
func pingFor(tx sender, rx receiver, msg []byte, d time.Duration) (*hdrhistogram.Histogram, uint64, error) {
	h := newRTTHistogram()
	buf := make([]byte, len(msg))
	warm := time.Now().Add(d / 10)
	var start time.Time
	want := payloadSum(msg)
	for seq := uint64(0); ; seq++ {
		t0 := time.Now()
		rtt, err := roundTrip(tx, rx, msg, buf, seq, want)
		if err != nil {
			return nil, 0, err
		}
		switch {
		case t0.Before(warm):
		case start.IsZero():
			start = t0
		default:
			h.RecordValue(rtt.Nanoseconds())
			if seq%64 == 0 && time.Since(start) > d {
				return h, seq + 1, endRoundTrips(tx, msg)
			}
		}
	}
}

// pingAfterIdle makes n round trips, each after a pause of idle that it
// does not time, and returns their times.
func pingAfterIdle(tx sender, rx receiver, msg []byte, n int, idle time.Duration) (*hdrhistogram.Histogram, error) {
	h := newRTTHistogram()
	buf := make([]byte, len(msg))
	want := payloadSum(msg)
	for seq := range uint64(n) {
		time.Sleep(idle)
		rtt, err := roundTrip(tx, rx, msg, buf, seq, want)
		if err != nil {
			return nil, err
		}
		h.RecordValue(rtt.Nanoseconds())
	}
	return h, endRoundTrips(tx, msg)
}

func newRTTHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(1, int64(10*time.Second), 3) }

// roundTrip sends msg numbered seq, waits for it to come back, checks
// the reply (its number, and its payload's CRC against want) and returns
// how long it took.
func roundTrip(tx sender, rx receiver, msg, buf []byte, seq uint64, want uint32) (time.Duration, error) {
	binary.LittleEndian.PutUint64(msg, seq)
	t0 := time.Now()
	if err := tx.send(msg); err != nil {
		return 0, err
	}
	reply, err := rx.recv(buf)
	if err != nil {
		return 0, err
	}
	rtt := time.Since(t0)
	if len(reply) != len(msg) || binary.LittleEndian.Uint64(reply) != seq {
		return 0, fmt.Errorf("round trip %d came back as %d bytes, sequence %d", seq, len(reply), binary.LittleEndian.Uint64(reply))
	}
	if got := payloadSum(reply); got != want {
		return 0, errCorrupt(seq, got, want)
	}
	return rtt, nil
}

// endRoundTrips tells the echoing side that a round-trip phase is over.
func endRoundTrips(tx sender, msg []byte) error {
	binary.LittleEndian.PutUint64(msg, endRTT)
	return tx.send(msg)
}

// errEndTput stops a batch at the end of the throughput phase.
var errEndTput = errors.New("end of throughput phase")

// receiveAll receives until the end of the throughput phase, checking
// each sequence number and payload (payloadSum), and returns how many
// messages came, in how long (from the first), and their payload's CRC.
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
		switch got := payloadSum(msg); {
		case count == 0:
			start, sum = time.Now(), got
		case got != sum:
			return errCorrupt(count, got, sum)
		}
		count++
		return nil
	}
	if p, ok := rx.(phaseReceiver); ok {
		return p.receiveAll(buf)
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

// echo sends back every message of the round-trip phase, checking each
// one's payload against the first's, and returns its CRC (payloadSum).
func echo(tx sender, rx receiver, buf []byte) (uint32, error) {
	var sum uint32
	for n := uint64(0); ; n++ {
		msg, err := rx.recv(buf)
		if err != nil {
			return 0, err
		}
		if binary.LittleEndian.Uint64(msg) == endRTT {
			return sum, nil
		}
		switch got := payloadSum(msg); {
		case n == 0:
			sum = got
		case got != sum:
			return 0, errCorrupt(n, got, sum)
		}
		if err := tx.send(msg); err != nil {
			return 0, err
		}
	}
}

package stress

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

var queueKind = kind{
	create:     queueCreate,
	work:       queueWork,
	failpoints: []string{"queue/claimed", "queue/taken", "queue/batch-taken", "futex/mutex/acquired"},
	final:      queueFinal,
	live:       queueLive,
}

// queueFinal counts the claims of dead writers skipped and the
// messages of dead readers dropped: the queue's own recoveries.
func queueFinal(name string, _ totals) ([]string, int64) {
	q, err := queue.Open(name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer q.Close()
	st := q.State()
	return nil, int64(st.Counters.Skipped + st.Counters.Dropped)
}

// queueLive reads the recoveries queueFinal counts: dead producers' skips
// and dead consumers' drops, as the queue itself has counted them so far.
func queueLive(name string) int64 {
	seg, err := shm.Open(name, &shm.Options{ReadOnly: true})
	if err != nil {
		return 0
	}
	defer seg.Close()
	st, err := queue.Inspect(seg)
	if err != nil {
		return 0
	}
	return int64(st.Counters.Skipped + st.Counters.Dropped)
}

// The queue kind: every worker both writes and reads. A message names its
// writer (a worker number, never reused) and a sequence number, and its
// bytes derive from both. Beside the queue, a table records the last
// message delivered for each (writer, sequence) cell: a message delivered
// twice finds itself there. A writer killed mid-claim leaves a skipped
// slot, a reader killed holding a message loses that one (a batch reader
// the span it took): never a duplicate, never a torn message. Odd
// workers read by ReadBatch, cutting a batch short after every 37th
// message so that they hold the rest for their next read; even ones read
// by ReadContext.
const (
	queueCells   = 256  // writers a cell row is kept for (by worker number)
	queueSeqMask = 4095 // sequence numbers a row keeps
)

func queueCreate(name string, _ int) error {
	q, err := queue.Create(name, queue.Config{Slots: 256, MaxMessage: 256}, nil)
	if err != nil {
		return err
	}
	q.Close()
	seen, err := array.Create[uint64](name+"-seen", queueCells*(queueSeqMask+1), nil)
	if err != nil {
		return err
	}
	return seen.Close()
}

// queuePayload fills b for writer id's message seq.
func queuePayload(b []byte, id, seq uint64) []byte {
	b = b[:16+int((seq*0x9E3779B97F4A7C15)>>59)*7]
	binary.LittleEndian.PutUint64(b, id)
	binary.LittleEndian.PutUint64(b[8:], seq)
	for i := 16; i < len(b); i++ {
		b[i] = byte(id*7+seq) ^ byte(i*13)
	}
	return b
}

func queueWork(ctx context.Context, name string, id int, r *reporter) error {
	q, err := queue.Open(name, nil)
	if err != nil {
		return err
	}
	defer q.Close()
	seen, err := array.Open[uint64](name+"-seen", nil)
	if err != nil {
		return err
	}
	defer seen.Close()
	p, err := q.Producer()
	if err != nil {
		return err
	}
	defer p.Close()
	c, err := q.Consumer()
	if err != nil {
		return err
	}
	defer c.Close()
	out, in, want := make([]byte, 256), make([]byte, 256), make([]byte, 256)
	taken := 0
	for seq := uint64(0); ctx.Err() == nil; {
		// A write that finds the queue full for a while gives up and reads:
		// messages of writers whose reads timed out, or who died before
		// reading, fill it, and workers all blocked writing would wait for
		// each other for ever.
		wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		err := p.WriteContext(wctx, queuePayload(out, uint64(id), seq))
		cancel()
		switch {
		case err == nil:
			seq++
			r.op()
		case ctx.Err() != nil:
			return ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded):
			r.violation("write: %v", err)
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		if id%2 == 1 { // odd workers read by ReadBatch: spans of up to 8, in place
			_, err = c.ReadBatch(rctx, 8, func(msg []byte) error {
				queueCheck(msg, want, seen, r)
				if taken++; taken%37 == 0 {
					return errCutShort // the rest of the span is held for the next read
				}
				return nil
			})
		} else {
			var n int
			if n, err = c.ReadContext(rctx, in); err == nil {
				queueCheck(in[:n], want, seen, r)
			}
		}
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || err == errCutShort:
			continue
		case err != nil:
			r.violation("read: %v", err)
			return err
		}
	}
	return ctx.Err()
}

// errCutShort is what an odd worker's batch fn stops a batch with, now
// and then, so that its consumer holds the rest across reads and kills.
var errCutShort = errors.New("cut short")

// queueCheck checks a message read, and records it in seen: one torn, or
// delivered twice, is a violation. want is scratch.
func queueCheck(msg, want []byte, seen *array.Array[uint64], r *reporter) {
	if len(msg) < 16 {
		r.violation("message of %d bytes", len(msg))
		return
	}
	from, s := binary.LittleEndian.Uint64(msg), binary.LittleEndian.Uint64(msg[8:])
	if !bytes.Equal(msg, queuePayload(want, from, s)) {
		r.violation("message %d/%d is not whole (%d bytes)", from, s, len(msg))
		return
	}
	cell := int(from%queueCells)*(queueSeqMask+1) + int(s&queueSeqMask)
	key := from<<32 | s + 1
	for {
		old := array.LoadAt(seen, cell)
		if old == key {
			r.violation("message %d/%d delivered twice", from, s)
			return
		}
		if array.CompareAndSwapAt(seen, cell, old, key) {
			break
		}
	}
	r.op()
}

package queue

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// healthyQueue returns the local segment of a queue of 8 slots that has
// wrapped around, with messages in it.
func healthyQueue(t testing.TB) *shm.Segment {
	q, err := New(Config{Slots: 8, MaxMessage: 100})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	c, _ := q.Consumer()
	buf := make([]byte, 100)
	for i := range 12 {
		p.TryWrite(buf[:i*7%101])
		c.TryRead(buf)
	}
	for i := range 5 {
		p.TryWrite(buf[:50+i])
	}
	p.Close()
	c.Close()
	return q.Segment()
}

// exerciseQueue runs a bounded number of non-blocking operations on a
// queue that may be corrupt; every error must be one the package
// documents.
func exerciseQueue(t testing.TB, seg *shm.Segment) {
	q, err := view(seg)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, shm.ErrIncompatible) { // a scribbled version reads as another layout
			t.Fatalf("attach: %v", err)
		}
		return
	}
	_ = q.State()
	ok := func(what string, err error) {
		if err != nil && err != ErrEmpty && err != ErrFull && !errors.Is(err, ErrCorrupt) && !errors.Is(err, io.ErrShortBuffer) && !errors.Is(err, ErrBusy) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: %v", what, err)
		}
	}
	p, perr := q.Producer()
	ok("Producer", perr)
	c, cerr := q.Consumer()
	ok("Consumer", cerr)
	buf := make([]byte, 100)
	for i := range 30 {
		if cerr == nil && i%3 == 2 { // a batch read, some of whose fns fail: it holds the rest
			_, err := c.ReadBatch(done, i%9, func(msg []byte) error {
				if len(msg) > 100 {
					t.Fatalf("ReadBatch handed over %d bytes, limit 100", len(msg))
				}
				return map[bool]error{true: errStop}[len(msg)%3 == 0]
			})
			if err != errStop && err != context.Canceled {
				ok("ReadBatch", err)
			}
		}
		if cerr == nil {
			_, err := c.TryRead(buf[:i*13%101])
			ok("TryRead", err)
			ok("consumer settle", q.settleAt(q.head.Load()))
		}
		if perr == nil {
			ok("TryWrite", p.TryWrite(buf[:i*7%101]))
			ok("producer settle", q.settleAt(q.tail.Load()))
		}
	}
	if perr == nil {
		p.Close()
	}
	if cerr == nil {
		c.Close()
	}
}

// done is a context that has ended: a batch read on an empty queue gives
// up at once.
var done = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

var errStop = errors.New("stop")

// 10,000 random scribbles over the geometry, the positions, the peer
// tables and the slot headers: each gives ErrCorrupt or valid data, never
// a panic or a hang.
func TestQueueHostileScribbles(t *testing.T) {
	healthy := healthyQueue(t).Payload()
	seg, err := shm.NewLocal(len(healthy))
	if err != nil {
		t.Fatal(err)
	}
	mem := seg.Payload()
	rng := rand.New(rand.NewPCG(3, 4))
	slots := len(healthy) - dataOffset
	for range 10_000 {
		copy(mem, healthy)
		for range 1 + rng.IntN(4) {
			switch rng.IntN(5) {
			case 0:
				mem[offGeometry+rng.IntN(32)] = byte(rng.Uint32())
			case 1: // tail or head
				off := []int{offTail, offHead}[rng.IntN(2)]
				binary.LittleEndian.PutUint64(mem[off:], rng.Uint64()>>rng.IntN(64))
			case 2: // a peer entry's token, claim or span, or a wait line's parked bits
				off := offProducers + peerSize*rng.IntN(2*MaxPeers) + 8*rng.IntN(3)
				if rng.IntN(4) == 0 {
					off = []int{offProdWait, offConsWait}[rng.IntN(2)] + 8 + 8*rng.IntN(2)
				}
				binary.LittleEndian.PutUint64(mem[off:], rng.Uint64()>>rng.IntN(64))
			case 3: // a slot's sequence number or length
				off := dataOffset + 128*rng.IntN(slots/128) + 8*rng.IntN(2)
				binary.LittleEndian.PutUint64(mem[off:], rng.Uint64()>>rng.IntN(64))
			default:
				mem[dataOffset+rng.IntN(slots)] = byte(rng.Uint32())
			}
		}
		exerciseQueue(t, seg)
	}
}

// FuzzQueueSlots decodes arbitrary slot headers and positions: never a
// panic, an out-of-range slice or an endless loop.
func FuzzQueueSlots(f *testing.F) {
	mem := healthyQueue(f).Payload() // built once: each input starts from a copy
	f.Add(uint64(12), uint64(17), mem[dataOffset:dataOffset+256])
	f.Add(uint64(0), uint64(9), []byte{1, 0, 0, 0, 0, 0, 0, 0x80, 200, 0, 0, 0})
	f.Add(uint64(20), uint64(8), []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, head, tail uint64, data []byte) {
		seg, err := shm.NewLocal(len(mem))
		if err != nil {
			t.Fatal(err)
		}
		copy(seg.Payload(), mem)
		mem := seg.Payload()
		copy(mem[dataOffset:], data)
		binary.LittleEndian.PutUint64(mem[offHead:], head)
		binary.LittleEndian.PutUint64(mem[offTail:], tail)
		exerciseQueue(t, seg)
	})
}

// A peer that scribbles on a slot a batch read holds costs that slot
// only: the read that reaches it reports ErrCorrupt, and the next one
// goes on with the rest.
func TestQueueHeldSlotScribbled(t *testing.T) {
	q, err := New(Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	c, _ := q.Consumer()
	other, _ := q.Consumer()
	for i := range 5 {
		p.TryWrite([]byte{byte(i)})
	}
	var got []byte
	fn := func(msg []byte) error { got = append(got, msg...); return errStop }
	first := func(msg []byte) error {
		other.TryRead(make([]byte, 8)) // takes message 4: the rest of c's span cannot go back
		return fn(msg)
	}
	if _, err := c.ReadBatch(context.Background(), 4, first); err != errStop {
		t.Fatal(err)
	}
	q.seqAt(1).Store(12345)
	q.lenAt(2).Store(1000)
	for _, want := range []error{ErrCorrupt, ErrCorrupt, errStop} {
		if _, err := c.ReadBatch(context.Background(), 4, fn); !errors.Is(err, want) {
			t.Fatalf("ReadBatch = %v, want %v", err, want)
		}
	}
	if string(got) != "\x00\x03" {
		t.Fatalf("got %q", got)
	}
	p.TryWrite([]byte{4})
	if _, err := c.ReadBatch(context.Background(), 4, fn); err != errStop || string(got) != "\x00\x03\x04" {
		t.Fatalf("after the scribbled slots: %v, got %q", err, got)
	}
}

// A dead consumer's entry that claims a span over 256 slots is corrupt:
// the process that would take the entry over says so, and settles none of
// it.
func TestQueueHostileSpan(t *testing.T) {
	q, err := New(Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		t.Fatal(err)
	}
	dead := deadToken(t)
	e := &q.conss[0].peer
	e.token.Store(dead)
	e.claim.Store(1)
	e.span.Store(maxSpan + 1)
	for i := range MaxPeers - 1 {
		q.conss[i+1].peer.token.Store(dead) // no free entry: the attach must take a dead one
	}
	if _, err := q.Consumer(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Consumer() with a span of %d claimed = %v, want ErrCorrupt", maxSpan+1, err)
	}
}

// A queue of layout version 1 (a count of waiters where version 2 has
// bits) is refused as incompatible, not read as corrupt.
func TestQueueVersion1Refused(t *testing.T) {
	seg := healthyQueue(t)
	binary.LittleEndian.PutUint32(seg.Payload()[offGeometry+4:], 1)
	if _, err := view(seg); !errors.Is(err, shm.ErrIncompatible) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("attach of a version 1 queue = %v, want ErrIncompatible", err)
	}
}

// A dead consumer's entry with a span over 256 covers nothing: the slot a
// stuck producer finds held by it alone is corrupt, not released.
func TestQueueHostileSpanSettled(t *testing.T) {
	q := deadSpanQueue(t, 1000)
	if err := q.settleAt(64); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("settleAt behind a span of 1000 = %v, want ErrCorrupt", err)
	}
	if d := q.recov.dropped.Load(); d != 0 {
		t.Fatalf("%d dropped", d)
	}
}

// A head past the tail is corrupt: a consumer stuck there says so.
func TestQueueHeadPastTail(t *testing.T) {
	q, err := New(Config{Slots: 64, MaxMessage: 8})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	c, _ := q.Consumer()
	for range 4 {
		p.TryWrite([]byte("x"))
	}
	q.head.Store(6)
	for range 200 {
		if _, err = c.TryRead(make([]byte, 8)); err != ErrEmpty {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("TryRead with the head past the tail = %v, want ErrCorrupt", err)
	}
}

package ringbuf

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

// healthyRing returns a heap ring, its memory, and a producer and consumer
// with some messages in flight, wrapped around once.
func healthyRing(t testing.TB) (*Ring, []byte) {
	r, err := New(Config{Capacity: MinCapacity, MaxMessage: 512})
	if err != nil {
		t.Fatal(err)
	}
	mem := r.seg.Payload()
	return r, mem
}

// exercise runs a bounded number of non-blocking operations on a ring that
// may be corrupt; every error must be one the package documents.
func exercise(t testing.TB, seg *shm.Segment) {
	r, err := view(seg)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("attach: %v", err)
		}
		return
	}
	r.prod.owner.Store(0)
	r.cons.owner.Store(0)
	p, perr := r.Producer()
	c, cerr := r.Consumer()
	for i := 0; i < 50; i++ {
		if cerr == nil {
			if _, err := c.TryNext(); err != nil && err != ErrEmpty && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("TryNext: %v", err)
			}
		}
		if perr == nil {
			msg := make([]byte, 1+i*7%500)
			if err := p.TryWrite(msg); err != nil && err != ErrFull && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("TryWrite: %v", err)
			}
		}
	}
	if perr != nil && !errors.Is(perr, ErrCorrupt) {
		t.Fatalf("Producer: %v", perr)
	}
}

// 10,000 random scribbles over the geometry, the positions and the record
// headers: each gives ErrCorrupt or valid data, never a panic or a hang.
func TestHostileScribbles(t *testing.T) {
	r, mem := healthyRing(t)
	p, _ := r.Producer()
	c, _ := r.Consumer()
	for i := range 40 { // wrap around at least once
		p.TryWrite(make([]byte, 100+i))
		c.TryNext()
	}
	for i := range 5 {
		p.TryWrite(make([]byte, 300+i))
	}
	p.Close()
	c.Close()
	healthy := append([]byte(nil), mem...)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		copy(mem, healthy)
		for range 1 + rng.IntN(4) {
			switch rng.IntN(4) {
			case 0: // geometry
				mem[offGeometry+rng.IntN(24)] = byte(rng.Uint32())
			case 1: // a position
				off := []int{offProducer, offConsumer}[rng.IntN(2)]
				binary.LittleEndian.PutUint64(mem[off:], rng.Uint64()>>rng.IntN(64))
			case 2: // a record header, at a record boundary
				at := dataOffset + 8*rng.IntN(MinCapacity/8)
				binary.LittleEndian.PutUint32(mem[at:], rng.Uint32()>>rng.IntN(32))
				if rng.IntN(2) == 0 {
					binary.LittleEndian.PutUint32(mem[at+4:], uint32(rng.IntN(3)))
				}
			default: // anywhere in the data
				mem[dataOffset+rng.IntN(MinCapacity)] = byte(rng.Uint32())
			}
		}
		exercise(t, r.seg)
	}
}

// FuzzRecords decodes arbitrary data areas and positions: never a panic,
// an out-of-range slice or an endless loop.
func FuzzRecords(f *testing.F) {
	_, healthy := healthyRing(f) // built once: each input starts from a copy
	mem := healthy
	f.Add(uint64(0), uint64(16), mem[dataOffset:dataOffset+64])
	f.Add(uint64(4000), uint64(4200), []byte{0x60, 0, 0, 0, 1, 0, 0, 0})
	f.Add(uint64(8), uint64(8+4096), []byte{0xF8, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, cons, prod uint64, data []byte) {
		seg, err := shm.NewLocal(len(healthy))
		if err != nil {
			t.Fatal(err)
		}
		mem := seg.Payload()
		copy(mem, healthy)
		copy(mem[dataOffset:], data)
		binary.LittleEndian.PutUint64(mem[offConsumer:], cons)
		binary.LittleEndian.PutUint64(mem[offProducer:], prod)
		exercise(t, seg)
	})
}

// A data area of nothing but committed headers (a hostile peer's) makes
// a taking-over producer's walk past a lap: ErrCorrupt, not a hang. To a
// consumer they are empty messages, which a producer could have written:
// a batch of them ends at its share of the ring, as any batch does.
func TestHostileCommittedEverywhere(t *testing.T) {
	r, err := New(Config{Capacity: MinCapacity, MaxMessage: 512})
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.hdr {
		r.hdr[i].Store(makeHeader(0, kindMessage)) // an empty message in every 8 bytes
	}
	if _, err := r.Producer(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Producer over committed headers everywhere = %v, want ErrCorrupt", err)
	}
	c, err := r.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		n, err := c.ReadBatch(context.Background(), 1<<20, func([]byte) error { return nil })
		if err != nil || n != MinCapacity/batchShare/recordAlign {
			t.Fatalf("ReadBatch = %d, %v; want a batch's share of the ring, %d empty messages", n, err, MinCapacity/batchShare/recordAlign)
		}
	}
}

// A closed flag with the producer's position scribbled away from the end
// of the records: Next neither spins forever nor reports a false end.
// Past the records it is ErrCorrupt (nothing is committed below the
// producer's position); before them, a blocking Next waits, and ends with
// its context. Found by the Python package's hostile test, whose consumer
// had the same loop.
func TestHostileClosedStrayPosition(t *testing.T) {
	r, _ := healthyRing(t)
	p, _ := r.Producer()
	c, _ := r.Consumer()
	if err := p.Write([]byte("last")); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if m, err := c.Next(context.Background()); err != nil || string(m) != "last" {
		t.Fatalf("Next = %q, %v", m, err)
	}
	r.prod.pos.Add(64)
	if _, err := c.Next(context.Background()); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Next with the producer's position past the records: %v, want ErrCorrupt", err)
	}
	r.prod.pos.Add(^uint64(64 + 16 - 1)) // 16 bytes before the records' end
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with the producer's position before the records' end: %v, want the context's deadline", err)
	}
	r.prod.pos.Add(16) // back where the records end: the end of the stream
	if _, err := c.Next(context.Background()); err != io.EOF {
		t.Fatalf("Next at the end: %v, want io.EOF", err)
	}
}

// A header of kind none with a length (no producer stores one) is
// ErrCorrupt to every read, not a commit that never comes: before, the
// consumer waited for it while the producer filled the ring and waited
// too.
func TestHostileLengthWithoutKind(t *testing.T) {
	for _, read := range []string{"next", "trynext", "batch"} {
		t.Run(read, func(t *testing.T) {
			r, _ := healthyRing(t)
			p, _ := r.Producer()
			c, _ := r.Consumer()
			if err := p.Write(make([]byte, 40)); err != nil {
				t.Fatal(err)
			}
			r.hdr[0].Store(40) // length 40, kind 0
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var err error
			switch read {
			case "next":
				_, err = c.Next(ctx)
			case "trynext":
				_, err = c.TryNext()
			case "batch":
				_, err = c.ReadBatch(ctx, 10, func([]byte) error { return nil })
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s over a length without a kind: %v, want ErrCorrupt", read, err)
			}
		})
	}
}

// A length rewritten to 0 under an unread message makes the consumer read
// the next header from inside that message's payload: zeros there are
// "nothing committed" below the producer's position, ErrCorrupt to a
// read that would wait, in each wait mode, rather than a wait for a
// commit that already happened.
func TestHostileLengthRewrittenUnderConsumer(t *testing.T) {
	for _, w := range []Wait{Spin, Adaptive, Block} {
		t.Run(w.String(), func(t *testing.T) {
			r, _ := healthyRing(t)
			p, _ := r.Producer()
			c, _ := r.Consumer()
			c.SetWait(w)
			for range 3 {
				if err := p.Write(make([]byte, 40)); err != nil { // zeros: a sequence number 0, say
					t.Fatal(err)
				}
			}
			r.hdr[0].Store(makeHeader(0, kindMessage))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if m, err := c.Next(ctx); err != nil || len(m) != 0 {
				t.Fatalf("Next = %d bytes, %v; want the empty message the header now says", len(m), err)
			}
			if _, err := c.Next(ctx); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Next inside a payload: %v, want ErrCorrupt", err)
			}
		})
	}
}

package ringbuf_test

import (
	"context"
	"fmt"
	"hash/crc32"
	"strconv"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func init() { testutil.Child("bench-drain", childDrain) }

var benchSizes = []int{8, 64, 1024, 65536}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// drain consumes everything, reading every byte of every message (a
// CRC-32C: hardware-fast, so it measures the ring, not the reader), until
// the producer closes. It reads in batches that linger up to 2µs for more
// messages (SetLinger): how a consumer reads for throughput.
func drain(c *ringbuf.Consumer) (sum uint32, err error) {
	c.SetLinger(2 * time.Microsecond)
	for {
		_, err := c.ReadBatch(context.Background(), 256, func(msg []byte) error {
			sum = crc32.Update(sum, castagnoli, msg)
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
}

// BenchmarkRing is one message from a producer goroutine to a consumer
// goroutine through a heap ring (the same code as a shared ring).
func BenchmarkRing(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			r, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 22, MaxMessage: 1 << 16})
			if err != nil {
				b.Fatal(err)
			}
			p, _ := r.Producer()
			c, _ := r.Consumer()
			done := make(chan struct{})
			go func() { drain(c); close(done) }()
			msg := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := p.Write(msg); err != nil {
					b.Fatal(err)
				}
			}
			p.Close()
			<-done
			reportWaits(b, r.State())
		})
	}
}

// BenchmarkChan64 is the same for a buffered channel of [64]byte between
// two goroutines: the in-process reference for 64-byte messages.
func BenchmarkChan64(b *testing.B) {
	ch := make(chan [64]byte, 4096)
	done := make(chan struct{})
	go func() {
		var sum uint32
		for m := range ch {
			sum = crc32.Update(sum, castagnoli, m[:])
		}
		_ = sum
		close(done)
	}()
	var msg [64]byte
	b.SetBytes(64)
	b.ReportAllocs()
	for b.Loop() {
		ch <- msg
	}
	close(ch)
	<-done
}

// BenchmarkReserveCommit64K fills 64 KiB messages in place: the zero-copy
// path, to compare with BenchmarkCopy64K.
func BenchmarkReserveCommit64K(b *testing.B) {
	r, _ := ringbuf.New(ringbuf.Config{Capacity: 1 << 22, MaxMessage: 1 << 16})
	p, _ := r.Producer()
	c, _ := r.Consumer()
	done := make(chan struct{})
	go func() { drain(c); close(done) }()
	src := make([]byte, 1<<16)
	b.SetBytes(1 << 16)
	b.ReportAllocs()
	for b.Loop() {
		buf, err := p.Reserve(context.Background(), 1<<16)
		if err != nil {
			b.Fatal(err)
		}
		copy(buf, src)
		p.Commit()
	}
	p.Close()
	<-done
}

// BenchmarkCopy64K is a single-core copy of 64 KiB: the floor for moving
// the bytes at all.
func BenchmarkCopy64K(b *testing.B) {
	src, dst := make([]byte, 1<<16), make([]byte, 1<<16)
	b.SetBytes(1 << 16)
	b.ReportAllocs()
	for b.Loop() {
		copy(dst, src)
	}
}

func childDrain(args []string) error {
	r, err := ringbuf.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer r.Close()
	c, err := r.Consumer()
	if err != nil {
		return err
	}
	testutil.Send("ready")
	drain(c)
	return c.Close()
}

// BenchmarkRingCrossProcess is one message to a consumer process through
// a shared ring in /dev/shm.
func BenchmarkRingCrossProcess(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			name := testutil.Name(b)
			r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 22, MaxMessage: 1 << 16}, &shm.Options{Prefault: true})
			if err != nil {
				b.Fatal(err)
			}
			defer shm.Remove(name)
			defer r.Close()
			p, _ := r.Producer()
			child := testutil.Start(b, "bench-drain", name)
			child.Expect("ready")
			msg := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := p.Write(msg); err != nil {
					b.Fatal(err)
				}
			}
			p.Close()
			child.Wait()
		})
	}
}

// reportWaits reports how often each side parked and was woken, per
// message: a wake-up is a system call, so these explain a slow run.
func reportWaits(b *testing.B, st ringbuf.State) {
	n := float64(b.N)
	b.ReportMetric(float64(st.Counters.Produced.Waits)/n, "pwaits/op")
	b.ReportMetric(float64(st.Counters.Consumed.Waits)/n, "cwaits/op")
	b.ReportMetric(float64(st.Counters.Produced.Wakeups+st.Counters.Consumed.Wakeups)/n, "wakes/op")
}

// BenchmarkOneThread writes and reads each message on one goroutine (in
// batches of 64, Write then Next): the instructions of the per-message
// path, without the cache-line transfers between cores.
func BenchmarkOneThread(b *testing.B) {
	for _, mode := range []string{"write", "batch"} {
		b.Run(mode, func(b *testing.B) {
			r, _ := ringbuf.New(ringbuf.Config{Capacity: 1 << 16, MaxMessage: 64})
			p, _ := r.Producer()
			c, _ := r.Consumer()
			msg := make([]byte, 8)
			batch := make([][]byte, 64)
			for i := range batch {
				batch[i] = msg
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if mode == "batch" {
					p.WriteBatch(ctx, batch)
				} else {
					for range 64 {
						p.Write(msg)
					}
				}
				for range 64 {
					if _, err := c.Next(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/msg")
		})
	}
}

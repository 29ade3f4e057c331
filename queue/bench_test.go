package queue_test

import (
	"context"
	"fmt"
	"hash/crc32"
	"runtime"
	"sync"
	"testing"

	"github.com/shmkit/shmkit/queue"
)

var benchSizes = []int{8, 64, 1024, 65536}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// BenchmarkQueue is one message from a producer goroutine to a consumer
// goroutine through a heap queue, BenchmarkQueue/4x4 the same with four of
// each, and BenchmarkQueue/SIZE/batch16 one producer's WriteBatch of 16.
func BenchmarkQueue(b *testing.B) {
	run := func(b *testing.B, size, peers, batch int) {
		q, err := queue.New(queue.Config{Slots: 256, MaxMessage: max(size, 8)})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{}, peers)
		for range peers {
			c, _ := q.Consumer()
			go func() {
				buf := make([]byte, q.MaxMessage())
				var sum uint32
				for {
					n, err := c.ReadContext(ctx, buf)
					if err != nil {
						break
					}
					sum = crc32.Update(sum, castagnoli, buf[:n])
				}
				c.Close()
				done <- struct{}{}
			}()
		}
		msg := make([]byte, size)
		b.SetBytes(int64(size))
		b.ReportAllocs()
		b.SetParallelism(1)
		switch {
		case batch > 0:
			p, _ := q.Producer()
			msgs := make([][]byte, batch)
			for i := range msgs {
				msgs[i] = msg
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				if _, err := p.WriteBatch(ctx, msgs[:min(batch, b.N-i)]); err != nil {
					b.Fatal(err)
				}
			}
			p.Close()
		case peers == 1:
			p, _ := q.Producer()
			for b.Loop() {
				if err := p.Write(msg); err != nil {
					b.Fatal(err)
				}
			}
			p.Close()
		default:
			var wg sync.WaitGroup
			per := b.N / peers
			b.ResetTimer()
			for range peers {
				p, _ := q.Producer()
				wg.Go(func() {
					for range per {
						p.Write(msg)
					}
					p.Close()
				})
			}
			wg.Wait()
		}
		for q.State().Used != 0 {
			runtime.Gosched()
		}
		b.StopTimer()
		cancel()
		for range peers {
			<-done
		}
		reportWaits(b, q.State())
	}
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) { run(b, size, 1, 0) })
	}
	b.Run("64/4x4", func(b *testing.B) { run(b, 64, 4, 0) })
	for _, size := range benchSizes[:3] {
		b.Run(fmt.Sprint(size, "/batch16"), func(b *testing.B) { run(b, size, 1, 16) })
	}
}

// reportWaits reports how often each side parked and was woken, per
// message: a wake-up is a system call, so these explain a slow run.
func reportWaits(b *testing.B, st queue.State) {
	n := float64(b.N)
	b.ReportMetric(float64(st.Counters.Produced.Waits)/n, "pwaits/op")
	b.ReportMetric(float64(st.Counters.Consumed.Waits)/n, "cwaits/op")
	b.ReportMetric(float64(st.Counters.Produced.Wakeups+st.Counters.Consumed.Wakeups)/n, "wakes/op")
}

// BenchmarkQueueOp is one TryWrite and one TryRead in one goroutine: what
// a message costs the two sides with nobody to wait for or contend with.
func BenchmarkQueueOp(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			q, err := queue.New(queue.Config{Slots: 256, MaxMessage: size})
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			p, _ := q.Producer()
			c, _ := q.Consumer()
			defer p.Close()
			defer c.Close()
			msg, buf := make([]byte, size), make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := p.TryWrite(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := c.TryRead(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQueueOpBatch is BenchmarkQueueOp with the messages written 16
// at a time by WriteBatch: the cost of a message written in a batch.
func BenchmarkQueueOpBatch(b *testing.B) {
	const batch = 16
	for _, size := range benchSizes[:3] {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			q, err := queue.New(queue.Config{Slots: 256, MaxMessage: size})
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			p, _ := q.Producer()
			c, _ := q.Consumer()
			defer p.Close()
			defer c.Close()
			msgs := make([][]byte, batch)
			for i := range msgs {
				msgs[i] = make([]byte, size)
			}
			buf := make([]byte, size)
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for i := 0; i < b.N; i += batch {
				k := min(batch, b.N-i)
				if _, err := p.WriteBatch(ctx, msgs[:k]); err != nil {
					b.Fatal(err)
				}
				for range k {
					if _, err := c.TryRead(buf); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

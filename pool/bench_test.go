package pool_test

import (
	"time"

	"context"
	"github.com/HdrHistogram/hdrhistogram-go"
	"testing"

	"github.com/shmkit/shmkit/pool"
)

var sq8 = pool.Register("bench-square", func(ctx context.Context, x int64) (int64, error) { return x * x, nil })

var blobLen = pool.Register("bench-len", func(ctx context.Context, b []byte) (int64, error) { return int64(len(b)), nil })

func benchPool(b *testing.B, workers int) *pool.Pool {
	b.Helper()
	return newPool(b, pool.Config{Workers: workers})
}

func BenchmarkMapChunk1(b *testing.B) {
	p := benchPool(b, 2)
	in := ints(b.N)
	b.ResetTimer()
	if _, err := pool.Map(context.Background(), p, sq8, in, pool.ChunkSize(1)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}

func BenchmarkMap(b *testing.B) {
	p := benchPool(b, 2)
	in := ints(b.N)
	b.ResetTimer()
	if _, err := pool.Map(context.Background(), p, sq8, in); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}

func BenchmarkSubmitWait(b *testing.B) {
	p := benchPool(b, 2)
	ctx := context.Background()
	for i := range b.N {
		r, err := pool.Submit(ctx, p, sq8, int64(i))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLarge1MiB(b *testing.B) {
	p := benchPool(b, 2)
	blobs := make([][]byte, 16)
	for i := range blobs {
		blobs[i] = make([]byte, 1<<20)
	}
	in := make([][]byte, b.N)
	for i := range in {
		in[i] = blobs[i%len(blobs)]
	}
	b.SetBytes(1 << 20)
	b.ResetTimer()
	if _, err := pool.Map(context.Background(), p, blobLen, in, pool.ChunkSize(1)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSubmitLatency reports the round trip of one task in flight.
func BenchmarkSubmitLatency(b *testing.B) {
	p := benchPool(b, 2)
	ctx := context.Background()
	h := hdrhistogram.New(1, 10_000_000, 3)
	for i := range b.N {
		start := time.Now()
		r, err := pool.Submit(ctx, p, sq8, int64(i))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Wait(ctx); err != nil {
			b.Fatal(err)
		}
		h.RecordValue(time.Since(start).Nanoseconds())
	}
	b.ReportMetric(float64(h.ValueAtQuantile(50))/1e3, "p50-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99))/1e3, "p99-µs")
}

package array_test

import (
	"sync/atomic"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

const sumLen = 1 << 20

var sink float64

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// BenchmarkSumShared sums 1M float64 through Slice(): shared memory read
// as an ordinary slice.
func BenchmarkSumShared(b *testing.B) {
	name := testutil.Name(b)
	a, err := array.Create[float64](name, sumLen, &shm.Options{Prefault: true})
	if err != nil {
		b.Fatal(err)
	}
	defer shm.Remove(name)
	defer a.Close()
	xs := a.Slice()
	for i := range xs {
		xs[i] = float64(i)
	}
	b.SetBytes(sumLen * 8)
	b.ReportAllocs()
	for b.Loop() {
		sink = sum(xs)
	}
}

// BenchmarkSumHeap is the same sum over a []float64 on the Go heap.
func BenchmarkSumHeap(b *testing.B) {
	xs := make([]float64, sumLen)
	for i := range xs {
		xs[i] = float64(i)
	}
	b.SetBytes(sumLen * 8)
	b.ReportAllocs()
	for b.Loop() {
		sink = sum(xs)
	}
}

func BenchmarkAddAt(b *testing.B) {
	a := create[int64](b, 8)
	b.ReportAllocs()
	for b.Loop() {
		array.AddAt(a, 3, 1)
	}
}

func BenchmarkAtomicAddHeap(b *testing.B) {
	var x [8]atomic.Int64
	b.ReportAllocs()
	for b.Loop() {
		x[3].Add(1)
	}
}

func BenchmarkAt(b *testing.B) {
	a := create[int64](b, 8)
	var s int64
	b.ReportAllocs()
	for b.Loop() {
		s += a.At(3)
	}
	sink = float64(s)
}

package value_test

import (
	"sync/atomic"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

func createWide(b *testing.B) *value.Value[wide] {
	b.Helper()
	name := testutil.Name(b)
	v, err := value.Create(name, wide{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		v.Close()
		shm.Remove(name)
	})
	return v
}

var sinkWide wide

// BenchmarkLoad64B is a seqlock snapshot of a 64-byte struct.
func BenchmarkLoad64B(b *testing.B) {
	v := createWide(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkWide, _ = v.Load()
	}
}

// BenchmarkStore64B is a 64-byte store under the writers' lock.
func BenchmarkStore64B(b *testing.B) {
	v := createWide(b)
	w := wide{F: [8]uint64{1, 1, 1, 1, 1, 1, 1, 1}}
	b.ReportAllocs()
	for b.Loop() {
		v.Store(w)
	}
}

func BenchmarkAdd(b *testing.B) {
	name := testutil.Name(b)
	v, err := value.Create[int64](name, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	b.ReportAllocs()
	for b.Loop() {
		value.Add(v, 1)
	}
}

func BenchmarkAtomicAddHeap(b *testing.B) {
	var x atomic.Int64
	b.ReportAllocs()
	for b.Loop() {
		x.Add(1)
	}
}

func createInt64(b *testing.B) *value.Value[int64] { return create[int64](b) }

// BenchmarkAddParallel is Add from every P at once, all on one word.
func BenchmarkAddParallel(b *testing.B) {
	v := createInt64(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			value.Add(v, 1)
		}
	})
}

var sinkInt64 int64

// BenchmarkLoadInt64 is a Load of a one-word value.
func BenchmarkLoadInt64(b *testing.B) {
	v := createInt64(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkInt64, _ = v.Load()
	}
}

// BenchmarkStoreInt64 is a Store of a one-word value.
func BenchmarkStoreInt64(b *testing.B) {
	v := createInt64(b)
	b.ReportAllocs()
	for b.Loop() {
		v.Store(1)
	}
}

// BenchmarkUpdateInt64 is an increment through Update: what Add would
// cost if it took the writers' lock.
func BenchmarkUpdateInt64(b *testing.B) {
	v := createInt64(b)
	b.ReportAllocs()
	for b.Loop() {
		v.Update(func(x *int64) { *x++ })
	}
}

// BenchmarkUpdateInt64Parallel is BenchmarkUpdateInt64 from every P at
// once: the contended lock that a locked Add would be.
func BenchmarkUpdateInt64Parallel(b *testing.B) {
	v := createInt64(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			v.Update(func(x *int64) { *x++ })
		}
	})
}

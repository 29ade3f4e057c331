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

//go:build linux

package pyinterop_test

import (
	"encoding/binary"
	"hash/crc32"
	"strconv"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

func newValue[T any](t *testing.T) (*value.Value[T], string) {
	t.Helper()
	name := testutil.Name(t)
	var zero T
	v, err := value.Create(name, zero, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close(); shm.Remove(name) })
	return v, name
}

// items is how many stores or adds each value and array run makes.
func items() int { return messages() }

// Python stores 1..n while Go loads: never back, never torn, and n at last;
// then the other way round. For an int64 (one word) and for a [4]uint64,
// which the seqlock must keep whole.
func TestValueBothWays(t *testing.T) {
	n := items() / 4
	t.Run("int64", func(t *testing.T) {
		v, name := newValue[int64](t)
		py := startPy(t, "value-store", name, strconv.Itoa(n))
		py.expect("ready")
		py.send("go")
		for last := int64(0); last != int64(n); {
			x, err := v.Load()
			if err != nil {
				t.Fatal(err)
			}
			if x < last {
				t.Fatalf("value went back from %d to %d", last, x)
			}
			last = x
		}
		pyDone(t, py)
		py = startPy(t, "value-watch", name, strconv.Itoa(2*n))
		py.expect("ready")
		py.send("go")
		for i := n + 1; i <= 2*n; i++ {
			if err := v.Store(int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		pyDone(t, py)
	})
	t.Run("vector", func(t *testing.T) {
		v, name := newValue[[4]uint64](t)
		py := startPy(t, "value-store", name, strconv.Itoa(n), "QQQQ")
		py.expect("ready")
		py.send("go")
		for last := uint64(0); last != uint64(n); {
			x, err := v.Load()
			if err != nil {
				t.Fatal(err)
			}
			if x[0] != x[1] || x[1] != x[2] || x[2] != x[3] || x[0] < last {
				t.Fatalf("torn or backward: %v after %d", x, last)
			}
			last = x[0]
		}
		pyDone(t, py)
		py = startPy(t, "value-watch", name, strconv.Itoa(2*n), "QQQQ")
		py.expect("ready")
		py.send("go")
		for i := uint64(n + 1); i <= uint64(2*n); i++ {
			if err := v.Store([4]uint64{i, i, i, i}); err != nil {
				t.Fatal(err)
			}
		}
		pyDone(t, py)
	})
}

// Python's add and Go's Add, Store-free, from two processes at once:
// the sum is exact.
func TestValueAddsMixed(t *testing.T) {
	v, name := newValue[uint64](t)
	n := items() / 2
	py := startPy(t, "value-add", name, strconv.Itoa(n))
	py.expect("ready")
	py.send("go")
	for range n {
		value.Add(v, 1)
	}
	pyDone(t, py)
	if x, _ := v.Load(); x != uint64(2*n) {
		t.Fatalf("value is %d after %d adds from each side, want %d", x, n, 2*n)
	}
}

func mix32(i int) uint32 { return uint32(mix(uint64(i))) }

// Python fills an Array[uint32] of 10^6 that Go checks, Go fills one
// that Python checks, and both add to every element at once, exactly.
func TestArrayBothWays(t *testing.T) {
	n := items()
	name := testutil.Name(t)
	a, err := array.Create[uint32](name, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer a.Close()
	s := a.Slice()
	bytesOf := func() []byte { // the elements' bytes, as python's memoryview has them
		b := make([]byte, 0, 4*len(s))
		for _, x := range s {
			b = binary.LittleEndian.AppendUint32(b, x)
		}
		return b
	}

	py := startPy(t, "array-fill", name)
	py.expect("ready")
	py.send("go")
	_, crc, _ := pyDone(t, py)
	for i, x := range s {
		if x != mix32(i) {
			t.Fatalf("element %d is %d, want %d", i, x, mix32(i))
		}
	}
	if got := crc32.ChecksumIEEE(bytesOf()); got != crc {
		t.Fatalf("crc %08x, python's %08x", got, crc)
	}

	for i := range s {
		s[i] = mix32(i) ^ 1
	}
	for i := range s {
		s[i] ^= 1
	}
	py = startPy(t, "array-check", name)
	py.expect("ready")
	py.send("go")
	if _, crc, _ := pyDone(t, py); crc != crc32.ChecksumIEEE(bytesOf()) {
		t.Fatal("python's crc differs")
	}

	clear(s)
	adds := n / 4
	py = startPy(t, "array-add", name, strconv.Itoa(adds))
	py.expect("ready")
	py.send("go")
	for k := range adds { // while python adds to the same elements
		array.AddAt(a, k%n, 1)
	}
	pyDone(t, py)
	for i, x := range s[:adds] {
		if x != 2 {
			t.Fatalf("element %d is %d after one add from each side, want 2", i, x)
		}
	}
}

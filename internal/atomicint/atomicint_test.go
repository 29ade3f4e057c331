package atomicint

import (
	"sync"
	"testing"
)

func TestSubWordNeighbours(t *testing.T) {
	var a [8]int8
	var wg sync.WaitGroup
	for i := range a {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				Add(&a[i], 1)
			}
		}()
	}
	wg.Wait()
	n := 1000
	for i, v := range a {
		if v != int8(n) { // wraps as an int8 does
			t.Fatalf("a[%d] = %d after %d increments, want %d", i, v, n, int8(n))
		}
	}
}

func TestOps(t *testing.T) {
	var u16 [3]uint16
	if Add(&u16[1], 5) != 5 || Swap(&u16[1], 9) != 5 || !CompareAndSwap(&u16[1], 9, 7) || CompareAndSwap(&u16[1], 9, 1) || Load(&u16[1]) != 7 {
		t.Fatalf("uint16 ops: %v", u16)
	}
	if u16[0] != 0 || u16[2] != 0 {
		t.Fatalf("neighbours changed: %v", u16)
	}
	Store(&u16[2], 0xFFFF)
	if u16[1] != 7 || u16[2] != 0xFFFF {
		t.Fatalf("Store: %v", u16)
	}
	var i64 int64
	if Add(&i64, -3) != -3 || Swap(&i64, 4) != -3 || !CompareAndSwap(&i64, 4, 8) || Load(&i64) != 8 {
		t.Fatalf("int64 ops: %d", i64)
	}
	var i32 int32
	Store(&i32, -1)
	if Add(&i32, 2) != 1 || Load(&i32) != 1 {
		t.Fatalf("int32 ops: %d", i32)
	}
	var b [5]byte
	Store(&b[4], 200)
	if Add(&b[4], 100) != 44 || b[3] != 0 { // wraps as a byte does
		t.Fatalf("byte ops: %v", b)
	}
}

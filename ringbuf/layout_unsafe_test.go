package ringbuf

import (
	"testing"
	"unsafe"
)

// The offsets docs/FORMAT.md gives for the ring's lines hold.
func TestLayout(t *testing.T) {
	if s := unsafe.Sizeof(side{}); s != sideSize {
		t.Fatalf("side is %d bytes, sideSize says %d", s, sideSize)
	}
	if unsafe.Sizeof(flags{}) > lineSize || unsafe.Sizeof(geometry{}) > lineSize {
		t.Fatal("a line's contents overflow 128 bytes")
	}
	var s side
	for name, off := range map[string]uintptr{
		"pos": unsafe.Offsetof(s.pos), "owner": unsafe.Offsetof(s.owner),
		"msgs": unsafe.Offsetof(s.msgs), "bytes": unsafe.Offsetof(s.bytes), "waits": unsafe.Offsetof(s.waits), "wakeups": unsafe.Offsetof(s.wakeups),
	} {
		want := map[string]uintptr{"pos": 0, "owner": 8, "msgs": 16, "bytes": 24, "waits": 32, "wakeups": 40}[name]
		if off != want {
			t.Errorf("side.%s at %d, docs/FORMAT.md says %d", name, off, want)
		}
	}
	if recordSize(1) != 16 || recordSize(8) != 16 || recordSize(9) != 24 {
		t.Fatal("record sizes")
	}
}

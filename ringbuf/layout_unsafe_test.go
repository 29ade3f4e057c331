package ringbuf

import (
	"fmt"
	"os"
	"strings"
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

// The queue's layout is the one docs/FORMAT.md gives: its table's offsets
// and sizes, and the fields of a peer entry and a slot.
func TestQueueLayout(t *testing.T) {
	doc, err := os.ReadFile("../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## Queue (kind `queue`)")
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 3 && strings.TrimSpace(cells[1]) != "" && strings.TrimSpace(cells[1])[0] >= '0' && strings.TrimSpace(cells[1])[0] <= '9' {
			rows = append(rows, strings.TrimSpace(cells[1])+" "+strings.TrimSpace(cells[2]))
		}
	}
	peers := fmt.Sprintf("%d × %d", MaxQueuePeers, qPeerSize)
	want := []string{
		fmt.Sprintf("%d %d", qOffGeometry, unsafe.Sizeof(qGeometry{})),
		fmt.Sprintf("%d 8", qOffTail), fmt.Sprintf("%d 8", qOffHead),
		fmt.Sprintf("%d %d", qOffProdWait, unsafe.Sizeof(qWait{})), fmt.Sprintf("%d %d", qOffConsWait, unsafe.Sizeof(qWait{})),
		fmt.Sprintf("%d %d", qOffProduced, unsafe.Sizeof(qCounters{})), fmt.Sprintf("%d %d", qOffConsumed, unsafe.Sizeof(qCounters{})),
		fmt.Sprintf("%d %d", qOffRecovered, unsafe.Sizeof(qRecovered{})),
		fmt.Sprintf("%d %s", qOffProducers, peers), fmt.Sprintf("%d %s", qOffConsumers, peers),
		fmt.Sprintf("%d slots × stride", qDataOffset),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/FORMAT.md queue table:\n%s\nthe code:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	var e qPeerLine
	if unsafe.Sizeof(e) != qPeerSize || unsafe.Offsetof(e.claim) != 8 {
		t.Fatal("peer entry layout")
	}
	if qOffConsumers+MaxQueuePeers*qPeerSize > qDataOffset || qDataOffset%4096 != 0 {
		t.Fatal("the tables overlap the slots")
	}
}

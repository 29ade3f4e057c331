package queue

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// The queue's layout is the one docs/FORMAT.md gives: its table's offsets
// and sizes, and the fields of a peer entry and a slot.
func TestLayout(t *testing.T) {
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
	peers := fmt.Sprintf("%d × %d", MaxPeers, peerSize)
	want := []string{
		fmt.Sprintf("%d %d", offGeometry, unsafe.Sizeof(geometry{})),
		fmt.Sprintf("%d 8", offTail), fmt.Sprintf("%d 8", offHead),
		fmt.Sprintf("%d %d", offProdWait, unsafe.Sizeof(waitLine{})), fmt.Sprintf("%d %d", offConsWait, unsafe.Sizeof(waitLine{})),
		fmt.Sprintf("%d %d", offProduced, unsafe.Sizeof(counters{})), fmt.Sprintf("%d %d", offConsumed, unsafe.Sizeof(counters{})),
		fmt.Sprintf("%d %d", offRecovered, unsafe.Sizeof(recovered{})),
		fmt.Sprintf("%d %s", offProducers, peers), fmt.Sprintf("%d %s", offConsumers, peers),
		fmt.Sprintf("%d slots × stride", dataOffset),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/FORMAT.md queue table:\n%s\nthe code:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	var e peerLine
	if unsafe.Sizeof(e) != peerSize || unsafe.Offsetof(e.claim) != 8 || unsafe.Offsetof(e.span) != 16 || unsafe.Offsetof(e.counted) != 24 || unsafe.Offsetof(waitLine{}.count) != 4 {
		t.Fatal("peer entry layout")
	}
	if offConsumers+MaxPeers*peerSize > dataOffset || dataOffset%4096 != 0 {
		t.Fatal("the tables overlap the slots")
	}
}

package ringbuf

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// The ring's layout is the one docs/FORMAT.md gives: its table's offsets
// and sizes, the fields of a side and of the flags, and the header word.
func TestLayout(t *testing.T) {
	doc, err := os.ReadFile("../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## Message ring (kind `ring`)")
	section, _, _ = strings.Cut(section, "\n## ")
	if !strings.Contains(section, fmt.Sprintf("kind version %d", KindVersion)) || !strings.Contains(section, fmt.Sprintf("version %d (uint32)", layoutVersion)) {
		t.Errorf("docs/FORMAT.md does not give kind version %d and geometry version %d", KindVersion, layoutVersion)
	}
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 3 && strings.TrimSpace(cells[1]) != "" && strings.TrimSpace(cells[1])[0] >= '0' && strings.TrimSpace(cells[1])[0] <= '9' {
			rows = append(rows, strings.TrimSpace(cells[1])+" "+strings.TrimSpace(cells[2]))
		}
	}
	want := []string{
		fmt.Sprintf("%d %d", offGeometry, unsafe.Sizeof(geometry{})),
		fmt.Sprintf("%d %d", offProducer, unsafe.Sizeof(side{})), fmt.Sprintf("%d %d", offConsumer, unsafe.Sizeof(side{})),
		fmt.Sprintf("%d %d", offProducerFlags, unsafe.Sizeof(flags{})), fmt.Sprintf("%d %d", offConsumerFlags, unsafe.Sizeof(flags{})),
		fmt.Sprintf("%d capacity", dataOffset),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/FORMAT.md ring table:\n%s\nthe code:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if s := unsafe.Sizeof(side{}); s != sideSize {
		t.Fatalf("side is %d bytes, sideSize says %d", s, sideSize)
	}
	if unsafe.Sizeof(flags{}) > lineSize || unsafe.Sizeof(geometry{}) > lineSize {
		t.Fatal("a line's contents overflow 128 bytes")
	}
	var s side
	var f flags
	got := []uintptr{unsafe.Offsetof(s.pos), unsafe.Offsetof(s.owner), unsafe.Offsetof(s.msgs), unsafe.Offsetof(s.bytes), unsafe.Offsetof(s.waits), unsafe.Offsetof(s.wakeups),
		unsafe.Offsetof(f.parked), unsafe.Offsetof(f.closed), unsafe.Offsetof(f.wakes), unsafe.Offsetof(f.relaxed), unsafe.Offsetof(f.fence), unsafe.Offsetof(f.want)}
	if fmt.Sprint(got) != "[0 8 16 24 32 40 0 4 8 12 16 24]" {
		t.Fatalf("side and flags field offsets %v, not as docs/FORMAT.md gives them", got)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], makeHeader(5, kindMessage))
	if b != [8]byte{5, 0, 0, 0, 1, 0, 0, 0} || kindNone != 0 || kindPadding != 2 {
		t.Fatalf("header of a 5-byte message is % x, want length then kind 1", b)
	}
	if recordSize(1) != 16 || recordSize(8) != 16 || recordSize(9) != 24 {
		t.Fatal("record sizes")
	}
}

package pool

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/shmkit/shmkit/internal/testutil"
)

// The pool's layout is the one docs/FORMAT.md gives: the header's and a
// slot's offsets and sizes.
func TestLayout(t *testing.T) {
	rows, _ := testutil.FormatRows(t, "..", "Pool (kind `pool`)")
	var h header
	var s slot
	want := []string{
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Workers), unsafe.Sizeof(h.Workers)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.State), unsafe.Sizeof(h.State)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.ParentPID), unsafe.Sizeof(h.ParentPID)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Submitted), unsafe.Sizeof(h.Submitted)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Queued), unsafe.Sizeof(h.Queued)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.InFlight), unsafe.Sizeof(h.InFlight)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Done), unsafe.Sizeof(h.Done)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Failed), unsafe.Sizeof(h.Failed)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Retried), unsafe.Sizeof(h.Retried)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Started), unsafe.Sizeof(h.Started)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.MaxMessage), unsafe.Sizeof(h.MaxMessage)),
		fmt.Sprintf("%d %d", unsafe.Offsetof(h.Dropped), unsafe.Sizeof(h.Dropped)),
		fmt.Sprintf("%d workers × %d", unsafe.Sizeof(h), unsafe.Sizeof(s)),
		fmt.Sprintf("+%d %d", unsafe.Offsetof(s.PID), unsafe.Sizeof(s.PID)),
		fmt.Sprintf("+%d %d", unsafe.Offsetof(s.Generation), unsafe.Sizeof(s.Generation)),
		fmt.Sprintf("+%d %d", unsafe.Offsetof(s.Running), unsafe.Sizeof(s.Running)),
		fmt.Sprintf("+%d %d", unsafe.Offsetof(s.Done), unsafe.Sizeof(s.Done)),
		fmt.Sprintf("+%d %d", unsafe.Offsetof(s.StartedAt), unsafe.Sizeof(s.StartedAt)),
		fmt.Sprintf("+%d %d", unsafe.Offsetof(s.State), unsafe.Sizeof(s.State)),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/FORMAT.md pool tables:\n%s\nthe code:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if unsafe.Sizeof(h) != headerSize || unsafe.Sizeof(s) != slotSize {
		t.Fatalf("header %d, slot %d bytes", unsafe.Sizeof(h), unsafe.Sizeof(s))
	}
	if taskHead != 16 || resultHead != 24 || itemHead != 4 || outHead != 8 || statusTooLarge != 4 {
		t.Fatal("the messages' layout changed: docs/FORMAT.md says otherwise")
	}
}

package dict

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/shmkit/shmkit/internal/testutil"
)

// TestFormatDoc: docs/FORMAT.md's dict tables give the offsets the code
// uses.
func TestFormatDoc(t *testing.T) {
	rows, section := testutil.FormatRows(t, "..", "Dictionary (kind `dict`)")
	var g geometry
	var s shardHdr
	want := []string{
		fmt.Sprintf("%d 8", unsafe.Offsetof(g.magic)), fmt.Sprintf("%d 4", unsafe.Offsetof(g.version)),
		fmt.Sprintf("%d 4", unsafe.Offsetof(g.shards)), fmt.Sprintf("%d 4", unsafe.Offsetof(g.perShard)),
		fmt.Sprintf("%d 4", unsafe.Offsetof(g.buckets)), fmt.Sprintf("%d 4", unsafe.Offsetof(g.maxKey)),
		fmt.Sprintf("%d 4", unsafe.Offsetof(g.maxValue)), fmt.Sprintf("%d 4", unsafe.Offsetof(g.stride)),
		fmt.Sprintf("+%d %d", unsafe.Offsetof(s.mu), unsafe.Sizeof(s.mu)), fmt.Sprintf("+%d 8", unsafe.Offsetof(s.seq)),
		fmt.Sprintf("+%d 8", unsafe.Offsetof(s.lru)), fmt.Sprintf("+%d 4", unsafe.Offsetof(s.free)),
		fmt.Sprintf("+%d 4", unsafe.Offsetof(s.count)), fmt.Sprintf("+%d 4", unsafe.Offsetof(s.tick)),
		fmt.Sprintf("+%d 8", unsafe.Offsetof(s.bytes)), fmt.Sprintf("+%d 8", unsafe.Offsetof(s.sets)),
		fmt.Sprintf("+%d 8", unsafe.Offsetof(s.evictions)), fmt.Sprintf("+%d 8", unsafe.Offsetof(s.expiries)),
		fmt.Sprintf("+%d 8", unsafe.Offsetof(s.repairs)),
		fmt.Sprintf("+%d 8", wHash*8), fmt.Sprintf("+%d 8", wExpire*8), fmt.Sprintf("+%d 8", wLens*8),
		fmt.Sprintf("+%d 8", wChain*8), fmt.Sprintf("+%d 8", wLRU*8), fmt.Sprintf("+%d 8", wUse*8),
		fmt.Sprintf("+%d MaxKey", entryHeader), fmt.Sprintf("+%d + MaxKey8 MaxValue", entryHeader),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/FORMAT.md dict tables:\n%s\nthe code:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if unsafe.Sizeof(g) != 64 || unsafe.Sizeof(s) != shardSize {
		t.Fatalf("geometry %d bytes, shard %d; want 64, %d", unsafe.Sizeof(g), unsafe.Sizeof(s), shardSize)
	}
	for _, s := range []string{fmt.Sprintf("`%#x`", uint64(geometryMagic)), fmt.Sprintf("offset %d", offShards), fmt.Sprintf("%d bytes each", shardSize)} {
		if !strings.Contains(section, s) {
			t.Errorf("docs/FORMAT.md does not say %q", s)
		}
	}
}

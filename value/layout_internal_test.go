package value

import (
	"encoding/binary"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// docs/FORMAT.md: the value sits at payload offset 0 and the sequence
// counter at round_up(elem_size, 64), counting two per Store.
func TestLayoutAsDocumented(t *testing.T) {
	name := testutil.Name(t)
	v, err := Create(name, [3]uint32{7, 8, 9}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	if err := v.Store([3]uint32{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	p := v.Segment().Payload()
	if got := binary.LittleEndian.Uint32(p[8:]); got != 3 {
		t.Fatalf("third element at payload offset 8 = %d, want 3", got)
	}
	if seq := binary.LittleEndian.Uint32(p[64:]); seq != 2 {
		t.Fatalf("sequence at payload offset 64 = %d, want 2 after one Store", seq)
	}
	if len(p) != 128 {
		t.Fatalf("payload is %d bytes, want 64 for a 12-byte value plus a 64-byte control block", len(p))
	}
}

package bench

import (
	"context"
	"slices"
	"testing"

	"github.com/shmkit/shmkit/internal/spin"
)

// Every transport carries the largest size Run accepts, intact (the
// receivers check each message), except where this machine cannot,
// which Run says before it measures anything.
func TestRunMaxSize(t *testing.T) {
	var names []string
	for _, tr := range Transports() {
		if tr.Name != "unixpacket" || sendSeqpacket(MaxSize) == nil {
			names = append(names, tr.Name)
		}
	}
	if spin.RaceEnabled { // a MiB's copies and CRCs take the race detector seconds each: the rings, whose capacity follows the size
		names = []string{"ring", "ring-batch"}
	}
	rep, err := Run(context.Background(), Config{Transports: names, Sizes: []int{MaxSize}, Duration: MinDuration})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !slices.ContainsFunc(rep.Results, func(r Result) bool { return r.Transport == name && r.MsgSize == MaxSize }) {
			t.Errorf("no row for %s", name)
		}
	}
}

// Each link's ring follows capacityFor's rule, and a quarter of it always
// holds one record.
func TestCapacityFor(t *testing.T) {
	for _, c := range []struct {
		transport string
		size      int
		want      int
	}{
		{"floor", 8, 1 << 20}, {"floor", 64 << 10, 1 << 20}, {"floor", 256 << 10, 2 << 20}, {"floor", MaxSize, 8 << 20},
		{"ring", 8, 4 << 20}, {"stream", 1023, 4 << 20}, {"queue", 64, 4 << 20},
		{"ring-batch", 8, 1 << 20}, {"ring-batch", 64, 1 << 20},
		{"ring", 1024, 1 << 20}, {"queue", 32 << 10, 1 << 20}, {"stream", 32<<10 + 1, 2 << 20},
		{"ring", 64 << 10, 2 << 20}, {"ring-batch", 64 << 10, 2 << 20}, {"queue", 128 << 10, 4 << 20},
		{"ring", 1 << 20, 8 << 20}, {"stream", MaxSize, 8 << 20},
	} {
		got := capacityFor(c.transport, c.size)
		if got != c.want {
			t.Errorf("capacityFor(%s, %d) = %d, want %d", c.transport, c.size, got, c.want)
		}
		if got/4-8 < c.size {
			t.Errorf("capacityFor(%s, %d) = %d: a quarter cannot hold a record", c.transport, c.size, got)
		}
	}
}

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

// The floor's ring is 1 MiB at least, holds 64 messages where 4 MiB
// allows, and a quarter of it always holds one record, as a ring's does.
func TestCapacityFor(t *testing.T) {
	for size, want := range map[int]int{
		8: 1 << 20, 1024: 1 << 20, 16 << 10: 1 << 20, 16<<10 + 1: 2 << 20,
		64 << 10: 4 << 20, 128 << 10: 4 << 20, MaxSize: 8 << 20,
	} {
		got := floorCapacityFor(size)
		if got != want {
			t.Errorf("floorCapacityFor(%d) = %d, want %d", size, got, want)
		}
		if ring := ringCapacityFor(size); got/4-8 < size || ring/4-8 < size {
			t.Errorf("for %d bytes the floor's ring is %d, a ring's %d: a quarter cannot hold a record", size, got, ring)
		}
	}
}

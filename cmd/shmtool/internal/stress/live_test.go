package stress

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// The live line counts recoveries as the summary does: for a queue those
// the queue itself counts (dead claims skipped, dead takers' messages
// dropped), which the summary adds at the end, are in the line as they
// happen; and it says how far the run is, of its duration.
func TestLiveLineCountsRecoveries(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3-second stress run")
	}
	var progress bytes.Buffer
	rep, err := Run(context.Background(), Config{Kind: "queue", Procs: 4, Duration: 3 * time.Second, KillEvery: 30 * time.Millisecond,
		Seed: 11, Progress: &progress, Terminal: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := regexp.MustCompile(`stress: queue (\d+)s of 3s \((\d+)s left\): \d+ ops, (\d+) kills, (\d+) recoveries, 0 violations`).FindAllStringSubmatch(progress.String(), -1)
	if len(lines) < 2 {
		t.Fatalf("live lines:\n%s", progress.String())
	}
	last := lines[len(lines)-1]
	live, _ := strconv.Atoi(last[4])
	if rep.Recoveries == 0 || live == 0 || int64(live) > rep.Recoveries {
		t.Fatalf("the last live line counts %d recoveries, the summary %d:\n%s", live, rep.Recoveries, progress.String())
	}
}

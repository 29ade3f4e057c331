package semaphore

import (
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
)

// A slot that a live process is reclaiming is not reclaimed again: that
// would return its permits twice, or take a new holder's.
func TestReclaimSkipsLiveReclaimer(t *testing.T) {
	p, tok := testutil.LiveToken(t)
	var s Semaphore
	s.Init(0, 10, true)
	s.holders[0].token.Store(uint64(tok) | reclaiming)
	s.holders[0].count.Store(5)
	if n := s.Reclaim(); n != 0 || s.holders[0].count.Load() != 5 || s.value.Load() != 0 {
		t.Fatalf("Reclaim took %d permits from a live reclaimer's slot (count now %d)", n, s.holders[0].count.Load())
	}
	p.Kill() // now the reclaimer is dead: its slot is fair game
	// Liveness answers are cached for a few milliseconds.
	deadline := time.Now().Add(testutil.Timeout)
	n := s.Reclaim()
	for n == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
		n = s.Reclaim()
	}
	if n != 5 || s.value.Load() != 5 || s.holders[0].token.Load() != 0 {
		t.Fatalf("Reclaim after the reclaimer died = %d (value %d, token %#x), want 5 returned and the slot freed", n, s.value.Load(), s.holders[0].token.Load())
	}
}

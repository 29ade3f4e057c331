package futex

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/testutil"
)

func TestEncodeOwner(t *testing.T) {
	for range 1000 {
		tok := live.Token(rand.Uint64() & (1<<live.Bits - 1))
		w := encode(tok)
		if owner(w) != tok || w&waitersBit != 0 || owner(w|waitersBit) != tok {
			t.Fatalf("encode(%#x) = %#x, owner back = %#x", tok, w, owner(w))
		}
	}
}

// A lock word naming a process whose liveness file is stale (left behind,
// nobody holding its lock, as after a crash and pid reuse) is taken over
// with ErrOwnerDead.
func TestMutexStaleOwnerFile(t *testing.T) {
	tok := live.Token(rand.Uint64()&(1<<live.Bits-1) | 1)
	if err := os.WriteFile(live.Path(tok), []byte("pid=1 start=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(live.Path(tok))
	for _, try := range []bool{false, true} {
		var m Mutex
		m.word.Store(encode(tok))
		var err error
		if try {
			var ok bool
			ok, err = m.TryLock()
			if !ok {
				t.Fatalf("TryLock over a dead owner = false, %v", err)
			}
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
			err = m.LockContext(ctx)
			cancel()
		}
		if !errors.Is(err, ErrOwnerDead) {
			t.Fatalf("lock over a stale owner (try=%v) = %v, want ErrOwnerDead", try, err)
		}
		if err := m.MarkConsistent(); err != nil {
			t.Fatal(err)
		}
		if err := m.Unlock(); err != nil {
			t.Fatal(err)
		}
	}
}

// A lock word naming a live process (that does not even hold the lock in
// its own view) is never taken over: the locker times out.
func TestMutexLiveOwnerNotRobbed(t *testing.T) {
	p, tok := testutil.LiveToken(t)
	var m Mutex
	m.word.Store(encode(tok))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockContext over a live owner = %v, want DeadlineExceeded", err)
	}
	p.Kill()
	ctx, cancel = context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, ErrOwnerDead) {
		t.Fatalf("LockContext after the owner was killed = %v, want ErrOwnerDead", err)
	}
}

func TestUnlockNotOwner(t *testing.T) {
	var m Mutex
	if err := m.Unlock(); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("Unlock of unlocked = %v, want ErrNotOwner", err)
	}
	m.word.Store(encode(12345))
	if err := m.Unlock(); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("Unlock of another's = %v, want ErrNotOwner", err)
	}
	if err := m.MarkConsistent(); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("MarkConsistent of another's = %v, want ErrNotOwner", err)
	}
}

// A party whose pid is unknown is said to be so, not "pid 0".
func TestPartyDiedUnknownPID(t *testing.T) {
	if msg := partyDied(0).Error(); strings.Contains(msg, "pid 0") || !strings.Contains(msg, "unknown") {
		t.Errorf("partyDied(0) = %q", msg)
	}
}

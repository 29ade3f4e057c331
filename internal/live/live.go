package live

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofrs/flock"
	"github.com/shmkit/shmkit/internal/proc"
	"github.com/shmkit/shmkit/internal/tmpfile"
)

// Token names a registered process. The zero Token names nobody.
type Token uint64

// Bits is the width of a Token: it fits, with two flag bits, in 64.
const Bits = 62

const mask = 1<<Bits - 1

// Dir holds the liveness files; Prefix starts their names.
const (
	Dir    = "/dev/shm"
	Prefix = "shmkit-live-"
)

// Path returns the liveness file of t.
func Path(t Token) string { return filepath.Join(Dir, fmt.Sprintf("%s%016x", Prefix, uint64(t))) }

var (
	selfToken atomic.Uint64 // the fast path of Self
	selfMu    sync.Mutex    // guards registration and selfLock
	selfLock  *flock.Flock
)

// Current returns this process's token if it has registered, or 0: the
// inlinable fast path of Self for hot paths.
func Current() Token { return Token(selfToken.Load()) }

// Self returns this process's token, registering it on first use.
func Self() (Token, error) {
	if t := selfToken.Load(); t != 0 {
		return Token(t), nil
	}
	return register()
}

func register() (Token, error) {
	selfMu.Lock()
	defer selfMu.Unlock()
	if t := selfToken.Load(); t != 0 {
		return Token(t), nil
	}
	Sweep()
	for range 8 {
		t := Token(rand.Uint64() & mask)
		if t == 0 {
			continue
		}
		lk, err := publish(t)
		if errors.Is(err, fs.ErrExist) {
			continue // another process drew the same token
		}
		if err != nil {
			return 0, fmt.Errorf("live: register %s: %w", Path(t), err)
		}
		selfLock = lk
		selfToken.Store(uint64(t))
		return t, nil
	}
	return 0, errors.New("live: register: no free token after 8 draws")
}

// publish makes t's file, locked before it has a name, so that nobody can
// ever see it unlocked while this process lives.
func publish(t Token) (*flock.Flock, error) {
	f, err := tmpfile.Create(Dir)
	if err != nil {
		return nil, err
	}
	defer f.F.Close() // the lock has its own descriptor
	id, _ := proc.Self()
	if _, err := fmt.Fprintf(f.F, "pid=%d start=%d\n", id.PID, id.StartTime); err != nil {
		f.Discard()
		return nil, err
	}
	if err := f.F.Chmod(0o644); err != nil { // others open it to test the lock
		f.Discard()
		return nil, err
	}
	lk := flock.New("/proc/self/fd/"+strconv.Itoa(int(f.F.Fd())), flock.SetFlag(os.O_RDONLY|syscall.O_CLOEXEC))
	if ok, err := lk.TryLock(); err != nil || !ok {
		f.Discard()
		return nil, fmt.Errorf("lock: %v", err)
	}
	if err := f.Publish(Path(t)); err != nil {
		lk.Close()
		f.Discard()
		return nil, err
	}
	return lk, nil
}

// Release gives up this process's registration and removes its file; for
// tests that must leave /dev/shm as they found it. A later Self registers
// afresh with a new token.
func Release() {
	selfMu.Lock()
	defer selfMu.Unlock()
	t := Token(selfToken.Swap(0))
	if t == 0 {
		return
	}
	_ = os.Remove(Path(t))
	_ = selfLock.Close()
	selfLock = nil
}

// Alive reports whether the process that registered t still runs. When it
// cannot tell (the file is unreadable), it answers true: a live owner must
// never be taken for dead.
func Alive(t Token) bool {
	if t == 0 {
		return false
	}
	if t == Token(selfToken.Load()) {
		return true
	}
	if alive, ok := cached(t); ok {
		return alive
	}
	alive := probe(t)
	remember(t, alive)
	return alive
}

// AliveNow is Alive without the cache: for a decision that must not rest
// on a look up to 5ms old (a barrier's release).
func AliveNow(t Token) bool {
	if t == 0 {
		return false
	}
	if t == Token(selfToken.Load()) {
		return true
	}
	alive := probe(t)
	remember(t, alive)
	return alive
}

// probe tests t's lock: free or missing means dead.
func probe(t Token) bool {
	fl := flock.New(Path(t), flock.SetFlag(os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC))
	free, err := fl.TryRLock()
	_ = fl.Close()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false
	case err != nil:
		return true // cannot tell: never rob a possibly live owner
	}
	return !free
}

// PID returns the pid recorded in t's file, in the registering process's
// pid namespace, or 0.
func PID(t Token) int {
	b, err := os.ReadFile(Path(t))
	if err != nil {
		return 0
	}
	var pid int
	var start uint64
	if _, err := fmt.Sscanf(string(b), "pid=%d start=%d", &pid, &start); err != nil {
		return 0
	}
	return pid
}

// Sweep removes the files of dead processes and returns how many it
// removed. A file whose lock it can take exclusively belongs to nobody.
func Sweep() int {
	paths, _ := filepath.Glob(filepath.Join(Dir, Prefix+"*"))
	self := Path(Token(selfToken.Load()))
	n := 0
	for _, p := range paths {
		if p == self {
			continue
		}
		fl := flock.New(p, flock.SetFlag(os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC))
		if ok, err := fl.TryLock(); err == nil && ok {
			if os.Remove(p) == nil {
				n++
			}
		}
		_ = fl.Close()
	}
	return n
}

// A small cache of recent answers, so that a waiter re-checking an owner
// often does not open a file each time. Dead is final; alive is trusted
// for aliveTTL.
const aliveTTL = 5 * time.Millisecond

type cacheEntry struct {
	t     Token
	alive bool
	at    time.Time
}

var (
	cacheMu   sync.Mutex
	cache     [16]cacheEntry
	cacheNext int
)

func cached(t Token) (alive, ok bool) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	for _, e := range cache {
		if e.t == t && (!e.alive || time.Since(e.at) < aliveTTL) {
			return e.alive, true
		}
	}
	return false, false
}

func remember(t Token, alive bool) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	for i := range cache {
		if cache[i].t == t {
			cache[i] = cacheEntry{t, alive, time.Now()}
			return
		}
	}
	cache[cacheNext] = cacheEntry{t, alive, time.Now()}
	cacheNext = (cacheNext + 1) % len(cache)
}

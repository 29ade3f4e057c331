package futex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/live"
)

// MaxMembers is how many distinct processes a Barrier tracks for death
// detection. Parties beyond it still work but are not watched.
const MaxMembers = 64

// Barrier makes a fixed number of parties wait for each other, like
// Python's multiprocessing.Barrier. Its zero value has no parties: call
// Init before the first Wait.
//
// The barrier is reusable: once all parties have arrived, they are released
// together and the next generation begins. It breaks, and every waiter gets
// ErrBrokenBarrier, when a waiter's context ends, when Abort is called, or
// when a process that has waited at it dies. A process that has used a
// barrier is a member of it until Reset, which also repairs a broken
// barrier.
//
// The rule for a death is the same whatever the timing: a member that dies
// before a generation is released, whether or not it had arrived at it,
// breaks that generation. The last party to arrive looks at every member
// (without the liveness cache) before it releases the others, and waiters
// look every 2 to 50ms, so a generation with a dead member is never
// released and its waiters are not left hanging. A member that dies after
// a release breaks the next generation. A member that is alive but stopped
// or slow breaks nothing: the others wait, or time out by their contexts.
//
// Within a generation, every party's call to Wait synchronizes before any
// party's Wait returns: what each party wrote before it arrived is visible
// to all of them after.
//
// A Barrier must not be copied after first use.
type Barrier struct {
	_ noCopy
	// state's low half is the futex word: bits 0-23 generation, bits
	// 24-30 reset epoch, bit 31 broken; its high half counts the parties
	// arrived in this generation. A waiter reads its generation and epoch
	// from the same CAS that counts it in, so no Reset or completion can
	// slip between them.
	state   atomic.Uint64
	parties atomic.Uint32
	_       uint32
	members [MaxMembers]atomic.Uint64
}

const (
	genBits    = 24
	genMask    = 1<<genBits - 1
	epochShift = genBits
	epochMask  = 0x7F << epochShift
	brokenBit  = 1 << 31
	maxParties = 1<<32 - 1
)

// ShmKind names the kind of a segment that holds one Barrier.
func (*Barrier) ShmKind() string { return "barrier" }

// Init sets the number of parties. Call it once, before the barrier is
// shared (shm.CreateObject's init function is the place).
func (b *Barrier) Init(parties int) error {
	if parties < 1 || parties > maxParties {
		return fmt.Errorf("futex: barrier parties %d out of range", parties)
	}
	b.parties.Store(uint32(parties))
	return nil
}

// Parties returns the number of parties.
func (b *Barrier) Parties() int { return int(b.parties.Load()) }

// Wait arrives at the barrier and waits for the other parties. It returns
// the arrival index, from 0 to Parties()-1, unique within a generation. If
// ctx ends first, the barrier breaks and Wait returns an error that wraps
// both ErrBrokenBarrier and ctx.Err().
func (b *Barrier) Wait(ctx context.Context) (int, error) {
	parties := b.parties.Load()
	if parties == 0 {
		return 0, errors.New("futex: barrier has no parties; call Init first")
	}
	if err := b.join(); err != nil {
		return 0, err
	}
	var mine uint32 // our generation and epoch
	var index int
	for {
		s := b.state.Load()
		lo := uint32(s)
		if lo&brokenBit != 0 {
			return 0, ErrBrokenBarrier
		}
		arrived := uint32(s >> 32)
		if arrived+1 >= parties { // the last to arrive releases everyone
			if pid, dead := b.deadMember(live.AliveNow); dead {
				b.Abort() // a member died before this release: the rule above
				return 0, partyDied(pid)
			}
			next := lo&epochMask | (lo+1)&genMask
			if b.state.CompareAndSwap(s, uint64(next)) {
				failpoint.Inject("futex/barrier/release") // dying here: the waiters see the release on their next look
				_, _ = Wake(lowWord(&b.state), All)
				return int(arrived), nil
			}
			continue
		}
		if b.state.CompareAndSwap(s, s+1<<32) {
			mine, index = lo, int(arrived)
			break
		}
	}
	failpoint.Inject("futex/barrier/arrived") // dying here: counted in, and a member that died
	recheck := recheckMin
	for {
		lo := uint32(b.state.Load())
		switch {
		case lo&epochMask != mine&epochMask:
			return 0, fmt.Errorf("%w: reset while waiting", ErrBrokenBarrier)
		case lo&genMask != mine&genMask: // released, whatever happened since
			return index, nil
		case lo&brokenBit != 0:
			return 0, ErrBrokenBarrier
		}
		err := waitContext(ctx, lowWord(&b.state), mine, time.Now().Add(recheck))
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded):
			if pid, dead := b.deadMember(live.Alive); dead {
				b.Abort()
				return 0, partyDied(pid)
			}
			recheck = min(2*recheck, recheckMax)
		default:
			b.Abort()
			return 0, fmt.Errorf("%w: %w", ErrBrokenBarrier, err)
		}
	}
}

// join records this process as a member, once.
func (b *Barrier) join() error {
	me, err := live.Self()
	if err != nil {
		return err
	}
	for i := range b.members {
		switch b.members[i].Load() {
		case uint64(me):
			return nil
		case 0:
			if b.members[i].CompareAndSwap(0, uint64(me)) {
				return nil
			}
			if b.members[i].Load() == uint64(me) {
				return nil
			}
		}
	}
	return nil // table full: this process is not watched
}

// deadMember reports whether a member has died, by alive, and its pid (0
// if unknown).
func (b *Barrier) deadMember(alive func(live.Token) bool) (pid int, dead bool) {
	for i := range b.members {
		if t := live.Token(b.members[i].Load()); t != 0 && !alive(t) {
			return live.PID(t), true
		}
	}
	return 0, false
}

// partyDied is the error of a generation that a member's death broke.
func partyDied(pid int) error {
	if pid == 0 {
		return fmt.Errorf("%w: a party died (its pid is unknown: another pid namespace, or its liveness file is gone)", ErrBrokenBarrier)
	}
	return fmt.Errorf("%w: a party (pid %d) died", ErrBrokenBarrier, pid)
}

// Abort breaks the barrier: every current and future waiter gets
// ErrBrokenBarrier until Reset.
func (b *Barrier) Abort() {
	for {
		s := b.state.Load()
		if s&brokenBit != 0 || b.state.CompareAndSwap(s, s|brokenBit) {
			break
		}
	}
	_, _ = Wake(lowWord(&b.state), All)
}

// Reset returns the barrier to its initial state, repairing a broken one:
// no party has arrived and no process is a member. Parties waiting at that
// moment get ErrBrokenBarrier.
func (b *Barrier) Reset() {
	for i := range b.members {
		b.members[i].Store(0)
	}
	for {
		s := b.state.Load()
		lo := uint32(s)
		next := (lo+1<<epochShift)&epochMask | lo&genMask // new epoch, nobody arrived, not broken
		if b.state.CompareAndSwap(s, uint64(next)) {
			break
		}
	}
	_, _ = Wake(lowWord(&b.state), All)
}

// BarrierState is a snapshot of a Barrier, for observers such as shmtool.
type BarrierState struct {
	Parties    int  `json:"parties"`
	Arrived    int  `json:"arrived"`
	Generation int  `json:"generation"`
	Broken     bool `json:"broken"`
}

// State returns a snapshot of b; it only reads b.
func (b *Barrier) State() BarrierState {
	s := b.state.Load()
	return BarrierState{Parties: b.Parties(), Arrived: int(s >> 32), Generation: int(uint32(s) & genMask), Broken: uint32(s)&brokenBit != 0}
}

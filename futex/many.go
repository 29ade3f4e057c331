package futex

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"
)

// errNoWaitv reports a kernel without FUTEX_WAITV (before Linux 5.16).
var errNoWaitv = errors.New("futex: no FUTEX_WAITV")

// MaxWaitMany is how many words WaitMany takes.
const MaxWaitMany = 128

// WaitMany blocks while every *words[i] == vals[i], until a Wake on any of
// them, ctx is done (ctx.Err()), until passes (os.ErrDeadlineExceeded; zero
// means no deadline), or spuriously. It returns the index of a word that
// was woken, or -1 when it cannot tell (a word already differed, or a
// spurious return): callers check their predicates either way, as for
// Wait.
//
// It uses FUTEX_WAITV (Linux 5.16 and later). On older kernels it parks on
// the first word for at most a millisecond at a time and looks at the
// others in between.
//
// Cancellation wakes words[0] (with Wake), so it should be a word that the
// caller owns, where a spurious wake-up costs nobody else.
func WaitMany(ctx context.Context, words []*atomic.Uint32, vals []uint32, until time.Time) (int, error) {
	if len(words) == 0 || len(words) != len(vals) || len(words) > MaxWaitMany {
		return -1, errors.New("futex: WaitMany wants 1 to 128 words, as many as values")
	}
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	for i, w := range words {
		if w.Load() != vals[i] {
			return i, nil
		}
	}
	if d, ok := ctx.Deadline(); ok && (until.IsZero() || d.Before(until)) {
		until = d
	}
	var k *kicker
	stop := func() bool { return true }
	if ctx.Done() != nil {
		k = &kicker{addr: words[0]}
		stop = context.AfterFunc(ctx, k.kick)
	}
	i, err := waitv(words, vals, until)
	if errors.Is(err, errNoWaitv) {
		i, err = pollMany(words, vals, until)
	}
	if k != nil {
		k.returned.Store(true)
	}
	stop()
	if cerr := ctx.Err(); cerr != nil {
		return -1, cerr
	}
	return i, err
}

// pollMany is WaitMany without FUTEX_WAITV.
func pollMany(words []*atomic.Uint32, vals []uint32, until time.Time) (int, error) {
	for {
		for i, w := range words {
			if w.Load() != vals[i] {
				return i, nil
			}
		}
		step := time.Now().Add(time.Millisecond)
		if !until.IsZero() && until.Before(step) {
			step = until
		}
		err := wait(words[0], vals[0], step)
		if err == nil {
			return 0, nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return -1, err
		}
		if !until.IsZero() && !time.Now().Before(until) {
			return -1, os.ErrDeadlineExceeded
		}
	}
}

package shm

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// initLock guards a segment's initialization: the creator holds it
// exclusively until the ready word is published, a recoverer holds it
// exclusively while it removes a dead creator's leftover, and an opener
// holds it shared while it validates the header.
//
// flock locks belong to an open file description, and gofrs/flock opens
// its own. It opens /proc/self/fd/N, our descriptor's own inode, never the
// path again: a file swapped in under the name meanwhile cannot be the one
// locked.
type initLock struct{ fl *flock.Flock }

// lockInit locks f, exclusively or shared, waiting up to timeout. It
// reports ok=false if another process still held the lock at the timeout.
func lockInit(f *os.File, exclusive bool, timeout time.Duration) (l initLock, ok bool, err error) {
	self := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	fl := flock.New(self, flock.SetFlag(os.O_RDONLY|syscall.O_CLOEXEC))
	try, wait := fl.TryRLock, fl.TryRLockContext
	if exclusive {
		try, wait = fl.TryLock, fl.TryLockContext
	}
	ok, err = try()
	if err == nil && !ok && timeout > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		ok, err = wait(ctx, time.Millisecond)
		cancel()
		if err == context.DeadlineExceeded {
			err = nil
		}
	}
	if err != nil || !ok {
		_ = fl.Close()
		return initLock{}, false, err
	}
	return initLock{fl}, true, nil
}

func (l initLock) unlock() {
	if l.fl != nil {
		_ = l.fl.Close() // unlocks and closes the lock's descriptor
	}
}

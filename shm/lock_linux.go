package shm

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// initLock guards initialization: the creator holds it exclusively from
// just after creating the file until the ready word is published, and an
// opener holds it shared while it validates the header.
//
// flock locks belong to the open file description, so the lock is taken on
// a second descriptor of the same path; lockInit checks that both name the
// same inode, so that a file swapped in between is not trusted.
type initLock struct{ fl *flock.Flock }

// lockInit locks path, exclusively or shared, waiting up to timeout. It
// reports ok=false if the lock was still held by another process when the
// timeout expired.
func lockInit(path string, f *os.File, exclusive bool, timeout time.Duration) (l initLock, ok bool, err error) {
	// O_NONBLOCK: a FIFO swapped in must not block the open.
	fl := flock.New(path, flock.SetFlag(os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC))
	try := fl.TryRLock
	if exclusive {
		try = fl.TryLock
	}
	ok, err = try()
	if err == nil && !ok && timeout > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		lock := fl.TryRLockContext
		if exclusive {
			lock = fl.TryLockContext
		}
		ok, err = lock(ctx, time.Millisecond)
		cancel()
		if err == context.DeadlineExceeded {
			err = nil
		}
	}
	if err != nil || !ok {
		_ = fl.Close()
		return initLock{}, false, err
	}
	a, err1 := fl.Stat()
	b, err2 := f.Stat()
	if err1 != nil || err2 != nil || !os.SameFile(a, b) {
		_ = fl.Close()
		return initLock{}, false, fmt.Errorf("%w: file was replaced while opening", ErrNotReady)
	}
	return initLock{fl}, true, nil
}

func (l initLock) unlock() {
	if l.fl != nil {
		_ = l.fl.Close() // unlocks and closes the lock's descriptor
	}
}

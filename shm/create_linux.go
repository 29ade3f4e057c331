package shm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/edsrzf/mmap-go"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/proc"
	"github.com/shmkit/shmkit/internal/tmpfile"
)

// Create makes a new segment called name with a payload of size bytes,
// initializes its header (and, through Options.Init, its payload) and maps
// it read-write. It fails with ErrExist if the name is taken.
//
// The segment is built in an anonymous file (O_TMPFILE), locked, sized with
// its space reserved, given its permission by fchmod (0600 unless
// Options.Mode says otherwise, whatever the umask) and its header, and
// only then linked under its name, which fails if the name is taken. The
// ready word is stored last. A full file system fails here rather than
// with SIGBUS later.
func Create(name string, size int, opts *Options) (*Segment, error) {
	s, err := create(name, size, opts.withDefaults())
	if err != nil {
		return nil, opError("create", name, err)
	}
	return s, nil
}

func create(name string, size int, o Options) (_ *Segment, err error) {
	if err := o.checkCreate(size); err != nil {
		return nil, err
	}
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	tmp, err := tmpfile.Create(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	s := &Segment{name: name, path: path, file: tmp.F}
	defer func() {
		if err != nil {
			_ = s.Close()
			tmp.Discard()
		}
	}()
	// Nobody else can see the file yet, so the lock is free; holding it
	// from before the link makes openers wait for the ready word.
	lk, _, err := lockInit(tmp.F, true, 0)
	if err != nil {
		return nil, err
	}
	defer lk.unlock()
	if err := s.build(size, o); err != nil {
		return nil, err
	}
	failpoint.Inject("shm/create/built")
	if err := tmp.Publish(path); err != nil {
		return nil, err
	}
	failpoint.Inject("shm/create/linked")
	s.removeOnClose.Store(o.RemoveOnClose)
	// Release store: the header and the payload's initial contents
	// happen-before any load of readyValue in another process.
	readyWord(s.mapping).Store(readyValue)
	failpoint.Inject("shm/create/ready")
	return s, nil
}

// build sizes the unpublished file, maps it, and writes the header (ready
// still 0) and the initial payload.
func (s *Segment) build(size int, o Options) (err error) {
	if err := s.file.Chmod(o.Mode); err != nil {
		return err
	}
	total := HeaderSize + size
	if err := reserve(s.file, int64(total)); err != nil {
		return err
	}
	failpoint.Inject("shm/create/sized")
	if s.mapping, err = mmap.MapRegion(s.file, int(total), mmap.RDWR, 0, 0); err != nil {
		return fmt.Errorf("map: %w", err)
	}
	s.mapped = len(s.mapping)
	s.payload = s.mapping[HeaderSize:]
	s.header = Header{
		LayoutVersion: LayoutVersion,
		Kind:          o.Kind,
		KindVersion:   o.KindVersion,
		PayloadOffset: HeaderSize,
		PayloadSize:   size,
		CreatorUID:    uint32(os.Geteuid()),
		CreatedAt:     time.Unix(0, time.Now().UnixNano()), // as the header stores it
		Elem:          o.Elem,
	}
	if id, err := proc.Self(); err == nil {
		s.header.CreatorPID, s.header.CreatorStart = id.PID, id.StartTime
	}
	s.header.BootID, _ = proc.BootID()
	encodeHeader(s.mapping, &s.header)
	if o.Init != nil {
		if err := o.Init(s); err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	failpoint.Inject("shm/create/init") // the kind's own initialization is done
	if err := s.tune(o); err != nil {
		return err
	}
	// For a file on disk, the header and payload reach the disk before the
	// name does, so a crash never leaves a named file with a torn header.
	if err := s.mapping.Flush(); err != nil {
		return fmt.Errorf("msync: %w", err)
	}
	return nil
}

// tune applies the latency options to the mapping.
func (s *Segment) tune(o Options) error {
	if o.Prefault {
		if err := prefault(s.mapping, !s.readOnly); err != nil {
			return err
		}
	}
	if o.Lock {
		return lockMemory(s.mapping)
	}
	return nil
}

// OpenOrCreate opens the segment called name, creating it with a payload of
// size bytes if it does not exist. It reports whether this call created
// it. When several processes race, exactly one creates and the others open
// what it made.
//
// A segment left not ready by a creator that died between linking its name
// and publishing it is removed and created afresh by this call, which then
// reports created=true. A creator that is alive but slow is never
// overtaken: after Options.Timeout (twice, at most: once to open, once to
// recover) the call fails with ErrNotReady. A corrupt segment is never
// replaced.
//
// An existing segment of another payload size fails with ErrIncompatible.
func OpenOrCreate(name string, size int, opts *Options) (seg *Segment, created bool, err error) {
	o := opts.withDefaults()
	const attempts = 8 // each lost race means another process made progress
	for range attempts {
		seg, err = create(name, size, o)
		if err == nil {
			return seg, true, nil
		}
		if !errors.Is(err, ErrExist) {
			return nil, false, opError("create", name, err)
		}
		seg, err = open(name, o)
		switch {
		case err == nil:
			if seg.header.PayloadSize != size {
				seg.Close()
				err = fmt.Errorf("%w: payload is %d bytes, want %d", ErrIncompatible, seg.header.PayloadSize, size)
				return nil, false, opError("open", name, err)
			}
			return seg, false, nil
		case errors.Is(err, ErrNotExist): // removed meanwhile: go round again
		case errors.Is(err, ErrNotReady):
			if err := removeDead(name, o); err != nil {
				return nil, false, opError("recover", name, err)
			}
		default:
			return nil, false, opError("open", name, err)
		}
	}
	return nil, false, opError("open or create", name, fmt.Errorf("%w: still contended after %d attempts (last: %w)", ErrNotReady, attempts, err))
}

// removeDead removes the segment called name if its creator died before
// publishing it: the header is intact, the ready word is 0 and nobody holds
// the init lock. It returns nil once the name no longer holds such a
// leftover (also when it turned out ready), so that the caller tries again.
func removeDead(name string, o Options) error {
	path, err := Path(name)
	if err != nil {
		return err
	}
	f, err := openFile(path, true, o)
	if errors.Is(err, ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := readMagic(f); err != nil {
		return err // replaced by another program's file meanwhile: never lock it
	}
	lk, ok, err := lockInit(f, true, o.Timeout)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: its creator still holds the init lock after %v", ErrNotReady, o.Timeout)
	}
	defer lk.unlock()
	if named, err := stillNamed(f, path); err != nil || !named {
		return err // removed or replaced meanwhile
	}
	if _, _, err := readHeader(f); !errors.Is(err, ErrNotReady) {
		return err // ready after all (nil), or corrupt: never remove a segment that is not ours to fix
	}
	failpoint.Inject("shm/recover/locked")
	// Other recoverers queue on this inode's lock; when they get it they
	// see it unlinked and go round again.
	if err := syscall.Unlink(path); err != nil && !errors.Is(err, syscall.ENOENT) {
		return err
	}
	return nil
}

// stillNamed reports whether path still names f's file.
func stillNamed(f *os.File, path string) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink == 0 {
		return false, nil
	}
	cur, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, cur), nil
}

// removeName removes the segment's name for RemoveOnClose, once, and only
// if the name still refers to this segment's file.
func (s *Segment) removeName() error {
	if !s.removeOnClose.Swap(false) || s.file == nil {
		return nil
	}
	ours, err := stillNamed(s.file, s.path)
	if err != nil || !ours {
		return err
	}
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove on close: %w", err)
	}
	return nil
}

package shm

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/edsrzf/mmap-go"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/proc"
)

// Create makes a new segment called name with a payload of size bytes,
// initializes its header (and, through Options.Init, its payload) and maps
// it read-write. It fails with ErrExist if the name is taken.
//
// The file is created with O_CREAT|O_EXCL|O_NOFOLLOW and its permission set
// by fchmod (0600 unless Options.Mode says otherwise), whatever the umask.
// The space is reserved up front, so a full file system fails here rather
// than with SIGBUS later.
func Create(name string, size int64, opts *Options) (*Segment, error) {
	s, err := create(name, size, opts.withDefaults())
	if err != nil {
		return nil, opError("create", name, err)
	}
	return s, nil
}

func create(name string, size int64, o Options) (*Segment, error) {
	if err := o.checkCreate(size); err != nil {
		return nil, err
	}
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	failpoint.Inject("shm/create/opened")
	// Between the open above and this lock, an OpenOrCreate in another
	// process may have found the empty file, taken the lock and
	// initialized it. Then the segment is theirs.
	lk, ok, err := lockInit(path, f, true, o.Timeout)
	if err == nil && !ok {
		err = fmt.Errorf("%w: another process is initializing it", ErrExist)
	}
	if err == nil {
		if fi, serr := f.Stat(); serr != nil {
			err = serr
		} else if fi.Size() != 0 {
			err = fmt.Errorf("%w: another process initialized it", ErrExist)
		}
	}
	if err != nil {
		lk.unlock()
		f.Close()
		return nil, err
	}
	defer lk.unlock()
	s, err := initialize(name, path, f, size, o)
	if err != nil {
		// Nobody else can have opened it as ready: we still hold the
		// lock and never published it.
		_ = syscall.Unlink(path)
		return nil, err
	}
	return s, nil
}

// initialize sizes f, writes the header and publishes it. The caller holds
// the exclusive init lock. On error f is closed.
func initialize(name, path string, f *os.File, size int64, o Options) (_ *Segment, err error) {
	s := &Segment{name: name, path: path, file: f}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	if err := f.Chmod(o.Mode); err != nil {
		return nil, err
	}
	total := HeaderSize + size
	if err := reserve(f, total); err != nil {
		return nil, err
	}
	failpoint.Inject("shm/create/sized")
	if s.mapping, err = mmap.MapRegion(f, int(total), mmap.RDWR, 0, 0); err != nil {
		return nil, fmt.Errorf("map: %w", err)
	}
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
	failpoint.Inject("shm/create/header")
	if o.Init != nil {
		if err := o.Init(s.payload); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
	}
	if err := s.tune(o); err != nil {
		return nil, err
	}
	// Release store: the header and the payload's initial contents
	// happen-before any load of readyValue in another process.
	readyWord(s.mapping).Store(readyValue)
	failpoint.Inject("shm/create/ready")
	return s, nil
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
// A segment left not ready by a creator that died mid-initialization is
// recovered: initialized afresh by this call, which then reports
// created=true. A creator that is alive but slow is never overtaken; after
// Options.Timeout the call fails with ErrNotReady.
//
// An existing segment of another payload size fails with ErrIncompatible.
func OpenOrCreate(name string, size int64, opts *Options) (seg *Segment, created bool, err error) {
	o := opts.withDefaults()
	for attempt := 0; attempt < 5; attempt++ {
		seg, err = create(name, size, o)
		if err == nil {
			return seg, true, nil
		}
		if !errors.Is(err, ErrExist) {
			break
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
		case errors.Is(err, ErrNotReady):
			seg, err = recoverSegment(name, size, o)
			if seg != nil {
				return seg, true, nil
			}
			if err != nil && !errors.Is(err, ErrNotExist) {
				return nil, false, opError("recover", name, err)
			}
			// ready after all, or removed meanwhile: go round again
		case errors.Is(err, ErrNotExist): // removed between create and open: try again
		default:
			return nil, false, opError("open", name, err)
		}
	}
	return nil, false, opError("open or create", name, err)
}

// recoverSegment initializes a segment whose creator died before
// publishing it. It returns (nil, nil) if the segment turned out ready
// after all, so that the caller opens it.
func recoverSegment(name string, size int64, o Options) (*Segment, error) {
	if err := o.checkCreate(size); err != nil {
		return nil, err
	}
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	f, err := openFile(path, false, o)
	if err != nil {
		return nil, err
	}
	lk, ok, err := lockInit(path, f, true, o.Timeout)
	if err == nil && !ok {
		err = fmt.Errorf("%w: its creator still holds the init lock after %v", ErrNotReady, o.Timeout)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	defer lk.unlock()
	if _, _, err := readHeader(f); !errors.Is(err, ErrNotReady) {
		f.Close()
		return nil, err // ready after all (nil), or corrupt: never overwrite a published segment
	}
	if err := f.Truncate(0); err != nil { // drop whatever the dead creator left
		f.Close()
		return nil, err
	}
	failpoint.Inject("shm/recover/locked")
	return initialize(name, path, f, size, o)
}

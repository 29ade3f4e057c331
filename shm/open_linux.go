package shm

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/edsrzf/mmap-go"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/proc"
)

// Open maps the existing segment called name after validating it: the file
// must be a regular file (not a symlink), owned by this user and not
// writable by others (unless Options.AllowOtherUsers), and its header must
// pass, in order, the magic, layout version, checksum and ready checks, and
// agree with the file's size. With Options.ReadOnly the file is opened
// O_RDONLY and mapped PROT_READ.
//
// If the creator is still initializing, Open waits up to Options.Timeout
// for it and then fails with ErrNotReady.
func Open(name string, opts *Options) (*Segment, error) {
	o := opts.withDefaults()
	if opts == nil || opts.Kind == "" {
		o.Kind = "" // any kind
	}
	s, err := open(name, o)
	if err != nil {
		return nil, opError("open", name, err)
	}
	return s, nil
}

func open(name string, o Options) (_ *Segment, err error) {
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	f, err := openFile(path, o.ReadOnly, o)
	if err != nil {
		return nil, err
	}
	s := &Segment{name: name, path: path, file: f, readOnly: o.ReadOnly}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := readMagic(f); err != nil {
		return nil, err
	}
	lk, ok, err := lockInit(f, false, o.Timeout)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: its creator still holds the init lock after %v", ErrNotReady, o.Timeout)
	}
	defer lk.unlock()
	h, size, err := readHeader(f)
	if err != nil {
		return nil, err
	}
	if err := o.expect(h); err != nil {
		return nil, err
	}
	s.header = *h
	if err := s.mapFile(size); err != nil {
		return nil, err
	}
	s.payload = s.mapping[HeaderSize:]
	return s, s.tune(o)
}

// mapFile maps the first size bytes of the segment's file, read-only or
// read-write as the segment was opened.
func (s *Segment) mapFile(size int64) (err error) {
	prot := mmap.RDWR
	if s.readOnly {
		prot = mmap.RDONLY
	}
	if s.mapping, err = mmap.MapRegion(s.file, int(size), prot, 0, 0); err != nil {
		return fmt.Errorf("map: %w", err)
	}
	s.mapped = len(s.mapping)
	return nil
}

// readMagic checks, with a plain read and no lock, that f starts with the
// magic: a creator links a segment's name only once its header is
// written, so a file without it is another program's, or a liveness file,
// and never ours to lock or wait for.
func readMagic(f *os.File) error {
	head := make([]byte, len(magic))
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("read header: %w", err)
	}
	if err := checkMagic(head[:n]); err != nil {
		if strings.HasPrefix(filepath.Base(f.Name()), live.Prefix) {
			return fmt.Errorf("%w: it is a liveness file, which a shmkit process holds while it runs, not a segment", err)
		}
		return err
	}
	return nil
}

// readHeader reads and validates f's header and checks that the file's size
// is what the header says. It returns the file size.
func readHeader(f *os.File) (*Header, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	buf := make([]byte, HeaderSize)
	n, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return nil, 0, fmt.Errorf("read header: %w", err)
	}
	h, err := parseHeader(buf[:n])
	if err != nil {
		return nil, 0, err
	}
	if want := int64(h.PayloadOffset) + int64(h.PayloadSize); fi.Size() != want {
		return nil, 0, fmt.Errorf("%w: file is %d bytes, header says %d (truncated or extended)", ErrCorrupt, fi.Size(), want)
	}
	return h, fi.Size(), nil
}

// openFile opens path without following a symlink or blocking on a FIFO,
// then checks that it is a regular file this process may trust.
func openFile(path string, readOnly bool, o Options) (*os.File, error) {
	flag := os.O_RDWR
	if readOnly {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	switch {
	case err == nil:
	case isSymlinkErr(err):
		return nil, fmt.Errorf("%w: %s is a symbolic link", ErrNotRegular, path)
	case isNotRegularErr(err):
		return nil, fmt.Errorf("%w: %s: %w", ErrNotRegular, path, err)
	default:
		return nil, err
	}
	if err := checkFile(f, o); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkFile(f *os.File, o Options) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is a %s", ErrNotRegular, f.Name(), fileType(fi.Mode()))
	}
	if o.AllowOtherUsers {
		return nil
	}
	if uid := fileUID(fi); uid != uint32(os.Geteuid()) {
		return fmt.Errorf("%w: %s belongs to uid %d, not %d (set Options.AllowOtherUsers to trust it)", ErrPermission, f.Name(), uid, os.Geteuid())
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, writable by others (set Options.AllowOtherUsers to trust it)", ErrPermission, f.Name(), fi.Mode().Perm())
	}
	return nil
}

func fileUID(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 0
}

func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "non-regular file"
}

func newInfo(name, path string, fi fs.FileInfo, h Header) *Info {
	return &Info{Name: name, Path: path, Size: fi.Size(), Mode: fi.Mode().Perm(), UID: fileUID(fi), ModTime: fi.ModTime(), Header: h}
}

func creatorAlive(h *Header) bool {
	boot, err := proc.BootID()
	if err != nil || boot != h.BootID {
		return false
	}
	return proc.Alive(proc.ID{PID: h.CreatorPID, StartTime: h.CreatorStart})
}

// OpenRaw maps a segment that has no shmkit header, such as one made by
// shm_open(3) in C or by Python's multiprocessing.shared_memory: the whole
// file is the payload, and Kind is "". The same file checks as Open apply.
func OpenRaw(name string, opts *Options) (*Segment, error) {
	s, err := openRaw(name, opts.withDefaults())
	if err != nil {
		return nil, opError("open raw", name, err)
	}
	return s, nil
}

func openRaw(name string, o Options) (_ *Segment, err error) {
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	f, err := openFile(path, o.ReadOnly, o)
	if err != nil {
		return nil, err
	}
	s := &Segment{name: name, path: path, file: f, readOnly: o.ReadOnly, raw: true}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() <= 0 || fi.Size() > MaxPayloadSize {
		return nil, fmt.Errorf("%w: file is %d bytes", ErrInvalidSize, fi.Size())
	}
	if err := s.mapFile(fi.Size()); err != nil {
		return nil, err
	}
	s.payload = s.mapping
	s.header = Header{PayloadSize: int(fi.Size())}
	return s, s.tune(o)
}

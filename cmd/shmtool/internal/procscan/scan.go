package procscan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"syscall"

	"github.com/prometheus/procfs"
)

// Use is a way a process uses a file, as a scan looks for it.
type Use uint8

const (
	Mapped Use = 1 << iota // a mapping listed in /proc/PID/maps
	Open                   // a descriptor in /proc/PID/fd

	All = Mapped | Open // what shmtool's who, gc and ls look for
)

// Snapshot is which processes used which files when Scan looked. Its
// methods do not modify it: goroutines may share one.
type Snapshot struct {
	// Complete is true only if every process was listed and its entries
	// read: what the others use is unknown. It is false when /proc cannot
	// be listed at all (no /proc: not Linux), when Unreadable is not 0,
	// and when Hidden is true.
	Complete bool
	// Scanned is how many processes /proc listed.
	Scanned int
	// Unreadable is how many of them have entries that exist but could
	// not be read (another user's, without privilege).
	Unreadable int
	// Hidden is true when /proc is mounted with hidepid=invisible (2) and
	// this process is not root: other users' processes are not even
	// listed, so Unreadable cannot count them.
	Hidden bool
	// Err is why /proc could not be listed, or nil.
	Err error

	root  string
	fs    procfs.FS
	users map[FileID][]user // by ascending pid
}

type user struct {
	pid  int
	uses Use
}

// Scan reads, for every process in /proc, the files it uses in the ways
// uses says.
func Scan(uses Use) *Snapshot { return scan(procfs.DefaultMountPoint, uses) }

// scan is Scan of the proc tree at root, for tests.
//
// procfs lists the processes (FS.AllProcs) and reads and parses their
// maps (Proc.ProcMaps) and descriptor numbers (Proc.FileDescriptors). It
// has no call for the device and inode of an open file: its
// FileDescriptorTargets gives the link's text, a path, which a renamed or
// unlinked file, or one in another mount namespace, does not match. So
// each /proc/PID/fd/N is stat(2)ed here, which follows the link to the
// open file itself.
func scan(root string, uses Use) *Snapshot {
	s := &Snapshot{root: root, users: map[FileID][]user{}}
	pfs, err := procfs.NewFS(root)
	if err != nil {
		s.Err = err
		return s
	}
	s.fs = pfs
	procs, err := pfs.AllProcs()
	if err != nil {
		s.Err = err
		return s
	}
	sort.Sort(procs) // by pid, so that every Snapshot's lists are too
	for _, p := range procs {
		seen, readable := s.process(p, uses)
		s.Scanned++
		if !readable {
			s.Unreadable++
		}
		for id, u := range seen {
			s.users[id] = append(s.users[id], user{p.PID, u})
		}
	}
	s.Hidden = hidesPIDs(pfs, root)
	s.Complete = s.Unreadable == 0 && !s.Hidden
	return s
}

// process returns the files p uses, and false if some of its entries
// exist but could not be read. A process that has exited uses nothing.
func (s *Snapshot) process(p procfs.Proc, uses Use) (map[FileID]Use, bool) {
	seen := map[FileID]Use{}
	readable := true
	if uses&Mapped != 0 {
		maps, err := p.ProcMaps()
		switch {
		case gone(err):
			return nil, true
		case err != nil:
			readable = false // its descriptors may still be readable
		}
		for _, m := range maps {
			if m.Inode != 0 { // inode 0: anonymous memory, no file
				seen[FileID{Dev: devString(m.Dev), Ino: m.Inode}] |= Mapped
			}
		}
	}
	if uses&Open != 0 {
		fds, err := p.FileDescriptors()
		if err != nil && !gone(err) { // gone: it exited after its maps were read
			readable = false
		}
		dir := filepath.Join(s.root, strconv.Itoa(p.PID), "fd")
		for _, fd := range fds {
			// Stat follows the link to the open file, wherever it is.
			fi, err := os.Stat(filepath.Join(dir, strconv.FormatUint(uint64(fd), 10)))
			if err != nil {
				if !gone(err) { // a descriptor closed meanwhile is not in use
					readable = false
				}
				continue
			}
			if id, ok := IDOf(fi); ok {
				seen[id] |= Open
			}
		}
	}
	return seen, readable
}

// gone tells an entry that no longer exists, because its process (or its
// descriptor) is gone, from one that could not be read.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

// hidesPIDs reports whether the proc filesystem at root is mounted with
// hidepid=invisible, which leaves other users' processes out of its
// listing, for a caller that is neither root nor in the mount's gid=
// group. procfs reads the mount options (Proc.MountInfo of FS.Self); a
// tree without a "self" (a test's) hides nothing.
func hidesPIDs(pfs procfs.FS, root string) bool {
	if os.Geteuid() == 0 {
		return false
	}
	groups, _ := os.Getgroups()
	self, err := pfs.Self()
	if err != nil {
		return false
	}
	mounts, err := self.MountInfo()
	if err != nil {
		return false
	}
	for _, m := range mounts {
		if m.FSType == "proc" && m.MountPoint == root {
			switch m.SuperOptions["hidepid"] {
			case "2", "invisible":
				gid, err := strconv.Atoi(m.SuperOptions["gid"])
				return err != nil || !slices.Contains(append(groups, os.Getegid()), gid)
			}
		}
	}
	return false
}

// PIDs returns the processes that used id, in ascending order.
func (s *Snapshot) PIDs(id FileID) []int {
	pids := make([]int, 0, len(s.users[id]))
	for _, u := range s.users[id] {
		pids = append(pids, u.pid)
	}
	return pids
}

// Count returns how many processes used id: ls's NATTCH.
func (s *Snapshot) Count(id FileID) int { return len(s.users[id]) }

// Process is one process found using a file.
type Process struct {
	PID int `json:"pid"`
	// Command is its /proc/PID/comm; "" if it has exited since.
	Command string `json:"command"`
	// UID is its effective uid, from /proc/PID/status; nil if it has
	// exited since.
	UID *uint64 `json:"uid,omitempty"`
	// Mapped and Open say how it uses the file: a mapping, a descriptor,
	// or both.
	Mapped bool `json:"mapped"`
	Open   bool `json:"open"`
}

// Processes returns the processes that used id, by pid, with their
// command names and uids, read now (procfs's Proc.Comm and
// Proc.NewStatus). The slice is empty, never nil, if none did, so that
// it reads as [] in JSON.
func (s *Snapshot) Processes(id FileID) []Process {
	procs := []Process{}
	for _, u := range s.users[id] {
		p := Process{PID: u.pid, Mapped: u.uses&Mapped != 0, Open: u.uses&Open != 0}
		if proc, err := s.fs.Proc(u.pid); err == nil {
			p.Command, _ = proc.Comm()
			if st, err := proc.NewStatus(); err == nil {
				uid := st.UIDs[1]
				p.UID = &uid
			}
		}
		procs = append(procs, p)
	}
	return procs
}

// Users returns the processes that map or hold open the file at path, by
// pid, and the Snapshot they were found in (for its Complete). Its error
// is Identify's.
func Users(path string) ([]Process, *Snapshot, error) {
	id, err := Identify(path)
	if err != nil {
		return nil, nil, err
	}
	s := Scan(All)
	return s.Processes(id), s, nil
}

package procscan

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Use is a way a process uses a file, as a scan looks for it.
type Use uint8

const (
	Mapped Use = 1 << iota // a mapping listed in /proc/PID/maps
	Open                   // a descriptor in /proc/PID/fd
)

// Snapshot is which processes used which files when Scan looked. Its
// methods do not modify it: goroutines may share one.
type Snapshot struct {
	// Complete is false if some process's entries exist but could not be
	// read: what it uses is unknown.
	Complete bool
	root     string
	users    map[FileID][]int // ascending pids
}

// Scan reads, for every process in /proc, the files it uses in the ways
// uses says.
func Scan(uses Use) *Snapshot { return scan("/proc", uses) }

// scan is Scan of the proc tree at root, for tests.
func scan(root string, uses Use) *Snapshot {
	s := &Snapshot{Complete: true, root: root, users: map[FileID][]int{}}
	for _, pid := range pids(root) {
		for id := range s.process(filepath.Join(root, strconv.Itoa(pid)), uses) {
			s.users[id] = append(s.users[id], pid)
		}
	}
	return s
}

// pids lists the processes under root, in ascending order, so that every
// Snapshot's lists are too.
func pids(root string) []int {
	dirs, _ := filepath.Glob(filepath.Join(root, "[0-9]*"))
	var out []int
	for _, dir := range dirs {
		if pid, err := strconv.Atoi(filepath.Base(dir)); err == nil {
			out = append(out, pid)
		}
	}
	slices.Sort(out)
	return out
}

// process returns the files the process at dir uses.
func (s *Snapshot) process(dir string, uses Use) map[FileID]bool {
	seen := map[FileID]bool{}
	if uses&Mapped != 0 {
		f, err := os.Open(filepath.Join(dir, "maps"))
		if err != nil {
			s.missed(err)
			return nil // gone, or not ours to read: nor are its descriptors
		}
		for _, id := range mapsIDs(f) {
			seen[id] = true
		}
		f.Close()
	}
	if uses&Open != 0 {
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		s.missed(err)
		for _, fd := range fds {
			// Stat follows the link to the open file, wherever it is.
			if fi, err := os.Stat(filepath.Join(dir, "fd", fd.Name())); err == nil {
				if id, ok := IDOf(fi); ok {
					seen[id] = true
				}
			}
		}
	}
	return seen
}

// missed notes an entry that could not be read. One that no longer
// exists belonged to a process that exited: it used nothing.
func (s *Snapshot) missed(err error) {
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.Complete = false
	}
}

// PIDs returns the processes that used id, in ascending order.
func (s *Snapshot) PIDs(id FileID) []int { return slices.Clone(s.users[id]) }

// Process is one process found using a file.
type Process struct {
	PID     int    `json:"pid"`
	Command string `json:"command"` // its /proc/PID/comm; "" if it has exited since
}

// Processes returns the processes that used id, by pid, with their
// command names, read now. The slice is empty, never nil, if none did,
// so that it reads as [] in JSON.
func (s *Snapshot) Processes(id FileID) []Process {
	procs := []Process{}
	for _, pid := range s.users[id] {
		comm, _ := os.ReadFile(filepath.Join(s.root, strconv.Itoa(pid), "comm"))
		procs = append(procs, Process{PID: pid, Command: string(bytes.TrimSpace(comm))})
	}
	return procs
}

// Mappers returns the processes that map the file at path, by pid. Its
// error is Identify's.
func Mappers(path string) ([]Process, error) {
	id, err := Identify(path)
	if err != nil {
		return nil, err
	}
	return Scan(Mapped).Processes(id), nil
}

//go:build linux

package shmnet

import (
	"os"
	"strings"
)

// Inspection, for shmtool: a connection's memory seen from outside,
// read-only, without taking part in it.

// State is what a connection's shared memory says.
type State struct {
	Capacity int `json:"capacity"`
	// Dirs are the two directions: [0] dialer to listener, [1] listener
	// to dialer.
	Dirs [2]DirState `json:"directions"`
}

// DirState is one direction of a connection.
type DirState struct {
	Written      uint64 `json:"written"`  // bytes the writer wrote
	Read         uint64 `json:"read"`     // bytes the reader read
	Buffered     uint64 `json:"buffered"` // written, not yet read
	WriterClosed bool   `json:"writer_closed"`
	ReaderClosed bool   `json:"reader_closed"`
	ReaderParked bool   `json:"reader_parked"`
	WriterParked bool   `json:"writer_parked"`
}

// InspectFile reads the state of the connection whose memory f holds (a
// descriptor of its memfd, such as /proc/PID/fd/N opened read-only). It
// maps it read-only and validates it, and never writes.
func InspectFile(f *os.File) (State, error) {
	mem, err := mapReadOnly(f)
	if err != nil {
		return State{}, err
	}
	defer unmap(mem)
	capacity, err := checkHeader(mem)
	if err != nil {
		return State{}, err
	}
	st := State{Capacity: capacity}
	for i, d := range dirs(mem, capacity) {
		w, r := d.wpos.Load(), d.rpos.Load()
		st.Dirs[i] = DirState{
			Written: w, Read: r, Buffered: w - r,
			WriterClosed: d.writeClosed.Load() == 1, ReaderClosed: d.readClosed.Load() == 1,
			ReaderParked: d.readerParked.Load() == 1, WriterParked: d.writerParked.Load() == 1,
		}
		if w-r > uint64(capacity) {
			st.Dirs[i].Buffered = 0 // a corrupt position: say nothing
		}
	}
	return st, nil
}

// memfdPrefix starts the name of every connection's memfd, as
// /proc/PID/fd shows it: "/memfd:shmnet:NAME (deleted)".
const memfdPrefix = "/memfd:shmnet:"

// ConnName returns the connection name in link, the target of a
// /proc/PID/fd symlink, if it is a shmnet connection's memory.
func ConnName(link string) (string, bool) {
	rest, ok := strings.CutPrefix(link, memfdPrefix)
	if !ok {
		return "", false
	}
	return strings.TrimSuffix(rest, " (deleted)"), true
}

// ListenerName returns the listener name in a Unix socket's path as
// /proc/net/unix shows it ("@shmkit/shmnet/NAME"), if it is one.
func ListenerName(path string) (string, bool) {
	return strings.CutPrefix(path, "@shmkit/shmnet/")
}

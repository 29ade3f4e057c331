package proc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// ID names one process for its whole lifetime.
type ID struct {
	PID       int
	StartTime uint64 // clock ticks since boot
}

// ErrNoProcess is returned by Lookup when no process has the pid.
var ErrNoProcess = errors.New("no such process")

var self = sync.OnceValues(func() (ID, error) { return Lookup(os.Getpid()) })

// Self returns the calling process's ID.
func Self() (ID, error) { return self() }

// Lookup returns the ID of the live process with the given pid.
// A zombie counts as dead.
func Lookup(pid int) (ID, error) {
	if pid <= 0 {
		return ID{}, ErrNoProcess
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ID{}, ErrNoProcess
		}
		return ID{}, err
	}
	state, start, err := parseStat(b)
	if err != nil {
		return ID{}, fmt.Errorf("proc: /proc/%d/stat: %w", pid, err)
	}
	if state == 'Z' || state == 'X' {
		return ID{}, ErrNoProcess
	}
	return ID{PID: pid, StartTime: start}, nil
}

// Alive reports whether the process id still runs: its pid exists and has
// the same start time.
func Alive(id ID) bool {
	cur, err := Lookup(id.PID)
	return err == nil && cur.StartTime == id.StartTime
}

// parseStat returns the state and start time from the contents of
// /proc/PID/stat. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStat(b []byte) (state byte, start uint64, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, errors.New("malformed stat line")
	}
	fields := bytes.Fields(b[i+1:])
	// fields[0] is field 3 (state); field 22 (starttime) is fields[19].
	if len(fields) < 20 || len(fields[0]) != 1 {
		return 0, 0, errors.New("malformed stat line")
	}
	start, err = strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("malformed start time: %w", err)
	}
	return fields[0][0], start, nil
}

var bootID = sync.OnceValues(func() ([16]byte, error) {
	var id [16]byte
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return id, err
	}
	h := bytes.ReplaceAll(bytes.TrimSpace(b), []byte("-"), nil)
	if len(h) != 32 {
		return id, fmt.Errorf("proc: malformed boot_id %q", b)
	}
	if _, err := hex.Decode(id[:], h); err != nil {
		return id, fmt.Errorf("proc: malformed boot_id %q: %w", b, err)
	}
	return id, nil
})

// BootID returns the kernel's random id of the current boot, so that a
// start time recorded in a file can be told apart from one of a later boot.
func BootID() ([16]byte, error) { return bootID() }

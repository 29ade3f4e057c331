//go:build linux

package shmnet

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shmkit/shmkit/internal/spin"
)

// Config is a listener's: the connections it accepts get its buffers
// and its waiting. Dial and Pipe use the defaults.
type Config struct {
	// Capacity is each direction's buffer, in bytes: a power of two from
	// MinCapacity to MaxCapacity. Zero means DefaultCapacity (1 MiB).
	Capacity int
	// Perm says who may connect, as a socket file's mode would: 0600 (the
	// default, for zero) only processes of the listener's uid; 0660 its
	// group too; 0666 anyone. Root may always connect, as with a file.
	Perm os.FileMode
	// Allow, if set, is asked about every peer Perm admits, and refuses
	// those it returns false for.
	Allow func(Cred) bool
	// Spin is how long a Read or Write waiting for the peer spins before
	// it parks: a peer that answers within it costs no system call on
	// either side. Zero means DefaultSpin; negative, park at once.
	Spin time.Duration
	// Backlog is how many connections may be set up and waiting for
	// Accept at once. Past it the listener takes no more connections from
	// its socket, and a Dial waits until a slot frees, its context ends,
	// or the setup's own timeout (5 s) passes: a flood of dials costs a
	// bounded number of descriptors and buffers. A dialer that stalls its
	// handshake holds a slot until that timeout. Zero means
	// DefaultBacklog.
	Backlog int
}

// DefaultSpin is Config.Spin's default.
const DefaultSpin = 50 * time.Microsecond

// DefaultBacklog is Config.Backlog's default.
const DefaultBacklog = 128

func (cfg Config) withDefaults() (Config, error) {
	if cfg.Capacity == 0 {
		cfg.Capacity = DefaultCapacity
	}
	if !validCapacity(uint64(cfg.Capacity)) {
		return cfg, fmt.Errorf("shmnet: capacity %d: want a power of two from %d to %d", cfg.Capacity, MinCapacity, MaxCapacity)
	}
	if cfg.Perm == 0 {
		cfg.Perm = 0o600
	}
	if cfg.Perm&^0o777 != 0 {
		return cfg, fmt.Errorf("shmnet: permission %v: want bits of 0777", cfg.Perm)
	}
	if cfg.Spin == 0 {
		cfg.Spin = DefaultSpin
	}
	if cfg.Backlog == 0 {
		cfg.Backlog = DefaultBacklog
	}
	if cfg.Backlog < 0 {
		return cfg, fmt.Errorf("shmnet: backlog %d: want a positive count", cfg.Backlog)
	}
	return cfg, nil
}

// spins is d in PAUSEs.
func spins(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(max(1, d.Nanoseconds()/spin.PauseNanos()))
}

// admits reports whether a peer with cred may connect under perm, as the
// kernel would decide for a socket file of mode perm owned by us.
func admits(perm os.FileMode, cred Cred) bool {
	switch {
	case cred.UID == 0 || cred.UID == os.Getuid():
		return true
	case cred.GID == os.Getgid() || slices.Contains(cred.Groups, os.Getgid()):
		return perm&0o060 == 0o060
	}
	return perm&0o006 == 0o006
}

// maxName is the longest name: the socket's abstract address has room
// for 107 bytes, and it carries a prefix.
const maxName = 80

// socketName is the abstract Unix socket address of the listener called
// name. An abstract address is not a file: it goes when the listener's
// process exits, so that a dead listener leaves nothing behind, and the
// kernel refuses a second live listener on it.
func socketName(name string) (string, error) {
	if name == "" || len(name) > maxName || strings.ContainsAny(name, "/\x00") {
		return "", fmt.Errorf("shmnet: name %q: want 1 to %d bytes, no '/' or NUL", name, maxName)
	}
	return "@shmkit/shmnet/" + name, nil
}

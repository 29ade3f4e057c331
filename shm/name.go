package shm

import (
	"fmt"
	"path/filepath"
	"strings"
)

// DefaultDir is where bare names live: the POSIX shared-memory namespace,
// the same place shm_open(3) and Python's multiprocessing.shared_memory use.
const DefaultDir = "/dev/shm"

const (
	maxNameLen = 255  // NAME_MAX
	maxPathLen = 4095 // PATH_MAX less the NUL
)

// Path returns the file that holds the segment called name: DefaultDir/name
// for a bare name, or name itself when it contains a '/'.
func Path(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if strings.Contains(name, "/") {
		return name, nil
	}
	return filepath.Join(DefaultDir, name), nil
}

// checkName refuses names that could escape their directory or confuse a
// shell: empty, over-long, "..", NUL, or characters outside a safe set.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidName)
	}
	if !strings.Contains(name, "/") {
		return checkBase(name)
	}
	if len(name) > maxPathLen {
		return fmt.Errorf("%w: path is %d bytes, limit %d", ErrInvalidName, len(name), maxPathLen)
	}
	if strings.HasSuffix(name, "/") {
		return fmt.Errorf("%w: %q names a directory", ErrInvalidName, name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return fmt.Errorf("%w: %q contains \"..\"", ErrInvalidName, name)
		}
	}
	return checkBase(filepath.Base(name))
}

func checkBase(base string) error {
	if len(base) > maxNameLen {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidName, len(base), maxNameLen)
	}
	if base == "." || base == ".." {
		return fmt.Errorf("%w: %q", ErrInvalidName, base)
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: %q has byte %q; allowed are letters, digits, '.', '_' and '-'", ErrInvalidName, base, c)
		}
	}
	return nil
}

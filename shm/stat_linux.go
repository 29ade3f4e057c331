package shm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

// Stat reads and validates the header of the segment called name without
// mapping it and without waiting: a segment whose creator is at work is
// reported as ErrNotReady. The file is opened read-only.
func Stat(name string) (*Info, error) {
	path, err := Path(name)
	if err != nil {
		return nil, opError("stat", name, err)
	}
	info, err := stat(name, path)
	if err != nil {
		return nil, opError("stat", name, err)
	}
	return info, nil
}

func stat(name, path string) (*Info, error) {
	f, err := openFile(path, true, Options{AllowOtherUsers: true})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := readMagic(f); err != nil {
		return nil, err
	}
	lk, ok, err := lockInit(f, false, 0)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: its creator holds the init lock", ErrNotReady)
	}
	defer lk.unlock()
	h, _, err := readHeader(f)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return newInfo(name, path, fi, *h), nil
}

// List returns the shmkit segments in dir (DefaultDir when dir is ""),
// sorted by name. Files without the shmkit magic, such as segments of other
// programs and shmkit's liveness files, are left out, and never locked;
// files with it that fail validation are listed with Info.Err set. Names
// are bare for DefaultDir and paths otherwise, so that each can be passed
// to Open.
func List(dir string) ([]Info, error) { return list(dir, false) }

// ListAll is List with the files List leaves out because they lack the
// shmkit magic: each has Info.Err set, wrapping ErrBadMagic.
func ListAll(dir string) ([]Info, error) { return list(dir, true) }

func list(dir string, all bool) ([]Info, error) {
	if dir == "" {
		dir = DefaultDir
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("shm: list %s: %w", dir, err)
	}
	var out []Info
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		name := path
		if filepath.Clean(dir) == DefaultDir {
			name = e.Name()
		}
		if checkName(name) != nil {
			continue
		}
		info, err := stat(name, path)
		switch {
		case err == nil:
			out = append(out, *info)
		case errors.Is(err, ErrNotExist), errors.Is(err, ErrNotRegular):
			// gone, or replaced by a non-file
		case errors.Is(err, ErrBadMagic) && !all:
			// not ours
		default:
			bad := Info{Name: name, Path: path, Err: err}
			if fi, serr := os.Lstat(path); serr == nil {
				bad.Size, bad.Mode, bad.UID, bad.ModTime = fi.Size(), fi.Mode().Perm(), fileUID(fi), fi.ModTime()
			}
			out = append(out, bad)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes the segment called name. Processes that have it mapped
// keep their mapping until they close it, as with unlink(2). A symlink,
// directory or other non-regular file is refused with ErrNotRegular.
func Remove(name string) error {
	path, err := Path(name)
	if err != nil {
		return opError("remove", name, err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return opError("remove", name, err)
	}
	if !fi.Mode().IsRegular() {
		return opError("remove", name, fmt.Errorf("%w: %s is a %s", ErrNotRegular, path, fileType(fi.Mode())))
	}
	// unlink never follows a symlink, so a swap after the Lstat cannot
	// make it remove anything but the name itself.
	if err := syscall.Unlink(path); err != nil {
		return opError("remove", name, err)
	}
	return nil
}

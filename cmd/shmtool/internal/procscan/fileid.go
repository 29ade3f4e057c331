package procscan

import (
	"errors"
	"os"
)

// FileID identifies a file as /proc/PID/maps does: the device as
// "MAJOR:MINOR" in hex, and the inode.
type FileID struct {
	Dev string
	Ino uint64
}

// ErrNoFileID is returned by Identify when the system does not tell a
// file's device and inode (on systems other than Linux).
var ErrNoFileID = errors.New("cannot read the file's device and inode")

// Identify returns the FileID of the file at path, not following a final
// symbolic link. Its error is os.Lstat's, or ErrNoFileID.
func Identify(path string) (FileID, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return FileID{}, err
	}
	id, ok := IDOf(fi)
	if !ok {
		return FileID{}, ErrNoFileID
	}
	return id, nil
}

package procscan

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
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

// mapsIDs lists the files of a /proc/PID/maps listing. Each line is
// "ADDR PERMS OFFSET DEV INODE [PATH]"; inode 0 is no file.
func mapsIDs(r io.Reader) []FileID {
	var ids []FileID
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		if ino, err := strconv.ParseUint(f[4], 10, 64); err == nil && ino != 0 {
			ids = append(ids, FileID{Dev: f[3], Ino: ino})
		}
	}
	return ids
}

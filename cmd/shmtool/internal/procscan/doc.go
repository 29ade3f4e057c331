// Package procscan finds, in /proc, the processes that map or hold open a
// file: shmtool who (which processes map a segment) and shmtool gc (which
// segments no live process uses) share its one scan.
//
//	id, err := procscan.Identify("/dev/shm/orders")
//	if err != nil {
//		return err
//	}
//	snap := procscan.Scan(procscan.Mapped | procscan.Open)
//	if len(snap.PIDs(id)) == 0 && snap.Complete {
//		// nobody maps or holds it open, as far as anyone can tell
//	}
//
// Files are told apart by device and inode, as /proc/PID/maps prints
// them, so that a file renamed or reached by another path is still found.
// The package returns values and prints nothing.
//
// # Caveats
//
// A scan is a snapshot: a process may map the file, or exit, right after
// its entries were read. Processes whose entries this user may not read
// (another user's, without privilege) are missing, and Snapshot.Complete
// says so; Mappers ignores them, as who always has. On systems other than
// Linux there is no /proc: a scan finds nobody and Identify fails with
// ErrNoFileID.
//
// Do not use a scan to decide that a file is free for a purpose where a
// race matters: a lock (see internal/live) is the only reliable answer.
package procscan

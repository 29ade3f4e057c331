// Package procscan finds, in /proc, the processes that map or hold open a
// file. It is shmtool's one /proc scanner: who (which processes use a
// segment), gc (which segments no live process uses) and ls (NATTCH, how
// many processes use each) all read the same Snapshot, so they agree.
//
//	id, err := procscan.Identify("/dev/shm/orders")
//	if err != nil {
//		return err
//	}
//	snap := procscan.Scan(procscan.All) // Mapped | Open
//	if snap.Count(id) == 0 && snap.Complete {
//		// nobody maps or holds it open, as far as anyone can tell
//	}
//
// Files are told apart by device and inode, as /proc/PID/maps prints
// them, so that a file renamed or reached by another path is still found.
// The reading and parsing of /proc is github.com/prometheus/procfs's
// (FS.AllProcs, Proc.ProcMaps, Proc.FileDescriptors, Proc.Comm,
// Proc.NewStatus, Proc.MountInfo); what procfs has no call for, the
// device and inode of an open descriptor, is a stat(2) of
// /proc/PID/fd/N here. The package returns values and prints nothing.
//
// # Caveats
//
// A scan is a snapshot: a process may map the file, or exit, right after
// its entries were read. Processes whose entries this user may not read
// (another user's, without privilege) are counted in
// Snapshot.Unreadable, what they read is still used, and
// Snapshot.Complete is false; so it is when /proc hides other users'
// processes altogether (hidepid=invisible) or cannot be read at all. On
// systems other than Linux there is no /proc: a scan finds nobody, is not
// Complete, and Identify fails with ErrNoFileID.
//
// Do not use a scan to decide that a file is free for a purpose where a
// race matters: a lock (see internal/live) is the only reliable answer.
package procscan

// Package tmpfile creates files that appear under their name only when
// complete: built as an anonymous O_TMPFILE, then linked into place with
// linkat(2), which fails if the name is taken and never follows a symlink.
// Segments and liveness files are made this way, so that no other process
// ever sees one half-built.
//
// # Caveats
//
// On a file system without O_TMPFILE the file is built under a random
// hidden name (.shmkit-tmp-PID-RANDOM) that a process killed before
// Publish leaves behind.
package tmpfile

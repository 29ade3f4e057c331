package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/gc"
	"github.com/spf13/cobra"
)

func newGC(stdout io.Writer) *cobra.Command {
	var (
		asJSON bool
		cfg    gc.Config
	)
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove segments that no live process maps or holds open",
		Long: `Remove the shmkit segments in /dev/shm (or --dir) that no process maps or
holds open, as found in /proc/*/maps and /proc/*/fd (the scan who and ls's
NATTCH use), and sweep the liveness files (/dev/shm/shmkit-live-*) of dead
processes. Files without a shmkit header are never touched. --dry-run
removes nothing and says what gc would remove and sweep, liveness files
included; with --dir, liveness files are not looked at.

Removing only unlinks the name: a process that maps the segment after gc
looked keeps its memory, and one that opens it by name afterwards finds
nothing. Segments younger than --min-age are kept. When some process's
/proc entries cannot be read (another user's, without privilege), only
segments that no other user may open (mode 0600) are removed, and gc says
how many processes it could not inspect.

--json prints an object: "segments" (name, kind, size, action, why),
"liveness_files" (path, pid, action), "liveness_files_swept",
"dry_run", "processes_scanned", "unreadable_processes" and
"all_processes_inspected", which is true only when every process's
/proc entries could be read (as root, usually).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, err := gc.Run(cmd.Context(), cfg)
			if errors.Is(err, gc.ErrInvalidConfig) {
				return usagef("--min-age must not be negative")
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(stdout, rep)
			}
			return printGC(stdout, &rep)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	cmd.Flags().BoolVar(&cfg.DryRun, "dry-run", false, "say what would be removed and swept, remove nothing")
	cmd.Flags().StringVar(&cfg.Dir, "dir", "", "directory of segments (default /dev/shm)")
	cmd.Flags().DurationVar(&cfg.MinAge, "min-age", 0, "keep segments modified less than this long ago")
	return cmd
}

// printGC prints a line for each segment and liveness file, and always
// something: "nothing to remove" when there is nothing to say.
func printGC(w io.Writer, rep *gc.Report) error {
	for _, e := range rep.Segments {
		fmt.Fprintf(w, "%-12s %s (%s)\n", e.Action, e.Name, e.Why)
	}
	for _, e := range rep.Liveness {
		why := "liveness file of a dead process"
		if e.PID != 0 {
			why = fmt.Sprintf("liveness file of dead pid %d", e.PID)
		}
		if e.Why != "" {
			why += ": " + e.Why
		}
		fmt.Fprintf(w, "%-12s %s (%s)\n", e.Action, e.Path, why)
	}
	if len(rep.Segments) == 0 && len(rep.Liveness) == 0 {
		fmt.Fprintln(w, "nothing to remove: no shmkit segments, no dead processes' liveness files")
	}
	switch {
	case rep.HiddenProcs:
		fmt.Fprintln(w, "note: /proc hides other users' processes (hidepid): segments others may open were kept")
	case !rep.ProcsInspected && rep.ProcsScanned == 0:
		fmt.Fprintln(w, "note: /proc could not be read: segments others may open were kept")
	case !rep.ProcsInspected:
		fmt.Fprintf(w, "note: %d of %d processes could not be inspected (their /proc entries are closed to this user); segments others may open were kept\n",
			rep.UnreadableProcs, rep.ProcsScanned)
	}
	if rep.DryRun {
		_, err := fmt.Fprintln(w, "dry run: nothing was removed")
		return err
	}
	return nil
}

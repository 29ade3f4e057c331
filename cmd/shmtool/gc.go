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
holds open, as found in /proc/*/maps and /proc/*/fd, and sweep the liveness
files of dead processes. Files without a shmkit header are never touched.

Removing only unlinks the name: a process that maps the segment after gc
looked keeps its memory, and one that opens it by name afterwards finds
nothing. Segments younger than --min-age are kept. When some process's
/proc entries cannot be read (another user's, without privilege), only
segments that no other user may open (mode 0600) are removed.`,
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
			for _, e := range rep.Segments {
				fmt.Fprintf(stdout, "%-12s %s (%s)\n", e.Action, e.Name, e.Why)
			}
			if rep.LivenessSwept > 0 {
				fmt.Fprintf(stdout, "swept %d liveness files of dead processes\n", rep.LivenessSwept)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	cmd.Flags().BoolVar(&cfg.DryRun, "dry-run", false, "say what would be removed, remove nothing")
	cmd.Flags().StringVar(&cfg.Dir, "dir", "", "directory of segments (default /dev/shm)")
	cmd.Flags().DurationVar(&cfg.MinAge, "min-age", 0, "keep segments modified less than this long ago")
	return cmd
}

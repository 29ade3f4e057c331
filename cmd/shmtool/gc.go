package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// gcEntry is one segment gc looked at.
type gcEntry struct {
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"`
	Size   int64  `json:"size"`
	Action string `json:"action"` // "removed", "would remove", or "kept"
	Why    string `json:"why"`
}

func newGC(stdout io.Writer) *cobra.Command {
	var (
		asJSON, dryRun bool
		dir            string
		minAge         time.Duration
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
		RunE: func(_ *cobra.Command, _ []string) error {
			if minAge < 0 {
				return usagef("--min-age must not be negative")
			}
			infos, err := shm.List(dir)
			if err != nil {
				return err
			}
			inUse, complete := scanInUse()
			var out []gcEntry
			for _, info := range infos {
				e := gcEntry{Name: info.Name, Kind: info.Header.Kind, Size: info.Size, Action: "kept"}
				fi, err := os.Lstat(info.Path)
				if err != nil {
					continue // gone meanwhile
				}
				id, ok := fileID(fi)
				switch {
				case !ok:
					e.Why = "cannot identify the file"
				case len(inUse[id]) > 0:
					e.Why = "in use by pid " + joinPIDs(inUse[id])
				case time.Since(fi.ModTime()) < minAge:
					e.Why = "younger than --min-age"
				case !complete && fi.Mode().Perm()&0o077 != 0:
					e.Why = "others may open it, and some processes could not be inspected"
				case dryRun:
					e.Action, e.Why = "would remove", "no process maps or holds it"
				default:
					if err := shm.Remove(info.Name); err != nil {
						e.Why = err.Error()
					} else {
						e.Action, e.Why = "removed", "no process mapped or held it"
					}
				}
				out = append(out, e)
			}
			swept := 0
			if !dryRun && dir == "" {
				swept = live.Sweep()
			}
			if asJSON {
				return writeJSON(stdout, struct {
					Segments       []gcEntry `json:"segments"`
					LivenessSwept  int       `json:"liveness_files_swept"`
					ProcsInspected bool      `json:"all_processes_inspected"`
				}{append([]gcEntry{}, out...), swept, complete})
			}
			for _, e := range out {
				fmt.Fprintf(stdout, "%-12s %s (%s)\n", e.Action, e.Name, e.Why)
			}
			if swept > 0 {
				fmt.Fprintf(stdout, "swept %d liveness files of dead processes\n", swept)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be removed, remove nothing")
	cmd.Flags().StringVar(&dir, "dir", "", "directory of segments (default /dev/shm)")
	cmd.Flags().DurationVar(&minAge, "min-age", 0, "keep segments modified less than this long ago")
	return cmd
}

// scanInUse maps each file that some process maps or holds open to those
// processes' pids, from /proc. complete is false if some process's entries
// could not be read.
func scanInUse() (map[devIno][]int, bool) {
	inUse := map[devIno][]int{}
	complete := true
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		seen := map[devIno]bool{}
		f, err := os.Open(dir + "/maps")
		if err != nil {
			if !os.IsNotExist(err) {
				complete = false
			}
			continue
		}
		for _, id := range mapsIDs(f) {
			seen[id] = true
		}
		f.Close()
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil && !os.IsNotExist(err) {
			complete = false
		}
		for _, fd := range fds {
			if fi, err := os.Stat(filepath.Join(dir, "fd", fd.Name())); err == nil {
				if id, ok := fileID(fi); ok {
					seen[id] = true
				}
			}
		}
		for id := range seen {
			inUse[id] = append(inUse[id], pid)
		}
	}
	return inUse, complete
}

func joinPIDs(pids []int) string {
	s := ""
	for i, p := range pids {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(p)
	}
	return s
}

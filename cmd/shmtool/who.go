package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/procscan"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// whoJSON is who --json's object.
type whoJSON struct {
	Name       string             `json:"name"`
	Path       string             `json:"path"`
	Processes  []procscan.Process `json:"processes"` // by pid; [] when none
	Inspected  bool               `json:"all_processes_inspected"`
	Unreadable int                `json:"unreadable_processes"`
}

func newWho(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "who NAME",
		Short: "List the processes that map a segment or hold it open",
		Long: `List the processes that map the segment (in /proc/*/maps) or hold it open
(in /proc/*/fd), found by device and inode: PID, USER, COMMAND, and USE
(mapped, open, or both). This is the scan gc uses to tell a segment in use
and ls counts in NATTCH, so the three agree.

When no process uses the segment, who says "no process maps NAME or holds
it open" on stderr, and prints nothing on stdout. Processes whose /proc
entries this user may not read (another user's, without privilege) cannot
be seen; who then says how many it could not inspect, on stderr.

--json prints an object: name, path, processes (pid, command, uid, mapped,
open; [] when none), all_processes_inspected and unreadable_processes.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := shm.Path(args[0])
			if err != nil {
				return err
			}
			procs, snap, err := procscan.Users(path)
			if err != nil {
				return fmt.Errorf("who %s: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(stdout, whoJSON{args[0], path, procs, snap.Complete, snap.Unreadable})
			}
			stderr := cmd.ErrOrStderr()
			if len(procs) == 0 {
				fmt.Fprintf(stdout, "no process maps %s or holds it open\n", args[0])
			} else if err := printWho(stdout, procs); err != nil {
				return err
			}
			if note := scanNote(snap); note != "" {
				fmt.Fprintf(stderr, "note: %s: others may use %s unseen\n", note, args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

func printWho(w io.Writer, procs []procscan.Process) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tUSER\tCOMMAND\tUSE")
	owners := ownerNames{}
	for _, p := range procs {
		user, command := "?", p.Command
		if p.UID != nil {
			user = owners.name(uint32(*p.UID))
		}
		if command == "" {
			command = "(exited)"
		}
		var uses []string
		if p.Mapped {
			uses = append(uses, "mapped")
		}
		if p.Open {
			uses = append(uses, "open")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", p.PID, user, command, strings.Join(uses, ","))
	}
	return tw.Flush()
}

// scanNote says, for who and ls, what a scan could not see; "" when it
// saw every process (or there was no scan).
func scanNote(s *procscan.Snapshot) string {
	switch {
	case s == nil || s.Complete:
		return ""
	case s.Hidden:
		return "/proc hides other users' processes (hidepid)"
	case s.Scanned == 0:
		return "/proc could not be read"
	}
	return strconv.Itoa(s.Unreadable) + " of " + strconv.Itoa(s.Scanned) + " processes could not be inspected (their /proc entries are closed to this user)"
}

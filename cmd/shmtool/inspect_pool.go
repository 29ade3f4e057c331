package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/pool"
)

// printWorkers prints a pool's worker slots as a table under "workers:":
// one line a worker, as ps prints processes. A pool whose parent is dead
// (parentAlive false) has no live workers, whatever its segment says:
// they die with it (PR_SET_PDEATHSIG), so their pids are marked dead.
func printWorkers(w io.Writer, workers []pool.WorkerState, parentAlive bool, indent string) error {
	fmt.Fprintf(w, "%sworkers:\n", indent)
	if len(workers) == 0 {
		_, err := fmt.Fprintf(w, "%s  (none)\n", indent)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s  SLOT\tPID\tSTATE\tBUSY\tDONE\tGEN\tUP\n", indent)
	now := time.Now()
	for _, ws := range workers {
		pid, up := "-", "-"
		switch {
		case ws.PID == 0:
		case !parentAlive:
			pid = strconv.Itoa(ws.PID) + " (dead)"
		default:
			pid = strconv.Itoa(ws.PID)
			if !ws.Started.IsZero() {
				up = age(now.Sub(ws.Started))
			}
		}
		busy := "no"
		if ws.Busy {
			busy = "yes"
		}
		fmt.Fprintf(tw, "%s  %d\t%s\t%s\t%s\t%d\t%d\t%s\n", indent, ws.Slot, pid, ws.State, busy, ws.Done, ws.Generation, up)
	}
	return tw.Flush()
}

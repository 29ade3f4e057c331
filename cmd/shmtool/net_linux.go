//go:build linux

package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/netscan"
)

// shmnet's listeners and connections, in ls and inspect: they have no
// segment in /dev/shm (a connection is a memfd), so netscan finds them in
// /proc.

// netJSON is a listener or connection as ls --json lists it, beside the
// segments, told apart by kind.
type netJSON struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"` // "shmnet-listener" or "shmnet-conn"
	PID   int    `json:"pid,omitempty"`
	Conns *int   `json:"conns,omitempty"`
	netscan.Conn
}

func netRows(res netscan.Result) []any {
	var out []any
	for _, l := range res.Listeners {
		out = append(out, netJSON{Name: l.Name, Kind: "shmnet-listener", PID: l.PID, Conns: &l.Conns})
	}
	for _, c := range res.Conns {
		out = append(out, netJSON{Name: c.Name, Kind: "shmnet-conn", Conn: c})
	}
	return out
}

// printNet prints the listeners and connections of res, if any, as two
// tables, only those named name if name is not "".
func printNet(w io.Writer, res netscan.Result, name string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	header := false
	for _, l := range res.Listeners {
		if name != "" && l.Name != name {
			continue
		}
		if !header {
			fmt.Fprintln(tw, "\nSHMNET LISTENER\tPID\tCONNS")
			header = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\n", l.Name, pidText(l.PID), l.Conns)
	}
	header = false
	for _, c := range res.Conns {
		if name != "" && c.Name != name {
			continue
		}
		if !header {
			fmt.Fprintln(tw, "\nSHMNET CONN\tPIDS\tDIALER→LISTENER\tLISTENER→DIALER\tBUFFER\tSTATE")
			header = true
		}
		pids := make([]string, len(c.PIDs))
		for i, p := range c.PIDs {
			pids[i] = pidText(p)
		}
		if c.State == nil {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t(%s)\n", c.Name, strings.Join(pids, ","), c.Error)
			continue
		}
		st := c.State
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, strings.Join(pids, ","),
			dirText(st.Dirs[0].Written, st.Dirs[0].Buffered), dirText(st.Dirs[1].Written, st.Dirs[1].Buffered),
			human.Bytes(float64(st.Capacity)), connState(c))
	}
	return tw.Flush()
}

func pidText(pid int) string {
	if pid == 0 {
		return "?"
	}
	return fmt.Sprint(pid)
}

// dirText is a direction's bytes written, and those still buffered.
func dirText(written, buffered uint64) string {
	s := human.Bytes(float64(written))
	if buffered != 0 {
		s += fmt.Sprintf(" (%s unread)", human.Bytes(float64(buffered)))
	}
	return s
}

// connState says whether a connection is open, half-closed, closed, or
// left by a peer that exited.
func connState(c netscan.Conn) string {
	d := c.State.Dirs
	closed := 0
	for _, x := range d {
		if x.WriterClosed {
			closed++
		}
	}
	var parts []string
	switch {
	case len(c.PIDs) < 2 && closed == 2:
		parts = append(parts, "closed by peer")
	case len(c.PIDs) < 2:
		parts = append(parts, "peer gone")
	case closed == 2:
		parts = append(parts, "closed")
	case closed == 1:
		parts = append(parts, "half-closed")
	default:
		parts = append(parts, "open")
	}
	for i, x := range d {
		if x.ReaderParked {
			parts = append(parts, []string{"listener", "dialer"}[i]+" reading")
		}
	}
	return strings.Join(parts, ", ")
}

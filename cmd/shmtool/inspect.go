package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/netscan"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newInspect(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect NAME",
		Short: "Show a segment's header and state",
		Long: `Open the segment read-only (O_RDONLY, PROT_READ) and print its decoded header
and the live state of its kind. Inspect never writes to the segment.

A NAME with no segment but a shmnet listener or connections of that name
shows them instead: the listener's pid, and each connection's processes,
bytes each way, what is unread and its state.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			seg, err := shm.Open(args[0], &shm.Options{ReadOnly: true, AllowOtherUsers: true})
			if errors.Is(err, fs.ErrNotExist) { // perhaps a shmnet listener or connection: no file
				if found, nerr := inspectNet(stdout, args[0], asJSON); found || nerr != nil {
					return nerr
				}
			}
			if err != nil {
				return err
			}
			defer seg.Close()
			info, err := seg.Stat()
			if err != nil {
				return err
			}
			j := newSegmentJSON(info, time.Now())
			st, err := kinds.Inspect(seg)
			if err == nil {
				j.State, err = toMap(st)
			}
			if err != nil {
				return fmt.Errorf("inspect %s: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(stdout, j)
			}
			return printInspect(stdout, &j)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

func printInspect(w io.Writer, j *segmentJSON) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s:\t%v\n", k, v) }
	row("name", j.Name)
	row("path", j.Path)
	row("kind", fmt.Sprintf("%s (version %d)", j.Kind, j.KindVersion))
	row("size", fmt.Sprintf("%d bytes (payload %d at offset %d)", j.Size, j.PayloadSize, j.PayloadOffset))
	row("mode", fmt.Sprintf("%s, owner uid %d", j.Mode, j.OwnerUID))
	row("layout", j.LayoutVersion)
	alive := "dead"
	if j.CreatorAlive {
		alive = "alive"
	}
	row("creator", fmt.Sprintf("pid %d (%s)", j.CreatorPID, alive))
	row("created", j.CreatedAt)
	if e := j.Elem; e != nil {
		row("elements", fmt.Sprintf("%d × %s (size %d, align %d, fingerprint %s)", e.Count, e.Type, e.Size, e.Align, e.Fingerprint))
	}
	keys := make([]string, 0, len(j.State))
	for k := range j.State {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row("state."+k, j.State[k])
	}
	return tw.Flush()
}

// inspectNet prints the shmnet listener and connections called name, and
// reports whether there were any.
func inspectNet(w io.Writer, name string, asJSON bool) (bool, error) {
	res := netscan.Scan()
	var sel netscan.Result
	for _, l := range res.Listeners {
		if l.Name == name {
			sel.Listeners = append(sel.Listeners, l)
		}
	}
	for _, c := range res.Conns {
		if c.Name == name {
			sel.Conns = append(sel.Conns, c)
		}
	}
	if len(sel.Listeners)+len(sel.Conns) == 0 {
		return false, nil
	}
	if asJSON {
		return true, writeJSON(w, netRows(sel))
	}
	return true, printNet(w, sel, name)
}

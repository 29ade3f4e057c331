package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/netscan"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newLs(stdout io.Writer) *cobra.Command {
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "ls [DIR]",
		Short: "List shmkit segments in /dev/shm or DIR",
		Long: `List the segments that carry a shmkit header, in /dev/shm or in DIR: name,
kind, size, creator pid, whether the creator still runs, and age. Files
without the header (other programs' segments and shmkit's liveness files)
are left out, or with --all shown as foreign; they are never locked. Broken
shmkit segments are listed with an error.

Then shmnet's listeners and connections, which have no file in /dev/shm (a
connection is a memfd): each listener's pid and open connections, each
connection's processes, bytes each way and state, read from /proc without
writing to them. With --json they follow the segments in the array, as
objects of kind "shmnet-listener" and "shmnet-conn".`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("want at most one directory, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			list := shm.List
			if all {
				list = shm.ListAll
			}
			infos, err := list(dir)
			if err != nil {
				return err
			}
			now := time.Now()
			rows := make([]segmentJSON, 0, len(infos))
			for i := range infos {
				rows = append(rows, newSegmentJSON(&infos[i], now))
			}
			net := netscan.Result{}
			if dir == "" { // shmnet's objects are not files of a directory
				net = netscan.Scan()
			}
			if asJSON {
				all := make([]any, 0, len(rows))
				for _, r := range rows {
					all = append(all, r)
				}
				return writeJSON(stdout, append(all, netRows(net)...))
			}
			if err := printLs(stdout, rows); err != nil {
				return err
			}
			return printNet(stdout, net, "")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	cmd.Flags().BoolVar(&all, "all", false, "also list files without a shmkit header, as foreign")
	return cmd
}

func printLs(w io.Writer, rows []segmentJSON) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSIZE\tMODE\tCREATOR\tALIVE\tAGE")
	for _, r := range rows {
		if r.Foreign {
			kind := "foreign"
			if strings.HasPrefix(filepath.Base(r.Path), live.Prefix) {
				kind = "liveness"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t-\t-\t-\n", r.Name, kind, r.Size, r.Mode)
			continue
		}
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t?\t%d\t%s\t-\t-\t-\t(%s)\n", r.Name, r.Size, r.Mode, r.Error)
			continue
		}
		alive := "no"
		if r.CreatorAlive {
			alive = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\t%s\n", r.Name, r.Kind, r.Size, r.Mode, r.CreatorPID, alive,
			age(time.Duration(r.AgeSeconds*float64(time.Second))))
	}
	return tw.Flush()
}

package main

import (
	"fmt"
	"io"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/procscan"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newWho(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "who NAME",
		Short: "List the processes that map a segment",
		Long: `List the processes that have the segment mapped, found by device and inode
in /proc/*/maps. Processes whose maps this user may not read are not shown.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := shm.Path(args[0])
			if err != nil {
				return err
			}
			procs, err := procscan.Mappers(path)
			if err != nil {
				return fmt.Errorf("who %s: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(stdout, struct {
					Name      string             `json:"name"`
					Path      string             `json:"path"`
					Processes []procscan.Process `json:"processes"`
				}{args[0], path, procs})
			}
			for _, p := range procs {
				fmt.Fprintf(stdout, "%d\t%s\n", p.PID, p.Command)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

package main

import (
	"fmt"
	"io"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newDump(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "dump NAME",
		Short: "Print the contents of a value or array segment",
		Long: `Open a value or array segment read-only and print its elements: decoded for
basic types (int8..int64, uint8..uint64, float32, float64), in hex otherwise.
A value is read as a consistent snapshot; an array is copied as it is at that
moment, element by element, without its lock.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			seg, err := shm.Open(args[0], &shm.Options{ReadOnly: true, AllowOtherUsers: true})
			if err != nil {
				return err
			}
			defer seg.Close()
			values, err := kinds.Elements(seg)
			if err != nil {
				return err
			}
			e := seg.Header().Elem
			if asJSON {
				return writeJSON(stdout, struct {
					Name   string `json:"name"`
					Type   string `json:"type"`
					Len    uint64 `json:"len"`
					Values []any  `json:"values"`
				}{seg.Name(), e.Name, e.Count, values})
			}
			if seg.Kind() == "value" {
				_, err := fmt.Fprintln(stdout, values[0])
				return err
			}
			for i, v := range values {
				if _, err := fmt.Fprintf(stdout, "%d\t%v\n", i, v); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"name", "type", "len", "values"}`)
	return cmd
}

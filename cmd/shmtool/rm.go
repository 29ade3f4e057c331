package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newRm(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rm NAME...",
		Short: "Remove segments",
		Long: `Remove each named segment. Processes that have it mapped keep their mapping
until they close it. Exits 1 if any removal failed.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("want at least one segment NAME")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			type result struct {
				Name    string `json:"name"`
				Removed bool   `json:"removed"`
				Error   string `json:"error,omitempty"`
			}
			results := make([]result, 0, len(args))
			var errs []error
			for _, name := range args {
				r := result{Name: name, Removed: true}
				if err := shm.Remove(name); err != nil {
					r.Removed, r.Error = false, err.Error()
					errs = append(errs, err)
				}
				results = append(results, r)
			}
			if asJSON {
				if err := writeJSON(stdout, results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					if r.Removed {
						fmt.Fprintf(stdout, "removed %s\n", r.Name)
					}
				}
			}
			if len(errs) == 1 {
				return errs[0]
			}
			if len(errs) > 1 {
				return fmt.Errorf("%d of %d removals failed; first: %w", len(errs), len(args), errors.Join(errs[0]))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of results")
	return cmd
}

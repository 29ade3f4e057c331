package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/demo"
	"github.com/spf13/cobra"
)

func newDemo(stdout io.Writer) *cobra.Command {
	var cfg demo.Config
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Pass messages through shared memory from this process to a child process",
		Long: `Create a segment, start a second shmtool process that maps it, and hand it
messages one at a time, parking on a futex word in the segment between turns.
The child checks the CRC-32 of every message; the demo prints the totals.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, err := demo.Run(cmd.Context(), cfg)
			if errors.Is(err, demo.ErrInvalidConfig) {
				return usagef("--messages must be positive and --size from 1 to %d", demo.MaxSize)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(stdout, struct {
					Messages         int     `json:"messages"`
					Size             int     `json:"size"`
					Path             string  `json:"path"`
					WriterPID        int     `json:"writer_pid"`
					ReaderPID        int     `json:"reader_pid"`
					CRC              uint32  `json:"crc32"`
					ElapsedNs        int64   `json:"elapsed_ns"`
					RoundTripsPerSec float64 `json:"round_trips_per_sec"`
				}{rep.Messages, rep.Size, rep.Path, rep.WriterPID, rep.ReaderPID, rep.CRC, rep.Elapsed.Nanoseconds(),
					float64(rep.Messages) / rep.Elapsed.Seconds()})
			}
			fmt.Fprintf(stdout, "sent %d messages of %d bytes from pid %d to pid %d through %s\n", rep.Messages, rep.Size, rep.WriterPID, rep.ReaderPID, rep.Path)
			fmt.Fprintf(stdout, "the reader verified every byte (crc32 %08x)\n", rep.CRC)
			_, err = fmt.Fprintf(stdout, "%v, %.0f round trips/s, %.2f µs each (blocking futex handoff)\n",
				rep.Elapsed.Round(time.Millisecond), float64(rep.Messages)/rep.Elapsed.Seconds(), rep.Elapsed.Seconds()*1e6/float64(rep.Messages))
			return err
		},
	}
	cmd.Flags().IntVar(&cfg.Messages, "messages", 100000, "messages to send")
	cmd.Flags().IntVar(&cfg.Size, "size", 64, "bytes per message")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as a JSON object")
	return cmd
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// tick is one line of watch --json.
type tick struct {
	Time        string  `json:"time"`
	MsgsPerSec  float64 `json:"msgs_per_sec"`
	BytesPerSec float64 `json:"bytes_per_sec"`
	Fill        float64 `json:"fill"` // used / capacity, 0 to 1
	Used        uint64  `json:"used"`
	Producer    int     `json:"producer_pid"` // rings and streams; 0 for a queue
	Consumer    int     `json:"consumer_pid"`
	Peers       string  `json:"peers"` // "PRODUCER/CONSUMER", or how many of each a queue has
}

func newWatch(stdout io.Writer) *cobra.Command {
	var (
		asJSON   bool
		interval time.Duration
		count    int
	)
	cmd := &cobra.Command{
		Use:   "watch NAME",
		Short: "Show a ring's, stream's or queue's live message and byte rates and fill",
		Long: `Open a ring, stream or queue read-only and print, every --interval, the
messages and bytes per second consumed since the last tick and how full it
is, from the counters it keeps in shared memory: the processes that use it
need not help. --count stops after that many ticks (0: until interrupted).`,
		Args: exactArgs(1, "one ring, stream or queue NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if interval <= 0 || count < 0 {
				return usagef("--interval must be positive and --count not negative")
			}
			seg, err := shm.Open(args[0], &shm.Options{ReadOnly: true, AllowOtherUsers: true})
			if err != nil {
				return err
			}
			defer seg.Close()
			read := kinds.ReadFlow
			prev, err := read(seg)
			if errors.Is(err, kinds.ErrNoFlow) {
				return fmt.Errorf("%s is a %q segment; watch follows rings, streams and queues", args[0], seg.Kind())
			}
			if err != nil {
				return err
			}
			if !asJSON {
				fmt.Fprintf(stdout, "%-8s  %12s  %14s  %6s  %s\n", "TIME", "MSGS/S", "BYTES/S", "FILL", "PEERS")
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			last := time.Now()
			for i := 0; count == 0 || i < count; i++ {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(interval):
				}
				if err := seg.Check(); err != nil { // truncated: reading would fault
					return err
				}
				st, err := read(seg)
				if err != nil {
					return err
				}
				now := time.Now()
				dt := now.Sub(last).Seconds()
				t := tick{
					Time:        now.UTC().Format(time.RFC3339),
					MsgsPerSec:  float64(st.Messages-prev.Messages) / dt,
					BytesPerSec: float64(st.Bytes-prev.Bytes) / dt,
					Fill:        float64(st.Used) / float64(st.Capacity),
					Used:        st.Used,
					Producer:    st.Producer,
					Consumer:    st.Consumer,
					Peers:       st.Peers,
				}
				prev, last = st, now
				if asJSON {
					if err := writeJSONLine(stdout, t); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintf(stdout, "%-8s  %12.0f  %14.0f  %5.1f%%  %s\n", now.Format("15:04:05"), t.MsgsPerSec, t.BytesPerSec, 100*t.Fill, t.Peers)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per tick")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "time between ticks")
	cmd.Flags().IntVar(&count, "count", 0, "stop after this many ticks (0: never)")
	return cmd
}

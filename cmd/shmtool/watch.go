package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/follow"
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
	ProducerOK  bool    `json:"producer_alive"` // rings and streams: the pid's process runs
	ConsumerOK  bool    `json:"consumer_alive"`
	Peers       string  `json:"peers"` // "PRODUCER/CONSUMER", "1234 (dead)" once one died; how many of each a queue has; a pool's "PARENT/N workers"
}

func newWatch(stdout io.Writer) *cobra.Command {
	var (
		asJSON bool
		cfg    follow.WatchConfig
	)
	cmd := &cobra.Command{
		Use:   "watch NAME",
		Short: "Show a ring's, stream's, queue's or pool's live message and byte rates and fill",
		Long: `Open a ring, stream, queue or pool read-only and print, every --interval,
the messages and bytes per second consumed since the last tick and how full
it is, from the counters it keeps in shared memory: the processes that use
it need not help. A pool's messages are its tasks, finished (done or failed)
per second; it counts no bytes, and is as full as its workers are busy.
--count stops after that many ticks (0: until interrupted).`,
		Args: exactArgs(1, "one ring, stream, queue or pool NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := follow.Watch(args[0], cfg)
			if errors.Is(err, follow.ErrInvalidConfig) {
				return usagef("--interval must be positive and --count not negative")
			}
			if err != nil {
				return err
			}
			defer w.Close()
			if !asJSON {
				fmt.Fprintf(stdout, "%-8s  %10s  %12s  %6s  %s\n", "TIME", "MSGS/S", "BYTES/S", "FILL", "PEERS")
			}
			for {
				s, err := w.Next(cmd.Context())
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				if asJSON {
					if err := writeJSONLine(stdout, tick{
						Time: s.Time.UTC().Format(time.RFC3339), MsgsPerSec: s.MsgsPerSec, BytesPerSec: s.BytesPerSec,
						Fill: s.Fill, Used: s.Used, Producer: s.Producer, Consumer: s.Consumer,
						ProducerOK: s.ProducerAlive, ConsumerOK: s.ConsumerAlive, Peers: s.Peers,
					}); err != nil {
						return err
					}
					continue
				}
				bytes := byteRate(s.BytesPerSec)
				if s.Tasks { // a pool counts tasks, not bytes
					bytes = "-"
				}
				fmt.Fprintf(stdout, "%-8s  %10s  %12s  %5.1f%%  %s\n", s.Time.Format("15:04:05"), rate(s.MsgsPerSec), bytes, 100*s.Fill, s.Peers)
			}
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per tick")
	cmd.Flags().DurationVar(&cfg.Interval, "interval", time.Second, "time between ticks")
	cmd.Flags().IntVar(&cfg.Count, "count", 0, "stop after this many ticks (0: never)")
	return cmd
}

// rate formats messages per second for a person: 950, 12.3k, 4.56M.
func rate(v float64) string {
	n, unit := humanize.ComputeSI(v)
	if unit == "" {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g%s", n, unit)
}

// byteRate formats bytes per second in binary units: 512 B/s, 1.2 MiB/s.
func byteRate(v float64) string { return humanize.IBytes(uint64(max(v, 0))) + "/s" }

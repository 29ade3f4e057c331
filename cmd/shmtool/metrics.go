package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/metrics"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// defaultMetricsListen is where metrics serves unless told: loopback
// only, since the exporter has neither authentication nor TLS and what it
// serves (segment names, traffic, which processes live) is not for the
// network unless asked for (--listen :9464).
const defaultMetricsListen = "127.0.0.1:9464"

func newMetrics(stdout, stderr io.Writer) *cobra.Command {
	var (
		listen       string
		once, asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "metrics [DIR]",
		Short: "Serve every segment's counters to Prometheus",
		Long: `Serve, at http://ADDR/metrics (--listen, 127.0.0.1:9464 unless told), the
counters and state of every shmkit segment in /dev/shm or DIR in the
Prometheus text format: a ring's and a queue's messages, bytes, waits and
wake-ups on each side and how full it is, a stream's bytes, a mutex's
state and a dead owner, a semaphore's value and holders, a dict's entries,
sets, evictions, expiries and repairs, a pool's tasks (submitted, done,
failed, retried, queued, in flight) and workers, and every segment's size
and readability. Each sample is labelled with the segment's name and kind.

Segments are listed and read at each scrape, opened read-only
(O_RDONLY, PROT_READ): metrics never writes to them, and files without
the shmkit header are left alone. A removed segment is gone from the next
scrape. Peers publish their counts every 64 messages, when they wait and
when they close.

--once prints one scrape to stdout and exits; --json prints it as a JSON
array of samples ({"metric", "type", "labels", "value"}) and exits.
Serving stops at SIGINT or SIGTERM.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("want at most one directory, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			serve := !once && !asJSON
			switch _, _, err := net.SplitHostPort(listen); {
			case !serve && cmd.Flags().Changed("listen"):
				return usagef("--listen serves until stopped, --once and --json print one scrape and exit: give one or the other")
			case serve && err != nil:
				return usagef("--listen %q: want HOST:PORT or :PORT (%v)", listen, err)
			}
			if _, err := shm.List(dir); err != nil { // a directory that cannot be listed fails now, not at every scrape
				return err
			}
			reg := metrics.NewRegistry(dir)
			switch {
			case asJSON:
				samples, err := metrics.Samples(reg)
				if err != nil {
					return err
				}
				return writeJSON(stdout, samples)
			case once:
				return metrics.WriteText(stdout, reg)
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(stderr, "shmtool metrics: serving http://%s%s\n", ln.Addr(), metrics.Path)
			return metrics.Serve(ctx, ln, metrics.Handler(reg, log.New(stderr, "shmtool metrics: ", 0)))
		},
	}
	cmd.Flags().StringVar(&listen, "listen", defaultMetricsListen, "serve on this TCP address, HOST:PORT (:PORT for every interface)")
	cmd.Flags().BoolVar(&once, "once", false, "print one scrape to stdout, in the text format, and exit")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one scrape as a JSON array of samples, and exit")
	return cmd
}

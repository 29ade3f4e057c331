package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/bench"
	"github.com/spf13/cobra"
)

func newBench(stdout, stderr io.Writer) *cobra.Command {
	var (
		quick, asJSON     bool
		duration          time.Duration
		rounds            int
		sizes, transports string
		cpus, plotFile    string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure shmkit against pipes, sockets, channels and the hardware floor",
		Long: `Measure, between two processes on this machine (bench starts the second one
itself), one-way throughput and round-trip latency of shmkit's ring, queue and
stream, and of what a program would otherwise use: a pipe, Unix stream and
seqpacket sockets, and (within one process) a buffered Go channel. Two floors
frame them: limit, an atomic ping-pong on one shared cache line (the fastest
round trip the hardware allows), and futex, a raw futex ping-pong (the fastest
blocking one).

Every message carries a sequence number that the receiver checks, and the
receiver reads every byte of every payload (a CRC-32C). In spin mode both
sides busy-wait (non-blocking descriptors for pipes and sockets); in block
mode they park (futexes, or Go's poller). ×PIPE is throughput over the pipe's
in the same mode; ×LIMIT is the round-trip p50 over limit's.

The default run takes about a minute; --quick about 15 seconds.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := bench.Config{Duration: duration, Rounds: rounds, Progress: stderr}
			if duration == 0 {
				cfg.Duration = 250 * time.Millisecond
				if quick {
					cfg.Duration = 60 * time.Millisecond
				}
			}
			if rounds < 1 {
				return usagef("--rounds %d: want at least 1", rounds)
			}
			if quick && !cmd.Flags().Changed("rounds") {
				cfg.Rounds = 1
			}
			var err error
			if transports != "" {
				cfg.Transports = splitList(transports)
			}
			if sizes != "" {
				if cfg.Sizes, err = parseSizes(sizes); err != nil {
					return err
				}
			}
			if cpus != "" {
				if cfg.CPUs, err = parseInts(cpus); err != nil {
					return usagef("--cpus %q: %v", cpus, err)
				}
			}
			format := strings.TrimPrefix(filepath.Ext(plotFile), ".")
			if plotFile != "" && format != "svg" && format != "png" {
				return usagef("--plot %q: want a .svg or .png file", plotFile)
			}
			rep, err := bench.Run(cmd.Context(), cfg)
			if errors.Is(err, bench.ErrInvalidConfig) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if plotFile != "" {
				if err := writePlot(plotFile, format, rep); err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
			}
			if asJSON {
				return writeJSON(stdout, rep)
			}
			return printBenchTable(stdout, rep)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, `print {"machine": {...}, "results": [...]}`)
	fl.BoolVar(&quick, "quick", false, "shorter measurements: about 15s in all")
	fl.DurationVar(&duration, "duration", 0, "time per measurement (default 250ms, 60ms with --quick)")
	fl.IntVar(&rounds, "rounds", 3, "measure everything this many times, round by round, and report the median (1 with --quick)")
	fl.StringVar(&sizes, "sizes", "", "message sizes, comma-separated (default 8,64,1024,65536)")
	fl.StringVar(&transports, "transports", "", "transports, comma-separated (default all: "+bench.TransportNames()+")")
	fl.StringVar(&cpus, "cpus", "", "pin the two processes to cores A,B")
	fl.StringVar(&plotFile, "plot", "", "also draw the results to FILE.svg or FILE.png")
	return cmd
}

// splitList splits a comma-separated flag, trimming spaces.
func splitList(s string) []string {
	f := strings.Split(s, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

// parseSizes parses --sizes: sizes as parseSize reads them.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := parseSize(f)
		if err != nil {
			return nil, usagef("--sizes: %q: %v", f, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseInts parses a comma-separated list of integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// writePlot draws rep's chart into the file at path.
func writePlot(path, format string, rep bench.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WritePlot(f, format); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
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
		profileDir        string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure shmkit against pipes, sockets, channels and the hardware floors",
		Long: `Measure, between two processes on this machine (bench starts the second one
itself), one-way throughput and round-trip latency of shmkit's ring, queue and
stream, of conn (a shmnet connection, read and written as a net.Conn), and
of what a program would otherwise use: a pipe, Unix stream and seqpacket
sockets, and (within one process) a buffered Go channel. ring-batch and
queue-batch are the ring and the queue written with batch writes
(WriteBatch, batches of about 4 KiB, at most 256 messages), throughput
only. dict is a shmkit dict each way used as a mailbox: message n is Set
under key n mod 64 and Got by the other process (spin only), so its rows
are how fast a Set value reaches another process's Get. For throughput the
ring and the queue are read in place (ReadBatch) and the stream
with WriteTo (io.Copy's path, in place), each lingering up to 4µs for a
fuller batch (SetLinger); round trips read with Next and Read, which do
not linger. conn's block mode is a connection's default waiting (spin up to
50µs, then park until the peer's wake-up). Three floors frame them: floor, a minimal
Go ring between the two processes doing the same work (fixed-size records, no
validation, counters or liveness; spin, throughput only; 64-byte records
72 bytes apart, a third faster than one to a line); limit, an atomic
ping-pong on one shared cache line (the fastest round trip the hardware
allows); and futex, a raw futex ping-pong (the fastest blocking one).
Each link's ring (or stream, or queue) holds what it ran fastest in on the
project's VM: 1 MiB (doubled up to 4 MiB to hold 32 messages) where the
producer outruns the consumer, as at 1 KiB and more and with batch writes,
so that a lap fits in a core's L2; 4 MiB for single writes below 1 KiB,
where only the depth counts (a blocking producer parks less often); the
floor's 1 MiB.

Every message carries a sequence number that the receiver checks, and the
receiver checks the CRC-32C of every payload against the sender's (and the
round trips' sender the replies'): a message lost, repeated, out of order or
changed fails the run, so every row printed arrived intact. In spin mode both
sides busy-wait (non-blocking descriptors for pipes and sockets); in block
mode they park (futexes, or Go's poller). Block-mode round trips of ring,
queue, stream and futex come in two regimes, as separate rows: back-to-back
(each round trip starts as the last one ends) and after-idle (each starts
after an untimed pause of 1 ms; duration/1.1ms of them, at least 50).

×PIPE is throughput over the pipe's (same size and mode). ×FLOOR is throughput
over floor's (same size; floor only spins, so rows of both modes are over floor
spin). ×RTT-FLOOR is the round-trip p50 over limit's for spin rows, and over
futex's of the same regime for block rows. WAKE/MSG is futex wake-ups per
message, from shmkit's shared counters, in the throughput phase / in the round
trips (two messages each): 0 for floor and limit, which only spin, 1 for futex,
which wakes on every message, - where it is not counted (pipes, sockets,
channels, and conn and dict, whose waits are not a ring's).

The whole plan is measured --rounds times, round by round (round 2 begins when
round 1 has measured every row), and each figure is the median of its rounds;
± is the rounds' lowest and highest relative to the median. A round goes size
by size, the floors first, so that a row is measured within seconds of its
baselines, and each ratio is the median of the rounds' ratios (a row over its
baseline of the same round). --json keeps each round's figures and ratios too
(rounds, round_ratios), the ratios as x_pipe, x_floor and x_rtt_floor, and
their spread over the rounds (ratio_spread). Its machine says what ran the
bench: cpu, cores, kernel, go, pinned_cpus (--cpus, or null), shared_core (the
two processes were seen on one core at least once, where every wait is a
context switch: unpinned, the kernel may put them there) and
copy_bytes_per_sec (the single-core copy above the table).

--cpuprofile DIR writes a CPU profile (pprof) of each process of each
measurement into DIR, named for the row and the round:
ring-spin-64-main-r1.send.pprof is the sending process's (which also
times the round trips), ring-spin-64-main-r1.recv.pprof the receiving
one's (which echoes them); chan, in one process, has only the first. go
tool pprof reads one, or merges several
(go tool pprof -top DIR/ring-spin-64-main-r*.recv.pprof). Profiling costs
a little of what it measures.

On the project's 2-core VM a default run (3 rounds) takes 2 min 20 s and
--quick (1 round of shorter measurements) 13 s.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := bench.Config{Duration: duration, Rounds: rounds, ProfileDir: profileDir, Progress: stderr, Terminal: isTerminal(stderr)}
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
			if cmd.Flags().Changed("transports") { // an empty list too, which is an error
				cfg.Transports = splitList(transports)
			}
			if cmd.Flags().Changed("sizes") {
				if cfg.Sizes, err = parseSizes(sizes); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("cpus") {
				if cfg.CPUs, err = parseInts(cpus); err != nil {
					return usagef("--cpus %q: %v", cpus, err)
				}
			}
			format := strings.TrimPrefix(filepath.Ext(plotFile), ".")
			if plotFile != "" && format != "svg" && format != "png" {
				return usagef("--plot %q: want a .svg or .png file", plotFile)
			}
			var chart *chartFile
			if plotFile != "" { // opened now: a path it cannot write fails before minutes of measuring, not after
				if chart, err = openChart(plotFile); err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
			}
			rep, err := bench.Run(cmd.Context(), cfg)
			if err != nil {
				chart.discard()
				if errors.Is(err, bench.ErrInvalidConfig) {
					return usageError{err}
				}
				return err
			}
			if chart != nil {
				if err := chart.write(format, rep); err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
				fmt.Fprintf(stderr, "bench: wrote the chart to %s\n", plotFile) // stderr: stdout may be --json
			}
			if asJSON {
				return writeJSON(stdout, rep)
			}
			return printBenchTable(stdout, rep)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, `print {"machine": {...}, "rounds": N, "results": [...]}`)
	fl.BoolVar(&quick, "quick", false, "shorter measurements, 1 round unless --rounds: about 13s in all")
	fl.DurationVar(&duration, "duration", 0, "time per measurement (default 250ms, 60ms with --quick)")
	fl.IntVar(&rounds, "rounds", 3, "measure everything this many times, round by round, and report the median (1 with --quick)")
	fl.StringVar(&sizes, "sizes", "", "message sizes, comma-separated (default 8,64,1024,65536)")
	fl.StringVar(&transports, "transports", "", "transports, comma-separated (default all: "+bench.TransportNames()+")")
	fl.StringVar(&cpus, "cpus", "", "pin the two processes to cores A,B")
	fl.StringVar(&plotFile, "plot", "", "also draw the results to FILE.svg or FILE.png")
	fl.StringVar(&profileDir, "cpuprofile", "", "write CPU profiles of both processes of every measurement into DIR, for go tool pprof")
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
		n, err := parseBytes(f) // the bench's range, not a segment's
		if err != nil {
			return nil, usagef("--sizes: %v", err)
		}
		if n.Cmp(big.NewInt(bench.MinSize)) < 0 || n.Cmp(big.NewInt(bench.MaxSize)) > 0 {
			return nil, usagef("--sizes: message size %s: want %d to %d bytes", n, bench.MinSize, bench.MaxSize)
		}
		out = append(out, int(n.Int64()))
	}
	return out, nil
}

// parseInts parses a comma-separated list of integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a core number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// chartFile is --plot's file, opened before the bench runs.
type chartFile struct {
	f       *os.File
	created bool // by us: a failed run removes it
}

// openChart opens path for writing, creating it if need be, without
// truncating it: a run that fails leaves an existing file as it was.
func openChart(path string) (*chartFile, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &chartFile{f: f, created: errors.Is(statErr, fs.ErrNotExist)}, nil
}

// write draws rep's chart into the file, replacing what it held.
func (c *chartFile) write(format string, rep bench.Report) error {
	err := c.f.Truncate(0)
	if err == nil {
		err = rep.WritePlot(c.f, format)
	}
	return errors.Join(err, c.f.Close())
}

// discard closes the file, and removes it if the run created it.
func (c *chartFile) discard() {
	if c == nil {
		return
	}
	c.f.Close()
	if c.created {
		os.Remove(c.f.Name())
	}
}

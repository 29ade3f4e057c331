package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/bench"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
)

// The bench's table: one row per result, with ratios to the pipe and to
// the floors, the rounds' spread and the wake-ups per message.

// ratios formats a row's ratios for the table, "" for one that is
// missing: those Run computed (the median of the rounds' own ratios), or
// for a row without rounds, those of its figures (bench.Ratios).
func ratios(rs []bench.Result, r bench.Result) (overPipe, overFloor, overRTTFloor string) {
	p, f, t := r.OverPipe, r.OverFloor, r.OverRTTFloor
	if len(r.Rounds) == 0 {
		p, f, t = bench.Ratios(rs, r)
	}
	format := func(v *float64, verb string) string {
		if v == nil {
			return ""
		}
		return fmt.Sprintf(verb, *v)
	}
	return format(p, "%.1f×"), format(f, "%.2f×"), format(t, "%.2f×")
}

func printBenchTable(w io.Writer, rep bench.Report) error {
	m, rs := rep.Machine, rep.Results
	rounds := "1 round"
	if rep.Rounds > 1 {
		rounds = fmt.Sprintf("median of %d rounds, ± their spread", rep.Rounds)
	}
	fmt.Fprintf(w, "%s\nsingle-core copy (64 KiB blocks): %s/s; %s\n\n", m, human.Bytes(m.CopyBytesPerSec), rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TRANSPORT\tMODE\tREGIME\tSIZE\tMSGS/S\t±\tBYTES/S\t×PIPE\t×FLOOR\tRTT p50\t±\tp99\tp99.9\t×RTT-FLOOR\tWAKE/MSG\t")
	opt := func(v *float64, f func(float64) string) string {
		if v == nil {
			return "-"
		}
		return f(*v)
	}
	for _, r := range rs {
		overPipe, overFloor, overRTTFloor := ratios(rs, r)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Transport, r.Mode, dash(r.Regime), r.MsgSize,
			opt(r.MsgsPerSec, human.Count), spread(r, "msgs_per_sec", rep.Rounds),
			opt(r.BytesPerSec, func(v float64) string { return human.Bytes(v) + "/s" }), dash(overPipe), dash(overFloor),
			opt(r.RTTP50, human.Ns), spread(r, "rtt_p50_ns", rep.Rounds), opt(r.RTTP99, human.Ns), opt(r.RTTP999, human.Ns), dash(overRTTFloor),
			wakes(r))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, `
×PIPE: throughput over the pipe's (same size and mode). ×FLOOR: throughput over floor's, a minimal
Go ring doing the same work (same size; floor spins, so spin for both modes). ×RTT-FLOOR: round-trip
p50 over its floor's: limit's (spin rows), an atomic ping-pong on one cache line, or futex's of the
same regime (block rows), a raw futex ping-pong. ±: the rounds' lowest and highest, relative to the
median. WAKE/MSG: futex wake-ups per message, throughput/round trips. Every message of every row
arrived in order and intact (its sequence number and payload CRC-32C checked).
`)
	return err
}

// spread formats a figure's spread over the rounds as -low/+high percent,
// or "-" if there is none (one round, or no such figure). A high of ten
// times the median or more (a disturbed round) is only said to be: the
// JSON has it.
func spread(r bench.Result, figure string, rounds int) string {
	s, ok := r.Spread[figure]
	if !ok || rounds < 2 {
		return "-"
	}
	high := fmt.Sprintf("%.0f", 100*s.High)
	if s.High >= 9.995 {
		high = ">999"
	}
	return fmt.Sprintf("-%.0f/+%s%%", math.Abs(100*s.Low), high)
}

// wakes formats a row's wake-ups per message: throughput phase, then
// round trips.
func wakes(r bench.Result) string {
	if r.WakeupsPerMsg == nil && r.RTTWakeupsPerMsg == nil {
		return "-"
	}
	f := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return strconv.FormatFloat(*v, 'g', 2, 64)
	}
	return f(r.WakeupsPerMsg) + "/" + f(r.RTTWakeupsPerMsg)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

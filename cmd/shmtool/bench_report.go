package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/bench"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
)

// The bench's table: one row per result, with ratios to the pipe and to
// the hardware floor.

// baseline finds the row of transport for the same size, preferring the
// same mode.
func baseline(rs []bench.Result, transport, mode string, size int) *bench.Result {
	var other *bench.Result
	for i := range rs {
		r := &rs[i]
		if r.Transport != transport || r.MsgSize != size {
			continue
		}
		if r.Mode == mode {
			return r
		}
		other = r
	}
	return other
}

// ratios returns a row's throughput over the pipe's and its round-trip
// p50 over limit's, or "" where either is missing.
func ratios(rs []bench.Result, r bench.Result) (overPipe, overLimit string) {
	if p := baseline(rs, "pipe", r.Mode, r.MsgSize); p != nil && p.MsgsPerSec != nil && r.MsgsPerSec != nil {
		overPipe = fmt.Sprintf("%.1f×", *r.MsgsPerSec / *p.MsgsPerSec)
	}
	if l := baseline(rs, "limit", "spin", r.MsgSize); l != nil && l.RTTP50 != nil && r.RTTP50 != nil {
		overLimit = fmt.Sprintf("%.2f×", *r.RTTP50 / *l.RTTP50)
	}
	return overPipe, overLimit
}

func printBenchTable(w io.Writer, rep bench.Report) error {
	m, rs := rep.Machine, rep.Results
	fmt.Fprintf(w, "%s\nsingle-core copy (64 KiB blocks): %s/s\n\n", m, human.Bytes(m.CopyBytesPerSec))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TRANSPORT\tMODE\tSIZE\tMSGS/S\tBYTES/S\t×PIPE\tRTT p50\tp99\tp99.9\t×LIMIT\t")
	opt := func(v *float64, f func(float64) string) string {
		if v == nil {
			return "-"
		}
		return f(*v)
	}
	for _, r := range rs {
		overPipe, overLimit := ratios(rs, r)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Transport, r.Mode, r.MsgSize,
			opt(r.MsgsPerSec, human.Count), opt(r.BytesPerSec, func(v float64) string { return human.Bytes(v) + "/s" }), dash(overPipe),
			opt(r.RTTP50, human.Ns), opt(r.RTTP99, human.Ns), opt(r.RTTP999, human.Ns), dash(overLimit))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\n×PIPE: throughput over the pipe's (same size and mode). ×LIMIT: round-trip p50 over limit's,\nan atomic ping-pong on one cache line, the fastest round trip this machine allows.")
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// benchMachine is what the results were measured on.
type benchMachine struct {
	CPU             string  `json:"cpu"`
	Cores           int     `json:"cores"`
	Kernel          string  `json:"kernel"`
	Go              string  `json:"go"`
	SharedCore      bool    `json:"shared_core"` // the two processes ran on one core (at least once)
	PinnedCPUs      []int   `json:"pinned_cpus"` // --cpus, or null
	CopyBytesPerSec float64 `json:"copy_bytes_per_sec"`
}

func describeMachine(cpus []int) benchMachine {
	m := benchMachine{CPU: cpuModel(), Cores: runtime.NumCPU(), Kernel: kernelRelease(), Go: runtime.Version(), PinnedCPUs: cpus}
	if len(cpus) == 2 {
		m.SharedCore = cpus[0] == cpus[1]
	}
	return m
}

func (m benchMachine) String() string {
	pin := "not pinned"
	if len(m.PinnedCPUs) == 2 {
		pin = fmt.Sprintf("pinned to cores %d and %d", m.PinnedCPUs[0], m.PinnedCPUs[1])
	}
	return fmt.Sprintf("%s, %d cores, Linux %s, %s, processes %s", m.CPU, m.Cores, m.Kernel, m.Go, pin)
}

// cpuModel reads the CPU's name from /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// copyBandwidth measures one core copying 64 KiB blocks from one 4 MiB
// buffer to another (the ring's size, so not all in cache): the floor for
// moving bytes at all, in bytes per second.
func copyBandwidth(d time.Duration) float64 {
	const block, span = 64 << 10, 4 << 20
	src, dst := make([]byte, span), make([]byte, span)
	for i := range src {
		src[i] = byte(i)
	}
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for off := 0; off < span; off += block {
			copy(dst[off:off+block], src[off:off+block])
		}
		n += span
	}
	benchSink.Add(uint32(dst[n%span]))
	return float64(n) / time.Since(start).Seconds()
}

// currentCPU returns the core the calling thread last ran on, from
// /proc/thread-self/stat (field 39), or -1.
func currentCPU() int {
	b, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		return -1
	}
	i := strings.LastIndexByte(string(b), ')') // the command name may hold spaces
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:])) // from field 3 on
	if len(f) < 37 {
		return -1
	}
	n, err := strconv.Atoi(f[36])
	if err != nil {
		return -1
	}
	return n
}

func humanCount(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func humanBytes(v float64) string {
	switch {
	case v >= 1<<30:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

func humanNs(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.2fµs", v/1e3)
	}
	return fmt.Sprintf("%.0fns", v)
}

// baseline finds the row of transport for the same size, preferring the
// same mode.
func baseline(rs []benchResult, transport, mode string, size int) *benchResult {
	var other *benchResult
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
func ratios(rs []benchResult, r benchResult) (overPipe, overLimit string) {
	if p := baseline(rs, "pipe", r.Mode, r.MsgSize); p != nil && p.MsgsPerSec != nil && r.MsgsPerSec != nil {
		overPipe = fmt.Sprintf("%.1f×", *r.MsgsPerSec / *p.MsgsPerSec)
	}
	if l := baseline(rs, "limit", "spin", r.MsgSize); l != nil && l.RTTP50 != nil && r.RTTP50 != nil {
		overLimit = fmt.Sprintf("%.2f×", *r.RTTP50 / *l.RTTP50)
	}
	return overPipe, overLimit
}

func printBenchTable(w io.Writer, m benchMachine, rs []benchResult) error {
	fmt.Fprintf(w, "%s\nsingle-core copy (64 KiB blocks): %s/s\n\n", m, humanBytes(m.CopyBytesPerSec))
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
			opt(r.MsgsPerSec, humanCount), opt(r.BytesPerSec, func(v float64) string { return humanBytes(v) + "/s" }), dash(overPipe),
			opt(r.RTTP50, humanNs), opt(r.RTTP99, humanNs), opt(r.RTTP999, humanNs), dash(overLimit))
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

package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/spf13/cobra"
)

// benchTransport is one thing bench measures: which modes it has and
// which figures apply to it.
type benchTransport struct {
	name  string
	modes []string
	tput  bool // one-way throughput applies
	rtt   bool // round trip applies
}

var benchTransports = []benchTransport{
	{"ring", []string{"spin", "block"}, true, true},
	{"queue", []string{"spin", "block"}, true, true},
	{"stream", []string{"spin", "block"}, true, true},
	{"pipe", []string{"spin", "block"}, true, true},
	{"unix", []string{"spin", "block"}, true, true},
	{"unixpacket", []string{"spin", "block"}, true, true},
	{"chan", []string{"block"}, true, true}, // goroutines of one process: a channel parks, it has no spin mode
	{"limit", []string{"spin"}, false, true},
	{"futex", []string{"block"}, false, true},
}

var benchSizes = []int{8, 64, 1024, 65536}

// Sequence numbers that end a phase, in a message's first 8 bytes.
const (
	endTput = ^uint64(0)
	endRTT  = ^uint64(0) - 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// benchSink keeps checksums of payloads live.
var benchSink atomic.Uint32

// benchResult is one row of the results: a figure that does not apply
// (or was not measured) is null.
type benchResult struct {
	Transport   string   `json:"transport"`
	Mode        string   `json:"mode"`
	MsgSize     int      `json:"msg_size"`
	MsgsPerSec  *float64 `json:"msgs_per_sec"`
	BytesPerSec *float64 `json:"bytes_per_sec"`
	RTTP50      *float64 `json:"rtt_p50_ns"`
	RTTP99      *float64 `json:"rtt_p99_ns"`
	RTTP999     *float64 `json:"rtt_p999_ns"`
}

type benchOptions struct {
	transports []benchTransport
	sizes      []int
	duration   time.Duration // per measurement
	cpus       []int         // the two processes' cores, or none
	asJSON     bool
	plot       string
}

func newBench(stdout, stderr io.Writer) *cobra.Command {
	var (
		quick, asJSON         bool
		duration              time.Duration
		sizes, transports     string
		cpus, plotFile, child string
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
		RunE: func(_ *cobra.Command, args []string) error {
			if child != "" {
				return benchChild(stdout, child, args)
			}
			o := benchOptions{duration: duration, asJSON: asJSON, plot: plotFile}
			if quick && duration == 0 {
				o.duration = 60 * time.Millisecond
			} else if duration == 0 {
				o.duration = 250 * time.Millisecond
			}
			if o.duration < 10*time.Millisecond || o.duration > time.Minute {
				return usagef("--duration %v: want 10ms to 1m per measurement", duration)
			}
			var err error
			if o.transports, err = parseTransports(transports); err != nil {
				return err
			}
			if o.sizes, err = parseSizes(sizes); err != nil {
				return err
			}
			if o.cpus, err = parseCPUs(cpus); err != nil {
				return err
			}
			if plotFile != "" && !strings.HasSuffix(plotFile, ".svg") && !strings.HasSuffix(plotFile, ".png") {
				return usagef("--plot %q: want a .svg or .png file", plotFile)
			}
			return runBench(stdout, stderr, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, `print {"machine": {...}, "results": [...]}`)
	fl.BoolVar(&quick, "quick", false, "shorter measurements: about 15s in all")
	fl.DurationVar(&duration, "duration", 0, "time per measurement (default 250ms, 60ms with --quick)")
	fl.StringVar(&sizes, "sizes", "", "message sizes, comma-separated (default 8,64,1024,65536)")
	fl.StringVar(&transports, "transports", "", "transports, comma-separated (default all: "+transportNames()+")")
	fl.StringVar(&cpus, "cpus", "", "pin the two processes to cores A,B")
	fl.StringVar(&plotFile, "plot", "", "also draw the results to FILE.svg or FILE.png")
	fl.StringVar(&child, "child", "", "internal: run as the second process of transport,mode,size,cpu")
	_ = fl.MarkHidden("child")
	cmd.Args = cobra.ArbitraryArgs // the child gets segment names
	return cmd
}

func transportNames() string {
	var names []string
	for _, t := range benchTransports {
		names = append(names, t.name)
	}
	return strings.Join(names, ",")
}

func parseTransports(s string) ([]benchTransport, error) {
	if s == "" {
		return benchTransports, nil
	}
	var out []benchTransport
	for name := range strings.SplitSeq(s, ",") {
		i := slices.IndexFunc(benchTransports, func(t benchTransport) bool { return t.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, usagef("--transports: unknown %q (have %s)", name, transportNames())
		}
		out = append(out, benchTransports[i])
	}
	return out, nil
}

func parseSizes(s string) ([]int, error) {
	if s == "" {
		return benchSizes, nil
	}
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := parseSize(strings.TrimSpace(f))
		if err != nil || n < 8 || n > 1<<20 {
			return nil, usagef("--sizes: %q: want 8 to 1M bytes", f)
		}
		out = append(out, int(n))
	}
	return out, nil
}

func parseCPUs(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	f := strings.Split(s, ",")
	if len(f) != 2 {
		return nil, usagef("--cpus %q: want two cores A,B", s)
	}
	var out []int
	for _, c := range f {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 0 || n >= runtime.NumCPU() {
			return nil, usagef("--cpus %q: want core numbers from 0 to %d", s, runtime.NumCPU()-1)
		}
		out = append(out, n)
	}
	return out, nil
}

// runBench measures every transport, mode and size asked for.
func runBench(stdout, stderr io.Writer, o benchOptions) error {
	runtime.LockOSThread() // pinning (and the hot loops) stay on this thread
	defer runtime.UnlockOSThread()
	if len(o.cpus) == 2 {
		if err := pinThread(o.cpus[0]); err != nil {
			return fmt.Errorf("pin to core %d: %w", o.cpus[0], err)
		}
	}
	m := describeMachine(o.cpus)
	fmt.Fprintf(stderr, "bench: %s\n", m)
	m.CopyBytesPerSec = copyBandwidth(o.duration)
	fmt.Fprintf(stderr, "bench: single-core copy of 64 KiB blocks: %s/s\n", humanBytes(m.CopyBytesPerSec))
	var results []benchResult
	for _, t := range o.transports {
		for _, mode := range t.modes {
			for _, size := range o.sizes {
				r, sharedCore, err := measure(t, mode, size, o)
				if err != nil {
					return fmt.Errorf("%s %s %d B: %w", t.name, mode, size, err)
				}
				m.SharedCore = m.SharedCore || sharedCore
				results = append(results, r)
				fmt.Fprintf(stderr, "bench: %-10s %-5s %6d B  %s\n", t.name, mode, size, r.summary())
			}
		}
	}
	if o.plot != "" {
		if err := savePlot(o.plot, m, results); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
	}
	if o.asJSON {
		return writeJSON(stdout, map[string]any{"machine": m, "results": results})
	}
	return printBenchTable(stdout, m, results)
}

func (r benchResult) summary() string {
	var parts []string
	if r.MsgsPerSec != nil {
		parts = append(parts, fmt.Sprintf("%s msgs/s, %s/s", humanCount(*r.MsgsPerSec), humanBytes(*r.BytesPerSec)))
	}
	if r.RTTP50 != nil {
		parts = append(parts, fmt.Sprintf("round trip p50 %s p99 %s", humanNs(*r.RTTP50), humanNs(*r.RTTP99)))
	}
	return strings.Join(parts, "; ")
}

// measure runs one transport, mode and size: the second process (or
// goroutine, for chan) receives for the throughput phase, then echoes for
// the round-trip phase.
func measure(t benchTransport, mode string, size int, o benchOptions) (benchResult, bool, error) {
	r := benchResult{Transport: t.name, Mode: mode, MsgSize: size}
	if t.name == "chan" {
		return measureChan(r, size, o.duration)
	}
	l, err := openLink(true, t.name, mode, size, nil)
	if err != nil {
		return r, false, err
	}
	defer l.closer()
	exe, err := os.Executable()
	if err != nil {
		return r, false, err
	}
	cpu := -1
	if len(o.cpus) == 2 {
		cpu = o.cpus[1]
	}
	spec := fmt.Sprintf("%s,%s,%d,%d", t.name, mode, size, cpu)
	cmd := exec.Command(exe, append([]string{"bench", "--child", spec}, l.args...)...)
	cmd.ExtraFiles = l.files
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, false, err
	}
	if err := cmd.Start(); err != nil {
		return r, false, err
	}
	defer cmd.Process.Kill()
	for _, f := range l.files { // the child has its own copies now: our ends see EOF when it exits
		f.Close()
	}
	lines := bufio.NewScanner(out)
	expect := func(prefix string) ([]string, error) {
		if !lines.Scan() {
			werr := cmd.Wait()
			return nil, fmt.Errorf("second process ended (%v) before %q", werr, prefix)
		}
		f := strings.Fields(lines.Text())
		if len(f) == 0 || f[0] != prefix {
			return nil, fmt.Errorf("second process said %q, want %q", lines.Text(), prefix)
		}
		return f[1:], nil
	}
	if _, err := expect("ready"); err != nil {
		return r, false, err
	}
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(rand.Uint32())
	}
	if t.tput {
		if err := sendFor(l.tx, msg, o.duration); err != nil {
			return r, false, err
		}
		f, err := expect("tput")
		if err != nil {
			return r, false, err
		}
		count, _ := strconv.ParseFloat(f[0], 64)
		ns, _ := strconv.ParseFloat(f[1], 64)
		if count == 0 || ns == 0 {
			return r, false, fmt.Errorf("no messages arrived")
		}
		mps := count / (ns / 1e9)
		bps := mps * float64(size)
		r.MsgsPerSec, r.BytesPerSec = &mps, &bps
	}
	shared := false
	if t.rtt {
		h, err := pingFor(l.tx, l.rx, msg, o.duration)
		if err != nil {
			return r, false, err
		}
		f, err := expect("done")
		if err != nil {
			return r, false, err
		}
		shared = len(f) > 0 && f[0] == strconv.Itoa(currentCPU())
		p50, p99, p999 := float64(h.ValueAtQuantile(50)), float64(h.ValueAtQuantile(99)), float64(h.ValueAtQuantile(99.9))
		r.RTTP50, r.RTTP99, r.RTTP999 = &p50, &p99, &p999
	}
	if err := cmd.Wait(); err != nil {
		return r, false, fmt.Errorf("second process: %w", err)
	}
	return r, shared, nil
}

// openLink makes (parent) or opens (child) the link for a transport.
func openLink(parent bool, transport, mode string, size int, args []string) (*link, error) {
	switch transport {
	case "ring", "stream":
		return ringLink(parent, transport == "stream", mode, size, args)
	case "queue":
		return queueLink(parent, mode, size, args)
	case "pipe", "unix", "unixpacket":
		return fdLink(parent, transport, mode)
	case "limit", "futex":
		return turnLinkFor(parent, mode, size, args)
	}
	return nil, fmt.Errorf("unknown transport %q", transport)
}

// sendFor sends numbered copies of msg for d, then the end of the phase.
func sendFor(tx sender, msg []byte, d time.Duration) error {
	every := max(1, 1<<16/len(msg)) // look at the clock every 64 KiB or so
	start := time.Now()
	for seq := uint64(0); ; seq++ {
		binary.LittleEndian.PutUint64(msg, seq)
		if err := tx.send(msg); err != nil {
			return err
		}
		if seq%uint64(every) == 0 && time.Since(start) > d {
			break
		}
	}
	binary.LittleEndian.PutUint64(msg, endTput)
	return tx.send(msg)
}

// pingFor makes round trips for d (after a tenth of that to warm up) and
// returns their times.
//
// The CRC of the replies is kept in benchSink so that reading them is not
// optimized away.
func pingFor(tx sender, rx receiver, msg []byte, d time.Duration) (*hdrhistogram.Histogram, error) {
	h := hdrhistogram.New(1, int64(10*time.Second), 3)
	buf := make([]byte, len(msg))
	warm := time.Now().Add(d / 10)
	var start time.Time
	var sum uint32
	for seq := uint64(0); ; seq++ {
		binary.LittleEndian.PutUint64(msg, seq)
		t0 := time.Now()
		if err := tx.send(msg); err != nil {
			return nil, err
		}
		reply, err := rx.recv(buf)
		if err != nil {
			return nil, err
		}
		rtt := time.Since(t0)
		if len(reply) != len(msg) || binary.LittleEndian.Uint64(reply) != seq {
			return nil, fmt.Errorf("round trip %d came back as %d bytes, sequence %d", seq, len(reply), binary.LittleEndian.Uint64(reply))
		}
		sum = crc32.Update(sum, castagnoli, reply) // read every byte
		switch {
		case t0.Before(warm):
		case start.IsZero():
			start = t0
		default:
			h.RecordValue(rtt.Nanoseconds())
			if seq%64 == 0 && time.Since(start) > d {
				binary.LittleEndian.PutUint64(msg, endRTT)
				benchSink.Add(sum)
				return h, tx.send(msg)
			}
		}
	}
}

// benchChild is the second process: spec is transport,mode,size,cpu.
func benchChild(stdout io.Writer, spec string, args []string) error {
	f := strings.Split(spec, ",")
	if len(f) != 4 {
		return usagef("--child %q", spec)
	}
	size, _ := strconv.Atoi(f[2])
	cpu, _ := strconv.Atoi(f[3])
	i := slices.IndexFunc(benchTransports, func(t benchTransport) bool { return t.name == f[0] })
	if i < 0 || size < 8 {
		return usagef("--child %q", spec)
	}
	t := benchTransports[i]
	runtime.LockOSThread()
	if cpu >= 0 {
		if err := pinThread(cpu); err != nil {
			return err
		}
	}
	l, err := openLink(false, t.name, f[1], size, args)
	if err != nil {
		return err
	}
	defer l.closer()
	fmt.Fprintln(stdout, "ready")
	buf := make([]byte, size)
	if t.tput {
		count, ns, sum, err := receiveAll(l.rx, buf)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "tput %d %d %08x\n", count, ns, sum)
	}
	if t.rtt {
		sum, err := echo(l.tx, l.rx, buf)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "done %d %08x\n", currentCPU(), sum)
	}
	return nil
}

// batchReceiver is a receiver that can also hand over every message
// available at once.
type batchReceiver interface {
	recvBatch(fn func(msg []byte) error) error
}

// errEndTput stops a batch at the end of the throughput phase.
var errEndTput = errors.New("end of throughput phase")

// receiveAll receives until the end of the throughput phase, checking
// each sequence number and reading every byte, and returns how many
// messages came and in how long (from the first).
func receiveAll(rx receiver, buf []byte) (count uint64, ns int64, sum uint32, err error) {
	var start time.Time
	take := func(msg []byte) error {
		if len(msg) != len(buf) {
			return fmt.Errorf("message %d has %d bytes, want %d", count, len(msg), len(buf))
		}
		switch seq := binary.LittleEndian.Uint64(msg); {
		case seq == endTput:
			ns = time.Since(start).Nanoseconds()
			return errEndTput
		case seq != count:
			return fmt.Errorf("message %d arrived as number %d", count, seq)
		}
		if count == 0 {
			start = time.Now()
		}
		sum = crc32.Update(sum, castagnoli, msg)
		count++
		return nil
	}
	b, batched := rx.(batchReceiver)
	for {
		if batched {
			err = b.recvBatch(take)
		} else {
			var msg []byte
			if msg, err = rx.recv(buf); err == nil {
				err = take(msg)
			}
		}
		switch {
		case err == errEndTput:
			return count, ns, sum, nil
		case err != nil:
			return 0, 0, 0, err
		}
	}
}

// echo sends back every message of the round-trip phase, and returns the
// CRC of all it read.
func echo(tx sender, rx receiver, buf []byte) (uint32, error) {
	var sum uint32
	for {
		msg, err := rx.recv(buf)
		if err != nil {
			return 0, err
		}
		if binary.LittleEndian.Uint64(msg) == endRTT {
			return sum, nil
		}
		sum = crc32.Update(sum, castagnoli, msg)
		if err := tx.send(msg); err != nil {
			return 0, err
		}
	}
}

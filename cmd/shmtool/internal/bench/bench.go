package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
)

// Transport is one thing bench measures: which modes it has and which
// figures apply to it.
type Transport struct {
	Name       string
	Modes      []string // "spin", "block"
	Throughput bool     // one-way throughput applies
	RoundTrip  bool     // round-trip latency applies (back to back)
	AfterIdle  bool     // in block mode, round trips after idle too
	Wakeups    bool     // its wake-ups per message are known
}

var (
	spinBlock = []string{"spin", "block"}
	spinOnly  = []string{"spin"}
	blockOnly = []string{"block"}
)

var transports = []Transport{
	{Name: "ring", Modes: spinBlock, Throughput: true, RoundTrip: true, AfterIdle: true, Wakeups: true},
	{Name: "ring-batch", Modes: spinBlock, Throughput: true, Wakeups: true},
	{Name: "queue", Modes: spinBlock, Throughput: true, RoundTrip: true, AfterIdle: true, Wakeups: true},
	{Name: "queue-batch", Modes: spinBlock, Throughput: true, Wakeups: true},
	{Name: "stream", Modes: spinBlock, Throughput: true, RoundTrip: true, AfterIdle: true, Wakeups: true},
	{Name: "conn", Modes: spinBlock, Throughput: true, RoundTrip: true},
	{Name: "dict", Modes: spinOnly, Throughput: true, RoundTrip: true},
	{Name: "pipe", Modes: spinBlock, Throughput: true, RoundTrip: true},
	{Name: "unix", Modes: spinBlock, Throughput: true, RoundTrip: true},
	{Name: "unixpacket", Modes: spinBlock, Throughput: true, RoundTrip: true},
	{Name: "chan", Modes: blockOnly, Throughput: true, RoundTrip: true}, // goroutines of one process: a channel parks, it has no spin mode
	{Name: "floor", Modes: spinOnly, Throughput: true, Wakeups: true},
	{Name: "limit", Modes: spinOnly, RoundTrip: true, Wakeups: true},
	{Name: "futex", Modes: blockOnly, RoundTrip: true, AfterIdle: true, Wakeups: true},
}

// idleRegime reports whether t in mode also has round trips after idle.
func (t Transport) idleRegime(mode string) bool { return t.AfterIdle && mode == "block" }

// Transports returns every transport, in the order Run measures them.
func Transports() []Transport { return slices.Clone(transports) }

// TransportNames returns the transports' names, comma-separated.
func TransportNames() string {
	names := make([]string, len(transports))
	for i, t := range transports {
		names[i] = t.Name
	}
	return strings.Join(names, ",")
}

// DefaultSizes returns the message sizes Run measures when Config.Sizes
// is nil.
func DefaultSizes() []int { return []int{8, 64, 1024, 65536} }

// Limits of a Config.
const (
	MinSize     = 8 // a message carries its 8-byte sequence number
	MaxSize     = 1 << 20
	MinDuration = 10 * time.Millisecond
	MaxDuration = time.Minute
	MaxRounds   = 100
)

// ErrInvalidConfig is returned (wrapped, saying what is wrong) by Run for
// a Config it cannot run.
var ErrInvalidConfig = errors.New("invalid bench configuration")

// Config says what Run measures.
type Config struct {
	Transports []string      // names from Transports; nil: all of them
	Sizes      []int         // message sizes in bytes, MinSize to MaxSize; nil: DefaultSizes
	Duration   time.Duration // per measurement, MinDuration to MaxDuration
	Rounds     int           // times the whole plan is measured, 1 to MaxRounds; 0: once
	CPUs       []int         // the two processes' cores, or nil not to pin them
	ProfileDir string        // if set, a CPU profile of each process of each measurement goes there (profile.go)
	Progress   io.Writer     // with Terminal, a line per measurement: n of N and the time left; nil: none
	Terminal   bool          // Progress is a terminal a person watches (the lines are for a person only)
}

// Report is what Run measured, and on what.
type Report struct {
	Machine Machine  `json:"machine"`
	Rounds  int      `json:"rounds"`
	Results []Result `json:"results"`
}

// Run measures every transport, mode and size cfg asks for, one after the
// other, and all of them again for each further round: round 2 begins
// when round 1 has measured everything, so that a slow spell of the
// machine spreads over all the rows. It stops at the first measurement
// that fails, and when ctx ends, returning what it has (each row's rounds
// so far).
func Run(ctx context.Context, cfg Config) (Report, error) {
	ts, err := cfg.check()
	if err != nil {
		return Report{}, err
	}
	progress := cfg.Progress
	if progress == nil || !cfg.Terminal {
		progress = io.Discard
	}
	runtime.LockOSThread() // pinning (and the hot loops) stay on this thread
	defer runtime.UnlockOSThread()
	if len(cfg.CPUs) == 2 {
		restore, err := pinThread(cfg.CPUs[0])
		if err != nil {
			return Report{}, fmt.Errorf("bench: pin to core %d: %w", cfg.CPUs[0], err)
		}
		defer restore()
	}
	rep := Report{Machine: describeMachine(cfg.CPUs), Rounds: cfg.Rounds}
	fmt.Fprintf(progress, "bench: %s\n", rep.Machine)
	rep.Machine.CopyBytesPerSec = copyBandwidth(cfg.Duration)
	fmt.Fprintf(progress, "bench: single-core copy of 64 KiB blocks: %s/s\n", human.Bytes(rep.Machine.CopyBytesPerSec))
	var rows rowSet
	err = measureRounds(ctx, ts, cfg, &rows, &rep.Machine, progress)
	rep.Results = rows.results()
	sortRows(rep.Results, ts, cfg.Sizes)
	fillRatios(rep.Results)
	return rep, err
}

// measureRounds makes Run's measurements, round by round, into rows.
func measureRounds(ctx context.Context, ts []Transport, cfg Config, rows *rowSet, m *Machine, progress io.Writer) error {
	plan := roundPlan(ts, cfg)
	total, done, began := cfg.Rounds*len(plan), 0, time.Now()
	for round := 1; round <= cfg.Rounds; round++ {
		for _, p := range plan {
			if err := ctx.Err(); err != nil {
				return err
			}
			profile := ""
			if cfg.ProfileDir != "" {
				profile = profileBase(cfg.ProfileDir, p, round)
			}
			r, sharedCore, err := measure(ctx, p.t, p.mode, p.size, p.idle, cfg, profile)
			if err != nil {
				return fmt.Errorf("bench: %s %s %d B%s: %w", p.t.Name, p.mode, p.size, idleTag(p.idle), err)
			}
			m.SharedCore = m.SharedCore || sharedCore
			rows.add(r)
			done++
			left := time.Duration(float64(time.Since(began)) / float64(done) * float64(total-done)).Round(time.Second)
			fmt.Fprintf(progress, "bench: %d of %d, %v left: %s%-10s %-5s %6d B%s  %s\n",
				done, total, left, roundTag(round, cfg.Rounds), p.t.Name, p.mode, p.size, idleTag(p.idle), r.summary())
		}
	}
	return nil
}

// planned is one measurement of a round.
type planned struct {
	t    Transport
	mode string
	idle bool // round trips after idle
	size int
}

// roundPlan is the measurements of one round, in the order they are made:
// size by size, and for each size the floors first, then the rest in the
// table's order. A row's ratios are taken over its baselines' of the same
// round, and so within seconds of it, before the machine (a VM whose
// speed changes by whole factors over a minute) moves on.
func roundPlan(ts []Transport, cfg Config) []planned {
	var plan []planned
	for _, size := range cfg.Sizes {
		for _, floors := range []bool{true, false} {
			for _, t := range ts {
				if isFloor(t.Name) != floors {
					continue
				}
				for _, mode := range t.Modes {
					plan = append(plan, planned{t, mode, false, size})
					if t.idleRegime(mode) {
						plan = append(plan, planned{t, mode, true, size})
					}
				}
			}
		}
	}
	return plan
}

// isFloor reports whether transport is one of the floors that the
// ratios are taken over.
func isFloor(transport string) bool {
	return transport == "floor" || transport == "limit" || transport == "futex"
}

// roundTag names the round in progress lines, if there are several.
func roundTag(round, of int) string {
	if of == 1 {
		return ""
	}
	return fmt.Sprintf("round %d/%d  ", round, of)
}

// check validates cfg, filling in the defaults, and returns the
// transports it names.
func (cfg *Config) check() ([]Transport, error) {
	if cfg.Sizes == nil {
		cfg.Sizes = DefaultSizes()
	}
	if len(cfg.Sizes) == 0 {
		return nil, fmt.Errorf("%w: no message sizes", ErrInvalidConfig)
	}
	for i, n := range cfg.Sizes {
		if n < MinSize || n > MaxSize {
			return nil, fmt.Errorf("%w: message size %d: want %d to %d bytes", ErrInvalidConfig, n, MinSize, MaxSize)
		}
		if slices.Contains(cfg.Sizes[:i], n) {
			return nil, fmt.Errorf("%w: message size %d given twice", ErrInvalidConfig, n)
		}
	}
	if cfg.Duration < MinDuration || cfg.Duration > MaxDuration {
		return nil, fmt.Errorf("%w: duration %v: want %v to %v per measurement", ErrInvalidConfig, cfg.Duration, MinDuration, MaxDuration)
	}
	if cfg.Rounds == 0 {
		cfg.Rounds = 1
	}
	if cfg.Rounds < 1 || cfg.Rounds > MaxRounds {
		return nil, fmt.Errorf("%w: %d rounds: want 1 to %d", ErrInvalidConfig, cfg.Rounds, MaxRounds)
	}
	if cfg.CPUs != nil {
		if len(cfg.CPUs) != 2 {
			return nil, fmt.Errorf("%w: cores %v: want two, one per process", ErrInvalidConfig, cfg.CPUs)
		}
		for _, c := range cfg.CPUs {
			if c < 0 || c >= runtime.NumCPU() {
				return nil, fmt.Errorf("%w: core %d: want 0 to %d", ErrInvalidConfig, c, runtime.NumCPU()-1)
			}
		}
	}
	ts, err := cfg.transports()
	if err != nil {
		return nil, err
	}
	if err := checkSizesFit(ts, cfg.Sizes); err != nil {
		return nil, err
	}
	if cfg.ProfileDir != "" { // last: a Config that fails makes no directory
		if err := checkProfileDir(cfg.ProfileDir); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// transports returns the transports cfg names, checked.
func (cfg *Config) transports() ([]Transport, error) {
	if cfg.Transports == nil {
		return transports, nil
	}
	if len(cfg.Transports) == 0 {
		return nil, fmt.Errorf("%w: no transports", ErrInvalidConfig)
	}
	var ts []Transport
	for i, name := range cfg.Transports {
		t, ok := transportNamed(name)
		if !ok {
			return nil, fmt.Errorf("%w: unknown transport %q (have %s)", ErrInvalidConfig, name, TransportNames())
		}
		if slices.Contains(cfg.Transports[:i], name) {
			return nil, fmt.Errorf("%w: transport %s given twice", ErrInvalidConfig, name)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func transportNamed(name string) (Transport, bool) {
	i := slices.IndexFunc(transports, func(t Transport) bool { return t.Name == name })
	if i < 0 {
		return Transport{}, false
	}
	return transports[i], true
}

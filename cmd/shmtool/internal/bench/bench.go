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
	RoundTrip  bool     // round-trip latency applies
}

var transports = []Transport{
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
)

// ErrInvalidConfig is returned (wrapped, saying what is wrong) by Run for
// a Config it cannot run.
var ErrInvalidConfig = errors.New("invalid bench configuration")

// Config says what Run measures.
type Config struct {
	Transports []string      // names from Transports; nil: all of them
	Sizes      []int         // message sizes in bytes, MinSize to MaxSize; nil: DefaultSizes
	Duration   time.Duration // per measurement, MinDuration to MaxDuration
	CPUs       []int         // the two processes' cores, or nil not to pin them
	Progress   io.Writer     // a line per measurement as it is made; nil: none
}

// Report is what Run measured, and on what.
type Report struct {
	Machine Machine  `json:"machine"`
	Results []Result `json:"results"`
}

// Result is one transport, mode and size. A figure that does not apply
// to the transport is nil (null in JSON).
type Result struct {
	Transport   string   `json:"transport"`
	Mode        string   `json:"mode"`
	MsgSize     int      `json:"msg_size"`
	MsgsPerSec  *float64 `json:"msgs_per_sec"`
	BytesPerSec *float64 `json:"bytes_per_sec"`
	RTTP50      *float64 `json:"rtt_p50_ns"`
	RTTP99      *float64 `json:"rtt_p99_ns"`
	RTTP999     *float64 `json:"rtt_p999_ns"`
}

// Run measures every transport, mode and size cfg asks for, one after the
// other. It stops at the first measurement that fails, and when ctx ends.
func Run(ctx context.Context, cfg Config) (Report, error) {
	ts, err := cfg.check()
	if err != nil {
		return Report{}, err
	}
	progress := cfg.Progress
	if progress == nil {
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
	rep := Report{Machine: describeMachine(cfg.CPUs)}
	fmt.Fprintf(progress, "bench: %s\n", rep.Machine)
	rep.Machine.CopyBytesPerSec = copyBandwidth(cfg.Duration)
	fmt.Fprintf(progress, "bench: single-core copy of 64 KiB blocks: %s/s\n", human.Bytes(rep.Machine.CopyBytesPerSec))
	for _, t := range ts {
		for _, mode := range t.Modes {
			for _, size := range cfg.Sizes {
				if err := ctx.Err(); err != nil {
					return rep, err
				}
				r, sharedCore, err := measure(ctx, t, mode, size, cfg)
				if err != nil {
					return rep, fmt.Errorf("bench: %s %s %d B: %w", t.Name, mode, size, err)
				}
				rep.Machine.SharedCore = rep.Machine.SharedCore || sharedCore
				rep.Results = append(rep.Results, r)
				fmt.Fprintf(progress, "bench: %-10s %-5s %6d B  %s\n", t.Name, mode, size, r.summary())
			}
		}
	}
	return rep, nil
}

// check validates cfg, filling in the defaults, and returns the
// transports it names.
func (cfg *Config) check() ([]Transport, error) {
	if cfg.Sizes == nil {
		cfg.Sizes = DefaultSizes()
	}
	for _, n := range cfg.Sizes {
		if n < MinSize || n > MaxSize {
			return nil, fmt.Errorf("%w: message size %d: want %d to %d bytes", ErrInvalidConfig, n, MinSize, MaxSize)
		}
	}
	if cfg.Duration < MinDuration || cfg.Duration > MaxDuration {
		return nil, fmt.Errorf("%w: duration %v: want %v to %v per measurement", ErrInvalidConfig, cfg.Duration, MinDuration, MaxDuration)
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
	if cfg.Transports == nil {
		return transports, nil
	}
	var ts []Transport
	for _, name := range cfg.Transports {
		t, ok := transportNamed(name)
		if !ok {
			return nil, fmt.Errorf("%w: unknown transport %q (have %s)", ErrInvalidConfig, name, TransportNames())
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

// summary is a result in a few words, for progress lines.
func (r Result) summary() string {
	var parts []string
	if r.MsgsPerSec != nil {
		parts = append(parts, fmt.Sprintf("%s msgs/s, %s/s", human.Count(*r.MsgsPerSec), human.Bytes(*r.BytesPerSec)))
	}
	if r.RTTP50 != nil {
		parts = append(parts, fmt.Sprintf("round trip p50 %s p99 %s", human.Ns(*r.RTTP50), human.Ns(*r.RTTP99)))
	}
	return strings.Join(parts, "; ")
}

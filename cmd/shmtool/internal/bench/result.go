package bench

import (
	"fmt"
	"strings"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
)

// Regimes of round trips, Result.Regime.
const (
	RegimeBackToBack = "back-to-back" // each round trip starts as the last one ends
	RegimeAfterIdle  = "after-idle"   // each starts after a pause (idlePause), which is not timed
)

// Figures are what one measurement gives for a row. A figure that does
// not apply to the row, or cannot be known, is nil (null in JSON).
type Figures struct {
	MsgsPerSec  *float64 `json:"msgs_per_sec"`
	BytesPerSec *float64 `json:"bytes_per_sec"`
	RTTP50      *float64 `json:"rtt_p50_ns"`
	RTTP99      *float64 `json:"rtt_p99_ns"`
	RTTP999     *float64 `json:"rtt_p999_ns"`
	// Futex wake-ups either side sent, per message: of the throughput
	// phase, and of the round trips (two messages each).
	WakeupsPerMsg    *float64 `json:"wakeups_per_msg"`
	RTTWakeupsPerMsg *float64 `json:"rtt_wakeups_per_msg"`
}

// figureFields are Figures' fields by JSON name, for what handles them
// all alike.
var figureFields = []struct {
	name string
	of   func(*Figures) **float64
}{
	{"msgs_per_sec", func(f *Figures) **float64 { return &f.MsgsPerSec }},
	{"bytes_per_sec", func(f *Figures) **float64 { return &f.BytesPerSec }},
	{"rtt_p50_ns", func(f *Figures) **float64 { return &f.RTTP50 }},
	{"rtt_p99_ns", func(f *Figures) **float64 { return &f.RTTP99 }},
	{"rtt_p999_ns", func(f *Figures) **float64 { return &f.RTTP999 }},
	{"wakeups_per_msg", func(f *Figures) **float64 { return &f.WakeupsPerMsg }},
	{"rtt_wakeups_per_msg", func(f *Figures) **float64 { return &f.RTTWakeupsPerMsg }},
}

// Result is one row: a transport, mode and size, and for round trips a
// regime (a block-mode transport with AfterIdle has a row for each; the
// after-idle row has no throughput). Its figures are the median of its
// rounds.
type Result struct {
	Transport string `json:"transport"`
	Mode      string `json:"mode"`
	MsgSize   int    `json:"msg_size"`
	Regime    string `json:"regime"` // rows with round trips: RegimeBackToBack or RegimeAfterIdle; "" on rows of throughput only
	Figures
	// Spread is, by figure (its JSON name), how far the rounds strayed
	// from the median: the lowest and highest as fractions of it. A
	// figure that is nil, or whose median is 0 while a round's is not,
	// has none.
	Spread map[string]Range `json:"spread"`
	Rounds []Figures        `json:"rounds"` // each round's figures, in order
	// The row's figures over its baselines' (see Ratios): the table's
	// ×PIPE, ×FLOOR and ×RTT-FLOOR, each the median over the rounds of
	// the round's ratio (RoundRatios, in order); nil where a figure is
	// missing.
	OverPipe     *float64      `json:"x_pipe"`
	OverFloor    *float64      `json:"x_floor"`
	OverRTTFloor *float64      `json:"x_rtt_floor"`
	RoundRatios  []RoundRatios `json:"round_ratios"`
	// RatioSpread is, by ratio (its JSON name), how far the rounds'
	// ratios strayed from their median, as Spread is for figures.
	RatioSpread map[string]Range `json:"ratio_spread"`
}

// Range is a spread: Low <= 0 <= High.
type Range struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
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
	if w := r.WakeupsPerMsg; w != nil {
		parts = append(parts, fmt.Sprintf("%.3g wake-ups/msg", *w))
	}
	if w := r.RTTWakeupsPerMsg; w != nil {
		parts = append(parts, fmt.Sprintf("%.3g wake-ups/msg in round trips", *w))
	}
	return strings.Join(parts, "; ")
}

// idleTag names the after-idle regime in progress lines.
func idleTag(idle bool) string {
	if idle {
		return " after idle"
	}
	return ""
}

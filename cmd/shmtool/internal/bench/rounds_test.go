package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// summarize takes each figure's median over the rounds that have it (the
// middle one, or the mean of the middle two) and its spread as the
// lowest and highest round relative to the median.
func TestSummarize(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	rounds := []Figures{
		{MsgsPerSec: v(90), RTTP50: v(100), WakeupsPerMsg: v(0)},
		{MsgsPerSec: v(120), RTTP50: v(300), WakeupsPerMsg: v(0)},
		{MsgsPerSec: v(100), RTTP50: v(200), WakeupsPerMsg: v(0), RTTWakeupsPerMsg: v(2)},
		{MsgsPerSec: v(110), RTTP50: v(150), WakeupsPerMsg: v(0), RTTWakeupsPerMsg: v(0)},
		{MsgsPerSec: v(200), RTTP50: v(250), WakeupsPerMsg: v(0), RTTWakeupsPerMsg: v(1)},
	}
	med, spread := summarize(rounds)
	for name, tt := range map[string]struct {
		got, want *float64
	}{
		"msgs_per_sec":        {med.MsgsPerSec, v(110)},
		"rtt_p50_ns":          {med.RTTP50, v(200)},
		"wakeups_per_msg":     {med.WakeupsPerMsg, v(0)},
		"rtt_wakeups_per_msg": {med.RTTWakeupsPerMsg, v(1)}, // of the three rounds that have it
		"bytes_per_sec":       {med.BytesPerSec, nil},
	} {
		if (tt.got == nil) != (tt.want == nil) || tt.got != nil && *tt.got != *tt.want {
			t.Errorf("median %s = %v, want %v", name, tt.got, tt.want)
		}
	}
	want := map[string]Range{
		"msgs_per_sec":        {Low: 90.0/110 - 1, High: 200.0/110 - 1},
		"rtt_p50_ns":          {Low: -0.5, High: 0.5},
		"wakeups_per_msg":     {}, // all 0: no spread
		"rtt_wakeups_per_msg": {Low: -1, High: 1},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	for name, w := range want {
		if g, ok := spread[name]; !ok || !near(g.Low, w.Low) || !near(g.High, w.High) {
			t.Errorf("spread of %s = %v, want %v", name, g, w)
		}
	}
	if len(spread) != len(want) {
		t.Errorf("spread = %v, want only %v", spread, want)
	}

	med, _ = summarize(rounds[:4]) // an even count: the mean of the middle two
	if *med.MsgsPerSec != 105 || *med.RTTP50 != 175 || math.IsNaN(*med.RTTWakeupsPerMsg) || *med.RTTWakeupsPerMsg != 1 {
		t.Errorf("median of 4 rounds = %v msgs/s, %v ns, %v wake-ups; want 105, 175, 1", *med.MsgsPerSec, *med.RTTP50, *med.RTTWakeupsPerMsg)
	}
	// A median of 0 with other rounds above it has no relative spread.
	_, spread = summarize([]Figures{{WakeupsPerMsg: v(0)}, {WakeupsPerMsg: v(0)}, {WakeupsPerMsg: v(3)}})
	if s, ok := spread["wakeups_per_msg"]; ok {
		t.Errorf("spread about a median of 0 = %v, want none", s)
	}
}

// rowSet keeps rows in the order they first come, one per transport,
// mode, size and regime, with their rounds in order.
func TestRowSet(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	var rows rowSet
	for round := range 2 {
		for _, r := range []Result{
			{Transport: "ring", Mode: "block", MsgSize: 8, Regime: RegimeBackToBack},
			{Transport: "ring", Mode: "block", MsgSize: 8, Regime: RegimeAfterIdle},
			{Transport: "floor", Mode: "spin", MsgSize: 8},
		} {
			r.RTTP50 = v(float64(round))
			rows.add(r)
		}
	}
	got := rows.results()
	if len(got) != 3 || got[0].Regime != RegimeBackToBack || got[1].Regime != RegimeAfterIdle || got[2].Transport != "floor" {
		t.Fatalf("rows = %+v, want ring back-to-back, ring after-idle, floor", got)
	}
	for _, r := range got {
		if len(r.Rounds) != 2 || *r.Rounds[0].RTTP50 != 0 || *r.Rounds[1].RTTP50 != 1 || *r.RTTP50 != 0.5 {
			t.Errorf("%s %s: rounds %v, median %v; want rounds 0 then 1, median 0.5", r.Transport, r.Regime, r.Rounds, r.RTTP50)
		}
	}
}

// A row's ratio is the median of its rounds' ratios, each over the
// baseline of the same round, not the ratio of two medians: rounds taken
// in different states of the machine must not be divided by each other.
func TestRoundRatios(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	rounds := func(mps ...float64) []Figures {
		var fs []Figures
		for _, m := range mps {
			fs = append(fs, Figures{MsgsPerSec: v(m)})
		}
		return fs
	}
	rs := []Result{
		{Transport: "ring", Mode: "spin", MsgSize: 64, Rounds: rounds(40, 10, 30)},
		{Transport: "ring", Mode: "block", MsgSize: 64, Rounds: rounds(20, 5)}, // a run cut short in round 3
		{Transport: "floor", Mode: "spin", MsgSize: 64, Rounds: rounds(80, 10, 100)},
	}
	for i := range rs {
		rs[i].Figures, _ = summarize(rs[i].Rounds)
	}
	fillRatios(rs)
	for i, want := range []struct {
		rounds []float64
		median float64
	}{
		{[]float64{0.5, 1, 0.3}, 0.5}, // the ratio of the medians would be 30/80
		{[]float64{0.25, 0.5}, 0.375},
		{[]float64{1, 1, 1}, 1},
	} {
		r := rs[i]
		if len(r.RoundRatios) != len(want.rounds) {
			t.Fatalf("%s %s: %d round ratios, want %d", r.Transport, r.Mode, len(r.RoundRatios), len(want.rounds))
		}
		for k, w := range want.rounds {
			if got := r.RoundRatios[k].OverFloor; got == nil || math.Abs(*got-w) > 1e-12 {
				t.Errorf("%s %s round %d: ×floor %v, want %v", r.Transport, r.Mode, k+1, got, w)
			}
		}
		if r.OverFloor == nil || math.Abs(*r.OverFloor-want.median) > 1e-12 {
			t.Errorf("%s %s: ×floor %v, want the median of its rounds' %v", r.Transport, r.Mode, r.OverFloor, want.median)
		}
		lo, hi := slices.Min(want.rounds)/want.median-1, slices.Max(want.rounds)/want.median-1
		if sp, ok := r.RatioSpread["x_floor"]; !ok || math.Abs(sp.Low-lo) > 1e-12 || math.Abs(sp.High-hi) > 1e-12 {
			t.Errorf("%s %s: ×floor spread %v, want %v..%v", r.Transport, r.Mode, r.RatioSpread, lo, hi)
		}
		if _, ok := r.RatioSpread["x_pipe"]; ok {
			t.Errorf("%s %s: a spread of a missing ratio: %v", r.Transport, r.Mode, r.RatioSpread)
		}
		if r.OverPipe != nil || r.OverRTTFloor != nil {
			t.Errorf("%s %s: ratios over missing baselines %v, %v; want nil", r.Transport, r.Mode, r.OverPipe, r.OverRTTFloor)
		}
	}
}

// A round measures size by size, the floors of a size first, so that a
// row and its baselines are measured within seconds of each other; the
// table still lists rows by transport (sortRows).
func TestRoundPlan(t *testing.T) {
	var ts []Transport
	for _, name := range []string{"ring", "floor", "futex"} {
		tr, _ := transportNamed(name)
		ts = append(ts, tr)
	}
	cfg := Config{Sizes: []int{8, 64}}
	var got []string
	for _, p := range roundPlan(ts, cfg) {
		got = append(got, fmt.Sprintf("%s %s %d %v", p.t.Name, p.mode, p.size, p.idle))
	}
	want := []string{
		"floor spin 8 false", "futex block 8 false", "futex block 8 true",
		"ring spin 8 false", "ring block 8 false", "ring block 8 true",
		"floor spin 64 false", "futex block 64 false", "futex block 64 true",
		"ring spin 64 false", "ring block 64 false", "ring block 64 true",
	}
	if !slices.Equal(got, want) {
		t.Errorf("plan\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var rs []Result
	for _, p := range roundPlan(ts, cfg) {
		r := Result{Transport: p.t.Name, Mode: p.mode, MsgSize: p.size}
		if p.idle {
			r.Regime = RegimeAfterIdle
		} else if p.t.RoundTrip {
			r.Regime = RegimeBackToBack
		}
		rs = append(rs, r)
	}
	sortRows(rs, ts, cfg.Sizes)
	got = got[:0]
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%s %s %d %s", r.Transport, r.Mode, r.MsgSize, r.Regime))
	}
	want = []string{
		"ring spin 8 back-to-back", "ring spin 64 back-to-back",
		"ring block 8 back-to-back", "ring block 64 back-to-back",
		"ring block 8 after-idle", "ring block 64 after-idle",
		"floor spin 8 ", "floor spin 64 ",
		"futex block 8 back-to-back", "futex block 64 back-to-back",
		"futex block 8 after-idle", "futex block 64 after-idle",
	}
	if !slices.Equal(got, want) {
		t.Errorf("table order\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

package bench

import (
	"math"
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

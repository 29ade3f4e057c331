package bench

import "slices"

// The ratios of a row to its baselines in the same run: what the goals of
// a run are stated in, since absolute figures move with the machine.

// baseline finds the row of transport for r's size that has the figure
// fig, preferring r's mode, and with round trips r's regime.
func baseline(rs []Result, transport string, r Result, fig func(Result) *float64) *Result {
	var other *Result
	for i := range rs {
		b := &rs[i]
		if b.Transport != transport || b.MsgSize != r.MsgSize || fig(*b) == nil || r.Regime != "" && b.Regime != "" && b.Regime != r.Regime {
			continue
		}
		if b.Mode == r.Mode {
			return b
		}
		other = b
	}
	return other
}

func msgsPerSec(r Result) *float64 { return r.MsgsPerSec }
func rttP50(r Result) *float64     { return r.RTTP50 }

// ratio is r's figure over the baseline's, or nil if either is missing.
func ratio(rs []Result, r Result, transport string, fig func(Result) *float64) *float64 {
	b := baseline(rs, transport, r, fig)
	if b == nil || fig(r) == nil || *fig(*b) == 0 {
		return nil
	}
	v := *fig(r) / *fig(*b)
	return &v
}

// Ratios returns a row's throughput over the pipe's and over the floor's
// (floor spin for both modes: the floor only spins), and its round-trip
// p50 over its floor's: limit's in spin mode, futex's of the same regime
// in block mode. A ratio without both figures is nil.
func Ratios(rs []Result, r Result) (overPipe, overFloor, overRTTFloor *float64) {
	overPipe = ratio(rs, r, "pipe", msgsPerSec)
	spinFloor := r
	spinFloor.Mode = "spin"
	overFloor = ratio(rs, spinFloor, "floor", msgsPerSec)
	rttFloor := "limit"
	if r.Mode == "block" {
		rttFloor = "futex"
	}
	overRTTFloor = ratio(rs, r, rttFloor, rttP50)
	return overPipe, overFloor, overRTTFloor
}

// RoundRatios are a row's ratios in one round: its figures over its
// baselines' of the same round.
type RoundRatios struct {
	OverPipe     *float64 `json:"x_pipe"`
	OverFloor    *float64 `json:"x_floor"`
	OverRTTFloor *float64 `json:"x_rtt_floor"`
}

// fillRatios sets every row's ratios: each round's, over the baselines
// of that round, and their medians. A ratio of medians would divide
// figures of different rounds, and so of different states of the
// machine. A row without rounds has the ratios of its figures.
func fillRatios(rs []Result) {
	rounds := 0
	for _, r := range rs {
		rounds = max(rounds, len(r.Rounds))
	}
	of := make([]Result, len(rs)) // one round's rows
	for k := range rounds {
		for i, r := range rs {
			of[i] = r
			of[i].Figures = Figures{}
			if k < len(r.Rounds) {
				of[i].Figures = r.Rounds[k]
			}
		}
		for i := range rs {
			if k < len(rs[i].Rounds) {
				p, f, t := Ratios(of, of[i])
				rs[i].RoundRatios = append(rs[i].RoundRatios, RoundRatios{p, f, t})
			}
		}
	}
	for i := range rs {
		r := &rs[i]
		if len(r.Rounds) == 0 {
			r.OverPipe, r.OverFloor, r.OverRTTFloor = Ratios(rs, *r)
			continue
		}
		r.RatioSpread = map[string]Range{}
		for _, x := range []struct {
			name string
			of   func(*Result) **float64
			fig  func(RoundRatios) *float64
		}{
			{"x_pipe", func(r *Result) **float64 { return &r.OverPipe }, func(x RoundRatios) *float64 { return x.OverPipe }},
			{"x_floor", func(r *Result) **float64 { return &r.OverFloor }, func(x RoundRatios) *float64 { return x.OverFloor }},
			{"x_rtt_floor", func(r *Result) **float64 { return &r.OverRTTFloor }, func(x RoundRatios) *float64 { return x.OverRTTFloor }},
		} {
			m, spread, ok := medianOf(r.RoundRatios, x.fig)
			if !ok {
				continue
			}
			*x.of(r) = &m
			r.RatioSpread[x.name] = spread
		}
	}
}

// medianOf is the median of the rounds' ratio that fig picks, over the
// rounds that have it, and their spread about it; ok is false if none
// has it.
func medianOf(rs []RoundRatios, fig func(RoundRatios) *float64) (m float64, spread Range, ok bool) {
	var vs []float64
	for _, r := range rs {
		if v := fig(r); v != nil {
			vs = append(vs, *v)
		}
	}
	if len(vs) == 0 {
		return 0, Range{}, false
	}
	m = median(vs)
	if m != 0 {
		spread = Range{Low: slices.Min(vs)/m - 1, High: slices.Max(vs)/m - 1}
	}
	return m, spread, true
}

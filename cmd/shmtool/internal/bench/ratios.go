package bench

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

// fillRatios sets every row's ratios from the rows of its run.
func fillRatios(rs []Result) {
	for i := range rs {
		rs[i].OverPipe, rs[i].OverFloor, rs[i].OverRTTFloor = Ratios(rs, rs[i])
	}
}

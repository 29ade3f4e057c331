package bench

import (
	"slices"
)

// Rounds: Run measures each row once a round, and reports the median.

// rowSet gathers each row's rounds, in the order rows first appear.
type rowSet struct {
	rows []Result
}

type rowKey struct {
	transport, mode, regime string
	size                    int
}

func keyOf(r Result) rowKey { return rowKey{r.Transport, r.Mode, r.Regime, r.MsgSize} }

// add records r (one measurement's figures) as a round of its row.
func (s *rowSet) add(r Result) {
	i := slices.IndexFunc(s.rows, func(row Result) bool { return keyOf(row) == keyOf(r) })
	if i < 0 {
		s.rows = append(s.rows, Result{Transport: r.Transport, Mode: r.Mode, MsgSize: r.MsgSize, Regime: r.Regime})
		i = len(s.rows) - 1
	}
	s.rows[i].Rounds = append(s.rows[i].Rounds, r.Figures)
}

// results returns the rows, each with the median and spread of its
// rounds.
func (s *rowSet) results() []Result {
	out := slices.Clone(s.rows)
	for i := range out {
		out[i].Figures, out[i].Spread = summarize(out[i].Rounds)
	}
	return out
}

// summarize returns, for each figure, the median of the rounds that have
// it (of the two middle ones, their mean) and the spread of the rounds
// about it.
func summarize(rounds []Figures) (Figures, map[string]Range) {
	var med Figures
	spread := map[string]Range{}
	for _, f := range figureFields {
		var vs []float64
		for i := range rounds {
			if v := *f.of(&rounds[i]); v != nil {
				vs = append(vs, *v)
			}
		}
		if len(vs) == 0 {
			continue
		}
		m := median(vs)
		*f.of(&med) = &m
		lo, hi := slices.Min(vs), slices.Max(vs)
		switch {
		case m != 0:
			spread[f.name] = Range{Low: lo/m - 1, High: hi/m - 1}
		case lo == 0 && hi == 0:
			spread[f.name] = Range{}
		}
	}
	return med, spread
}

// sortRows puts rows in the table's order, whatever order they were
// measured in: by transport as ts has them, then mode, then regime
// (back-to-back first), then size as sizes has them.
func sortRows(rs []Result, ts []Transport, sizes []int) {
	rank := func(r Result) [4]int {
		t := slices.IndexFunc(ts, func(t Transport) bool { return t.Name == r.Transport })
		m := -1
		if t >= 0 {
			m = slices.Index(ts[t].Modes, r.Mode)
		}
		idle := 0
		if r.Regime == RegimeAfterIdle {
			idle = 1
		}
		return [4]int{t, m, idle, slices.Index(sizes, r.MsgSize)}
	}
	slices.SortStableFunc(rs, func(a, b Result) int {
		ra, rb := rank(a), rank(b)
		for i := range ra {
			if ra[i] != rb[i] {
				return ra[i] - rb[i]
			}
		}
		return 0
	})
}

// median is the middle of vs, or the mean of the middle two; it sorts vs.
func median(vs []float64) float64 {
	slices.Sort(vs)
	n := len(vs)
	return (vs[(n-1)/2] + vs[n/2]) / 2
}

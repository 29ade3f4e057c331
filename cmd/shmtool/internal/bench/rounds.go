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
		slices.Sort(vs)
		n := len(vs)
		m := (vs[(n-1)/2] + vs[n/2]) / 2
		*f.of(&med) = &m
		lo, hi := vs[0], vs[n-1]
		switch {
		case m != 0:
			spread[f.name] = Range{Low: lo/m - 1, High: hi/m - 1}
		case lo == 0 && hi == 0:
			spread[f.name] = Range{}
		}
	}
	return med, spread
}

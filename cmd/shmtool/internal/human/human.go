package human

import (
	"math"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Count formats a count with an SI prefix (k, M, G ...) and up to two
// decimals: 999, 12.35k, 2.5M. Counts below 1000 keep no prefix (a rate
// of 0.5 is "0.5", not "500m").
func Count(v float64) string {
	if math.Abs(v) < 1000 {
		return decimals(v)
	}
	value, prefix := humanize.ComputeSI(v)
	return decimals(value) + prefix
}

// decimals is go-humanize's FtoaWithDigits(v, 2), rounded first: it
// truncates, and a quotient such as 1500/1e9/1e-6 lands just below 1.5.
func decimals(v float64) string { return humanize.FtoaWithDigits(math.Round(v*100)/100, 2) }

// Bytes formats a number of bytes in IEC units, as go-humanize's IBytes
// does: "100 B", "1.5 KiB", "3.0 MiB", "5.0 GiB". Negative and NaN
// values read as 0 B.
func Bytes(v float64) string {
	if !(v > 0) { // NaN too
		return humanize.IBytes(0)
	}
	if v >= math.MaxUint64 {
		return humanize.IBytes(math.MaxUint64)
	}
	return humanize.IBytes(uint64(math.Round(v)))
}

// Ns formats a number of nanoseconds in seconds with an SI prefix and up
// to two decimals: 250ns, 1.5µs, 2.5ms, 3s.
func Ns(v float64) string {
	if v == 0 {
		return "0ns"
	}
	value, prefix := humanize.ComputeSI(v / 1e9)
	return decimals(value) + prefix + "s"
}

// ageMagnitudes is go-humanize's relative-time table cut down to one
// short unit each, for table columns: 0s, 42s, 5m, 3h, 2d.
var ageMagnitudes = []humanize.RelTimeMagnitude{
	{D: time.Minute, Format: "%ds", DivBy: time.Second},
	{D: time.Hour, Format: "%dm", DivBy: time.Minute},
	{D: 2 * humanize.Day, Format: "%dh", DivBy: time.Hour},
	{D: math.MaxInt64, Format: "%dd", DivBy: humanize.Day},
}

// Age formats how long before now then was, in one short unit (42s, 5m,
// 3h, 2d), rounded down, as a table column wants it. A then after now
// (clocks apart) reads the same, as a magnitude.
func Age(then, now time.Time) string {
	return strings.TrimSpace(humanize.CustomRelTime(then, now, "", "", ageMagnitudes))
}

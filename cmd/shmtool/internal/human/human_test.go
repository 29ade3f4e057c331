package human

import (
	"math"
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		f    func(float64) string
		name string
		in   float64
		want string
	}{
		{Count, "Count", 0, "0"},
		{Count, "Count", 999, "999"},
		{Count, "Count", 0.5, "0.5"},
		{Count, "Count", 12345, "12.35k"},
		{Count, "Count", 2.5e6, "2.5M"},
		{Count, "Count", 3e9, "3G"},
		{Bytes, "Bytes", 0, "0 B"},
		{Bytes, "Bytes", -1, "0 B"},
		{Bytes, "Bytes", math.NaN(), "0 B"},
		{Bytes, "Bytes", 100, "100 B"},
		{Bytes, "Bytes", 1536, "1.5 KiB"},
		{Bytes, "Bytes", 1 << 20, "1.0 MiB"},
		{Bytes, "Bytes", 3 << 20, "3.0 MiB"},
		{Bytes, "Bytes", 5 << 30, "5.0 GiB"},
		{Bytes, "Bytes", 1 << 40, "1.0 TiB"},
		{Ns, "Ns", 0, "0ns"},
		{Ns, "Ns", 250, "250ns"},
		{Ns, "Ns", 1500, "1.5µs"},
		{Ns, "Ns", 1234, "1.23µs"},
		{Ns, "Ns", 2.5e6, "2.5ms"},
		{Ns, "Ns", 3e9, "3s"},
	} {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%s(%v) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		ago  time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Millisecond, "0s"},
		{42 * time.Second, "42s"},
		{59*time.Second + 999*time.Millisecond, "59s"},
		{time.Minute, "1m"},
		{5*time.Minute + 59*time.Second, "5m"},
		{3 * time.Hour, "3h"},
		{47 * time.Hour, "47h"},
		{48 * time.Hour, "2d"},
		{400 * 24 * time.Hour, "400d"},
		{-42 * time.Second, "42s"}, // created "in the future": clocks apart
	} {
		if got := Age(now.Add(-tt.ago), now); got != tt.want {
			t.Errorf("Age(now-%v, now) = %q, want %q", tt.ago, got, tt.want)
		}
	}
}

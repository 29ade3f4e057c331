package human

import "testing"

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		f    func(float64) string
		name string
		in   float64
		want string
	}{
		{Count, "Count", 999, "999"},
		{Count, "Count", 12345, "12.3k"},
		{Count, "Count", 2.5e6, "2.50M"},
		{Count, "Count", 3e9, "3.00G"},
		{Bytes, "Bytes", 100, "100 B"},
		{Bytes, "Bytes", 1536, "1.5 KiB"},
		{Bytes, "Bytes", 3 << 20, "3.0 MiB"},
		{Bytes, "Bytes", 5 << 30, "5.00 GiB"},
		{Ns, "Ns", 250, "250ns"},
		{Ns, "Ns", 1500, "1.50µs"},
		{Ns, "Ns", 2.5e6, "2.50ms"},
	} {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%s(%v) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

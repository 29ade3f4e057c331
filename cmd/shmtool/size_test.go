package main

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/dustin/go-humanize"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
	"github.com/shmkit/shmkit/shm"
)

// Every form a user would type: bare and K, M, G, T (powers of 1024 with
// or without the i and the B), KB, MB ... (powers of 1000), in any case,
// with a space or not, with a fraction that makes whole bytes.
func TestParseSizeForms(t *testing.T) {
	for in, want := range map[string]int{
		"1": 1, "4096": 4096, "4096B": 4096, "4096 b": 4096, " 4096 ": 4096, "1,048,576": 1 << 20,
		"4k": 4 << 10, "4K": 4 << 10, "4Ki": 4 << 10, "64KiB": 64 << 10, "64kib": 64 << 10, "64 KiB": 64 << 10,
		"64KB": 64000, "64kb": 64000, "64kB": 64000,
		"1M": 1 << 20, "1m": 1 << 20, "1MiB": 1 << 20, "1mib": 1 << 20, "1MB": 1e6, "1mb": 1e6, "1.5M": 3 << 19, "1.5MiB": 3 << 19,
		"1.5MB": 1_500_000, "0.5K": 512, ".5K": 512, "2.0G": 2 << 30, "2m": 2 << 20,
		"1G": 1 << 30, "1g": 1 << 30, "1GiB": 1 << 30, "1GB": 1e9,
		"1T": 1 << 40, "1t": 1 << 40, "1TiB": 1 << 40, "1tib": 1 << 40, "1TB": 1e12, "1024G": 1 << 40,
	} {
		if got, err := parseSize(in); got != want || err != nil {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// Refusals say what is wrong, quoting what the user typed, whole.
func TestParseSizeErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "a size is required"},
		{"   ", "a size is required"},
		{"0", `"0" is 0 bytes: want 1 byte to 1 TiB`},
		{"0K", `"0K" is 0 bytes`},
		{"-1", `"-1" is not a size`},
		{"K", `"K" is not a size`},
		{"ten", `"ten" is not a size`},
		{"1,5M", `"1,5M" is not a size`},
		{"1.2.3", `"1.2.3" is not a size`},
		{"1.5", `"1.5" is 1.5 bytes, not a whole number of bytes`},
		{"1.0001K", `"1.0001K" is 1024.1024 bytes, not a whole number`},
		{"64X", `"64X": unknown unit "X"`},
		{"64 kibibytes", `"64 kibibytes": unknown unit "kibibytes"`},
		{"1e3", `"1e3": unknown unit "e3"`},
		{"1.25T", `"1.25T" is 1374389534720 bytes: want 1 byte to 1 TiB (1099511627776 bytes)`},
		{"2T", `"2T" is 2199023255552 bytes`},
		{"1025G", `"1025G" is`},
		{"99999999999G", `"99999999999G" is 107374182398926258176 bytes`},
		{"99999999999999999999999EiB", `want 1 byte to 1 TiB`},
	} {
		_, err := parseSize(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseSize(%q) = %v, want an error with %q", tt.in, err, tt.want)
		}
	}
	// create says so as a usage error, naming the flag.
	_, errOut, code := shmtool(t, "create", "--size", "64X", "x")
	if code != 2 || !strings.Contains(errOut, `--size: "64X": unknown unit "X"`) {
		t.Fatalf("create --size 64X: exit %d, stderr %q; want 2 and the unit named", code, errOut)
	}
}

// Format, then parse, gives the size back: every exact way shmtool or a
// user writes a size (bytes, thousands, K/KiB/M/MiB/G/T whole or .5, KB,
// MB, GB whole), and IBytes's own text (ls's SIZE) exactly where it has
// all the digits (1.5 KiB, 64.0 MiB), within its rounding otherwise.
func TestParseSizeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 2, 9, 10, 1000, 1023, 1024, 1025, 4096, 65536, 1 << 20, 1e6, 3 << 19, 1 << 30, 5 << 30, 1 << 40}
	for range 500 {
		sizes = append(sizes, 1+rng.IntN(shm.MaxPayloadSize))
		sizes = append(sizes, (1+rng.IntN(1<<20))<<rng.IntN(20))
	}
	for _, n := range sizes {
		forms := []string{strconv.Itoa(n), humanize.Comma(int64(n)), strconv.Itoa(n) + "B"}
		for _, u := range []struct {
			unit string
			mult int
		}{{"K", 1 << 10}, {"KiB", 1 << 10}, {"k", 1 << 10}, {"M", 1 << 20}, {"MiB", 1 << 20}, {"G", 1 << 30}, {"GiB", 1 << 30}, {"T", 1 << 40},
			{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}} {
			if n%u.mult == 0 {
				forms = append(forms, strconv.Itoa(n/u.mult)+u.unit)
			}
			if 2*n%u.mult == 0 && n%u.mult != 0 {
				forms = append(forms, strconv.Itoa(n/u.mult)+".5"+u.unit)
			}
		}
		for _, f := range forms {
			if got, err := parseSize(f); got != n || err != nil {
				t.Errorf("parseSize(%q) = %d, %v; want %d", f, got, err, n)
			}
		}
		// IBytes, as ls prints sizes: when its one decimal makes whole
		// bytes, it parses back to within that decimal; otherwise (1.1
		// MiB) it is refused as no whole number of bytes.
		text := human.Bytes(float64(n))
		got, err := parseSize(text)
		if err != nil {
			if !strings.Contains(err.Error(), "not a whole number of bytes") {
				t.Errorf("parseSize(%q) (human.Bytes(%d)): %v", text, n, err)
			}
			continue
		}
		if back := human.Bytes(float64(got)); back != text {
			t.Errorf("human.Bytes(parseSize(%q)) = %q, want it back", text, back)
		}
		if diff := float64(got-n) / float64(n); diff > 0.05 || diff < -0.05 {
			t.Errorf("parseSize(%q) = %d, %.1f%% off %d", text, got, 100*diff, n)
		}
	}
	for _, n := range []int{1, 9, 1 << 10, 3 << 9, 1 << 20, 5 << 19, 64 << 20, 1 << 30, 1 << 40} {
		if got, err := parseSize(human.Bytes(float64(n))); got != n || err != nil {
			t.Errorf("parseSize(human.Bytes(%d) = %q) = %d, %v; want it exactly", n, human.Bytes(float64(n)), got, err)
		}
	}
}

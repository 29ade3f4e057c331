package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/bench"
)

// shmtool bench --quick measures every transport, mode, size and regime
// between two processes, and prints the documented JSON: every row
// present once, each figure a number where it applies (positive; for
// wake-ups, at least 0) and null where it does not, in the median and in
// the one round, with a spread for each figure present. A row is there
// only if every message of it arrived intact: the receiver checks each
// sequence number and payload CRC, and bench fails if one is wrong. It also draws the
// chart, and leaves no segment behind.
func TestBenchQuick(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "bench.svg")
	out, stderr, code := shmtool(t, append([]string{"bench", "--quick", "--json", "--plot", plot}, benchTestArgs...)...)
	if code != 0 {
		t.Fatalf("bench exited %d: %s", code, stderr)
	}
	var got struct {
		Machine map[string]any    `json:"machine"`
		Rounds  int               `json:"rounds"`
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("bench --json printed %q: %v", out, err)
	}
	for _, k := range []string{"cpu", "cores", "kernel", "go", "shared_core", "copy_bytes_per_sec"} {
		if _, ok := got.Machine[k]; !ok {
			t.Errorf("machine has no %q: %v", k, got.Machine)
		}
	}
	if got.Rounds != 1 {
		t.Errorf("--quick made %d rounds, want 1", got.Rounds)
	}
	transports := map[string]bench.Transport{}
	want := map[string]bool{}
	for _, tr := range bench.Transports() {
		transports[tr.Name] = tr
		for _, mode := range tr.Modes {
			sizes := bench.DefaultSizes()
			if benchTestArgs != nil {
				sizes = []int{64}
			}
			for _, size := range sizes {
				regime := ""
				if tr.RoundTrip {
					regime = bench.RegimeBackToBack
				}
				want[fmt.Sprintf("%s %s %d %s", tr.Name, mode, size, regime)] = true
				if tr.AfterIdle && mode == "block" {
					want[fmt.Sprintf("%s %s %d %s", tr.Name, mode, size, bench.RegimeAfterIdle)] = true
				}
			}
		}
	}
	figures := []string{"msgs_per_sec", "bytes_per_sec", "rtt_p50_ns", "rtt_p99_ns", "rtt_p999_ns", "wakeups_per_msg", "rtt_wakeups_per_msg"}
	for _, raw := range got.Results {
		var row map[string]any
		if err := json.Unmarshal(raw, &row); err != nil {
			t.Fatal(err)
		}
		regime, ok := row["regime"].(string) // on every row: "" where there are no round trips
		if !ok {
			t.Errorf("row %v: no regime", row)
		}
		key := fmt.Sprintf("%v %v %v %s", row["transport"], row["mode"], row["msg_size"], regime)
		if !want[key] {
			t.Errorf("unexpected or repeated row %q", key)
		}
		delete(want, key)
		fields := append([]string{"transport", "mode", "msg_size", "regime", "spread", "rounds", "round_ratios", "ratio_spread", "x_pipe", "x_floor", "x_rtt_floor"}, figures...)
		if len(row) != len(fields) {
			t.Errorf("%s: fields %v, want exactly %v", key, row, fields)
		}
		rounds, _ := row["rounds"].([]any)
		if len(rounds) != 1 {
			t.Errorf("%s: rounds %v, want one", key, row["rounds"])
			continue
		}
		if rr, _ := row["round_ratios"].([]any); len(rr) != 1 || !reflect.DeepEqual(rr[0].(map[string]any)["x_floor"], row["x_floor"]) {
			t.Errorf("%s: round_ratios %v, want one round's, with the row's x_floor %v", key, row["round_ratios"], row["x_floor"])
		}
		spread, _ := row["spread"].(map[string]any)
		tr := transports[row["transport"].(string)]
		switch x, _ := row["x_floor"].(float64); {
		case tr.Throughput && regime != bench.RegimeAfterIdle && !(x > 0):
			t.Errorf("%s: x_floor = %v, want a positive ratio to the floor's throughput", key, row["x_floor"])
		case (!tr.Throughput || regime == bench.RegimeAfterIdle) && row["x_floor"] != nil:
			t.Errorf("%s: x_floor = %v, want null", key, row["x_floor"])
		}
		for _, f := range figures {
			applies := tr.Throughput && regime != bench.RegimeAfterIdle
			if strings.HasPrefix(f, "rtt_") {
				applies = regime != ""
			}
			wake := strings.Contains(f, "wakeups")
			applies = applies && (!wake || tr.Wakeups)
			for i, figs := range []map[string]any{row, rounds[0].(map[string]any)} {
				v, present := figs[f]
				switch n, isNum := v.(float64); {
				case !present:
					t.Errorf("%s (%d): no %s", key, i, f)
				case applies && (!isNum || n < 0 || n == 0 && !wake):
					t.Errorf("%s (%d): %s = %v, want a positive number (for wake-ups, at least 0)", key, i, f, v)
				case !applies && v != nil:
					t.Errorf("%s (%d): %s = %v, want null", key, i, f, v)
				}
			}
			if _, ok := spread[f]; applies && !ok {
				t.Errorf("%s: no spread of %s in %v", key, f, spread)
			}
		}
	}
	for key := range want {
		t.Errorf("no row for %q", key)
	}
	if !strings.Contains(stderr, "bench: wrote the chart to "+plot) {
		t.Errorf("bench did not say it wrote the chart: %q", stderr)
	}
	if b, err := os.ReadFile(plot); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("--plot wrote no SVG: %v", err)
	}
	if left, _ := filepath.Glob(fmt.Sprintf("/dev/shm/shmtool-bench-%d-*", os.Getpid())); len(left) > 0 {
		t.Errorf("bench left %v", left)
	}
}

// Bad bench flags are usage errors.
func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--sizes", "3"},
		{"bench", "--transports", "carrier-pigeon"},
		{"bench", "--cpus", "0"},
		{"bench", "--duration", "1ms"},
		{"bench", "--rounds", "0"},
		{"bench", "--plot", "chart.gif"},
		{"bench", "--transports", ""},
		{"bench", "--sizes", ""},
		{"bench", "--cpus", ""},
		{"bench", "--transports", "ring,floor,ring"},
		{"bench", "--sizes", "64,8,64"},
	} {
		if _, _, code := shmtool(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// A size a transport cannot carry here is one too, before anything is
	// measured: a seqpacket socket's message must fit its send buffer,
	// 212992 bytes on a stock Linux (net.core.wmem_default).
	if b, err := os.ReadFile("/proc/sys/net/core/wmem_default"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n < 1<<20 {
			args := []string{"bench", "--transports", "floor,unixpacket", "--sizes", "1MiB"}
			if _, stderr, code := shmtool(t, args...); code != 2 || !strings.Contains(stderr, "unixpacket cannot carry") {
				t.Errorf("%v: exit %d, %q; want 2 and why", args, code, stderr)
			}
		}
	}
}

// A --plot path that cannot be written fails before anything is
// measured, and a run that fails leaves no chart file behind it (and an
// existing one as it was).
func TestBenchPlotPath(t *testing.T) {
	dir := t.TempDir()
	profiles := filepath.Join(dir, "profiles") // what a measurement would leave
	out, stderr, code := shmtool(t, "bench", "--quick", "--json", "--transports", "floor", "--sizes", "8",
		"--cpuprofile", profiles, "--plot", filepath.Join(dir, "missing", "x.png"))
	if code != 1 || !strings.Contains(stderr, "--plot") || strings.Contains(out, "results") {
		t.Errorf("--plot into a missing directory: exit %d, stderr %q, stdout %q; want exit 1 naming --plot, before any result", code, stderr, out)
	}
	if got, _ := filepath.Glob(filepath.Join(profiles, "*")); len(got) > 0 {
		t.Errorf("--plot into a missing directory was found out only after measuring: %v", got)
	}
	fresh := filepath.Join(dir, "fresh.svg")
	if _, _, code := shmtool(t, "bench", "--transports", "carrier-pigeon", "--plot", fresh); code != 2 {
		t.Errorf("a failed run: exit %d, want 2", code)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed run left its chart file: %v", err)
	}
	old := filepath.Join(dir, "old.svg")
	if err := os.WriteFile(old, []byte("<svg>kept</svg>"), 0o644); err != nil {
		t.Fatal(err)
	}
	shmtool(t, "bench", "--transports", "carrier-pigeon", "--plot", old)
	if b, err := os.ReadFile(old); err != nil || string(b) != "<svg>kept</svg>" {
		t.Errorf("a failed run changed an existing chart: %q, %v", b, err)
	}
}

// The table's ratios take the right baselines: the pipe of the same mode,
// floor spin for both modes, limit for spin round trips and the futex of
// the same regime for block ones; spreads show as -low/+high percent.
func TestBenchTableRatios(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	row := func(transport, mode, regime string, mps, p50 *float64) bench.Result {
		r := bench.Result{Transport: transport, Mode: mode, MsgSize: 64, Regime: regime}
		r.MsgsPerSec, r.RTTP50 = mps, p50
		if mps != nil {
			r.BytesPerSec = v(64 * *mps)
		}
		return r
	}
	b2b, idle := bench.RegimeBackToBack, bench.RegimeAfterIdle
	rs := []bench.Result{
		row("ring", "block", b2b, v(40), v(300)),
		row("ring", "block", idle, nil, v(1000)),
		row("pipe", "block", b2b, v(10), v(200)),
		row("pipe", "spin", b2b, v(20), v(100)),
		row("floor", "spin", "", v(80), nil),
		row("limit", "spin", b2b, nil, v(50)),
		row("futex", "block", b2b, nil, v(100)),
		row("futex", "block", idle, nil, v(500)),
	}
	for i, want := range [][3]string{
		{"4.0×", "0.50×", "3.00×"}, // over pipe block, floor spin, futex back-to-back
		{"", "", "2.00×"},          // after idle: over futex after idle
		{"1.0×", "0.12×", "2.00×"},
		{"1.0×", "0.25×", "2.00×"}, // spin: over limit
		{"4.0×", "1.00×", ""},
	} {
		overPipe, overFloor, overRTT := ratios(rs, rs[i])
		if got := [3]string{overPipe, overFloor, overRTT}; got != want {
			t.Errorf("%s %s %s: ratios %q, want %q", rs[i].Transport, rs[i].Mode, rs[i].Regime, got, want)
		}
	}
	// A row of a run prints the ratios Run computed, the median of the
	// rounds' own, not its median figures' over the floor's.
	measured := rs[0]
	measured.Rounds = []bench.Figures{measured.Figures}
	measured.OverPipe, measured.OverFloor, measured.OverRTTFloor = v(3), v(0.75), v(1.5)
	if p, f, rt := ratios(rs, measured); p != "3.0×" || f != "0.75×" || rt != "1.50×" {
		t.Errorf("a measured row's ratios %q %q %q, want its own 3.0× 0.75× 1.50×", p, f, rt)
	}
	r := rs[0]
	r.Spread = map[string]bench.Range{"msgs_per_sec": {Low: -0.031, High: 0.12}, "rtt_p50_ns": {Low: -0.5, High: 25}}
	if got := spread(r, "msgs_per_sec", 3); got != "-3/+12%" {
		t.Errorf("spread = %q, want -3/+12%%", got)
	}
	if got := spread(r, "rtt_p50_ns", 3); got != "-50/+>999%" {
		t.Errorf("spread = %q, want -50/+>999%%", got)
	}
	if got := spread(r, "msgs_per_sec", 1); got != "-" {
		t.Errorf("spread of one round = %q, want -", got)
	}
}

// README and bench --help state the same durations for a default and a
// --quick run (both measured; they had drifted apart).
func TestBenchDurationsAgree(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	help := newBench(nil, nil).Long
	for _, d := range []string{"2 min 20 s", "13 s"} {
		if !strings.Contains(string(readme), d) || !strings.Contains(strings.Join(strings.Fields(help), " "), d) {
			t.Errorf("README and bench --help must both say %q", d)
		}
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/bench"
)

// shmtool bench --quick measures every transport, mode and size between
// two processes, and prints the documented JSON: every row present, each
// figure a positive number where it applies and null where it does not.
// It also draws the chart, and leaves no segment behind.
func TestBenchQuick(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "bench.svg")
	out, stderr, code := shmtool(t, append([]string{"bench", "--quick", "--json", "--plot", plot}, benchTestArgs...)...)
	if code != 0 {
		t.Fatalf("bench exited %d: %s", code, stderr)
	}
	var got struct {
		Machine map[string]any    `json:"machine"`
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
	want := map[string]bool{}
	for _, tr := range bench.Transports() {
		for _, mode := range tr.Modes {
			sizes := bench.DefaultSizes()
			if benchTestArgs != nil {
				sizes = []int{64}
			}
			for _, size := range sizes {
				want[fmt.Sprintf("%s %s %d", tr.Name, mode, size)] = true
			}
		}
	}
	fields := []string{"transport", "mode", "msg_size", "msgs_per_sec", "bytes_per_sec", "rtt_p50_ns", "rtt_p99_ns", "rtt_p999_ns"}
	for _, raw := range got.Results {
		var row map[string]any
		if err := json.Unmarshal(raw, &row); err != nil {
			t.Fatal(err)
		}
		if len(row) != len(fields) {
			t.Errorf("row has fields %v, want exactly %v", row, fields)
		}
		key := fmt.Sprintf("%v %v %v", row["transport"], row["mode"], row["msg_size"])
		if !want[key] {
			t.Errorf("unexpected or repeated row %s", key)
		}
		delete(want, key)
		tput := row["transport"] != "limit" && row["transport"] != "futex"
		for _, f := range fields[3:] {
			v, present := row[f]
			applies := tput || strings.HasPrefix(f, "rtt")
			switch n, isNum := v.(float64); {
			case !present:
				t.Errorf("%s: no %s", key, f)
			case applies && (!isNum || n <= 0):
				t.Errorf("%s: %s = %v, want a positive number", key, f, v)
			case !applies && v != nil:
				t.Errorf("%s: %s = %v, want null", key, f, v)
			}
		}
	}
	for key := range want {
		t.Errorf("no row for %s", key)
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
		{"bench", "--plot", "chart.gif"},
	} {
		if _, _, code := shmtool(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

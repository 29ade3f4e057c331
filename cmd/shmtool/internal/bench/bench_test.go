package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

func TestMain(m *testing.M) {
	RegisterRoles() // Run's second process is this test binary, re-executed
	testutil.Main(m)
}

// Run measures each transport asked for, with a second process where the
// transport has one, and returns a positive figure wherever one applies.
func TestRun(t *testing.T) {
	var progress bytes.Buffer
	rep, err := Run(context.Background(), Config{
		Transports: []string{"ring", "queue", "pipe", "chan", "futex"},
		Sizes:      []int{64},
		Duration:   MinDuration,
		Progress:   &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Machine.Cores == 0 || rep.Machine.CopyBytesPerSec <= 0 || rep.Machine.Go == "" {
		t.Errorf("Machine = %+v, want cores, a copy bandwidth and a Go version", rep.Machine)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, fmt.Sprintf("%s %s %d", r.Transport, r.Mode, r.MsgSize))
		tr, _ := transportNamed(r.Transport)
		for name, v := range map[string]*float64{"MsgsPerSec": r.MsgsPerSec, "BytesPerSec": r.BytesPerSec} {
			if tr.Throughput != (v != nil) || v != nil && *v <= 0 {
				t.Errorf("%s %s: %s = %v, want a positive number iff throughput applies", r.Transport, r.Mode, name, v)
			}
		}
		for name, v := range map[string]*float64{"RTTP50": r.RTTP50, "RTTP99": r.RTTP99, "RTTP999": r.RTTP999} {
			if v == nil || *v <= 0 {
				t.Errorf("%s %s: %s = %v, want a positive number", r.Transport, r.Mode, name, v)
			}
		}
	}
	want := "ring spin 64,ring block 64,queue spin 64,queue block 64,pipe spin 64,pipe block 64,chan block 64,futex block 64"
	if strings.Join(got, ",") != want {
		t.Errorf("results for %s, want %s", strings.Join(got, ","), want)
	}
	if n := strings.Count(progress.String(), "\n"); n != 2+len(rep.Results) {
		t.Errorf("progress has %d lines, want %d:\n%s", n, 2+len(rep.Results), progress.String())
	}
	if left, _ := filepath.Glob(fmt.Sprintf("/dev/shm/shmtool-bench-%d-*", os.Getpid())); len(left) > 0 {
		t.Errorf("Run left %v", left)
	}
}

func TestRunInvalidConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"unknown transport", Config{Transports: []string{"carrier-pigeon"}, Duration: MinDuration}},
		{"small size", Config{Sizes: []int{3}, Duration: MinDuration}},
		{"large size", Config{Sizes: []int{MaxSize + 1}, Duration: MinDuration}},
		{"short", Config{Duration: MinDuration - 1}},
		{"long", Config{Duration: MaxDuration + 1}},
		{"one core", Config{CPUs: []int{0}, Duration: MinDuration}},
		{"no such core", Config{CPUs: []int{0, 1 << 20}, Duration: MinDuration}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Run(context.Background(), tt.cfg); !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Run(%+v) = %v, want ErrInvalidConfig", tt.cfg, err)
			}
		})
	}
}

// Run stops when its context ends, with what it has measured.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Run(ctx, Config{Transports: []string{"pipe"}, Duration: MinDuration})
	if !errors.Is(err, context.Canceled) || len(rep.Results) != 0 {
		t.Fatalf("Run(cancelled) = %d results, %v; want none and context.Canceled", len(rep.Results), err)
	}
}

// A peer that cannot open its link ends with an error that names what it
// could not open.
func TestPeerFails(t *testing.T) {
	p := testutil.Start(t, peerRole, "ring", "spin", "64", "-1", "no-such-fwd", "no-such-back")
	if err := p.WaitError(); err == nil || !strings.Contains(p.Stderr(), "no-such") {
		t.Fatalf("peer on missing segments: %v, stderr %q; want a failure naming them", err, p.Stderr())
	}
}

func TestWritePlot(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	rep := Report{Machine: describeMachine(nil), Results: []Result{
		{Transport: "ring", Mode: "spin", MsgSize: 64, MsgsPerSec: v(1e7), BytesPerSec: v(64e7), RTTP50: v(300), RTTP99: v(900), RTTP999: v(2000)},
		{Transport: "ring", Mode: "spin", MsgSize: 1024, MsgsPerSec: v(5e6), BytesPerSec: v(5e9), RTTP50: v(400), RTTP99: v(1000), RTTP999: v(3000)},
		{Transport: "limit", Mode: "spin", MsgSize: 64, RTTP50: v(100), RTTP99: v(200), RTTP999: v(300)},
	}}
	var svg bytes.Buffer
	if err := rep.WritePlot(&svg, "svg"); err != nil || !strings.Contains(svg.String(), "<svg") {
		t.Fatalf(`WritePlot(svg) = %v, %d bytes without <svg`, err, svg.Len())
	}
	var png bytes.Buffer
	if err := rep.WritePlot(&png, "png"); err != nil || !bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")) {
		t.Fatalf(`WritePlot(png) = %v, not a PNG`, err)
	}
	if err := rep.WritePlot(&png, "gif"); err == nil {
		t.Fatal(`WritePlot(gif) succeeded, want an error`)
	}
}

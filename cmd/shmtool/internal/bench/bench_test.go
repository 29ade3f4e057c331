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

// applies says which figures a row should have: the throughput ones on
// the row of a transport with throughput that is not after idle, the
// round-trip ones on rows with a regime, and wake-ups where the
// transport knows them.
func applies(tr Transport, regime, figure string) bool {
	rtt := strings.HasPrefix(figure, "rtt_")
	switch {
	case strings.Contains(figure, "wakeups") && !tr.Wakeups:
		return false
	case rtt:
		return regime != ""
	}
	return tr.Throughput && regime != RegimeAfterIdle
}

// Run measures each transport asked for, round by round, with a second
// process where the transport has one, and returns every row once with
// a figure wherever one applies (positive, or for wake-ups at least 0),
// the median of its rounds, each round's figures and their spread.
func TestRun(t *testing.T) {
	var progress bytes.Buffer
	rep, err := Run(context.Background(), Config{
		Transports: []string{"ring", "ring-batch", "chan", "floor", "futex"}, // a few: under -race, each second process takes a second to exit
		Sizes:      []int{64},
		Duration:   MinDuration,
		Rounds:     2,
		Progress:   &progress,
		Terminal:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Machine.Cores == 0 || rep.Machine.CopyBytesPerSec <= 0 || rep.Machine.Go == "" || rep.Rounds != 2 {
		t.Errorf("Machine = %+v, rounds %d; want cores, a copy bandwidth, a Go version and 2 rounds", rep.Machine, rep.Rounds)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, fmt.Sprintf("%s %s %d %s", r.Transport, r.Mode, r.MsgSize, r.Regime))
		tr, _ := transportNamed(r.Transport)
		if len(r.Rounds) != 2 {
			t.Errorf("%s %s %s: %d rounds, want 2", r.Transport, r.Mode, r.Regime, len(r.Rounds))
		}
		for _, f := range figureFields {
			want := applies(tr, r.Regime, f.name)
			for i, fig := range append([]Figures{r.Figures}, r.Rounds...) {
				v := *f.of(&fig)
				wake := strings.Contains(f.name, "wakeups")
				if want != (v != nil) || v != nil && (*v < 0 || !wake && *v == 0) {
					t.Errorf("%s %s %s (figures %d): %s = %v, want a number iff it applies (%v)", r.Transport, r.Mode, r.Regime, i, f.name, v, want)
				}
			}
			if _, ok := r.Spread[f.name]; want && !ok {
				t.Errorf("%s %s %s: no spread of %s", r.Transport, r.Mode, r.Regime, f.name)
			}
		}
	}
	want := "ring spin 64 back-to-back,ring block 64 back-to-back,ring block 64 after-idle," +
		"ring-batch spin 64 ,ring-batch block 64 ,chan block 64 back-to-back," +
		"floor spin 64 ,futex block 64 back-to-back,futex block 64 after-idle"
	if strings.Join(got, ",") != want {
		t.Errorf("results for\n%s, want\n%s", strings.Join(got, ","), want)
	}
	if !strings.Contains(progress.String(), fmt.Sprintf("bench: 1 of %d, ", 2*len(rep.Results))) || !strings.Contains(progress.String(), " left: ") {
		t.Errorf("progress does not count measurements (n of N, time left):\n%s", progress.String())
	}
	if n := strings.Count(progress.String(), "\n"); n != 2+2*len(rep.Results) {
		t.Errorf("progress has %d lines, want %d:\n%s", n, 2+2*len(rep.Results), progress.String())
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
		{"no rounds", Config{Duration: MinDuration, Rounds: -1}},
		{"many rounds", Config{Duration: MinDuration, Rounds: MaxRounds + 1}},
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
	p := testutil.Start(t, peerRole, "ring", "spin", "64", "-1", "main", "-", "no-such-fwd", "no-such-back")
	if err := p.WaitError(); err == nil || !strings.Contains(p.Stderr(), "no-such") {
		t.Fatalf("peer on missing segments: %v, stderr %q; want a failure naming them", err, p.Stderr())
	}
}

func TestWritePlot(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	rep := Report{Machine: describeMachine(nil), Results: []Result{
		{Transport: "ring", Mode: "spin", MsgSize: 64, Regime: RegimeBackToBack, Figures: Figures{MsgsPerSec: v(1e7), BytesPerSec: v(64e7), RTTP50: v(300), RTTP99: v(900), RTTP999: v(2000)}},
		{Transport: "ring", Mode: "spin", MsgSize: 1024, Regime: RegimeBackToBack, Figures: Figures{MsgsPerSec: v(5e6), BytesPerSec: v(5e9), RTTP50: v(400), RTTP99: v(1000), RTTP999: v(3000)}},
		{Transport: "ring", Mode: "block", MsgSize: 64, Regime: RegimeAfterIdle, Figures: Figures{RTTP50: v(3000), RTTP99: v(9000), RTTP999: v(20000)}},
		{Transport: "floor", Mode: "spin", MsgSize: 64, Figures: Figures{MsgsPerSec: v(5e7), BytesPerSec: v(64 * 5e7)}},
		{Transport: "limit", Mode: "spin", MsgSize: 64, Regime: RegimeBackToBack, Figures: Figures{RTTP50: v(100), RTTP99: v(200), RTTP999: v(300)}},
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

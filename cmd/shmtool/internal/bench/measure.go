package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/shmkit/shmkit/internal/reexec"
)

// measure runs one transport, mode and size, either back to back
// (idle false: the second process, or goroutine for chan, receives for
// the throughput phase, then echoes round trips) or after idle (it
// echoes round trips, each after a pause). It also reports whether the
// two processes ended on one core.
//
// The regimes are separate measurements, each with its own link, so that
// the wake-up counts of the last phase are whole: the ends publish their
// counters now and then, and all of them when they close.
//
// With a profile path, each process writes its CPU profile of the
// measurement to it (with its suffix, profile.go), from when the link is
// open to the end.
func measure(ctx context.Context, t Transport, mode string, size int, idle bool, cfg Config, profile string) (_ Result, _ bool, err error) {
	r := Result{Transport: t.Name, Mode: mode, MsgSize: size}
	if t.Name == "chan" { // one process: its profile has both goroutines
		if profile != "" {
			stop, perr := startProfile(profile + profileSender)
			if perr != nil {
				return r, false, perr
			}
			defer stopInto(stop, &err)
		}
		return measureChan(r, size, cfg.Duration)
	}
	l, err := openLink(ctx, true, t.Name, mode, size, nil)
	if err != nil {
		return r, false, err
	}
	defer l.closer()
	cpu := -1
	if len(cfg.CPUs) == 2 {
		cpu = cfg.CPUs[1]
	}
	peerProfile := noProfile
	if profile != "" {
		peerProfile = profile + profileReceiver
	}
	args := append([]string{t.Name, mode, strconv.Itoa(size), strconv.Itoa(cpu), phasesArg(idle), peerProfile}, l.args...)
	var c *reexec.Child
	err = unpinned(func() (err error) { // the child pins itself; it must not start on our core alone
		c, err = reexec.Start(ctx, peerRole, reexec.Options{Args: args, Files: l.files})
		return err
	})
	if err != nil {
		return r, false, err
	}
	defer c.Kill()
	for _, f := range l.files { // the child has its own copies now: our ends see EOF when it exits
		f.Close()
	}
	if _, err := c.Expect("ready", peerTimeout); err != nil {
		return r, false, err
	}
	if profile != "" {
		stop, perr := startProfile(profile + profileSender)
		if perr != nil {
			return r, false, perr
		}
		defer stopInto(stop, &err)
	}
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(rand.Uint32())
	}
	shared := false
	if idle {
		r.Regime = RegimeAfterIdle
		n := idleTrips(cfg.Duration)
		h, err := pingAfterIdle(l.tx, l.rx, msg, n, idlePause)
		if err != nil {
			return r, false, errors.Join(err, peerError(c))
		}
		if shared, err = expectDone(c, "idle", msg); err != nil {
			return r, false, err
		}
		l.flushEnds()
		setRTT(&r.Figures, h)
		r.RTTWakeupsPerMsg = l.wakeRate(0, 2*uint64(n))
		return r, shared, c.Wait(peerTimeout)
	}
	var from uint64
	if t.Throughput {
		sent, err := sendFor(l.tx, msg, cfg.Duration)
		if err != nil {
			return r, false, errors.Join(err, peerError(c))
		}
		rest, err := c.Expect("tput", peerTimeout)
		if err != nil {
			return r, false, err
		}
		var count, ns float64
		var sum uint32
		if _, err := fmt.Sscanf(rest, "%g %g %x", &count, &ns, &sum); err != nil || count == 0 || ns == 0 {
			return r, false, fmt.Errorf("no messages arrived (the second process said %q)", rest)
		}
		if want := payloadSum(msg); sum != want {
			return r, false, fmt.Errorf("the messages arrived with payload CRC-32C %08x, want %08x", sum, want)
		}
		if uint64(count) != sent {
			return r, false, fmt.Errorf("%d messages sent, %.0f arrived", sent, count)
		}
		if !t.RoundTrip {
			l.flushEnds()
		}
		mps := count / (ns / 1e9)
		r.MsgsPerSec, r.BytesPerSec = ptr(mps), ptr(mps*float64(size))
		r.WakeupsPerMsg = l.wakeRate(0, uint64(count))
		from = l.wakeCount()
	}
	if t.RoundTrip {
		r.Regime = RegimeBackToBack
		h, n, err := pingFor(l.tx, l.rx, msg, cfg.Duration)
		if err != nil {
			return r, false, errors.Join(err, peerError(c))
		}
		if shared, err = expectDone(c, "done", msg); err != nil {
			return r, false, err
		}
		l.flushEnds()
		setRTT(&r.Figures, h)
		r.RTTWakeupsPerMsg = l.wakeRate(from, 2*n)
	}
	return r, shared, c.Wait(peerTimeout)
}

// phasesArg tells the second process which phases to run.
func phasesArg(idle bool) string {
	if idle {
		return "idle"
	}
	return "main"
}

// expectDone waits for the second process's word that it has echoed a
// round-trip phase, and checks the payload CRC it echoed against msg's.
// It reports whether the second process ended on this one's core.
func expectDone(c *reexec.Child, word string, msg []byte) (sharedCore bool, err error) {
	rest, err := c.Expect(word, peerTimeout)
	if err != nil {
		return false, err
	}
	f := strings.Fields(rest)
	if want := fmt.Sprintf("%08x", payloadSum(msg)); len(f) != 2 || f[1] != want {
		return false, fmt.Errorf("the round trips were echoed as %q, want a core and payload CRC-32C %s", rest, want)
	}
	return f[0] == strconv.Itoa(currentCPU()), nil
}

// setRTT sets f's round-trip percentiles from h.
func setRTT(f *Figures, h *hdrhistogram.Histogram) {
	f.RTTP50, f.RTTP99, f.RTTP999 = ptr(float64(h.ValueAtQuantile(50))), ptr(float64(h.ValueAtQuantile(99))), ptr(float64(h.ValueAtQuantile(99.9)))
}

// peerError says how the second process ended, if it has, when a send or
// receive on the link failed: its death is usually why.
func peerError(c *reexec.Child) error {
	select {
	case <-c.Done():
		return c.Wait(0)
	default:
		return nil
	}
}

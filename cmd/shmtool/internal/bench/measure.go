package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/shmkit/shmkit/internal/reexec"
)

// measure runs one transport, mode and size: the second process (or
// goroutine, for chan) receives for the throughput phase, then echoes for
// the round-trip phase. It also reports whether the two processes ended on
// one core.
func measure(ctx context.Context, t Transport, mode string, size int, cfg Config) (Result, bool, error) {
	r := Result{Transport: t.Name, Mode: mode, MsgSize: size}
	if t.Name == "chan" {
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
	args := append([]string{t.Name, mode, strconv.Itoa(size), strconv.Itoa(cpu)}, l.args...)
	c, err := reexec.Start(ctx, peerRole, reexec.Options{Args: args, Files: l.files})
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
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(rand.Uint32())
	}
	if t.Throughput {
		if err := sendFor(l.tx, msg, cfg.Duration); err != nil {
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
		mps := count / (ns / 1e9)
		bps := mps * float64(size)
		r.MsgsPerSec, r.BytesPerSec = &mps, &bps
	}
	shared := false
	if t.RoundTrip {
		h, err := pingFor(l.tx, l.rx, msg, cfg.Duration)
		if err != nil {
			return r, false, errors.Join(err, peerError(c))
		}
		rest, err := c.Expect("done", peerTimeout)
		if err != nil {
			return r, false, err
		}
		f := strings.Fields(rest)
		shared = len(f) > 0 && f[0] == strconv.Itoa(currentCPU())
		p50, p99, p999 := float64(h.ValueAtQuantile(50)), float64(h.ValueAtQuantile(99)), float64(h.ValueAtQuantile(99.9))
		r.RTTP50, r.RTTP99, r.RTTP999 = &p50, &p99, &p999
	}
	if err := c.Wait(peerTimeout); err != nil {
		return r, false, err
	}
	return r, shared, nil
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

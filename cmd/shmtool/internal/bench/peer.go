package bench

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/reexec"
)

// peerRole is the second process of a measurement: this binary,
// re-executed.
const peerRole = "shmtool-bench-peer"

// peerTimeout bounds every wait on the other process, which may have died.
const peerTimeout = 30 * time.Second

// RegisterRoles registers with reexec the second process Run starts. Call
// it once, before reexec.Main, in every binary that calls Run: the tool's
// main, and the TestMain of a test binary that runs a bench.
func RegisterRoles() { reexec.Register(peerRole, peer) }

// peer is the second process. args are transport, mode, size, the core
// to pin to (-1: none), the phases to run ("main": throughput then round
// trips back to back, as the transport has them; "idle": round trips
// after idle), the file for its CPU profile ("-": none), then the link's
// own arguments. It reports
//
//	ready                      the link is open
//	tput COUNT NS CRC          the throughput phase: messages, time from the first, their CRC
//	done CPU CRC               the round-trip phase: the core it ended on, the CRC of what it echoed
//	idle CPU CRC               the same, for round trips after idle
//
// Before its last report it closes its ends of the link, which publishes
// their counters.
func peer(ctx context.Context, args []string) (err error) {
	defer live.Release() // our liveness file goes with us, not at the next sweep
	if len(args) < 6 {
		return fmt.Errorf("want transport, mode, size, core, phases and profile, got %q", args)
	}
	t, ok := transportNamed(args[0])
	size, err := strconv.Atoi(args[2])
	if !ok || err != nil || size < MinSize {
		return fmt.Errorf("bad transport or size in %q", args)
	}
	cpu, err := strconv.Atoi(args[3])
	if err != nil {
		return fmt.Errorf("bad core in %q", args)
	}
	idle := args[4] == "idle"
	if !idle && args[4] != "main" {
		return fmt.Errorf("bad phases %q in %q", args[4], args)
	}
	runtime.LockOSThread() // for the process's life: it ends with the role
	if cpu >= 0 {
		if _, err := pinThread(cpu); err != nil {
			return err
		}
	}
	l, err := openLink(ctx, false, t.Name, args[1], size, args[6:])
	if err != nil {
		return err
	}
	defer l.closer()
	if args[5] != noProfile {
		stop, perr := startProfile(args[5])
		if perr != nil {
			return perr
		}
		defer stopInto(stop, &err)
	}
	reexec.Send("ready")
	buf := make([]byte, size)
	if idle {
		sum, err := echo(l.tx, l.rx, buf)
		if err != nil {
			return err
		}
		l.flushEnds()
		reexec.Send("idle %d %08x", currentCPU(), sum)
		return nil
	}
	if t.Throughput {
		count, ns, sum, err := receiveAll(l.rx, buf)
		if err != nil {
			return err
		}
		if !t.RoundTrip {
			l.flushEnds()
		}
		reexec.Send("tput %d %d %08x", count, ns, sum)
	}
	if t.RoundTrip {
		sum, err := echo(l.tx, l.rx, buf)
		if err != nil {
			return err
		}
		l.flushEnds()
		reexec.Send("done %d %08x", currentCPU(), sum)
	}
	return nil
}

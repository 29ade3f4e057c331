package bench

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"

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
// to pin to (-1: none), then the link's own arguments. It reports
//
//	ready                      the link is open
//	tput COUNT NS CRC          the throughput phase: messages, time from the first, their CRC
//	done CPU CRC               the round-trip phase: the core it ended on, the CRC of what it echoed
func peer(ctx context.Context, args []string) error {
	if len(args) < 4 {
		return fmt.Errorf("want transport, mode, size and core, got %q", args)
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
	runtime.LockOSThread() // for the process's life: it ends with the role
	if cpu >= 0 {
		if _, err := pinThread(cpu); err != nil {
			return err
		}
	}
	l, err := openLink(ctx, false, t.Name, args[1], size, args[4:])
	if err != nil {
		return err
	}
	defer l.closer()
	reexec.Send("ready")
	buf := make([]byte, size)
	if t.Throughput {
		count, ns, sum, err := receiveAll(l.rx, buf)
		if err != nil {
			return err
		}
		reexec.Send("tput %d %d %08x", count, ns, sum)
	}
	if t.RoundTrip {
		sum, err := echo(l.tx, l.rx, buf)
		if err != nil {
			return err
		}
		reexec.Send("done %d %08x", currentCPU(), sum)
	}
	return nil
}

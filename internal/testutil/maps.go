package testutil

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// WaitMapped waits until the child has path mapped (it appears in
// /proc/PID/maps), so that a test acting on the file afterwards knows the
// child opened it first. It fails the test if the child exits or has not
// mapped path within Timeout.
func (p *Proc) WaitMapped(path string) {
	p.t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", p.Pid()))
		if err != nil || p.Exited() {
			p.wait()
			p.t.Fatalf("child %s exited (%v) before mapping %s; stderr:\n%s", p.name, p.err, path, p.stderr.String())
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasSuffix(line, " "+path) {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("child %s (pid %d) has not mapped %s after %v", p.name, p.Pid(), path, Timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

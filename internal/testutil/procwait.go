package testutil

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// WaitStopped waits until the child is stopped (state T in
// /proc/PID/stat), as after a "stop" failpoint.
func (p *Proc) WaitStopped() {
	p.t.Helper()
	p.waitProcFile("stat", "stopped", func(stat string) bool {
		_, after, ok := strings.Cut(stat, ") ")
		return ok && strings.HasPrefix(after, "T")
	})
}

// WaitMapped waits until the child has path mapped (it appears in
// /proc/PID/maps), so that a test acting on the file afterwards knows the
// child opened it first.
func (p *Proc) WaitMapped(path string) {
	p.t.Helper()
	p.waitProcFile("maps", "mapped "+path, func(maps string) bool {
		for _, line := range strings.Split(maps, "\n") {
			if strings.HasSuffix(line, " "+path) {
				return true
			}
		}
		return false
	})
}

// waitProcFile reads /proc/PID/name every millisecond until done reports
// true of it. It fails the test if the child exits first, or if done is
// still false after Timeout.
func (p *Proc) waitProcFile(name, what string, done func(contents string) bool) {
	p.t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", p.Pid(), name))
		if err != nil || p.Exited() {
			werr := p.wait()
			p.t.Fatalf("child %s exited (%v) before it %s; stderr:\n%s", p.name, werr, what, p.Stderr())
		}
		if done(string(b)) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("child %s (pid %d) has not %s after %v", p.name, p.Pid(), what, Timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

func init() {
	// The tool as a process that dies at its first flock(2).
	testutil.Child("shmtool-noflock", func(args []string) error {
		if err := trapFlock(); err != nil {
			testutil.Send("unfiltered: %v", err)
			return nil
		}
		testutil.Send("filtered")
		os.Exit(run(args, os.Stdout, os.Stderr))
		return nil
	})
}

// shmtoolNoFlock runs the tool as a process that dies of SIGSYS at its
// first flock(2), and returns its stdout, stderr and exit code. It skips
// the test where seccomp filters cannot be installed.
func shmtoolNoFlock(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	p := testutil.Start(t, "shmtool-noflock", args...)
	if first := p.ReadLine(); first != "filtered" {
		p.Wait()
		t.Skip(first)
	}
	var out strings.Builder
	for {
		line, ok := p.TryReadLine()
		if !ok {
			break
		}
		out.WriteString(line + "\n")
	}
	code := 0
	if err := p.WaitError(); err != nil {
		ee, ok := err.(interface{ ExitCode() int })
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return out.String(), p.Stderr(), code
}

// ls and inspect take no lock at all, not even for a moment, on a file
// without the shmkit magic: they run where any flock(2) kills them.
// Nobody holds these files' locks, so a lock would have been granted.
func TestLsTakesNoLock(t *testing.T) {
	// The trap works: ls does take a segment's shared lock.
	segDir := t.TempDir()
	mustRun(t, "create", "--size", "4K", filepath.Join(segDir, "seg"))
	if _, errOut, code := shmtoolNoFlock(t, "ls", segDir); code != 2 || !strings.Contains(errOut, "SIGSYS") {
		t.Fatalf("ls of a segment under the flock trap: exit %d, stderr:\n%s\nwant death by SIGSYS", code, firstLines(errOut, 20))
	}

	dir := t.TempDir()
	foreign, liveness := notOurs(t, dir)
	for _, tt := range []struct {
		args []string
		code int
		want string // in stdout, or in stderr when code is 1
	}{
		{[]string{"ls", dir}, 0, "NAME"},
		{[]string{"ls", "--all", dir}, 0, "foreign"},
		{[]string{"inspect", foreign}, 1, "no shmkit header"},
		{[]string{"inspect", liveness}, 1, "liveness file"},
	} {
		out, errOut, code := shmtoolNoFlock(t, tt.args...)
		if strings.Contains(errOut, "SIGSYS") {
			t.Errorf("shmtool %s called flock(2):\n%s", strings.Join(tt.args, " "), firstLines(errOut, 40))
			continue
		}
		if got := map[bool]string{true: out, false: errOut}[tt.code == 0]; code != tt.code || !strings.Contains(got, tt.want) {
			t.Errorf("shmtool %s: exit %d, stdout %q, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, out, errOut, tt.code, tt.want)
		}
	}
}

// firstLines keeps a traceback to its first n lines.
func firstLines(s string, n int) string {
	lines := strings.SplitAfterN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "")
}

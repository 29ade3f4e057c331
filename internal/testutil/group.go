package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RunTogether starts procs children called name with args, waits until
// each has said "ready", sends every one "go" so that they start together,
// then waits for each to say "done" and exit 0. Children built for it:
//
//	testutil.Send("ready")
//	testutil.Recv() // "go"
//	... the work ...
//	testutil.Send("done")
func RunTogether(t testing.TB, procs int, name string, args ...string) {
	t.Helper()
	ps := make([]*Proc, 0, procs)
	for range procs {
		p := Start(t, name, args...)
		p.Expect("ready")
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.Send("go")
	}
	for _, p := range ps {
		p.Expect("done")
		p.Wait()
	}
}

// Python3 returns the path of python3. Without it the test is skipped, or
// fails under CI (CI=true), where the interop tests must run.
func Python3(t testing.TB) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required in CI: ", err)
		}
		t.Skip("python3 not installed")
	}
	return py
}

package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// shmtool version and --version print the module, its version and the Go
// version, from the build info; --json as an object.
func TestVersion(t *testing.T) {
	out, _, code := shmtool(t, "version")
	if code != 0 || !strings.Contains(out, "github.com/shmkit/shmkit") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("version: %d %q", code, out)
	}
	out, _, code = shmtool(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "shmtool ") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("--version: %d %q", code, out)
	}
	out, _, code = shmtool(t, "version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 || v.Go != runtime.Version() || v.Module == "" || v.Version == "" {
		t.Fatalf("version --json: %d %q %v", code, out, err)
	}
}

// A failure under --json also prints {"error", "code"} on stdout, while
// stderr keeps its one line; a usage error points at the subcommand's help.
func TestErrorsAsJSON(t *testing.T) {
	out, errOut, code := shmtool(t, "inspect", "--json", "no-such-segment-here")
	var e struct {
		Error string
		Code  int
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil || code != 1 || e.Code != 1 || !strings.Contains(e.Error, "no-such-segment-here") {
		t.Fatalf("inspect --json of a missing segment: %d, stdout %q (%v)", code, out, err)
	}
	if !strings.HasPrefix(errOut, "shmtool: ") || strings.Count(errOut, "\n") != 0 {
		t.Fatalf("stderr %q: want one line", errOut)
	}
	out, errOut, code = shmtool(t, "ls", "--json", "--bogus")
	if err := json.Unmarshal([]byte(out), &e); err != nil || code != 2 || e.Code != 2 {
		t.Fatalf("a usage error with --json: %d, stdout %q", code, out)
	}
	if !strings.Contains(errOut, "Run 'shmtool ls --help' for usage.") {
		t.Fatalf("usage error's hint: %q", errOut)
	}
	if _, errOut, _ := shmtool(t, "nosuchcommand"); !strings.Contains(errOut, "Run 'shmtool help' for usage.") {
		t.Fatalf("unknown command's hint: %q", errOut)
	}
}

// Every command takes --json, as the root help says: each one's flags
// have it (help and completion, cobra's own, excepted).
func TestEveryCommandTakesJSON(t *testing.T) {
	root := newRoot(nil, nil)
	root.InitDefaultCompletionCmd()
	n := 0
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" || c.Hidden {
			continue
		}
		n++
		if c.Flags().Lookup("json") == nil {
			t.Errorf("shmtool %s has no --json", c.Name())
		}
	}
	if n < 12 {
		t.Fatalf("only %d commands", n)
	}
}

func TestDemoJSON(t *testing.T) {
	out, errOut, code := shmtool(t, "demo", "--json", "--messages", "50")
	var r struct {
		Messages  int     `json:"messages"`
		ReaderPID int     `json:"reader_pid"`
		Rate      float64 `json:"round_trips_per_sec"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || r.Messages != 50 || r.ReaderPID == 0 || r.Rate <= 0 {
		t.Fatalf("demo --json: %d %q %q (%v)", code, out, errOut, err)
	}
}

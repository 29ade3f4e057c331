package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/procscan"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) {
	registerRoles() // bench, demo and stress start their second processes from this binary too
	// The tool itself, as a real process, for tests where one is the
	// point: it dies, or another process acts on it while it runs.
	testutil.Child("shmtool", func(args []string) error {
		os.Exit(run(args, os.Stdout, os.Stderr))
		return nil
	})
	testutil.Child("hold-mutex", func(args []string) error {
		obj, err := shm.OpenObject[futex.Mutex](args[0], nil)
		if err != nil {
			return err
		}
		if err := obj.Get().Lock(); err != nil {
			return err
		}
		testutil.Send("locked")
		testutil.Recv() // until killed
		return nil
	})
	testutil.Main(m)
}

// shmtool runs the tool in this process, as main does, and returns its
// stdout, its stderr (trimmed) and its exit code.
func shmtool(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return out.String(), strings.TrimSpace(errOut.String()), code
}

// shmtoolProcess runs the tool as a process of its own, with more
// environment variables, and returns its stdout, its stderr and its exit
// code (-1 if a signal ended it): for a run that must die (at a
// failpoint) without taking the test with it.
func shmtoolProcess(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	p := testutil.StartEnv(t, env, "shmtool", args...)
	var out strings.Builder
	for {
		line, ok := p.TryReadLine()
		if !ok {
			break
		}
		out.WriteString(line + "\n")
	}
	err := p.WaitError()
	code := 0
	if err != nil {
		if ee, ok := err.(interface{ ExitCode() int }); ok {
			code = ee.ExitCode()
		} else {
			t.Fatal(err)
		}
	}
	return out.String(), p.Stderr(), code
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := shmtool(t, args...)
	if code != 0 {
		t.Fatalf("shmtool %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	name := testutil.Name(t)
	// Created by a process of its own, so that inspect sees a dead creator.
	out, stderr, code := shmtoolProcess(t, nil, "create", "--kind", "raw", "--size", "64K", "--json", name)
	if code != 0 {
		t.Fatalf("shmtool create: exit %d, stderr %q", code, stderr)
	}
	defer shm.Remove(name) // if the test fails before rm
	var created segmentJSON
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatal(err)
	}
	var got segmentJSON
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", name)), &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != name || got.Path != "/dev/shm/"+name || got.Kind != "raw" || got.Size != 4096+65536 ||
		got.PayloadOffset != 4096 || got.PayloadSize != 65536 || got.Mode != "0600" || got.LayoutVersion != 1 ||
		got.CreatorPID != created.CreatorPID || got.CreatorAlive || got.State == nil {
		t.Fatalf("inspect --json = %+v", got)
	}
	if ts, err := time.Parse(time.RFC3339, got.CreatedAt); err != nil || time.Since(ts) > time.Hour {
		t.Fatalf("created_at %q: %v", got.CreatedAt, err)
	}
	// The raw JSON has exactly the documented keys.
	var raw map[string]any
	json.Unmarshal([]byte(mustRun(t, "inspect", "--json", name)), &raw)
	for _, k := range []string{"name", "path", "kind", "size", "payload_offset", "payload_size", "mode", "layout_version", "creator_pid", "creator_alive", "created_at", "state"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("inspect --json lacks %q", k)
		}
	}

	var list []segmentJSON
	if err := json.Unmarshal([]byte(mustRun(t, "ls", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range list {
		found = found || s.Name == name && s.Kind == "raw" && s.PayloadSize == 65536
	}
	if !found {
		t.Fatalf("ls --json does not list %s", name)
	}
	if out := mustRun(t, "ls"); !strings.Contains(out, name) || !strings.HasPrefix(out, "NAME") {
		t.Fatalf("ls output lacks %s:\n%s", name, out)
	}

	// who: this test process maps the segment, and nobody else does.
	seg, err := shm.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	var who struct {
		Processes []procscan.Process `json:"processes"`
	}
	json.Unmarshal([]byte(mustRun(t, "who", "--json", name)), &who)
	seg.Close()
	if len(who.Processes) != 1 || who.Processes[0].PID != os.Getpid() {
		t.Fatalf("who --json = %+v, want only pid %d", who.Processes, os.Getpid())
	}
	if out := mustRun(t, "who", name); out != "no process maps "+name+" or holds it open\n" {
		t.Fatalf("who after Close = %q, want it to say nobody", out)
	}

	mustRun(t, "rm", name)
	if _, errOut, code := shmtool(t, "inspect", name); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("inspect after rm: exit %d, stderr %q; want 1, no such file", code, errOut)
	}
}

func TestInspectCorrupt(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func([]byte) []byte
		want   string
	}{
		{"flipped byte", func(b []byte) []byte { b[0x30] ^= 0xff; return b }, "checksum"},
		{"truncated", func(b []byte) []byte { return b[:5000] }, "header says"},
		{"garbage", func(b []byte) []byte { return bytes.Repeat([]byte{0xAB}, 100) }, "no shmkit header"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := testutil.Name(t)
			mustRun(t, "create", "--size", "8192", name)
			defer shm.Remove(name)
			b, err := os.ReadFile("/dev/shm/" + name)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile("/dev/shm/"+name, tt.mutate(b), 0o600)
			out, errOut, code := shmtool(t, "inspect", "--json", name)
			var e struct {
				Error string
				Code  int
			}
			if code != 1 || json.Unmarshal([]byte(out), &e) != nil || e.Code != 1 || !strings.Contains(e.Error, tt.want) {
				t.Fatalf("inspect of a corrupt segment: exit %d, stdout %q; want 1 and only the JSON error object", code, out)
			}
			if strings.Count(errOut, "\n") != 0 || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, "goroutine") {
				t.Fatalf("stderr = %q, want one line mentioning %q", errOut, tt.want)
			}
			// ls shows it with the error rather than failing.
			var list []segmentJSON
			json.Unmarshal([]byte(mustRun(t, "ls", "--json")), &list)
			for _, s := range list {
				if s.Name == name && s.Error == "" {
					t.Errorf("ls lists corrupt %s without an error", name)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"bogus"},
		{"inspect"},
		{"inspect", "a", "b"},
		{"create", "--size", "10"},
		{"create", "--size", "ten", "x"},
		{"create", "--kind", "ring", "--size", "10", "x"},
		{"create", "--mode", "999", "--size", "10", "x"},
		{"rm"},
		{"ls", "--nope"},
		{"ls", "a", "b"},
	} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			_, errOut, code := shmtool(t, args...)
			if code != 2 || !strings.HasPrefix(errOut, "shmtool: ") {
				t.Fatalf("shmtool %v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
			}
		})
	}
}

func TestRuntimeErrors(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--size", "1K", name)
	defer shm.Remove(name)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "--size", "1K", name}, "file exists"},
		{[]string{"rm", "nonexistent-" + strconv.Itoa(os.Getpid())}, "no such file"},
		{[]string{"inspect", "../x"}, "invalid segment name"},
		{[]string{"ls", "/nonexistent-dir"}, "no such file"},
	} {
		_, errOut, code := shmtool(t, tt.args...)
		if code != 1 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 0 {
			t.Errorf("shmtool %v: exit %d, stderr %q; want 1 and one line with %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestDemo(t *testing.T) {
	out := mustRun(t, "demo", "--messages", "2000", "--size", "100")
	if !strings.Contains(out, "sent 2000 messages of 100 bytes") || !strings.Contains(out, "verified every byte") {
		t.Fatalf("demo output:\n%s", out)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "4096": 4096, "64K": 65536, "2m": 2 << 20, "1G": 1 << 30} {
		if got, err := parseSize(in); got != want || err != nil {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "K", "2T", "99999999999G"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded, want an error", in)
		}
	}
}

package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func init() {
	testutil.Child("hold-producer", func(args []string) error {
		r, err := ringbuf.Open(args[0], nil)
		if err != nil {
			return err
		}
		if _, err := r.Producer(); err != nil {
			return err
		}
		testutil.Send("ready")
		testutil.Recv() // until killed
		return nil
	})
}

// watch prints rates in human units, and a producer whose process died
// holding the role as "PID (dead)", not as a live pid.
func TestWatchHumanAndDead(t *testing.T) {
	name := testutil.Name(t)
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 16}, &shm.Options{RemoveOnClose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := testutil.Start(t, "hold-producer", name)
	p.Expect("ready")
	p.Kill()
	out, errOut, code := shmtool(t, "watch", "--count", "1", "--interval", "10ms", name)
	if code != 0 {
		t.Fatal(errOut)
	}
	// A dead process's pid is known while its liveness file is there; any
	// process that starts meanwhile (another test binary) may sweep it,
	// and the peer is then "-".
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^\d\d:\d\d:\d\d\s+0\s+0 B/s\s+0\.0%\s+(\d+ \(dead\)|-)/-$`).MatchString(lines[1]) {
		t.Fatalf("watch:\n%s", out)
	}
	out, _, _ = shmtool(t, "watch", "--json", "--count", "1", "--interval", "10ms", name)
	var tk tick
	err = json.Unmarshal([]byte(out), &tk)
	swept := tk.Producer == 0 && tk.Peers == "-/-"
	if err != nil || tk.ProducerOK || !swept && !strings.Contains(tk.Peers, "(dead)") {
		t.Fatalf("watch --json: %q %v", out, err)
	}
	if rate(12345) != "12.3k" || rate(950) != "950" || byteRate(1536) != "1.5 KiB/s" {
		t.Fatalf("rate(12345) = %q, rate(950) = %q, byteRate(1536) = %q", rate(12345), rate(950), byteRate(1536))
	}
}

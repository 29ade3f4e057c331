package proc

import (
	"os"
	"os/exec"
	"testing"
)

func TestSelfAlive(t *testing.T) {
	id, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if id.PID != os.Getpid() || id.StartTime == 0 {
		t.Fatalf("Self() = %+v, want pid %d and a start time", id, os.Getpid())
	}
	if !Alive(id) {
		t.Fatalf("Alive(%+v) = false, want true", id)
	}
	if Alive(ID{PID: id.PID, StartTime: id.StartTime + 1}) {
		t.Fatal("Alive with a different start time = true, want false (pid reuse)")
	}
}

func TestDeadChild(t *testing.T) {
	cmd := exec.Command("cat") // lives until its stdin closes, so Lookup finds it running
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skip("no cat(1):", err)
	}
	id, err := Lookup(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if !Alive(id) {
		t.Fatalf("Alive(%+v) while running = false", id)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if Alive(id) {
		t.Fatalf("Alive(%+v) after exit = true, want false", id)
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		state byte
		start uint64
		ok    bool
	}{
		{"plain", "42 (cat) S 1 42 42 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 12345 5636096 200", 'S', 12345, true},
		{"parens in comm", "42 (a) b) (c) R 1 42 42 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 777 5636096 200", 'R', 777, true},
		{"truncated", "42 (cat) S 1 42", 0, 0, false},
		{"no parens", "garbage", 0, 0, false},
		{"bad number", "42 (cat) S 1 42 42 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 x 5636096 200", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, start, err := parseStat([]byte(tt.line))
			if (err == nil) != tt.ok || state != tt.state || start != tt.start {
				t.Errorf("parseStat(%q) = %q, %d, %v; want %q, %d, ok=%v", tt.line, state, start, err, tt.state, tt.start, tt.ok)
			}
		})
	}
}

func TestBootID(t *testing.T) {
	a, err := BootID()
	if err != nil {
		t.Fatal(err)
	}
	if a == [16]byte{} {
		t.Fatal("BootID() is all zero")
	}
}

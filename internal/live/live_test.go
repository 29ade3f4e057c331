package live

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("LIVE_CHILD") == "1" { // register, report, wait to be killed
		t, err := Self()
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString(strconv.FormatUint(uint64(t), 10) + "\n")
		os.Stdin.Read(make([]byte, 1))
		os.Exit(0)
	}
	code := m.Run()
	Release()
	os.Exit(code)
}

func TestSelfAlive(t *testing.T) {
	tok, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if tok == 0 || tok>>Bits != 0 {
		t.Fatalf("Self() = %#x, want a non-zero %d-bit token", tok, Bits)
	}
	if again, _ := Self(); again != tok {
		t.Fatalf("Self() changed: %#x then %#x", tok, again)
	}
	if !Alive(tok) || !probe(tok) {
		t.Fatal("own token not alive")
	}
	if PID(tok) != os.Getpid() {
		t.Fatalf("PID(self) = %d, want %d", PID(tok), os.Getpid())
	}
	if fi, err := os.Stat(Path(tok)); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("liveness file: %v, %v", fi, err)
	}
}

// Another process's token is alive while it runs and dead once it is
// killed; Sweep then removes its file.
func TestOtherProcessDies(t *testing.T) {
	exe, _ := os.Executable()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "LIVE_CHILD=1")
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	v, err := strconv.ParseUint(strings.TrimSpace(string(buf[:n])), 10, 64)
	if err != nil {
		t.Fatalf("child said %q", buf[:n])
	}
	tok := Token(v)
	if !probe(tok) || PID(tok) != cmd.Process.Pid {
		t.Fatalf("live child: probe=%v pid=%d, want true %d", probe(tok), PID(tok), cmd.Process.Pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if probe(tok) {
		t.Fatal("killed child's token still alive")
	}
	if Sweep() < 1 {
		t.Fatal("Sweep removed nothing")
	}
	if _, err := os.Stat(Path(tok)); !os.IsNotExist(err) {
		t.Fatalf("dead child's file still there: %v", err)
	}
	if Alive(tok) {
		t.Fatal("Alive(dead, swept) = true")
	}
}

// A file nobody holds, as a dead process leaves, is dead; so is a token
// with no file at all.
func TestStaleAndMissing(t *testing.T) {
	stale := Token(0x1234567890abc)
	if err := os.WriteFile(Path(stale), []byte("pid=1 start=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(Path(stale))
	if Alive(stale) {
		t.Fatal("Alive(stale file) = true")
	}
	if Alive(Token(0x2222222222)) || Alive(0) {
		t.Fatal("Alive(missing) = true")
	}
}

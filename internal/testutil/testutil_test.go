package testutil

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) {
	Child("echo", func(args []string) error {
		Send("hello %s", strings.Join(args, " "))
		Send("got %s", Recv())
		return nil
	})
	Child("chatty", func([]string) error {
		for i := range 10000 {
			Send("line %d", i)
		}
		return nil
	})
	Child("hang", func([]string) error {
		Send("up")
		Recv() // until killed
		select {}
	})
	Main(m)
}

func TestStartExpectSend(t *testing.T) {
	p := Start(t, "echo", "a", "b")
	p.Expect("hello a b")
	p.Send("ping")
	p.Expect("got ping")
	p.Wait()
}

// A child that writes more than the test reads still exits and is reaped.
func TestChattyChild(t *testing.T) {
	p := Start(t, "chatty")
	p.Expect("line 0")
	p.Wait()
}

func TestKill(t *testing.T) {
	p := Start(t, "hang")
	p.Expect("up")
	p.Kill()
}

func TestUnknownChild(t *testing.T) {
	p := Start(t, "no-such-child")
	if err := p.WaitError(); err == nil || !strings.Contains(p.Stderr(), "no role") {
		t.Fatalf("unknown child: %v, stderr %q", err, p.Stderr())
	}
}

// Name's cleanup removes, and reports, a segment the test left behind.
func TestNameLeakCheck(t *testing.T) {
	var name string
	t.Run("leaker", func(t *testing.T) {
		name = Name(t)
		if !strings.HasPrefix(name, prefix) {
			t.Fatalf("Name = %q, want prefix %q", name, prefix)
		}
		// No leak here: nothing created.
	})
	if _, err := os.Stat(shmDir + "/" + name); !os.IsNotExist(err) {
		t.Fatalf("segment %s exists", name)
	}
	if leaks := findLeaks(); len(leaks) != 0 {
		t.Fatalf("findLeaks() = %v with nothing leaked", leaks)
	}
	path := shmDir + "/" + prefix + "probe"
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	leaks := findLeaks()
	cleanLeaks()
	if len(leaks) != 1 || !strings.Contains(leaks[0], path) {
		t.Fatalf("findLeaks() = %v, want %s", leaks, path)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("cleanLeaks left %s", path)
	}
}

// A test that leaves a segment behind fails, and so does the run. The
// leaking test runs in a child copy of this binary (the lockedfile idiom).
func TestLeakFailsTest(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestLeakHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "SHMKIT_LEAK_HELPER=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "test leaked segment") || !strings.Contains(string(out), "--- FAIL: TestLeakHelper") {
		t.Fatalf("a leaking test passed or did not say why (%v):\n%s", err, out)
	}
	leaked := regexp.MustCompile(`shmkit-test-\d+-\d+-TestLeakHelper`).FindString(string(out))
	if _, serr := os.Stat(shmDir + "/" + leaked); leaked == "" || !os.IsNotExist(serr) {
		t.Fatalf("leaked segment %q was not cleaned up (%v)", leaked, serr)
	}
}

// TestLeakHelper leaks a segment on purpose when TestLeakFailsTest runs it
// in a child; in a normal run it has nothing to do.
func TestLeakHelper(t *testing.T) {
	if os.Getenv("SHMKIT_LEAK_HELPER") != "1" {
		return
	}
	if err := os.WriteFile(shmDir+"/"+Name(t), []byte("leak"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestExitSignal(t *testing.T) {
	p := Start(t, "hang")
	p.Expect("up")
	syscall.Kill(p.Pid(), syscall.SIGTERM)
	if sig := p.Signal(); sig != syscall.SIGTERM {
		t.Fatalf("Signal() = %v, want SIGTERM", sig)
	}
}

// HoldFlock's lock is seen by Flocked while the child lives, and goes
// with it.
func TestHoldFlock(t *testing.T) {
	path := t.TempDir() + "/held"
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if Flocked(t, path) {
		t.Fatal("Flocked before any lock = true")
	}
	p := HoldFlock(t, path)
	p.Kill()
	if Flocked(t, path) {
		t.Fatal("Flocked after the holder died = true")
	}
}

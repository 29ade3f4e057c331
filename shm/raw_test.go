//go:build linux

package shm_test

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// Go maps, with OpenRaw, a segment that Python's
// multiprocessing.shared_memory created, and reads what Python wrote.
func TestOpenRawPythonSharedMemory(t *testing.T) {
	py := testutil.Python3(t)
	name := testutil.Name(t)
	script := `
import sys
from multiprocessing import shared_memory
seg = shared_memory.SharedMemory(name=sys.argv[1], create=True, size=1000)
seg.buf[:20] = b"written by python3!!"
print("ready", flush=True)
sys.stdin.readline()
seg.close()
seg.unlink()
`
	cmd := exec.Command(py, "-c", script, name)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("python said %q, %v", line, err)
	}
	seg, err := shm.OpenRaw(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	if got := string(seg.Payload()[:20]); got != "written by python3!!" || len(seg.Payload()) != 1000 {
		t.Fatalf("payload = %q (%d bytes), want python's text in 1000 bytes", got, len(seg.Payload()))
	}
	if _, err := shm.Open(name, nil); !errors.Is(err, shm.ErrBadMagic) {
		t.Fatalf("Open(python segment) = %v, want ErrBadMagic", err)
	}
}

// On a full tmpfs Create fails with ENOSPC and leaves nothing behind,
// rather than handing out a mapping that raises SIGBUS later.
func TestCreateFullTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	defer syscall.Unmount(dir, 0)
	path := filepath.Join(dir, "big")
	seg, err := shm.Create(path, 1<<20, nil)
	if err == nil {
		seg.Close()
		t.Fatal("Create of 1 MiB on a 256 KiB tmpfs succeeded")
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Create on a full tmpfs = %v, want ENOSPC", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("failed Create left %s behind (%v)", path, err)
	}
	small, err := shm.Create(filepath.Join(dir, "small"), 64<<10, nil)
	if err != nil {
		t.Fatalf("Create of 64 KiB on the same tmpfs = %v", err)
	}
	small.Close()
}

package lint

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// README's first program runs as written (its segment name made unique),
// and leaves the ring it promises, with its message, which shmtool ls
// then lists: a fresh clone following README reaches that point.
func TestReadmeHello(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two programs")
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "<!-- readme-hello:")
	if !ok {
		t.Fatal("README has no readme-hello program")
	}
	_, code, _ := strings.Cut(after, "```go\n")
	code, _, _ = strings.Cut(code, "```")
	name := fmt.Sprintf("shmkit-test-readme-%d", os.Getpid())
	code = strings.Replace(code, `"hello"`, `"`+name+`"`, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove("/dev/shm/" + name)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute) // two builds on a busy CI machine
	defer cancel()
	goCmd := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = "../.."                // in the module, as in a clone
		cmd.WaitDelay = 10 * time.Second // a child that outlives a killed go must not hold the test
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	goCmd("run", filepath.Join(dir, "main.go"))
	ls := goCmd("run", "./cmd/shmtool", "ls")
	if !strings.Contains(ls, name+" ") || !strings.Contains(ls, " raw ") || !strings.Contains(ls, "1.0 MiB") {
		t.Fatalf("shmtool ls after README's program:\n%s", ls)
	}
	seg, err := os.ReadFile("/dev/shm/" + name)
	if err != nil || !bytes.Contains(seg, []byte("hello, shared memory")) {
		t.Fatalf("the segment does not hold what the program wrote: %v", err)
	}
	if lines := strings.Count(strings.TrimSpace(code[strings.Index(code, "func main() {"):]), "\n") - 1; lines != 6 {
		t.Fatalf("README's first program has %d lines in main; the issue asked for six", lines)
	}
}

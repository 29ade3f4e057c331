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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	goCmd := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = "../.." // in the module, as in a clone
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	goCmd("run", filepath.Join(dir, "main.go"))
	ls := goCmd("run", "./cmd/shmtool", "ls")
	if !strings.Contains(ls, name+" ") || !strings.Contains(ls, " ring ") {
		t.Fatalf("shmtool ls after README's program:\n%s", ls)
	}
	if out := goCmd("run", "./cmd/shmtool", "tail", "--count", "1", name); !strings.Contains(out, "hello, shared memory") {
		t.Fatalf("shmtool tail:\n%s", out)
	}
}

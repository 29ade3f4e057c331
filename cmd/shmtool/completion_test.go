package main

import (
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// Shell completion (cobra's __complete, which the scripts of
// `shmtool completion bash` call) offers segment names and --kind values.
func TestCompletion(t *testing.T) {
	name := testutil.Name(t)
	seg, err := shm.Create(name, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer seg.Close()
	out, _, code := shmtool(t, "__complete", "inspect", name[:len(name)-3])
	if code != 0 || !strings.Contains(out, name+"\traw") {
		t.Fatalf("completing a segment name: %d %q", code, out)
	}
	out, _, _ = shmtool(t, "__complete", "create", "--kind", "")
	for _, k := range []string{"ring", "queue", "dict", "value"} {
		if !strings.Contains(out, k+"\n") {
			t.Errorf("--kind completion lacks %s: %q", k, out)
		}
	}
	out, _, _ = shmtool(t, "__complete", "stress", "--kind", "")
	if !strings.Contains(out, "queue\n") {
		t.Errorf("stress --kind completion: %q", out)
	}
	if out, _, code := shmtool(t, "completion", "bash"); code != 0 || !strings.Contains(out, "__shmtool") && !strings.Contains(out, "_shmtool") {
		t.Fatalf("completion bash: %d, %d bytes", code, len(out))
	}
}

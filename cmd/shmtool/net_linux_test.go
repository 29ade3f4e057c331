//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

func init() {
	// A client process that dials args[0], writes args[1] bytes, and waits
	// to be killed.
	testutil.Child("shmnet-client", func(args []string) error {
		c, err := shmnet.Dial(context.Background(), args[0])
		if err != nil {
			return err
		}
		var n int
		fmt.Sscan(args[1], &n)
		if _, err := c.Write(make([]byte, n)); err != nil {
			return err
		}
		testutil.Send("wrote")
		select {}
	})
}

// TestLsShmnet: ls and inspect show a listener, its connection with both
// processes, the bytes each way and what is unread; and, once the client
// is killed, the connection as left by its peer, then gone once closed.
func TestLsShmnet(t *testing.T) {
	name := testutil.Name(t)
	l, err := shmnet.Listen(name, shmnet.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client := testutil.Start(t, "shmnet-client", name, "3000")
	sc, err := l.AcceptShm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	client.Expect("wrote")
	if _, err := io.ReadFull(sc, make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	sc.Write(make([]byte, 500))

	out, stderr, code := shmtool(t, "ls")
	if code != 0 {
		t.Fatalf("ls: %d %s", code, stderr)
	}
	for _, want := range []string{"SHMNET LISTENER", "SHMNET CONN", name, "2.9 KiB (2.0 KiB unread)", "500 B (500 B unread)", "open",
		fmt.Sprintf("%d,%d", min(client.Pid(), os.Getpid()), max(client.Pid(), os.Getpid()))} {
		if !strings.Contains(out, want) {
			t.Errorf("ls lacks %q:\n%s", want, out)
		}
	}
	out, _, code = shmtool(t, "ls", "--json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 {
		t.Fatalf("ls --json: %v\n%s", err, out)
	}
	kinds := map[string]int{}
	for _, r := range rows {
		if r["name"] == name {
			kinds[r["kind"].(string)]++
			if r["kind"] == "shmnet-conn" {
				dirs := r["state"].(map[string]any)["directions"].([]any)
				if w := dirs[0].(map[string]any)["written"].(float64); w != 3000 {
					t.Errorf("dialer wrote %v, want 3000", w)
				}
			}
		}
	}
	if kinds["shmnet-listener"] != 1 || kinds["shmnet-conn"] != 1 {
		t.Fatalf("ls --json kinds for %s: %v\n%s", name, kinds, out)
	}

	client.Kill()
	out, _, code = shmtool(t, "inspect", name)
	if code != 0 || !strings.Contains(out, "peer gone") || !strings.Contains(out, fmt.Sprint(os.Getpid())) {
		t.Fatalf("inspect after the client died (%d):\n%s", code, out)
	}
	sc.Close()
	out, _, _ = shmtool(t, "ls")
	if strings.Contains(out, "SHMNET CONN") {
		t.Fatalf("a closed connection still listed:\n%s", out)
	}
	if left, _ := filepath.Glob("/dev/shm/*shmnet*"); len(left) > 0 {
		t.Fatalf("left in /dev/shm: %v", left)
	}
}

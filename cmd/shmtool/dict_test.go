package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// TestDictTool: create --kind dict, then inspect and dump it, as text
// and JSON, with a binary key and an expiring entry.
func TestDictTool(t *testing.T) {
	name := testutil.Name(t)
	if out, stderr, code := shmtool(t, "create", "--kind", "dict", "--size", "64K", "--max-key", "16", "--max-value", "32", name); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, stderr)
	}
	defer shm.Remove(name)
	d, err := dict.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Set([]byte("greeting"), []byte("hello"), 0)
	d.Set([]byte{0, 1, 2}, []byte{0xff}, time.Hour)
	d.Incr([]byte("hits"), 7)
	out, _, code := shmtool(t, "inspect", name)
	if code != 0 || !strings.Contains(out, "  entries:    3\n") || !strings.Contains(out, "  max_value:  32\n") {
		t.Fatalf("inspect (%d):\n%s", code, out)
	}
	out, _, code = shmtool(t, "dump", name)
	if code != 0 || !strings.Contains(out, "greeting\thello\n") || !strings.Contains(out, "0x000102\t0xff\t") {
		t.Fatalf("dump (%d):\n%s", code, out)
	}
	out, _, _ = shmtool(t, "dump", "--json", name)
	var doc struct {
		Entries []struct {
			Key      string     `json:"key"`
			KeyHex   string     `json:"key_hex"`
			Value    string     `json:"value"`
			ValueHex string     `json:"value_hex"`
			Expires  *time.Time `json:"expires"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Entries) != 3 {
		t.Fatalf("dump --json: %v\n%s", err, out)
	}
	found := 0
	for _, e := range doc.Entries {
		switch e.KeyHex {
		case "000102":
			if e.Key != "" || e.ValueHex != "ff" || e.Expires == nil {
				t.Fatalf("binary entry: %+v", e)
			}
			found++
		case "6772656574696e67":
			if e.Key != "greeting" || e.Value != "hello" || e.Expires != nil {
				t.Fatalf("text entry: %+v", e)
			}
			found++
		}
	}
	if found != 2 {
		t.Fatalf("dump --json: %d of the 2 entries looked for\n%s", found, out)
	}
	if _, stderr, code := shmtool(t, "create", "--kind", "dict", "--size", "10", name+"x"); code != 2 {
		t.Fatalf("create of a dict too small for one entry: %d %s", code, stderr)
	}
}

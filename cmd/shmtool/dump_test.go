package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

type dumpJSON struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Len    int    `json:"len"`
	Values []any  `json:"values"`
}

func dump(t *testing.T, name string) dumpJSON {
	t.Helper()
	var d dumpJSON
	if err := json.Unmarshal([]byte(mustRun(t, "dump", "--json", name)), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCreateDumpArray(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "array", "--type", "float64", "--len", "5", name)
	defer shm.Remove(name)
	a, err := array.Open[float64](name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	copy(a.Slice(), []float64{1.5, -2, math.NaN(), math.Inf(1), 1e300})
	d := dump(t, name)
	if d.Name != name || d.Type != "float64" || d.Len != 5 || fmt.Sprint(d.Values) != "[1.5 -2 NaN +Inf 1e+300]" {
		t.Fatalf("dump --json = %+v", d)
	}
	if out := mustRun(t, "dump", name); !strings.HasPrefix(out, "0\t1.5\n1\t-2\n") {
		t.Fatalf("dump = %q", out)
	}
	_, st := inspectState(t, name)
	if fmt.Sprint(st) != "map[elem_size:8 len:5 type:float64]" {
		t.Fatalf("inspect state = %v", st)
	}
}

func TestCreateDumpValue(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "value", "--type", "int16", name)
	defer shm.Remove(name)
	v, err := value.Open[int16](name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	v.Store(-1234)
	if d := dump(t, name); d.Type != "int16" || d.Len != 1 || fmt.Sprint(d.Values) != "[-1234]" {
		t.Fatalf("dump --json = %+v", d)
	}
	if out := mustRun(t, "dump", name); out != "-1234\n" {
		t.Fatalf("dump = %q", out)
	}
}

// Elements of a type shmtool does not know are shown in hex.
func TestDumpHex(t *testing.T) {
	type pair struct{ A, B uint16 }
	name := testutil.Name(t)
	a, err := array.Create[pair](name, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer a.Close()
	a.Set(1, pair{A: 0x0102, B: 0xA0B0})
	if d := dump(t, name); d.Len != 2 || fmt.Sprint(d.Values) != "[00000000 0201b0a0]" {
		t.Fatalf("dump of a struct array = %+v", d)
	}
}

func TestDumpOtherKinds(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "mutex", name)
	defer shm.Remove(name)
	if _, errOut, code := shmtool(t, "dump", name); code != 1 || !strings.Contains(errOut, "dump shows values and arrays") {
		t.Fatalf("dump of a mutex: exit %d, %q", code, errOut)
	}
}

// A header forged to pair a basic type's name with another size (the
// checksum recomputed, as a hostile peer can) is dumped in hex, never
// decoded past the element's bytes.
func TestDumpForgedElemSize(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "value", "--type", "int64", name)
	defer shm.Remove(name)
	path := "/dev/shm/" + name
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint64(b[0x58:], 1) // elem_size 1 for an "int64"
	binary.LittleEndian.PutUint32(b[0xF8:], crc32.Checksum(b[:0xF8], crc32.MakeTable(crc32.Castagnoli)))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := shmtool(t, "dump", "--json", name)
	if code != 0 || !strings.Contains(out, `"values": [`) || !strings.Contains(out, `"00"`) {
		t.Fatalf("dump of a forged value: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

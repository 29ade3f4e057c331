package pylist_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pylist"
	"github.com/shmkit/shmkit/shm"
)

var errUnreadable = errors.New("UnicodeDecodeError")

// pyItems is what Go reads of sl.py's ITEMS, as CPython stores them.
var pyItems = []any{
	int64(0), int64(1), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), int64(123456789012345),
	0.0, -2.5, 1e300, math.Inf(1),
	true, false,
	"", "a", "héllo wörld",
	errUnreadable, // "日本語": 3 code points get a slot of 8, its 9 bytes are cut (gh-88336)
	"exactly8",
	"a",                // "a\x00": the NUL is stripped
	"ends in spaces  ", // spaces are not
	[]byte{}, []byte{0, 1, 2},
	[]byte("ab"), // b"ab\x00\x00": the NULs are stripped
	bytes.Repeat([]byte{0xff}, 20),
	nil,
}

var pyFormats = []string{
	"q", "q", "q", "q", "q", "q", "d", "d", "d", "d", "xxxxxxx?", "xxxxxxx?",
	"8s", "8s", "16s", "8s", "16s", "8s", "24s", "8s", "8s", "8s", "24s", "xxxxxx?x",
}

// checkItems checks that l holds want, item by item, through Get, Type,
// StructFormat and the typed getter.
func checkItems(t *testing.T, l *pylist.List, want []any, formats []string) {
	t.Helper()
	if l.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", l.Len(), len(want))
	}
	for i, w := range want {
		got, err := l.Get(i)
		if w == errUnreadable {
			if !errors.Is(err, pylist.ErrCorrupt) {
				t.Errorf("Get(%d) = %#v, %v; want ErrCorrupt, as Python raises UnicodeDecodeError", i, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, w) {
			t.Errorf("Get(%d) = %#v, %v; want %#v", i, got, err, w)
		}
		if f, err := l.StructFormat(i); err != nil || f != formats[i] {
			t.Errorf("StructFormat(%d) = %q, %v; want %q", i, f, err, formats[i])
		}
		var typed any
		switch w.(type) {
		case int64:
			typed, err = l.Int(i)
		case float64:
			typed, err = l.Float(i)
		case bool:
			typed, err = l.Bool(i)
		case string:
			typed, err = l.String(i)
		case []byte:
			typed, err = l.Bytes(i)
		case nil:
			var none bool
			none, err = l.IsNone(i)
			if !none {
				err = fmt.Errorf("IsNone = false")
			}
		}
		if err != nil || (w != nil && !reflect.DeepEqual(typed, w)) {
			t.Errorf("typed getter of item %d = %#v, %v; want %#v", i, typed, err, w)
		}
	}
}

// checkDump checks that python's dump shows want.
func checkDump(t *testing.T, d dump, want []any, formats []string) {
	t.Helper()
	if len(d.Items) != len(want) || len(d.Formats) != len(formats) {
		t.Fatalf("python has %d items, %d formats; want %d", len(d.Items), len(d.Formats), len(want))
	}
	for i, w := range want {
		if got, w := d.Items[i], tag(w); got != w {
			t.Errorf("python reads item %d as %q, want %q", i, got, w)
		}
		if d.Formats[i] != formats[i] {
			t.Errorf("python's format of item %d is %q, want %q", i, d.Formats[i], formats[i])
		}
	}
}

// (1) Python creates a list of every type; Go reads each item as Python
// does, and Python's own dump agrees.
func TestReadPythonList(t *testing.T) {
	py := python(t)
	layout := pyLayout(t, py)
	name := testutil.Name(t)
	p := startPy(t, py, "serve", name)
	p.expect("ready")
	checkDump(t, p.dump(), pyItems, pyFormats)
	l, err := pylist.Open(name, &pylist.Options{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	checkItems(t, l, pyItems, pyFormats)
	if typ, err := l.Type(15); typ != pylist.Str || err != nil {
		t.Errorf("Type of the cut str = %v, %v; want str", typ, err)
	}
	for i, want := range map[int]int{0: 8, 12: 8, 14: 16, 15: 8, 16: 16, 18: 24, 22: 24, 23: 8} {
		if c, err := l.Cap(i); c != want || err != nil {
			t.Errorf("Cap(%d) = %d, %v; want %d", i, c, err, want)
		}
	}
	p.quit()
}

// (2) Go writes every type in place, including type changes (which
// Python permits whenever the value fits the slot) and a str shorter than
// its slot; Python reads what Go wrote. Then Python changes types and Go
// sees it.
func TestWritePythonList(t *testing.T) {
	py := python(t)
	layout := pyLayout(t, py)
	name := testutil.Name(t)
	p := startPy(t, py, "serve", name)
	p.expect("ready")
	p.dump()
	l, err := pylist.Open(name, &pylist.Options{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	want := append([]any(nil), pyItems...)
	formats := append([]string(nil), pyFormats...)
	set := func(i int, v any, stored any, format string) {
		t.Helper()
		if err := l.Set(i, v); err != nil {
			t.Fatalf("Set(%d, %#v): %v", i, v, err)
		}
		want[i], formats[i] = stored, format
	}
	set(0, int64(-42), int64(-42), "q")
	set(1, int32(7), int64(7), "q")
	set(3, uint16(65535), int64(65535), "q")
	set(7, 6.02214076e23, 6.02214076e23, "d")
	set(8, float32(0.5), 0.5, "d")
	set(11, true, true, "xxxxxxx?")
	set(2, "str8", "str8", "8s")                          // int -> str
	set(12, int64(99), int64(99), "q")                    // str -> int
	set(23, 3.25, 3.25, "d")                              // None -> float
	set(10, nil, nil, "xxxxxx?x")                         // bool -> None
	set(6, false, false, "xxxxxxx?")                      // float -> bool
	set(19, "hi", "hi", "8s")                             // bytes -> str
	set(20, []byte("xyz"), []byte("xyz"), "8s")           // bytes -> bytes
	set(13, []byte("12345678"), []byte("12345678"), "8s") // str -> bytes, filling the slot
	set(18, "short", "short", "24s")                      // shorter than the slot: NUL-padded
	set(14, "ünïcödé", "ünïcödé", "16s")
	set(22, []byte{0, 0, 1, 0, 0}, []byte{0, 0, 1}, "24s") // trailing NULs go, as in Python
	set(15, "fixed", "fixed", "8s")                        // the cut str, readable again
	set(16, "", "", "16s")
	if err := l.SetInt(4, math.MinInt64+1); err != nil {
		t.Fatal(err)
	}
	want[4] = int64(math.MinInt64 + 1)
	if err := l.SetFloat(9, math.Inf(-1)); err != nil {
		t.Fatal(err)
	}
	want[9] = math.Inf(-1)
	if err := l.SetBool(11, false); err != nil {
		t.Fatal(err)
	}
	want[11] = false
	if err := l.SetString(17, "€8"); err != nil {
		t.Fatal(err)
	}
	want[17] = "€8"
	if err := l.SetBytes(21, nil); err != nil {
		t.Fatal(err)
	}
	want[21] = []byte{}
	if err := l.SetNone(5); err != nil {
		t.Fatal(err)
	}
	want[5], formats[5] = nil, "xxxxxx?x"

	// A str longer than its slot: Go refuses, and so does Python.
	if err := l.Set(13, "123456789"); !errors.Is(err, pylist.ErrTooLong) {
		t.Fatalf("Set of 9 bytes in a slot of 8 = %v, want ErrTooLong", err)
	}
	if err := l.SetString(16, strings.Repeat("é", 9)); !errors.Is(err, pylist.ErrTooLong) {
		t.Fatalf("Set of 18 bytes (9 code points) in a slot of 16 = %v, want ErrTooLong", err)
	}
	p.send("raise 13 %s", hex.EncodeToString([]byte("123456789")))
	p.expect("ValueError")

	checkItems(t, l, want, formats)
	p.send("dump")
	checkDump(t, p.dump(), want, formats)

	// Python changes types in place; Go reads each item afresh.
	for i, v := range map[int]any{0: "py", 1: nil, 2: 1.5, 18: []byte("from python"), 23: int64(-7)} {
		p.send("set %d %s", i, pyArg(v))
		p.expect("ok")
		got, err := l.Get(i)
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("after python's sl[%d] = %#v, Go's Get = %#v, %v", i, v, got, err)
		}
	}
	if f, _ := l.StructFormat(0); f != "8s" {
		t.Errorf("format after python stored a str over an int = %q, want 8s", f)
	}
	p.quit()
}

// checksum hashes items as sl.py's checksum does.
func checksum(t *testing.T, l *pylist.List) string {
	t.Helper()
	h := sha256.New()
	for i := range l.Len() {
		v, err := l.Get(i)
		if err != nil {
			t.Fatal(err)
		}
		typ, p := "", []byte(nil)
		switch x := v.(type) {
		case int64:
			typ, p = "int", binary.LittleEndian.AppendUint64(nil, uint64(x))
		case float64:
			typ, p = "float", binary.LittleEndian.AppendUint64(nil, math.Float64bits(x))
		case bool:
			typ, p = "bool", []byte{0}
			if x {
				p[0] = 1
			}
		case nil:
			typ = "None"
		case string:
			typ, p = "str", []byte(x)
		case []byte:
			typ, p = "bytes", x
		}
		h.Write([]byte(typ + ":"))
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(p))))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// goItem is the value Go writes as item i of the many-items test.
func goItem(i int) any {
	switch i % 7 {
	case 0:
		return int64(i)*-104729 + 1<<50
	case 1:
		return float64(i) * math.Pi
	case 2:
		return fmt.Sprintf("g%07d", i%10_000_000) // 8 bytes: the slot's size
	case 3:
		return []byte{byte(i), byte(i >> 8), 0, 9}
	case 4:
		return i%2 == 0
	case 5:
		return nil
	}
	return fmt.Sprintf("ü%d", i%100_000) // up to 7 bytes
}

// (3) 10,000 items round trip, checked by a checksum computed on both
// sides: Python's list read by Go, Go's writes (a type change in most
// items) read by Python, and a list Go creates read by Python.
func TestManyItemsRoundTrip(t *testing.T) {
	const count = 10_000
	py := python(t)
	layout := pyLayout(t, py)
	name := testutil.Name(t)
	p := startPy(t, py, "many", name, fmt.Sprint(count))
	ready := strings.Fields(p.line())
	if len(ready) != 2 || ready[0] != "ready" {
		t.Fatalf("python said %q", ready)
	}
	l, err := pylist.Open(name, &pylist.Options{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Len() != count {
		t.Fatalf("Len = %d, want %d", l.Len(), count)
	}
	if sum := checksum(t, l); sum != ready[1] {
		t.Fatalf("Go's checksum of python's list %s, python's %s", sum, ready[1])
	}
	for i := range count {
		if err := l.Set(i, goItem(i)); err != nil {
			t.Fatalf("Set(%d, %#v): %v", i, goItem(i), err)
		}
	}
	sum := checksum(t, l)
	p.send("check")
	if got := p.line(); got != sum {
		t.Fatalf("python's checksum after Go's writes %s, Go's %s", got, sum)
	}
	p.quit()

	items := make([]any, count)
	for i := range items {
		items[i] = goItem(i * 3)
	}
	created := testutil.Name(t)
	c, err := pylist.Create(created, items, &pylist.Options{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(created)
	defer c.Close()
	out, err := exec.Command(py, "testdata/sl.py", "sum", created).CombinedOutput()
	if want := fmt.Sprintf("%d %s", count, checksum(t, c)); err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("python's count and checksum of Go's list: %v %q; want %q", err, out, want)
	}
}

// Create writes what Python's ShareableList(items) writes, byte for byte
// (for ASCII: CPython sizes a str's slot by code points), and Python reads
// it; a list of non-ASCII strs that CPython itself would cut reads back
// whole.
func TestCreateMatchesPython(t *testing.T) {
	py := python(t)
	layout := pyLayout(t, py)
	for _, tc := range []struct {
		items []any
		same  bool
	}{
		{[]any{int64(1), int64(-1), int64(math.MaxInt64), 2.5, math.Inf(1), true, false, nil,
			"", "a", "exactly8", "sixteen bytes!!!", []byte{}, []byte("\x00\x01"), bytes.Repeat([]byte("z"), 40)}, true},
		{[]any{}, true},
		{[]any{"日本語", "ünïcödé über alles", "🙂🙂🙂🙂"}, false},
	} {
		name := testutil.Name(t)
		l, err := pylist.Create(name, tc.items, &pylist.Options{Layout: layout})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]any, len(tc.items))
		formats := make([]string, len(tc.items))
		for i, v := range tc.items {
			switch x := v.(type) {
			case int:
				v = int64(x)
			case []byte:
				v = bytes.TrimRight(x, "\x00")
			}
			want[i] = v
			formats[i], _ = l.StructFormat(i)
		}
		checkItems(t, l, want, formats)
		p := startPy(t, py, "open", name)
		checkDump(t, p.dump(), want, formats)
		verdict := p.line()
		if tc.same && verdict != "same" {
			t.Errorf("Go's list of %v is not Python's: %s", tc.items, verdict)
		}
		l.Close()
		if err := shm.Remove(name); err != nil {
			t.Fatal(err)
		}
	}
}

// (4) The layout is pinned to the machine's python3: its version must be
// one pylist knows, and a list it makes opens with that layout and fails,
// with ErrCorrupt, with any other.
func TestLayoutPinnedToPython(t *testing.T) {
	py := python(t)
	major, minor := pyVersion(t, py)
	layout := pyLayout(t, py)
	t.Logf("%s is CPython %d.%d: %v", py, major, minor, layout)
	name := testutil.Name(t)
	p := startPy(t, py, "serve", name)
	p.expect("ready")
	p.dump()
	for _, other := range []pylist.Layout{pylist.Layout39, pylist.Layout38} {
		l, err := pylist.Open(name, &pylist.Options{Layout: other})
		switch {
		case other == layout && err != nil:
			t.Errorf("Open with %v, the layout of CPython %d.%d: %v", other, major, minor, err)
		case other != layout && !errors.Is(err, pylist.ErrCorrupt):
			t.Errorf("Open of a CPython %d.%d list with %v = %v, want ErrCorrupt", major, minor, other, err)
		}
		if err == nil {
			l.Close()
		}
	}
	p.quit()
}

package pylist_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pylist"
)

// goItems are the items of the lists the hostile tests start from when
// there is no python3 to make one: sl.py's ITEMS, as Go stores them.
var goItems = []any{
	int64(0), int64(-1), 1e300, true, false, "", "héllo wörld", "exactly8",
	[]byte{}, []byte{0, 1, 2}, bytes.Repeat([]byte{0xff}, 20), nil,
}

// goBytes returns the bytes of a list of goItems that Create makes in
// dir with layout.
func goBytes(t testing.TB, dir string, layout pylist.Layout) []byte {
	t.Helper()
	path := filepath.Join(dir, "made-by-go")
	l, err := pylist.Create(path, goItems, &pylist.Options{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	return b
}

// exercise opens the list at path and calls every method on every item
// (up to 256): each returns a valid value or an error wrapping ErrCorrupt
// (ErrTooLong for a str longer than its slot), and what Get returns, Set
// stores again unchanged.
func exercise(t *testing.T, path string, layout pylist.Layout) {
	t.Helper()
	l, err := pylist.Open(path, &pylist.Options{Layout: layout})
	if err != nil {
		if !errors.Is(err, pylist.ErrCorrupt) {
			t.Fatalf("Open: %v, want nil or ErrCorrupt", err)
		}
		return
	}
	defer l.Close()
	exerciseList(t, l)
}

// exerciseList is exercise of an open list.
func exerciseList(t *testing.T, l *pylist.List) {
	t.Helper()
	corruptOK := func(what string, err error) {
		t.Helper()
		if err != nil && !errors.Is(err, pylist.ErrCorrupt) {
			t.Fatalf("%s: %v, want nil or ErrCorrupt", what, err)
		}
	}
	for i := range min(l.Len(), 256) {
		_, err := l.Get(i)
		corruptOK("Get", err)
		typ, terr := l.Type(i)
		corruptOK("Type", terr)
		_, ferr := l.StructFormat(i)
		corruptOK("StructFormat", ferr)
		if (terr == nil) != (ferr == nil) {
			t.Fatalf("Type = %v and StructFormat = %v disagree", terr, ferr)
		}
		size, err := l.Cap(i)
		if err != nil || size < 8 || size%8 != 0 {
			t.Fatalf("Cap(%d) = %d, %v", i, size, err)
		}
		if v, err := l.Get(i); err == nil {
			if terr != nil || !matches(typ, v) {
				t.Fatalf("Get(%d) = %#v but Type = %v, %v", i, v, typ, terr)
			}
			if err := l.Set(i, v); err != nil {
				t.Fatalf("Set(%d, Get(%d) = %#v): %v", i, i, v, err)
			}
			if again, err := l.Get(i); err != nil || !same(again, v) {
				t.Fatalf("Get after Set(%d, %#v) = %#v, %v", i, v, again, err)
			}
		}
		full := strings.Repeat("x", size)
		if err := l.SetString(i, full); err != nil {
			t.Fatalf("SetString of %d bytes in a slot of %d: %v", size, size, err)
		}
		if s, err := l.String(i); err != nil || s != full {
			t.Fatalf("String after SetString = %q, %v", s, err)
		}
		if err := l.SetString(i, full+"x"); !errors.Is(err, pylist.ErrTooLong) {
			t.Fatalf("SetString of %d bytes in a slot of %d = %v, want ErrTooLong", size+1, size, err)
		}
		if err := l.SetInt(i, -5); err != nil {
			t.Fatal(err)
		}
		if n, err := l.Int(i); err != nil || n != -5 {
			t.Fatalf("Int after SetInt = %d, %v", n, err)
		}
	}
}

// same is reflect.DeepEqual, but a NaN is the same as itself.
func same(a, b any) bool {
	if x, ok := a.(float64); ok {
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	}
	return reflect.DeepEqual(a, b)
}

func matches(t pylist.Type, v any) bool {
	switch v.(type) {
	case int64:
		return t == pylist.Int
	case float64:
		return t == pylist.Float
	case bool:
		return t == pylist.Bool
	case string:
		return t == pylist.Str
	case []byte:
		return t == pylist.Bytes
	case nil:
		return t == pylist.None
	}
	return false
}

// realBytes returns the bytes of a list made by python3 (sl.py's ITEMS)
// and its layout, or, without python3 outside CI, one made by Create.
func realBytes(t *testing.T) ([]byte, pylist.Layout) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil && os.Getenv("PYLIST_PYTHON") == "" && os.Getenv("CI") != "true" {
		return goBytes(t, t.TempDir(), pylist.Layout39), pylist.Layout39
	}
	py := python(t)
	layout := pyLayout(t, py)
	name := testutil.Name(t)
	p := startPy(t, py, "serve", name)
	p.expect("ready")
	p.dump()
	b, err := os.ReadFile("/dev/shm/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p.quit()
	return b, layout
}

// (5) Random bytes scribbled over a real list's metadata (the count and
// offsets, the formats and codes), 2,000 times, in a copy the test owns:
// Open, Get and Set never panic and never touch memory outside the file,
// and return valid values or ErrCorrupt.
func TestHostileScribbles(t *testing.T) {
	orig, layout := realBytes(t)
	n := int(orig[0]) // fewer than 256 items: the low byte is the count
	data := 8 * (n + 2)
	if layout == pylist.Layout38 {
		data = 8 * (n + 1)
	}
	meta := len(orig) - 9*n // the formats and codes start here
	path := filepath.Join(t.TempDir(), "hostile")
	rng := rand.New(rand.NewPCG(1, 2))
	// scribble writes 1 to 8 random bytes into b, mostly in the metadata.
	scribble := func(b []byte) {
		for range 1 + rng.IntN(8) {
			var at int
			switch rng.IntN(3) {
			case 0:
				at = rng.IntN(data) // the count and the offsets
			case 1:
				at = meta + rng.IntN(len(b)-meta) // formats and codes
			default:
				at = rng.IntN(len(b))
			}
			switch rng.IntN(4) {
			case 0:
				b[at] = byte(rng.Uint32())
			case 1:
				b[at] ^= 1 << rng.IntN(8)
			case 2:
				b[at] = "0123456789sqd?x\x00\xff"[rng.IntN(17)]
			default:
				b[at] = byte(rng.IntN(5)) // a code, or a small count or offset
			}
		}
	}
	corrupt := 0
	for iter := range 2000 {
		// Scribbled before Open.
		b := bytes.Clone(orig)
		scribble(b)
		if iter%50 == 0 {
			b = b[:rng.IntN(len(b))] // truncated
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := pylist.Open(path, &pylist.Options{Layout: layout}); err != nil {
			corrupt++
		} else {
			exercise(t, path, layout)
		}
		if t.Failed() {
			t.Fatalf("iteration %d, scribbled before open: bytes %x", iter, b)
		}

		// Scribbled while mapped, as another process would: the list
		// reads every item's format and code afresh.
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := pylist.Open(path, &pylist.Options{Layout: layout})
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Clone(orig)
		scribble(b)
		f, err := os.OpenFile(path, os.O_WRONLY, 0) // not truncated: the mapping stays valid
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteAt(b, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		exerciseList(t, l)
		l.Close()
		if t.Failed() {
			t.Fatalf("iteration %d, scribbled while mapped: bytes %x", iter, b)
		}
	}
	t.Logf("%d of 2000 scribbled lists refused at Open", corrupt)
	if corrupt == 0 || corrupt == 2000 {
		t.Fatalf("%d of 2000 scribbled lists refused: the scribbles miss, or Open refuses everything", corrupt)
	}
}

// (6) FuzzOpen writes bytes over a list made by Create, at an offset
// (the count and offsets at 0, the formats near the end), optionally
// truncating it, then opens it with either layout and exercises every
// item: no panic, and only valid values or ErrCorrupt.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	bases := [2][]byte{goBytes(f, dir, pylist.Layout39), goBytes(f, dir, pylist.Layout38)}
	n := len(goItems)
	f.Add([]byte{}, uint16(0), false, uint16(0))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, uint16(0), false, uint16(0)) // a huge count
	f.Add([]byte{1}, uint16(8), false, uint16(0))                                              // first offset not 0
	f.Add([]byte{7}, uint16(16), true, uint16(0))                                              // a 3.8 size not a multiple of 8
	f.Add([]byte("99s\x00"), uint16(len(bases[0])-9*n), false, uint16(0))                      // a format past its slot
	f.Add([]byte{9}, uint16(len(bases[0])-n), false, uint16(0))                                // an unknown code
	f.Add([]byte("q\x00d"), uint16(len(bases[0])-9*n), false, uint16(0))                       // a NUL inside a format
	f.Add([]byte("SHMKIT\x00\x00"), uint16(0), false, uint16(0))                               // a shmkit segment
	f.Add([]byte{}, uint16(0), false, uint16(len(bases[0])-1))                                 // truncated
	f.Add([]byte{0x80}, uint16(len(bases[0])-9*n+8*6+1), false, uint16(0))                     // a str that is not UTF-8
	path := filepath.Join(dir, "fuzz")
	f.Fuzz(func(t *testing.T, meta []byte, at uint16, layout38 bool, cut uint16) {
		layout, base := pylist.Layout39, bases[0]
		if layout38 {
			layout, base = pylist.Layout38, bases[1]
		}
		b := bytes.Clone(base)
		off := int(at) % (len(b) + 1)
		if end := off + len(meta); end > len(b) {
			b = append(b, make([]byte, end-len(b))...)
		}
		copy(b[off:], meta)
		if cut > 0 && int(cut) < len(b) {
			b = b[:cut]
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		exercise(t, path, layout)
	})
}

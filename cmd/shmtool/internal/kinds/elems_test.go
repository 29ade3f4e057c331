package kinds

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/value"
)

// Basic types decode to numbers (NaN and ±Inf to strings); other types,
// and a basic type's name paired with another size, as a forged header
// may pair them, to hex.
func TestDecodeElems(t *testing.T) {
	f64 := func(fs ...float64) []byte {
		var b []byte
		for _, f := range fs {
			b = ne.AppendUint64(b, math.Float64bits(f))
		}
		return b
	}
	for _, tt := range []struct {
		typ  string
		raw  []byte
		size int
		want string
	}{
		{"float64", f64(1.5, math.NaN(), math.Inf(-1)), 8, "[1.5 NaN -Inf]"},
		{"int16", ne.AppendUint16(nil, 0xFB2E), 2, "[-1234]"},
		{"uint8", []byte{1, 2, 3}, 1, "[1 2 3]"},
		{"pair", []byte{1, 2, 3, 4}, 2, "[0102 0304]"},
		{"int64", []byte{7}, 1, "[07]"},
		{"int64", []byte{1, 2, 3}, 2, "[0102]"}, // a partial element is left out
		{"int8", []byte{1}, 0, "[]"},
	} {
		if got := fmt.Sprint(decodeElems(tt.typ, tt.raw, tt.size)); got != tt.want {
			t.Errorf("decodeElems(%s, % x, %d) = %s, want %s", tt.typ, tt.raw, tt.size, got, tt.want)
		}
	}
}

func TestElements(t *testing.T) {
	dir := t.TempDir()
	v, err := value.Create[int16](filepath.Join(dir, "v"), -1234, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if got, err := Elements(v.Segment()); err != nil || fmt.Sprint(got) != "[-1234]" {
		t.Errorf("Elements(value) = %v, %v; want [-1234]", got, err)
	}
	a, err := array.Create[float32](filepath.Join(dir, "a"), 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	copy(a.Slice(), []float32{0.5, float32(math.Inf(1)), 2})
	if got, err := Elements(a.Segment()); err != nil || fmt.Sprint(got) != "[0.5 +Inf 2]" {
		t.Errorf("Elements(array) = %v, %v; want [0.5 +Inf 2]", got, err)
	}
	seg, err := create(t, "mutex", Params{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Elements(seg); err == nil || !strings.Contains(err.Error(), "dump shows values and arrays") {
		t.Errorf("Elements(mutex) = %v, want an error saying what dump shows", err)
	}
}

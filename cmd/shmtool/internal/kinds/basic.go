package kinds

import (
	"encoding/binary"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// basicType is what shmtool can do with one basic element type: create a
// value or array of it, and decode its bytes for dump.
type basicType struct {
	size        int
	createValue func(name string, o *shm.Options) (*shm.Segment, error)
	createArray func(name string, n int, o *shm.Options) (*shm.Segment, error)
	decode      func(b []byte) any // one element, in memory order
}

var ne = binary.NativeEndian

var basicTypes = map[string]basicType{
	"int8":    basic(func(b []byte) int8 { return int8(b[0]) }),
	"int16":   basic(func(b []byte) int16 { return int16(ne.Uint16(b)) }),
	"int32":   basic(func(b []byte) int32 { return int32(ne.Uint32(b)) }),
	"int64":   basic(func(b []byte) int64 { return int64(ne.Uint64(b)) }),
	"uint8":   basic(func(b []byte) uint8 { return b[0] }),
	"uint16":  basic(ne.Uint16),
	"uint32":  basic(ne.Uint32),
	"uint64":  basic(ne.Uint64),
	"float32": basic(func(b []byte) float32 { return math.Float32frombits(ne.Uint32(b)) }),
	"float64": basic(func(b []byte) float64 { return math.Float64frombits(ne.Uint64(b)) }),
}

func basic[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](decode func([]byte) T) basicType {
	var zero T
	return basicType{
		size: binary.Size(zero),
		createValue: func(name string, o *shm.Options) (*shm.Segment, error) {
			v, err := value.Create[T](name, 0, o)
			if err != nil {
				return nil, err
			}
			return v.Segment(), nil
		},
		createArray: func(name string, n int, o *shm.Options) (*shm.Segment, error) {
			a, err := array.Create[T](name, n, o)
			if err != nil {
				return nil, err
			}
			return a.Segment(), nil
		},
		decode: func(b []byte) any { return jsonNumber(decode(b)) },
	}
}

// jsonNumber keeps a float that JSON cannot carry (NaN, ±Inf) as a string,
// which fmt prints as it prints the float.
func jsonNumber[T any](x T) any {
	var f float64
	switch v := any(x).(type) {
	case float32:
		f = float64(v)
	case float64:
		f = v
	default:
		return x
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64) // "NaN", "+Inf", "-Inf"
	}
	return x
}

// TypeNames lists the element types Params.Type accepts, sorted, for
// messages.
func TypeNames() string {
	names := make([]string, 0, len(basicTypes))
	for n := range basicTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

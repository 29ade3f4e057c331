package kinds

import (
	"encoding/hex"
	"fmt"

	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// Elements returns the elements of seg, a value or array segment:
// numbers for the basic types (NaN and ±Inf as strings, which JSON can
// carry), hex strings for any other type. A value is a consistent
// snapshot; an array is copied as it is at that moment, without its lock.
func Elements(seg *shm.Segment) ([]any, error) {
	raw, err := elemBytes(seg)
	if err != nil {
		return nil, err
	}
	e := seg.Header().Elem
	return decodeElems(e.Name, raw, int(e.Size)), nil
}

// elemBytes copies the element bytes of a value or array segment.
func elemBytes(seg *shm.Segment) ([]byte, error) {
	e := seg.Header().Elem
	switch seg.Kind() {
	case "value":
		return value.ReadBytes(seg)
	case "array":
		// The header copy was validated: Count*Size fits the payload.
		return append([]byte(nil), seg.Payload()[:e.Count*e.Size]...), nil
	}
	return nil, fmt.Errorf("dump %s: it is a %q segment; dump shows values and arrays", seg.Name(), seg.Kind())
}

// decodeElems decodes raw, elements of size bytes of the named type.
func decodeElems(typeName string, raw []byte, size int) []any {
	out := make([]any, 0, len(raw)/max(size, 1))
	bt, isBasic := basicTypes[typeName]
	isBasic = isBasic && bt.size == size // a forged header may pair a name with another size
	for off := 0; size > 0 && off+size <= len(raw); off += size {
		if isBasic {
			out = append(out, bt.decode(raw[off:off+size]))
		} else {
			out = append(out, hex.EncodeToString(raw[off:off+size]))
		}
	}
	return out
}

package shm

import (
	"fmt"
	"hash/fnv"
	"reflect"
	"strings"
)

// DescribeType returns the TypeDesc of one T, for a segment that holds T
// values in place. T must be fixed-size and free of pointers: no pointer,
// slice, map, string, interface, channel or function anywhere inside, since
// an address means nothing in another process. A T that breaks this is
// refused with an error naming the offending field.
//
// The fingerprint is a hash of T's layout (field names, kinds, offsets and
// sizes, recursively), so that two programs that share a segment agree on
// more than the size.
func DescribeType[T any]() (TypeDesc, error) {
	return describe(reflect.TypeFor[T]())
}

func describe(t reflect.Type) (TypeDesc, error) {
	var layout strings.Builder
	if err := walkType(t, t.String(), &layout); err != nil {
		return TypeDesc{}, fmt.Errorf("%w: %w", ErrTypeMismatch, err)
	}
	h := fnv.New64a()
	h.Write([]byte(layout.String()))
	name := t.String()
	if len(name) > MaxTypeNameLen {
		name = name[:MaxTypeNameLen]
	}
	return TypeDesc{Name: name, Size: uint64(t.Size()), Align: uint64(t.Align()), Count: 1, Fingerprint: h.Sum64()}, nil
}

// walkType checks t for pointers and writes its canonical layout.
func walkType(t reflect.Type, path string, layout *strings.Builder) error {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		fmt.Fprintf(layout, "%s", t.Kind())
		return nil
	case reflect.Array:
		fmt.Fprintf(layout, "[%d]", t.Len())
		return walkType(t.Elem(), path+"[]", layout)
	case reflect.Struct:
		layout.WriteString("struct{")
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(layout, "%s@%d:", f.Name, f.Offset)
			if err := walkType(f.Type, path+"."+f.Name, layout); err != nil {
				return err
			}
			layout.WriteString(";")
		}
		fmt.Fprintf(layout, "}%d", t.Size())
		return nil
	}
	return fmt.Errorf("%s is a %s; shared memory holds no pointers, slices, maps, strings, interfaces, channels or functions", path, t.Kind())
}

package pool

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/shmkit/shmkit/shm"
)

// A Codec carries values of T between processes as bytes: Append
// appends v's encoding to dst, Decode makes a value from an encoding
// (which it must not keep: the bytes are shared memory, reused once the
// call returns). Bytes, String, Raw, JSON and Gob are codecs; a caller
// may bring its own (protobuf, msgpack).
type Codec[T any] interface {
	Append(dst []byte, v T) ([]byte, error)
	Decode(b []byte) (T, error)
}

// defaultCodec is the codec Register picks for T.
func defaultCodec[T any]() (Codec[T], error) {
	var c any
	switch reflect.TypeFor[T]() {
	case reflect.TypeFor[[]byte]():
		c = Bytes()
	case reflect.TypeFor[string]():
		c = String()
	default:
		r, err := Raw[T]()
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	return c.(Codec[T]), nil
}

type bytesCodec struct{}

// Bytes is the codec of []byte: the bytes themselves. Decode returns the
// shared memory in place, with no copy: valid only during the call.
func Bytes() Codec[[]byte] { return bytesCodec{} }

func (bytesCodec) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (bytesCodec) Decode(b []byte) ([]byte, error)             { return b, nil }

type stringCodec struct{}

// String is the codec of string: its bytes.
func String() Codec[string] { return stringCodec{} }

func (stringCodec) Append(dst []byte, v string) ([]byte, error) { return append(dst, v...), nil }
func (stringCodec) Decode(b []byte) (string, error)             { return string(b), nil }

type rawCodec[T any] struct{ size int }

// Raw is the codec of a fixed-size type free of pointers: a T travels as
// its memory, with no encoding (both processes run the same binary, so
// they agree on the layout). It fails for a T with pointers, slices,
// strings, maps or interfaces inside, naming the field.
func Raw[T any]() (Codec[T], error) {
	d, err := shm.DescribeType[T]()
	if err != nil {
		return nil, fmt.Errorf("%s cannot travel as its memory: %w", typeName[T](), err)
	}
	return rawCodec[T]{size: int(d.Size)}, nil
}

func (c rawCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	return append(dst, rawBytes(&v)...), nil
}

func (c rawCodec[T]) Decode(b []byte) (T, error) {
	var v T
	if len(b) != c.size {
		return v, fmt.Errorf("pool: %d bytes for a %s of %d", len(b), typeName[T](), c.size)
	}
	copy(rawBytes(&v), b)
	return v, nil
}

// view returns v's memory without a copy, for the parent's side of Map.
func (c rawCodec[T]) view(v *T) []byte { return rawBytes(v) }

type jsonCodec[T any] struct{}

// JSON is the codec that carries a T as encoding/json does.
func JSON[T any]() Codec[T] { return jsonCodec[T]{} }

func (jsonCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

func (jsonCodec[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

type gobCodec[T any] struct{}

// Gob is the codec that carries a T as encoding/gob does, one value per
// stream (each value carries its type's description).
func Gob[T any]() Codec[T] { return gobCodec[T]{} }

func (gobCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	err := gob.NewEncoder(buf).Encode(&v)
	return buf.Bytes(), err
}

func (gobCodec[T]) Decode(b []byte) (T, error) {
	var v T
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v)
	return v, err
}

package pylist

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/shmkit/shmkit/internal/tmpfile"
	"github.com/shmkit/shmkit/shm"
)

// Create makes a new ShareableList called name holding items, byte for
// byte as Python's ShareableList(items, name=name) of the Options' Layout
// would, and opens it. Python opens it with ShareableList(name=name). An
// empty name picks a random one as Python does ("psm_" and 8 hex digits;
// see Name). The items are Go values as Set takes them. A taken name fails
// with an error wrapping fs.ErrExist.
//
// One difference: CPython sizes a str's slot by its code points, so a str
// of multi-byte UTF-8 characters may not fit and is cut (and then cannot
// be read back; CPython issue gh-88336). Create sizes it by its UTF-8
// bytes, the next multiple of 8 above their count, which is the same for
// ASCII and never cuts.
//
// The list is built in an unnamed file and linked under its name only when
// complete, so no process sees it half written. The segment is 0600 and
// outlives the List: remove it with shm.Remove, or from Python with
// sl.shm.unlink().
func Create(name string, items []any, opts *Options) (*List, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ReadOnly {
		return nil, opError("create", name, errors.New("a new list cannot be opened read-only (Options.ReadOnly)"))
	}
	b, err := build(items, o.Layout)
	if err != nil {
		return nil, opError("create", name, err)
	}
	if name != "" {
		if err := publish(name, b); err != nil {
			return nil, opError("create", name, err)
		}
		return openNew(name, o)
	}
	for range 16 {
		var r [4]byte
		_, _ = rand.Read(r[:])
		name = "psm_" + hex.EncodeToString(r[:])
		err = publish(name, b)
		if err == nil {
			return openNew(name, o)
		}
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	return nil, opError("create", name, err)
}

// openNew opens a list that Create has just published, removing it if
// that fails.
func openNew(name string, o Options) (*List, error) {
	l, err := Open(name, &o)
	if err != nil {
		_ = shm.Remove(name)
		return nil, err
	}
	return l, nil
}

// publish writes b to a new unnamed file in name's directory and links it
// under name.
func publish(name string, b []byte) (err error) {
	path, err := shm.Path(name)
	if err != nil {
		return err
	}
	tmp, err := tmpfile.Create(filepath.Dir(path))
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return shm.ErrNotSupported
		}
		return err
	}
	defer func() {
		if cerr := tmp.F.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			tmp.Discard()
		}
	}()
	if _, err := tmp.F.WriteAt(b, 0); err != nil {
		return err
	}
	return tmp.Publish(path)
}

// build lays out items as CPython's ShareableList of layout l does.
func build(items []any, l Layout) ([]byte, error) {
	if !l.valid() {
		return nil, fmt.Errorf("unknown layout %d", int(l))
	}
	type item struct {
		t    Type
		w    uint64
		b    []byte
		size int
	}
	enc := make([]item, len(items))
	data := 0
	for i, v := range items {
		t, w, b, err := encode(v)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		size := word
		if t == Str || t == Bytes {
			size = word * (len(b)/word + 1)
			if size > maxSlot {
				return nil, fmt.Errorf("item %d: %w: %s of %d bytes needs a slot of %d, and its format %q is longer than 8 bytes", i, ErrTooLong, t, len(b), size, strFormat(size))
			}
		}
		enc[i] = item{t, w, b, size}
		data += size
	}
	n := len(items)
	g := &geometry{n: n, offsets: make([]int, n+1), data: (n + l.header()) * word}
	for i, it := range enc {
		g.offsets[i+1] = g.offsets[i] + it.size
	}
	g.formats = g.data + data
	g.codes = g.formats + word*n
	b := make([]byte, g.codes+n)
	binary.NativeEndian.PutUint64(b, uint64(n))
	for i := range n {
		switch l {
		case Layout39:
			binary.NativeEndian.PutUint64(b[word*(i+2):], uint64(g.offsets[i+1]))
		case Layout38:
			binary.NativeEndian.PutUint64(b[word*(i+1):], uint64(enc[i].size))
		}
	}
	// Write each item through the same code as Set, over this buffer.
	w := &List{name: "(new)", mem: b, g: g}
	for i, it := range enc {
		if err := w.set("create", i, it.t, it.w, it.b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

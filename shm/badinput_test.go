package shm_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// corrupt creates a valid segment called name, then lets mutate change its
// file's bytes.
func corrupt(t *testing.T, name string, mutate func(b []byte) []byte) {
	t.Helper()
	seg := create(t, name, 4096, nil)
	seg.Close()
	path, _ := shm.Path(name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, mutate(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

// reseal recomputes the header checksum, as a hostile peer could.
func reseal(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[0xF8:], crc32.Checksum(b[:0xF8], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, name string) string // returns the name to open
		want  []error
	}{
		{"missing", func(t *testing.T, n string) string { return n }, []error{shm.ErrNotExist}},
		{"wrong magic", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { copy(b, "NOTMAGIC"); return b })
			return n
		}, []error{shm.ErrCorrupt, shm.ErrBadMagic}},
		{"truncated", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { return b[:len(b)-1] })
			return n
		}, []error{shm.ErrCorrupt}},
		{"shorter than header", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { return b[:100] })
			return n
		}, []error{shm.ErrCorrupt}},
		{"extended", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { return append(b, 0) })
			return n
		}, []error{shm.ErrCorrupt}},
		{"flipped byte", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { b[0x20] ^= 0x01; return b })
			return n
		}, []error{shm.ErrCorrupt}},
		{"newer version", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { b[8] = 2; return reseal(b) })
			return n
		}, []error{shm.ErrIncompatible}},
		{"unknown flags", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { b[0x18] = 4; return reseal(b) })
			return n
		}, []error{shm.ErrIncompatible}},
		{"hostile payload size", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { binary.LittleEndian.PutUint64(b[0x10:], 1<<62); return reseal(b) })
			return n
		}, []error{shm.ErrCorrupt}},
		{"hostile element count", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte {
				binary.LittleEndian.PutUint64(b[0x58:], 8)
				binary.LittleEndian.PutUint64(b[0x68:], 1<<61)
				return reseal(b)
			})
			return n
		}, []error{shm.ErrCorrupt}},
		{"ready word garbage", func(t *testing.T, n string) string {
			corrupt(t, n, func(b []byte) []byte { b[0xFC] = 7; return b })
			return n
		}, []error{shm.ErrCorrupt}},
		{"symlink", func(t *testing.T, n string) string {
			target := testutil.Name(t)
			create(t, target, 64, nil)
			link := "/dev/shm/" + n
			if err := os.Symlink("/dev/shm/"+target, link); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(link) })
			return n
		}, []error{shm.ErrNotRegular}},
		{"directory", func(t *testing.T, n string) string { return t.TempDir() + "/d/." + "/x/../../d" }, []error{shm.ErrInvalidName}},
		{"directory by path", func(t *testing.T, n string) string {
			d := filepath.Join(t.TempDir(), "d")
			os.Mkdir(d, 0o700)
			return d
		}, []error{shm.ErrNotRegular}},
		{"fifo", func(t *testing.T, n string) string {
			p := filepath.Join(t.TempDir(), "fifo")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, []error{shm.ErrNotRegular}},
		{"dot dot", func(t *testing.T, n string) string { return "../etc/passwd" }, []error{shm.ErrInvalidName}},
		{"empty name", func(t *testing.T, n string) string { return "" }, []error{shm.ErrInvalidName}},
		{"long name", func(t *testing.T, n string) string { return strings.Repeat("a", 256) }, []error{shm.ErrInvalidName}},
		{"bad character", func(t *testing.T, n string) string { return "orders;rm" }, []error{shm.ErrInvalidName}},
		{"other owner", func(t *testing.T, n string) string {
			if os.Geteuid() != 0 {
				t.Skip("needs root to chown a segment to another uid")
			}
			create(t, n, 64, nil)
			if err := os.Chown("/dev/shm/"+n, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return n
		}, []error{shm.ErrPermission}},
		{"world writable", func(t *testing.T, n string) string {
			create(t, n, 64, &shm.Options{Mode: 0o666, AllowOtherUsers: true})
			return n
		}, []error{shm.ErrPermission}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := tt.setup(t, testutil.Name(t))
			seg, err := shm.Open(open, nil)
			if err == nil {
				seg.Close()
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("Open(%q) = %v, want %v", open, err, want)
				}
			}
			if err != nil && !strings.HasPrefix(err.Error(), "shm: open ") {
				t.Errorf("error %q lacks the operation prefix", err)
			}
		})
	}
}

func TestBadSizes(t *testing.T) {
	for _, size := range []int{0, -1, shm.MaxPayloadSize + 1, 1 << 62} {
		name := testutil.Name(t)
		if seg, err := shm.Create(name, size, nil); !errors.Is(err, shm.ErrInvalidSize) {
			if err == nil {
				seg.Close()
				shm.Remove(name)
			}
			t.Errorf("Create(size %d) = %v, want ErrInvalidSize", size, err)
		}
	}
}

func TestCreateExisting(t *testing.T) {
	name := testutil.Name(t)
	create(t, name, 64, nil)
	if _, err := shm.Create(name, 64, nil); !errors.Is(err, shm.ErrExist) {
		t.Fatalf("Create(existing) = %v, want ErrExist", err)
	}
}

// Create and Open agree on modes that let others write: without
// AllowOtherUsers Create refuses to make what Open would refuse, and says
// what to set; with it, both accept.
func TestAllowOtherUsers(t *testing.T) {
	name := testutil.Name(t)
	for _, mode := range []fs.FileMode{0o666, 0o660, 0o620} {
		if seg, err := shm.Create(name, 64, &shm.Options{Mode: mode}); !errors.Is(err, shm.ErrInvalidOptions) || !strings.Contains(fmt.Sprint(err), "AllowOtherUsers") {
			if err == nil {
				seg.Close()
				shm.Remove(name)
			}
			t.Errorf("Create(mode %04o) = %v, want ErrInvalidOptions pointing at AllowOtherUsers", mode, err)
		}
	}
	create(t, name, 64, &shm.Options{Mode: 0o666, AllowOtherUsers: true})
	seg, err := shm.Open(name, &shm.Options{AllowOtherUsers: true})
	if err != nil {
		t.Fatalf("Open with AllowOtherUsers = %v", err)
	}
	seg.Close()
}

// Every single-bit flip anywhere in the header page gives an error or, for
// the bytes no check covers, a valid open; never a panic.
func TestEveryHeaderBitFlip(t *testing.T) {
	name := testutil.Name(t)
	seg := create(t, name, 64, &shm.Options{Kind: "array", Elem: shm.TypeDesc{Name: "int64", Size: 8, Align: 8, Count: 8, Fingerprint: 9}})
	seg.Close()
	path, _ := shm.Path(name)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < 0x100; off++ {
		for bit := range 8 {
			b := append([]byte(nil), orig...)
			b[off] ^= 1 << bit
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			seg, err := shm.Open(name, nil)
			if err == nil {
				seg.Close()
				t.Fatalf("Open with bit %d of byte %#x flipped succeeded", bit, off)
			}
			if !errors.Is(err, shm.ErrCorrupt) && !errors.Is(err, shm.ErrIncompatible) && !errors.Is(err, shm.ErrNotReady) {
				t.Fatalf("Open with bit %d of byte %#x flipped = %v, want a header error", bit, off, err)
			}
		}
	}
}

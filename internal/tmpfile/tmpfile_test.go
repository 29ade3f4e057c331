//go:build linux

package tmpfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The fallback for file systems without O_TMPFILE: a hidden temporary name
// that publish links to the real name and then removes.
func TestNamedTempFallback(t *testing.T) {
	dir := t.TempDir()
	h, err := createNamed(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer h.F.Close()
	path := filepath.Join(dir, "seg")
	if err := h.Publish(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(h.TmpPath); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("temporary name %s still there after publish (%v)", h.TmpPath, err)
	}
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("published name missing: %v", err)
	}
	h2, err := createNamed(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.F.Close()
	if err := h2.Publish(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("publish over a taken name = %v, want ErrExist", err)
	}
	h2.Discard()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("directory holds %d entries after discard, want 1", len(entries))
	}
}

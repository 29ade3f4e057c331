package testutil

import (
	"os"
	"testing"
)

// Scribble writes b, at most max bytes of it, over the payload of the
// segment file at path (after its 4096-byte header), as a hostile peer
// would: for fuzz targets of what a process finds when it opens.
func Scribble(t testing.TB, path string, b []byte, max int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt(b[:min(len(b), max)], 4096)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

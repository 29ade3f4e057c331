package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// With ProfileDir, both processes of every measurement write a CPU
// profile there, named for the row and round, and each profiled its own
// side of the traffic: the sender's has sendFor, the receiver's
// receiveAll (a profile is gzipped protobuf, and names its functions in
// its string table).
func TestProfileDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profiles") // made by Run
	_, err := Run(context.Background(), Config{
		Transports: []string{"ring", "chan"},
		Sizes:      []int{64},
		Duration:   30 * MinDuration, // some 30 samples of each side's throughput phase
		ProfileDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{
		"chan-block-64-main-r1.send.pprof", // one process: no receiver's
		"ring-block-64-idle-r1.recv.pprof", "ring-block-64-idle-r1.send.pprof",
		"ring-block-64-main-r1.recv.pprof", "ring-block-64-main-r1.send.pprof",
		"ring-spin-64-main-r1.recv.pprof", "ring-spin-64-main-r1.send.pprof",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("profiles %q, want %q", got, want)
	}
	for file, fn := range map[string]string{"ring-spin-64-main-r1.send.pprof": "bench.sendFor", "ring-spin-64-main-r1.recv.pprof": "bench.receiveAll"} {
		if p := profileText(t, filepath.Join(dir, file)); !bytes.Contains(p, []byte(fn)) {
			t.Errorf("%s has no samples in %s", file, fn)
		}
	}
}

// profileText is a profile's protobuf, unzipped.
func profileText(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// A ProfileDir that cannot be a directory is a configuration error,
// before anything is measured.
func TestProfileDirInvalid(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{file, filepath.Join(file, "below")} {
		_, err := Run(context.Background(), Config{Transports: []string{"ring"}, Sizes: []int{64}, Duration: MinDuration, ProfileDir: dir})
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ProfileDir %s: %v, want ErrInvalidConfig", dir, err)
		}
	}
}

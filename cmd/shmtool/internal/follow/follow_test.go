package follow

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// path returns a segment path in a directory of the test's own: these
// tests need no name in /dev/shm.
func path(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }

// next calls t.Next and fails the test on an error.
func next(tb testing.TB, t *Tailer) Message {
	tb.Helper()
	m, err := t.Next(context.Background())
	if err != nil {
		tb.Fatalf("Next() = %v", err)
	}
	return m
}

func tail(tb testing.TB, name string, cfg TailConfig) *Tailer {
	tb.Helper()
	t, err := Tail(name, cfg)
	if err != nil {
		tb.Fatalf("Tail(%s, %+v) = %v", name, cfg, err)
	}
	tb.Cleanup(func() { t.Close() })
	return t
}

func TestInvalidConfig(t *testing.T) {
	for _, cfg := range []TailConfig{{Count: -1}, {Wait: -1}} {
		if _, err := Tail("unused", cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Tail(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	for _, cfg := range []WatchConfig{{}, {Interval: -1}, {Interval: 1, Count: -1}} {
		if _, err := Watch("unused", cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Watch(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

// Segments of kinds that carry no messages are refused, saying so; a
// missing one with Open's error.
func TestKindError(t *testing.T) {
	name := path(t, "mutex")
	seg, err := shm.Create(name, 64, &shm.Options{Kind: "mutex"})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	for _, tt := range []struct {
		op   string
		open func() error
	}{
		{"tail", func() error { _, err := Tail(name, TailConfig{}); return err }},
		{"tail", func() error { _, err := Tail(name, TailConfig{Consume: true}); return err }},
		{"watch", func() error { _, err := Watch(name, WatchConfig{Interval: 1}); return err }},
	} {
		err := tt.open()
		var ke *KindError
		want := fmt.Sprintf("%s is a \"mutex\" segment; %s follows rings, streams and queues", name, tt.op)
		if tt.op == "watch" {
			want = fmt.Sprintf("%s is a \"mutex\" segment; watch follows rings, streams, queues and pools", name)
		}
		if !errors.As(err, &ke) || err.Error() != want {
			t.Errorf("%s of a mutex = %v, want a KindError saying %q", tt.op, err, want)
		}
	}
	if _, err := Tail(path(t, "none"), TailConfig{}); !errors.Is(err, shm.ErrNotExist) {
		t.Errorf("Tail(missing) = %v, want shm.ErrNotExist", err)
	}
	if _, err := Watch(path(t, "none"), WatchConfig{Interval: 1}); !errors.Is(err, shm.ErrNotExist) {
		t.Errorf("Watch(missing) = %v, want shm.ErrNotExist", err)
	}
}

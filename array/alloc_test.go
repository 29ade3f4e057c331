package array_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/testutil"
)

// The element accessors allocate nothing.
func TestAllocs(t *testing.T) {
	a := create[int64](t, 16)
	buf := make([]byte, 64)
	adds := int64(0)
	calls := []struct {
		name string
		f    func() error
	}{
		{"Set+At", func() error {
			a.Set(3, 7)
			return want(a.At(3), 7)
		}},
		{"StoreAt+LoadAt", func() error {
			array.StoreAt(a, 4, 9)
			return want(array.LoadAt(a, 4), 9)
		}},
		{"AddAt", func() error { adds++; return want(array.AddAt(a, 5, 1), adds) }},
		{"CompareAndSwapAt+SwapAt", func() error {
			if !array.CompareAndSwapAt(a, 6, 0, 1) {
				return errors.New("CompareAndSwapAt from 0 failed")
			}
			return want(array.SwapAt(a, 6, 0), 1)
		}},
		{"WriteAt+ReadAt", func() error {
			if _, err := a.WriteAt(buf, 64); err != nil {
				return err
			}
			_, err := a.ReadAt(buf, 64)
			return err
		}},
		{"Lock+Unlock", func() error {
			if err := a.Lock(); err != nil {
				return err
			}
			return a.Unlock()
		}},
	}
	for _, c := range calls {
		testutil.NoAllocs(t, c.name, c.f)
	}
}

func want(got, w int64) error {
	if got != w {
		return fmt.Errorf("got %d, want %d", got, w)
	}
	return nil
}
